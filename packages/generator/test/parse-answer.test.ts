import { describe, expect, it } from 'vitest';
import { isGeneratorError, parseAnswer } from '../src/index.ts';

const TEST =
  'import pytest\nfrom calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n';

describe('parseAnswer', () => {
  it('takes a ```python fence out of prose', () => {
    const files = parseAnswer(
      `Here are the tests:\n\n\`\`\`python\n${TEST}\`\`\`\n\nThey cover the happy path.`,
    );
    expect(files).toEqual([{ content: TEST }]);
  });

  it('accepts a bare ``` fence and a ~~~ fence', () => {
    expect(parseAnswer(`\`\`\`\n${TEST}\`\`\``)[0]?.content).toBe(TEST);
    expect(parseAnswer(`Sure.\n~~~py\n${TEST}~~~\nDone.`)[0]?.content).toBe(TEST);
  });

  it('splits one block on `# file:` headers and keeps the paths', () => {
    const other = TEST.replace('test_add', 'test_add_again');
    const files = parseAnswer(
      `\`\`\`python\n# file: tests/test_a.py\n${TEST}\n# file: tests/test_b.py\n${other}\`\`\``,
    );
    expect(files.map((f) => f.path)).toEqual(['tests/test_a.py', 'tests/test_b.py']);
    expect(files[1]?.content).toContain('def test_add_again');
    expect(files[0]?.content).not.toContain('# file:');
  });

  it('reads several fences, named by the line before each', () => {
    const files = parseAnswer(
      `**tests/test_one.py**\n\`\`\`python\n${TEST}\`\`\`\nand \`tests/test_two.py\`:\n\`\`\`python\n${TEST}\`\`\``,
    );
    expect(files.map((f) => f.path)).toEqual(['tests/test_one.py', 'tests/test_two.py']);
  });

  it('ignores blocks in other languages and rejects an answer with no Python tests', () => {
    const js =
      "```javascript\ndescribe('add', () => {\n  it('adds', () => { expect(add(1, 2)).toBe(3); });\n});\n```";
    const files = parseAnswer(
      `${js}\n\`\`\`bash\npip install pytest\n\`\`\`\n\`\`\`python\n${TEST}\`\`\``,
    );
    expect(files).toHaveLength(1);
    expect(files[0]?.content).toBe(TEST);
    let error: unknown;
    try {
      parseAnswer(js);
    } catch (caught) {
      error = caught;
    }
    expect(isGeneratorError(error) && error.code).toBe('BAD_ANSWER');
    expect(() => parseAnswer('I cannot help with that.')).toThrow(/without a Python code block/);
    // An unlabelled fence holding JavaScript is not Python either.
    expect(() => parseAnswer('```\nconst x = 1;\nfunction test_x() { return x; }\n```')).toThrow(
      /not pytest tests/,
    );
  });

  it('takes bare code with prose around it', () => {
    const files = parseAnswer(`Here you go:\n${TEST}\nHope this helps!`);
    expect(files[0]?.content.trim()).toBe(TEST.trim());
  });

  it('dedents an indented fence', () => {
    const indented = TEST.split('\n')
      .map((l) => (l ? `    ${l}` : l))
      .join('\n');
    expect(parseAnswer(`1. The file:\n    \`\`\`python\n${indented}    \`\`\``)[0]?.content).toBe(
      TEST,
    );
  });
});
