import { describe, expect, it } from 'vitest';
import {
  annotations,
  escapeCommandData,
  escapeCommandProperty,
  renderAnnotationCommands,
  workflowCommand,
} from '../src/index.ts';
import { failingReport } from './fixtures.ts';

describe('workflow commands', () => {
  it('escapes data and properties as the runner unescapes them', () => {
    expect(escapeCommandData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeCommandProperty('a,b:c%\n')).toBe('a%2Cb%3Ac%25%0A');
    // %0A written by a test stays text: its % is escaped first.
    expect(escapeCommandData('%0A')).toBe('%250A');
  });

  it('keeps a hostile message on one line', () => {
    const line = workflowCommand(
      'error',
      { file: 'tests/t,1.py', line: 3, title: 'x::y' },
      'boom\n::add-mask::secret\n::stop-commands::token',
    );
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe(
      '::error file=tests/t%2C1.py,line=3,title=x%3A%3Ay::boom%0A::add-mask::secret%0A::stop-commands::token',
    );
  });

  it('leaves out properties without a value', () => {
    expect(workflowCommand('notice', { file: undefined, title: 'T' }, 'm')).toBe(
      '::notice title=T::m',
    );
    expect(workflowCommand('warning', {}, 'm')).toBe('::warning::m');
  });

  it('renders one command per check-run annotation, at the same file and line, under the path prefix', () => {
    const report = failingReport();
    const lines = renderAnnotationCommands(report, { pathPrefix: './sub/' });
    const expected = annotations(report);
    expect(lines).toHaveLength(expected.length);
    expected.forEach((annotation, index) => {
      const level = annotation.level === 'failure' ? 'error' : annotation.level;
      expect(lines[index]).toMatch(
        new RegExp(
          `^::${level} file=sub/${annotation.file.replace(/[.]/g, '\\.')},line=${annotation.startLine},`,
        ),
      );
    });
  });
});
