import { describe, expect, it } from 'vitest';
import { ConfigError, closest, defaultConfig, parseConfig } from '../src/index.ts';

function errorOf(yaml: string, source?: string): ConfigError {
  try {
    parseConfig(yaml, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig', () => {
  it('an empty file or only comments means the defaults', () => {
    expect(parseConfig('')).toEqual(defaultConfig);
    expect(parseConfig('# nothing yet\n')).toEqual(defaultConfig);
    expect(defaultConfig).toMatchObject({
      version: 1,
      reruns: 3,
      limits: { cpuSeconds: 2, wallSeconds: 10, slowMs: 500, memoryMb: 512 },
      require: { assertions: true, coverageGain: true, errorPath: true },
      security: { failOn: 'any', allowRules: [] },
      generate: {
        mode: 'auto',
        maxTestsPerFunction: 6,
        timeBudgetSeconds: 20,
        model: { name: 'gpt-4o-mini', budget: { tokens: 200000, usd: 0.5 } },
      },
      pullRequests: { drafts: false },
      addTests: { enabled: false },
      comment: { enabled: true },
      environment: {
        install: 'auto',
        requirements: [],
        extras: [],
        groups: [],
        packages: [],
        allowSdist: false,
      },
    });
    expect(defaultConfig.tests.globs).toContain('tests/**/test_*.py');
  });

  it('fills defaults around the keys given', () => {
    const config = parseConfig(
      'reruns: 5\nlimits:\n  slowMs: 1000\ngenerate:\n  model:\n    baseUrl: http://127.0.0.1:8080/v1\n    prices:\n      local: {inputPer1M: 0, outputPer1M: 0}\n',
    );
    expect(config.reruns).toBe(5);
    expect(config.limits).toEqual({ cpuSeconds: 2, wallSeconds: 10, slowMs: 1000, memoryMb: 512 });
    expect(config.generate.model.baseUrl).toBe('http://127.0.0.1:8080/v1');
    expect(config.generate.model.timeoutSeconds).toBe(60);
    // Repository prices add to the built-in table.
    expect(config.generate.model.prices.local).toEqual({ inputPer1M: 0, outputPer1M: 0 });
    expect(config.generate.model.prices['gpt-4o-mini']).toEqual({
      inputPer1M: 0.15,
      outputPer1M: 0.6,
    });
  });

  it('returns fresh objects: changing a parsed config does not change the defaults', () => {
    const config = parseConfig('');
    config.security.allowRules.push('B101');
    config.generate.model.prices['gpt-4o-mini']!.inputPer1M = 99;
    expect(defaultConfig.security.allowRules).toEqual([]);
    expect(parseConfig('').generate.model.prices['gpt-4o-mini']!.inputPer1M).toBe(0.15);
    expect(Object.isFrozen(defaultConfig.limits)).toBe(true);
  });

  it('a bad type names the key, what is allowed and what it got', () => {
    const error = errorOf('limits:\n  cpuSeconds: fast\n');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      '.github/testgate.yml: limits.cpuSeconds must be a number between 0.1 and 60 (got "fast")',
    );
    expect(error.problems).toEqual([
      {
        path: 'limits.cpuSeconds',
        message: 'limits.cpuSeconds must be a number between 0.1 and 60 (got "fast")',
      },
    ]);
    expect(error.cause).toBeDefined();
  });

  it('reports every bad key at once, with the source name', () => {
    const error = errorOf(
      'reruns: 0\nsecurity: {failOn: low, allowRules: [B101, ""]}\ngenerate: {mode: gpt}\n',
      'repo/.github/testgate.yml',
    );
    expect(error.message.split('\n')).toEqual([
      'repo/.github/testgate.yml: reruns must be an integer between 1 and 10 (got 0)',
      'repo/.github/testgate.yml: security.failOn must be one of "any", "medium", "high" (got "low")',
      'repo/.github/testgate.yml: security.allowRules[1] must be a rule id such as "B101" or "TG-SLEEP" (got "")',
      'repo/.github/testgate.yml: generate.mode must be one of "auto", "model", "builtin", "off" (got "gpt")',
    ]);
  });

  it('rejects a section that is not a mapping, and a file that is not one', () => {
    expect(errorOf('limits: [1, 2]').message).toBe(
      '.github/testgate.yml: limits must be a mapping of settings (got a list)',
    );
    expect(errorOf('- reruns: 3').message).toBe(
      '.github/testgate.yml: must be a mapping of settings such as "reruns: 3" (got a list)',
    );
    expect(errorOf('just text').message).toContain('(got "just text")');
  });

  it('an unknown key is an error that suggests the closest valid key', () => {
    expect(errorOf('rerun: 2').message).toBe(
      '.github/testgate.yml: rerun is not a known setting; did you mean "reruns"? Valid keys: version, reruns, limits, require, strength, security, tests, generate, pullRequests, addTests, comment, environment.',
    );
    expect(errorOf('limits: {cpu_seconds: 3}').message).toContain(
      'limits.cpu_seconds is not a known setting; did you mean "limits.cpuSeconds"?',
    );
    expect(errorOf('generate: {model: {temprature: 0}}').message).toContain(
      'did you mean "generate.model.temperature"?',
    );
    const unrelated = errorOf('colour: blue');
    expect(unrelated.message).toContain('colour is not a known setting. Valid keys:');
    expect(unrelated.message).not.toContain('did you mean');
  });

  it('bad YAML is CONFIG_YAML with the line', () => {
    const error = errorOf('reruns: 3\nlimits: [\n');
    expect(error.code).toBe('CONFIG_YAML');
    expect(error.message).toMatch(
      /^\.github\/testgate\.yml: is not valid YAML: .+ at line \d+, column \d+$/,
    );
    expect(error.problems[0]!.line).toBeGreaterThan(0);
    expect(errorOf('reruns: 3\nreruns: 4\n').code).toBe('CONFIG_YAML');
  });

  it('rejects an unsupported version and a non-http base URL', () => {
    expect(errorOf('version: 2').message).toContain('version must be 1');
    expect(errorOf('generate: {model: {baseUrl: "file:///etc/passwd"}}').message).toContain(
      'generate.model.baseUrl must be an http(s) URL',
    );
  });

  it('test strength: defaults, bounds and the base runs require.failsBefore needs', () => {
    expect(defaultConfig.require).toMatchObject({ failsBefore: false, strength: true });
    expect(defaultConfig.strength).toEqual({
      maxMutants: 60,
      maxMutantsPerLine: 3,
      seconds: 60,
      baseRuns: true,
    });
    expect(parseConfig('strength: {maxMutants: 0}\nrequire: {strength: false}')).toMatchObject({
      strength: { maxMutants: 0, maxMutantsPerLine: 3 },
      require: { strength: false, failsBefore: false },
    });
    expect(errorOf('strength: {maxMutants: 5000}').message).toBe(
      '.github/testgate.yml: strength.maxMutants must be an integer between 0 and 1000 (mutants per evaluation) (got 5000)',
    );
    expect(errorOf('strength: {maxMutantsPerLine: 0}').message).toBe(
      '.github/testgate.yml: strength.maxMutantsPerLine must be an integer between 1 and 20 (mutants per changed line) (got 0)',
    );
    expect(errorOf('strength: {seconds: "fast"}').message).toBe(
      '.github/testgate.yml: strength.seconds must be a number between 1 and 1800 (seconds for the mutant runs) (got "fast")',
    );
    expect(errorOf('require: {failsBefore: yes please}').message).toBe(
      '.github/testgate.yml: require.failsBefore must be true or false (got "yes please")',
    );
    expect(errorOf('strength: {max_mutants: 5}').message).toContain(
      'strength.max_mutants is not a known setting; did you mean "strength.maxMutants"?',
    );
    expect(errorOf('require: {failsBefore: true}\nstrength: {baseRuns: false}').message).toBe(
      '.github/testgate.yml: require.failsBefore needs strength.baseRuns: true (the base runs tell whether a test fails before the change): turn strength.baseRuns on, or require.failsBefore off (got true)',
    );
  });

  it('reports a missing key inside a record entry', () => {
    expect(errorOf('generate: {model: {prices: {mine: {inputPer1M: 1}}}}').message).toBe(
      '.github/testgate.yml: generate.model.prices.mine.outputPer1M is missing: it must be a number between 0 and 10000 (USD per million output tokens)',
    );
  });
});

describe('closest', () => {
  it('finds typos and snake_case, not unrelated words', () => {
    expect(closest('rerun', ['reruns', 'limits'])).toBe('reruns');
    expect(closest('wall_seconds', ['cpuSeconds', 'wallSeconds'])).toBe('wallSeconds');
    expect(closest('xyz', ['reruns', 'limits'])).toBeUndefined();
  });
});
