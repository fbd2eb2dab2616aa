/**
 * `.github/testgate.yml`: the repository's gate settings. Every key is optional; a missing
 * file means {@link defaultConfig}. Unknown keys are errors (with a "did you mean"), because
 * a misspelt `reruns` that silently falls back to the default is worse than a failed check.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

/** Where a repository keeps its Testgate config (the worker reads it from the default branch, the CLI from the base commit). */
export const REPO_CONFIG_PATH = '.github/testgate.yml';

/** Which generator runs, once `generate.mode: auto` is resolved (the generator's `resolveGenerateMode`). */
export const GENERATE_MODES = ['model', 'builtin', 'off'] as const;
export type GenerateMode = (typeof GENERATE_MODES)[number];

/** Model prices in USD per million tokens, used to enforce `generate.model.budget.usd`. */
export interface ModelPrice {
  inputPer1M: number;
  outputPer1M: number;
}

export interface GateConfig {
  /**
   * Schema version of the file.
   * @defaultValue 1
   */
  version: 1;
  /**
   * Runs per test in all (first run plus reruns); a test whose outcome differs across
   * runs is `flaky`. CoverUp reruns 5 times; 3 catches most order/timing flakiness.
   * @defaultValue 3
   */
  reruns: number;
  limits: {
    /**
     * CPU seconds per test run before it is killed (`timeout`).
     * @defaultValue 2
     */
    cpuSeconds: number;
    /**
     * Wall-clock seconds per test run before it is killed (`timeout`).
     * @defaultValue 10
     */
    wallSeconds: number;
    /**
     * A test whose median run takes longer than this is `slow`.
     * @defaultValue 500
     */
    slowMs: number;
    /**
     * Memory (and memory+swap) of the sandbox in MB; over it the test is `resource-limit`.
     * @defaultValue 512
     */
    memoryMb: number;
  };
  require: {
    /**
     * Reject tests that assert nothing (`no-assert`) or only assert things that are always
     * true (`trivial-assert`).
     * @defaultValue true
     */
    assertions: boolean;
    /**
     * Reject tests that execute none of the PR's changed source lines (`no-coverage-gain`).
     * Skipped when the PR changes no source lines.
     * @defaultValue true
     */
    coverageGain: boolean;
    /**
     * When a changed function has changed `raise`/`except` lines and no test reaches any of
     * them, reject the tests of that function (`misses-error-path`).
     * @defaultValue true
     */
    errorPath: boolean;
    /**
     * When the pull request says it fixes a bug (a `bug`/`bugfix`/`fix` label or a closing
     * keyword such as "fixes #12" in the App; `--fixes-bug` in the CLI) and none of its new
     * or edited tests fails on the code before the change, reject its tests that pass there
     * too (`passes-before`). Needs `strength.baseRuns`.
     * @defaultValue false
     */
    failsBefore: boolean;
    /**
     * Mutate the changed lines (at most `strength.maxMutants` mutants) and reject a passing
     * test that covers mutants but fails at an assert on none of them (`weak-oracle`).
     * Off: no mutants are run at all.
     * @defaultValue true
     */
    strength: boolean;
  };
  /** Test strength: base runs and mutants of the changed lines (`require.strength`, `require.failsBefore`). */
  strength: {
    /**
     * Mutants per evaluation, in all.
     * @defaultValue 60
     */
    maxMutants: number;
    /**
     * Mutants per changed line.
     * @defaultValue 3
     */
    maxMutantsPerLine: number;
    /**
     * Wall-clock seconds for the mutant runs of one evaluation; mutants left when it is spent are `not-run`.
     * @defaultValue 60
     */
    seconds: number;
    /**
     * Run each judged test once more over the base code, to label it `fails-before`,
     * `passes-before`, `regression` or `fails-both`.
     * @defaultValue true
     */
    baseRuns: boolean;
  };
  security: {
    /**
     * Which static findings (Bandit, AST rules) reject a test: `any` (every finding; the
     * default, our bar is 0 unsafe tests accepted), `medium` (medium and high severity),
     * `high` (high severity only). Run-time (audit hook) and tampering findings always reject.
     * Findings below the bar are still listed in the security report.
     * @defaultValue 'any'
     */
    failOn: 'any' | 'medium' | 'high';
    /**
     * Rule ids the team explicitly accepts, e.g. `TG-SLEEP` or `B101`. Findings of these
     * rules are listed in the security report but reject nothing. Any rule id is accepted
     * here, so review additions like code: allowing `B605` allows shell commands in tests.
     * @defaultValue []
     */
    allowRules: string[];
    /**
     * Which static findings count: `changed` (those on lines the pull request added or
     * changed, and anywhere in files it added; findings the base tree already had are
     * reported as existing and reject nothing) or `all` (every finding in the files the
     * gate scans). Run-time (audit hook) findings always reject the test that triggered them.
     * @defaultValue 'changed'
     */
    scope: 'changed' | 'all';
  };
  tests: {
    /**
     * Glob patterns (relative to the repository root) of test files.
     * @defaultValue ['tests/**\/test_*.py', 'tests/**\/*_test.py', 'test_*.py', '**\/test_*.py']
     */
    globs: string[];
    /**
     * Extra paths or globs that are test files even if `globs` does not match them.
     * @defaultValue []
     */
    include: string[];
    /**
     * Paths or globs never treated as test files (vendored code, fixtures).
     * @defaultValue []
     */
    exclude: string[];
  };
  generate: {
    /**
     * `auto`: the model when an API key is configured, else the built-in generator;
     * `model`: the model (falls back to built-in when it is unavailable); `builtin`: only
     * the built-in generator; `off`: no suggestions.
     * @defaultValue 'auto'
     */
    mode: 'auto' | GenerateMode;
    /**
     * Most tests proposed per changed function.
     * @defaultValue 6
     */
    maxTestsPerFunction: number;
    /**
     * Seconds for generation in all (per pull request).
     * @defaultValue 20
     */
    timeBudgetSeconds: number;
    model: {
      /** @defaultValue 'gpt-4o-mini' */
      name: string;
      /**
       * Base URL of an OpenAI-compatible server; unset means OpenAI's.
       * @defaultValue undefined
       */
      baseUrl?: string | undefined;
      /** @defaultValue 60 */
      timeoutSeconds: number;
      /** Retries of a model call on 429/5xx/network errors. @defaultValue 3 */
      maxRetries: number;
      /** Token budget of the context sent per function (nearest function plus imports). @defaultValue 2048 */
      contextTokens: number;
      /** Rounds of "here is the error, fix the test". @defaultValue 2 */
      maxRepairRounds: number;
      /** @defaultValue 0.2 */
      temperature: number;
      /** Minimum milliseconds between model calls of one installation. @defaultValue 300 */
      throttleMs: number;
      /** How long cached completions are reused. @defaultValue 168 (one week) */
      cacheTtlHours: number;
      budget: {
        /** Tokens (prompt + completion) per pull request. @defaultValue 200000 */
        tokens: number;
        /** USD per pull request. @defaultValue 0.5 */
        usd: number;
      };
      /**
       * Prices by model name, merged over the built-in table.
       * @defaultValue { 'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 }, ... }
       */
      prices: Record<string, ModelPrice>;
    };
  };
  pullRequests: {
    /** Whether draft pull requests are gated. @defaultValue false */
    drafts: boolean;
  };
  addTests: {
    /** Whether the check run offers an "Add tests" button that commits the suggestions. @defaultValue false */
    enabled: boolean;
  };
  comment: {
    /** Whether the sticky PR comment (security report, verdict per test) is posted. @defaultValue true */
    enabled: boolean;
  };
  /**
   * The project's dependencies, installed as wheels into the sandbox (no network there):
   * resolved and downloaded by pip on the trusted side, installed offline, cached.
   */
  environment: {
    /**
     * `auto`: read what to install from the repository (lock files, requirements files,
     * pyproject.toml, setup.cfg); `off`: install nothing.
     * @defaultValue 'auto'
     */
    install: 'auto' | 'off';
    /** Requirement files to use instead of the detected ones. @defaultValue [] */
    requirements: string[];
    /** Extras of the project itself to install, e.g. `test` (beside test/tests/testing/dev). @defaultValue [] */
    extras: string[];
    /** PEP 735 dependency groups to install (beside test and dev). @defaultValue [] */
    groups: string[];
    /** Extra requirement strings, e.g. `freezegun>=1.2`. @defaultValue [] */
    packages: string[];
    /**
     * Build packages published only as an sdist into wheels, in a sandbox container with no
     * network. Off: such a package is a `neutral` verdict naming it.
     * @defaultValue false
     */
    allowSdist: boolean;
  };
}

