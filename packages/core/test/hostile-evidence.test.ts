/**
 * What the policy and the text helpers do with evidence a hostile pull request shaped:
 * run-time findings no config can allow, import failures the PR caused, unchanged tests
 * judged because they run a changed fixture, import-time work, and text built to inject.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  escapeControlCharacters,
  escapeUntrustedStrings,
  judge,
  neutralizeWorkflowCommands,
  parseConfig,
  singleLine,
} from '../src/index.ts';
import { evidence, file, finding, run, test } from './builders.ts';

describe('run-time findings cannot be allowed', () => {
  it('an AUDIT-* entry in allowRules is a config error that says what to allow instead', () => {
    let error: unknown;
    try {
      parseConfig('security:\n  allowRules: [B605, AUDIT-os.system]\n', '.github/testgate.yml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('security.allowRules');
    expect((error as ConfigError).message).toContain('cannot allow run-time findings (AUDIT-*)');
  });

  it('an audit finding rejects the test even when its rule id is in allowRules', () => {
    const audit = finding({ rule: 'AUDIT-kernel-blocked', source: 'audit', line: 11 });
    const config = parseConfig('security:\n  allowRules: [B605, TG-SUBPROCESS]\n');
    // The config parser refuses AUDIT-* ids; a config built some other way still cannot allow one.
    config.security.allowRules.push('AUDIT-kernel-blocked');
    const report = judge(evidence({ tests: [test('test_x', { findings: [audit] })] }), config);
    expect(report.verdict).toBe('fail');
    expect(report.tests[0]!.reasons).toContain('unsafe');
  });
});

describe('code under test that does not import', () => {
  const failing = (importBlame: 'dependency' | 'gate' | 'pr') =>
    evidence({
      project: {
        layout: 'flat',
        packages: ['calc'],
        importable: false,
        importError:
          'import calc failed: ValueError: boom (imported at calc/__init__.py:5)\nTraceback ...',
        importBlame,
      },
      tests: [],
      files:
        importBlame === 'pr'
          ? [
              file({
                path: 'calc/__init__.py',
                kind: 'source',
                collected: 0,
                error:
                  'import calc failed: ValueError: boom (imported at calc/__init__.py:5)\nTraceback ...',
              }),
            ]
          : [],
    });

  it("fails the gate when the PR's own code raised at import, naming the file and the error", () => {
    const report = judge(failing('pr'), parseConfig(''));
    expect(report.verdict).toBe('fail');
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({
      path: 'calc/__init__.py',
      kind: 'source',
      reasons: ['error'],
    });
    expect(report.files[0]!.details[0]!.message).toContain(
      'the code under test does not import in the sandbox, so no test could run (import calc failed: ValueError: boom',
    );
  });

  it('is neutral when the import system found no such third-party module', () => {
    const report = judge(failing('dependency'), parseConfig(''));
    expect(report.verdict).toBe('neutral');
    expect(report.files).toEqual([]);
  });
});

describe('tests judged because they run a fixture the PR changed', () => {
  it('answer for failing, not for how they were written', () => {
    const lazy = test('test_old', {
      change: 'uses',
      asserts: 0,
      coverage: {
        changedLinesCovered: {},
        changedBranchesCovered: 0,
        linesCovered: 0,
        branchesCovered: 0,
        errorPathLinesReached: {},
      },
    });
    const passing = judge(evidence({ tests: [lazy] }), parseConfig(''));
    expect(passing.tests[0]).toMatchObject({ status: 'accepted', reasons: [] });

    const broken = {
      ...lazy,
      runs: [run('failed', { message: 'assert 3 == 2' }), run('failed'), run('failed')],
    };
    const failed = judge(evidence({ tests: [broken] }), parseConfig(''));
    expect(failed.verdict).toBe('fail');
    expect(failed.tests[0]!.reasons).toEqual(['failed']);
  });
});

describe('work a test module does at import', () => {
  it('counts toward slow, and the message says where the time went', () => {
    const report = judge(
      evidence({ tests: [test('test_x', { importMs: 2006 })] }),
      parseConfig(''),
    );
    const result = report.tests[0]!;
    expect(result.reasons).toEqual(['slow']);
    expect(result.details[0]!.message).toBe(
      'took 20 ms plus 2006 ms of work at the import of tests/test_calc.py (module-level code beyond its imports) (budget 500 ms): make it faster with smaller inputs or by mocking slow calls',
    );
  });
});

describe('untrusted text', () => {
  const hostile = 'a\r\n::warning::pwned\r<h1>x</h1> \u001b[31m\u0000 \u202e done';

  it('control characters become visible escapes; CRLF becomes a newline', () => {
    expect(escapeControlCharacters(hostile)).toBe(
      'a\n::warning::pwned\\x0d<h1>x</h1> \\x1b[31m\\x00 \\u202e done',
    );
    expect(singleLine(hostile)).toBe(
      'a\\n::warning::pwned\\x0d<h1>x</h1> \\x1b[31m\\x00 \\u202e done',
    );
  });

  it('no line can start a GitHub Actions workflow command', () => {
    const out = neutralizeWorkflowCommands('ok\n::warning::x\n  ::add-mask::y\nnot::this');
    expect(out.split('\n').some((line) => /^\s*::/.test(line))).toBe(false);
    expect(out).toContain('not::this');
  });

  it('escapes every string of a parsed report, deep, and leaves the rest', () => {
    expect(
      escapeUntrustedStrings({ a: ['x\u0007', { b: 'y\u001b' }], n: 3, t: true, z: null }),
    ).toEqual({
      a: ['x\\x07', { b: 'y\\x1b' }],
      n: 3,
      t: true,
      z: null,
    });
  });
});