type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_YAML';

/** One problem in the file, for callers that want to list them (annotations, doctor). */
interface ConfigProblem {
  /** Dotted key path, e.g. `limits.cpuSeconds`; empty for the document itself. */
  path: string;
  message: string;
  line?: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly source: string;
  readonly problems: ConfigProblem[];

  constructor(options: {
    code: ConfigErrorCode;
    source: string;
    problems: ConfigProblem[];
    cause?: unknown;
  }) {
    super(
      options.problems.map((p) => `${options.source}: ${p.message}`).join('\n'),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code;
    this.source = options.source;
    this.problems = options.problems;
  }
}

/** Prices at the time of writing (USD per 1M tokens); a repository can override or add. */
const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 },
  'gpt-4o': { inputPer1M: 2.5, outputPer1M: 10 },
  'gpt-4.1-mini': { inputPer1M: 0.4, outputPer1M: 1.6 },
  'gpt-4.1-nano': { inputPer1M: 0.1, outputPer1M: 0.4 },
};

export const DEFAULT_TEST_GLOBS: readonly string[] = [
  'tests/**/test_*.py',
  'tests/**/*_test.py',
  'test_*.py',
  '**/test_*.py',
];

/** The settings used when the file is absent; frozen, because every caller shares it. */
export const defaultConfig: GateConfig = deepFreeze({
  version: 1,
  reruns: 3,
  limits: { cpuSeconds: 2, wallSeconds: 10, slowMs: 500, memoryMb: 512 },
  require: {
    assertions: true,
    coverageGain: true,
    errorPath: true,
    failsBefore: false,
    strength: true,
  },
  strength: { maxMutants: 60, maxMutantsPerLine: 3, seconds: 60, baseRuns: true },
  security: { failOn: 'any', allowRules: [], scope: 'changed' },
  tests: { globs: [...DEFAULT_TEST_GLOBS], include: [], exclude: [] },
  generate: {
    mode: 'auto',
    maxTestsPerFunction: 6,
    timeBudgetSeconds: 20,
    model: {
      name: 'gpt-4o-mini',
      timeoutSeconds: 60,
      maxRetries: 3,
      contextTokens: 2048,
      maxRepairRounds: 2,
      temperature: 0.2,
      throttleMs: 300,
      cacheTtlHours: 168,
      budget: { tokens: 200_000, usd: 0.5 },
      prices: { ...DEFAULT_PRICES },
    },
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
} satisfies GateConfig);

function clonePrices(prices: Record<string, ModelPrice>): Record<string, ModelPrice> {
  return Object.fromEntries(Object.entries(prices).map(([name, price]) => [name, { ...price }]));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// --- schema -------------------------------------------------------------------------------
// Each leaf carries its own "must be ..." sentence so an error says what is allowed, not
// zod's generic "expected number, received string".

function numberIn(min: number, max: number, options: { int?: boolean; unit?: string } = {}) {
  const kind = options.int ? 'an integer' : 'a number';
  const unit = options.unit ? ` (${options.unit})` : '';
  const error = `must be ${kind} between ${min} and ${max}${unit}`;
  const base = options.int ? z.int({ error }) : z.number({ error });
  return base.min(min, { error }).max(max, { error });
}

function bool() {
  return z.boolean({ error: 'must be true or false' });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(', ')}` });
}

function stringList(what: string, max = 200) {
  const error = `must be ${what}`;
  return z
    .array(z.string({ error }).min(1, { error }).max(1000, { error }), {
      error: `must be a list, each entry ${what}`,
    })
    .max(max, { error: `must have at most ${max} entries` });
}

function section<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, { error: 'must be a mapping of settings' });
}

const d = defaultConfig;
const m = d.generate.model;

const priceSchema = section({
  inputPer1M: numberIn(0, 10_000, { unit: 'USD per million input tokens' }),
  outputPer1M: numberIn(0, 10_000, { unit: 'USD per million output tokens' }),
});

const gateConfigSchema = section({
  version: z.literal(1, { error: 'must be 1 (the only version so far)' }).default(1),
  reruns: numberIn(1, 10, { int: true }).default(d.reruns),
  limits: section({
    cpuSeconds: numberIn(0.1, 60).default(d.limits.cpuSeconds),
    wallSeconds: numberIn(1, 600).default(d.limits.wallSeconds),
    slowMs: numberIn(1, 600_000, { int: true }).default(d.limits.slowMs),
    memoryMb: numberIn(64, 16_384, { int: true }).default(d.limits.memoryMb),
  }).prefault({}),
  require: section({
    assertions: bool().default(d.require.assertions),
    coverageGain: bool().default(d.require.coverageGain),
    errorPath: bool().default(d.require.errorPath),
    failsBefore: bool().default(d.require.failsBefore),
    strength: bool().default(d.require.strength),
  }).prefault({}),
  strength: section({
    maxMutants: numberIn(0, 1000, { int: true, unit: 'mutants per evaluation' }).default(
      d.strength.maxMutants,
    ),
    maxMutantsPerLine: numberIn(1, 20, { int: true, unit: 'mutants per changed line' }).default(
      d.strength.maxMutantsPerLine,
    ),
    seconds: numberIn(1, 1800, { unit: 'seconds for the mutant runs' }).default(d.strength.seconds),
    baseRuns: bool().default(d.strength.baseRuns),
  }).prefault({}),
  security: section({
    failOn: oneOf(['any', 'medium', 'high']).default(d.security.failOn),
    allowRules: stringList('a rule id such as "B101" or "TG-SLEEP"')
      .refine((rules) => !rules.some((rule) => rule.toUpperCase().startsWith('AUDIT-')), {
        error:
          'cannot allow run-time findings (AUDIT-*): they record what a test actually did in the sandbox; allow the static rule instead (e.g. B605, TG-SUBPROCESS)',
      })
      .default(() => []),
    scope: oneOf(['changed', 'all']).default(d.security.scope),
  }).prefault({}),
  tests: section({
    globs: stringList('a glob pattern').default(() => [...DEFAULT_TEST_GLOBS]),
    include: stringList('a path or glob pattern').default(() => []),
    exclude: stringList('a path or glob pattern').default(() => []),
  }).prefault({}),
  generate: section({
    mode: oneOf(['auto', ...GENERATE_MODES]).default(d.generate.mode),
    maxTestsPerFunction: numberIn(1, 50, { int: true }).default(d.generate.maxTestsPerFunction),
    timeBudgetSeconds: numberIn(1, 600).default(d.generate.timeBudgetSeconds),
    model: section({
      name: z
        .string({ error: 'must be a model name such as "gpt-4o-mini"' })
        .min(1, { error: 'must be a model name such as "gpt-4o-mini"' })
        .max(200, { error: 'must be at most 200 characters' })
        .default(m.name),
      baseUrl: z
        .url({
          protocol: /^https?$/,
          error: 'must be an http(s) URL such as "https://api.openai.com/v1"',
        })
        .optional(),
      timeoutSeconds: numberIn(1, 600).default(m.timeoutSeconds),
      maxRetries: numberIn(0, 10, { int: true }).default(m.maxRetries),
      contextTokens: numberIn(256, 128_000, { int: true }).default(m.contextTokens),
      maxRepairRounds: numberIn(0, 5, { int: true }).default(m.maxRepairRounds),
      temperature: numberIn(0, 2).default(m.temperature),
      throttleMs: numberIn(0, 60_000, { int: true }).default(m.throttleMs),
      cacheTtlHours: numberIn(0, 8760).default(m.cacheTtlHours),
      budget: section({
        tokens: numberIn(0, 100_000_000, { int: true }).default(m.budget.tokens),
        usd: numberIn(0, 1000).default(m.budget.usd),
      }).prefault({}),
      prices: z
        .record(z.string().min(1).max(200), priceSchema, {
          error: 'must map model names to { inputPer1M, outputPer1M }',
        })
        .transform((prices) => ({ ...clonePrices(DEFAULT_PRICES), ...prices }))
        .prefault({}),
    }).prefault({}),
  }).prefault({}),
  pullRequests: section({ drafts: bool().default(d.pullRequests.drafts) }).prefault({}),
  addTests: section({ enabled: bool().default(d.addTests.enabled) }).prefault({}),
  comment: section({ enabled: bool().default(d.comment.enabled) }).prefault({}),
  environment: section({
    install: oneOf(['auto', 'off']).default(d.environment.install),
    requirements: stringList('a path of a requirements file, relative to the repository root')
      .refine((files) => files.every((file) => !file.startsWith('/') && !file.includes('..')), {
        error: 'must be paths inside the repository (relative, no "..")',
      })
      .default(() => []),
    extras: stringList('an extra name such as "test"', 50).default(() => []),
    groups: stringList('a dependency group name such as "test"', 50).default(() => []),
    packages: stringList('a requirement such as "freezegun>=1.2"')
      .refine((reqs) => reqs.every((req) => !/^\s*-/.test(req) && !/@|:\/\//.test(req)), {
        error:
          'must be plain requirements such as "freezegun>=1.2": no pip options, URLs or direct references (the index is the operator\'s setting)',
      })
      .default(() => []),
    allowSdist: bool().default(d.environment.allowSdist),
  }).prefault({}),
}).superRefine((config, context) => {
  // Whether a test fails before the change is what the base runs tell; without them
  // `require.failsBefore` would reject every test of a bug fix.
  if (config.require.failsBefore && !config.strength.baseRuns) {
    context.addIssue({
      code: 'custom',
      path: ['require', 'failsBefore'],
      message:
        'needs strength.baseRuns: true (the base runs tell whether a test fails before the change): turn strength.baseRuns on, or require.failsBefore off',
    });
  }
});

// The hand-written interface carries the docs; these lines keep it and the schema in step.
type SchemaOutput = z.output<typeof gateConfigSchema>;
const _schemaMatchesInterface: GateConfig = null as unknown as SchemaOutput;
const _interfaceMatchesSchema: SchemaOutput = null as unknown as GateConfig;
void _schemaMatchesInterface;
void _interfaceMatchesSchema;

/**
 * Parses and validates the text of `.github/testgate.yml`. An empty file means the defaults.
 * @throws {ConfigError} `CONFIG_YAML` when the text is not YAML, `CONFIG_INVALID` when a
 *   key is unknown or a value is out of range; the message names every bad key.
 */
export function parseConfig(yamlText: string, source = REPO_CONFIG_PATH): GateConfig {
  let data: unknown;
  try {
    data = parseYaml(yamlText, { prettyErrors: true });
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    const reason = error instanceof Error ? firstLine(error.message) : String(error);
    throw new ConfigError({
      code: 'CONFIG_YAML',
      source,
      problems: [
        {
          path: '',
          message: `is not valid YAML: ${reason}`,
          ...(line === undefined ? {} : { line }),
        },
      ],
      cause: error,
    });
  }
  // An empty file (or only comments) parses to null: it means "all defaults".
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError({
      code: 'CONFIG_INVALID',
      source,
      problems: [
        {
          path: '',
          message: `must be a mapping of settings such as "reruns: 3" (got ${describe(data)})`,
        },
      ],
    });
  }
  const result = gateConfigSchema.safeParse(data);
  if (result.success) return result.data;
  throw new ConfigError({
    code: 'CONFIG_INVALID',
    source,
    problems: result.error.issues.flatMap((issue) => describeIssue(issue, data)),
    cause: result.error,
  });
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const path = issue.path.map(String);
  const dotted = dottedPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const valid = validKeysAt(path);
    return issue.keys.map((key) => {
      const full = dottedPath([...issue.path, key]);
      const suggestion = closest(key, valid);
      const hint = suggestion
        ? `; did you mean "${dottedPath([...issue.path, suggestion])}"?`
        : '.';
      const list =
        valid.length > 0 ? ` Valid keys${dotted ? ` of ${dotted}` : ''}: ${valid.join(', ')}.` : '';
      return { path: full, message: `${full} is not a known setting${hint}${list}` };
    });
  }
  const got = valueAt(input, path);
  const subject = dotted || 'the file';
  if (got === undefined)
    return [{ path: dotted, message: `${subject} is missing: it ${issue.message}` }];
  return [{ path: dotted, message: `${subject} ${issue.message} (got ${describe(got)})` }];
}

function validKeysAt(path: string[]): string[] {
  let schema: unknown = gateConfigSchema;
  for (const key of path) {
    const shape = shapeOf(schema);
    if (!shape) return [];
    schema = shape[key];
  }
  return Object.keys(shapeOf(schema) ?? {});
}

/** Unwraps defaults/prefaults/optionals down to an object schema's shape. */
function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let current = schema as
    { def?: { innerType?: unknown; in?: unknown }; shape?: Record<string, unknown> } | undefined;
  for (let i = 0; i < 10 && current; i++) {
    if (current.shape && typeof current.shape === 'object') return current.shape;
    current = (current.def?.innerType ?? current.def?.in) as typeof current;
  }
  return undefined;
}

function valueAt(input: unknown, path: string[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/:\s*$/, '');
}

/** `security.allowRules[1]`, the way the key reads in the YAML. */
function dottedPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) =>
      typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
    '',
  );
}

/** The candidate nearest to `word` by edit distance, when near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the longer word: "rerun" -> "reruns", "cpu_seconds" -> "cpuSeconds", not "foo" -> "mode".
  const limit = Math.max(2, Math.ceil(Math.max(word.length, best?.length ?? 0) / 3));
  if (best !== undefined && bestDistance <= limit) return best;
  // snake_case or kebab-case of a camelCase key is a common slip; edit distance undercounts it.
  const squashed = lower.replace(/[-_]/g, '');
  return candidates.find((c) => c.toLowerCase() === squashed);
}

function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
