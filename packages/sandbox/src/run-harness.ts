import { randomBytes } from 'node:crypto';
import {
  analysisSchema,
  DEFAULT_TEST_GLOBS,
  escapeUntrustedStrings,
  evaluationEvidenceSchema,
  generationSchema,
} from '@testgate/core';
import type { Analysis, EvaluationEvidence, Generation } from '@testgate/core';
import { z } from 'zod';
import type { SandboxLimits } from './limits.ts';
import { SandboxError } from './sandbox-error.ts';
import { sandboxEvidence, sandboxResultError } from './sandbox-runner.ts';
import type { SandboxRunner, SandboxRunResult } from './sandbox-runner.ts';
import type { Readable } from 'node:stream';
import {
  DEFAULT_TREE_LIMITS,
  listTree,
  packTarStream,
  safeRelativePath,
  tarSizeBound,
} from './tree-pack.ts';
import type { TarEntry, TreeInput, TreeLimits } from './tree-pack.ts';

type HarnessMode = 'evaluate' | 'analyze' | 'generate';
type HarnessReport<M extends HarnessMode> = M extends 'evaluate'
  ? EvaluationEvidence
  : M extends 'analyze'
    ? Analysis
    : Generation;

export const HARNESS_COMMAND: readonly string[] = Object.freeze([
  'python3',
  '-I',
  '/opt/testgate/harness/main.py',
]);
const HARNESS_PROTOCOL = 1;
/** The harness reads at most this much stdin (PROTOCOL.md). */
const MAX_HARNESS_INPUT_BYTES = 512 * 1024 * 1024;

/** request.json `settings` (PROTOCOL.md); unknown keys pass through to the harness. */
const harnessSettingsSchema = z.looseObject({
  reruns: z.number().int().min(1).max(50).default(3),
  cpuSecondsPerTest: z.number().positive().max(3600).default(2),
  wallSecondsPerTest: z.number().positive().max(3600).default(10),
  testGlobs: z
    .array(z.string().max(1000))
    .max(1000)
    .default(() => [...DEFAULT_TEST_GLOBS]),
  includePrTests: z.boolean().default(true),
  generateSeconds: z.number().positive().max(3600).default(20),
  maxTestsPerFunction: z.number().int().min(0).max(1000).default(6),
  /** Run each judged test once more over the base code (its label: fails-before, ...). */
  baseRuns: z.boolean().default(true),
  /** Mutants on the changed lines, run against the tests that cover them. */
  // Loose like the settings themselves: a key the harness learns later passes through.
  mutation: z
    .looseObject({
      enabled: z.boolean().default(true),
      /** Mutants per evaluation. */
      maxMutants: z.number().int().min(0).max(10_000).default(60),
      maxPerLine: z.number().int().min(1).max(100).default(3),
      /** Wall-time budget of the mutant runs. */
      seconds: z.number().positive().max(3600).default(60),
    })
    .prefault({}),
});
type HarnessSettings = z.infer<typeof harnessSettingsSchema>;

export interface HarnessCandidate {
  /** Where the file goes in the head tree, e.g. `tests/test_testgate_calc.py`. */
  path: string;
  content: string | Buffer;
  origin: 'pr' | 'generated';
  /** Model name or `builtin`. */
  generator?: string;
}

const harnessProgressSchema = z.object({
  phase: z.string().max(100),
  message: z.string().max(10_000).default(''),
  done: z.number().int().nonnegative().nullish(),
  total: z.number().int().nonnegative().nullish(),
});
export interface HarnessProgress {
  phase: string;
  message: string;
  done?: number;
  total?: number;
}

interface RunHarnessOptions<M extends HarnessMode> {
  mode: M;
  /** Tag from ensureSandboxImage. */
  image: string;
  base: TreeInput;
  head: TreeInput;
  candidates?: readonly HarnessCandidate[];
  settings?: Partial<HarnessSettings> & Record<string, unknown>;
  /** Container limits; deadlineMs is the outer wall-clock deadline. @defaultValue DEFAULT_LIMITS (10 min) */
  limits?: Partial<SandboxLimits>;
  treeLimits?: Partial<TreeLimits>;
  signal?: AbortSignal;
  onProgress?: (event: HarnessProgress) => void;
  labels?: Record<string, string>;
  jobId?: string;
  /** Called with the raw run result before the report is checked (logs, metrics). */
  onRunResult?: (result: SandboxRunResult) => void;
  /** The project's environment volume, mounted read-only; its site directories go on the children's sys.path. */
  environment?: HarnessEnvironment;
}

/** An installed environment as a harness run sees it. */
export interface HarnessEnvironment {
  volume: string;
  /** Directories under /env for sys.path (PROTOCOL.md, `environment.paths`). */
  paths: readonly string[];
}

const REPORT_SCHEMAS = {
  evaluate: evaluationEvidenceSchema,
  analyze: analysisSchema,
  generate: generationSchema,
} as const;

const PROGRESS_PREFIX = 'TESTGATE-PROGRESS ';
const REPORT_PREFIX = 'TESTGATE-REPORT ';

/**
 * Packs request.json, base/, head/ and candidates/ into the harness's stdin tar, as a
 * stream: tree files are read from where they lie while the container reads, so a large
 * tree is never held whole in memory. Names, links and limits are checked before the
 * first byte.
 */
export async function packHarnessInput(options: {
  mode: HarnessMode;
  nonce: string;
  base: TreeInput;
  head: TreeInput;
  candidates?: readonly HarnessCandidate[];
  settings?: Partial<HarnessSettings> & Record<string, unknown>;
  treeLimits?: Partial<TreeLimits>;
  environmentPaths?: readonly string[];
}): Promise<Readable> {
  const treeLimits = { ...DEFAULT_TREE_LIMITS, ...options.treeLimits };
  const settings = harnessSettingsSchema.parse(options.settings ?? {});
  const candidates = (options.candidates ?? []).map((candidate) => ({
    ...candidate,
    path: safeRelativePath(candidate.path),
  }));
  const trees = {
    base: await listTree(options.base, treeLimits),
    head: await listTree(options.head, treeLimits),
  };
  const request = {
    protocol: HARNESS_PROTOCOL,
    mode: options.mode,
    nonce: options.nonce,
    settings,
    candidates: candidates.map((candidate) => ({
      path: candidate.path,
      origin: candidate.origin,
      ...(candidate.generator === undefined ? {} : { generator: candidate.generator }),
    })),
    // Links of the head tree that were not followed: the harness names them in the errors they cause.
    refusedLinks: trees.head.refusedLinks,
    environment: { paths: [...(options.environmentPaths ?? [])] },
  };
  const entries: TarEntry[] = [
    // First entry, as PROTOCOL.md says: the harness reads its request before the trees.
    { name: 'request.json', content: Buffer.from(JSON.stringify(request), 'utf8') },
    { name: 'base', content: Buffer.alloc(0), directory: true },
    { name: 'head', content: Buffer.alloc(0), directory: true },
    { name: 'candidates', content: Buffer.alloc(0), directory: true },
  ];
  for (const [prefix, tree] of [
    ['base', trees.base],
    ['head', trees.head],
  ] as const) {
    for (const file of tree.entries) {
      entries.push({ name: `${prefix}/${file.path}`, content: file, executable: file.executable });
    }
  }
  for (const candidate of candidates) {
    entries.push({
      name: `candidates/${candidate.path}`,
      content:
        typeof candidate.content === 'string'
          ? Buffer.from(candidate.content, 'utf8')
          : candidate.content,
    });
  }
  const bytes = tarSizeBound(entries);
  if (bytes > MAX_HARNESS_INPUT_BYTES) {
    throw new SandboxError(
      'TREE_INVALID',
      `harness input is ${bytes} bytes, more than the ${MAX_HARNESS_INPUT_BYTES} the harness reads`,
    );
  }
  return packTarStream(entries);
}

/** Parses one TESTGATE-PROGRESS line; undefined for anything else. */
export function parseProgressLine(line: string): HarnessProgress | undefined {
  if (!line.startsWith(PROGRESS_PREFIX)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line.slice(PROGRESS_PREFIX.length));
  } catch {
    return undefined;
  }
  const parsed = harnessProgressSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { phase, message, done, total } = parsed.data;
  return { phase, message, ...(done == null ? {} : { done }), ...(total == null ? {} : { total }) };
}

/**
 * Takes the single `TESTGATE-REPORT <nonce> <json>` line framed by our nonce (the last
 * non-empty stdout line) and validates it with the mode's schema. Anything else is
 * HARNESS_REPORT_INVALID, with the output as evidence.
 */
export function parseHarnessReport<M extends HarnessMode>(
  mode: M,
  nonce: string,
  result: SandboxRunResult,
): HarnessReport<M> {
  const lines = result.stdout.split('\n').map((line) => line.replace(/\r$/, ''));
  const fail = (why: string): SandboxError =>
    new SandboxError('HARNESS_REPORT_INVALID', `harness report invalid (${mode}): ${why}`, {
      evidence: sandboxEvidence(result, why),
    });
  const framed = lines.filter((line) => line.startsWith(`${REPORT_PREFIX}${nonce} `));
  if (framed.length === 0) {
    const foreign = lines.filter((line) => line.startsWith(REPORT_PREFIX)).length;
    throw fail(
      foreign > 0
        ? `${foreign} report line(s) carry a wrong nonce and none ours`
        : 'no TESTGATE-REPORT line on stdout',
    );
  }
  if (framed.length > 1)
    throw fail(`${framed.length} report lines carry our nonce; exactly one is allowed`);
  const last = lines.filter((line) => line.trim() !== '').at(-1);
  if (last !== framed[0]) throw fail('the report is not the last line of stdout');
  let json: unknown;
  try {
    json = JSON.parse((framed[0] ?? '').slice(REPORT_PREFIX.length + nonce.length + 1));
  } catch (error) {
    throw fail(`report is not JSON: ${(error as Error).message}`);
  }
  // Strings come from code the PR controls: escape their control characters once, here,
  // and cut over-long ones to their field's limit with a note instead of losing the verdict.
  json = escapeUntrustedStrings(json);
  let parsed = REPORT_SCHEMAS[mode].safeParse(json);
  for (let attempt = 0; !parsed.success && attempt < 5; attempt += 1) {
    if (!clampLongStrings(json, parsed.error.issues)) break;
    parsed = REPORT_SCHEMAS[mode].safeParse(json);
  }
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw fail(`report does not match the ${mode} schema: ${issues}`);
  }
  return parsed.data as HarnessReport<M>;
}

const TRUNCATED_NOTE = ' [... cut by Testgate: too long]';

/**
 * Cuts each string a schema issue says is too long to that field's maximum, ending in a
 * note; true if anything was cut (the caller parses again).
 */
function clampLongStrings(json: unknown, issues: readonly z.core.$ZodIssue[]): boolean {
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== 'too_big' || issue.origin !== 'string' || issue.path.length === 0) continue;
    const max = Number(issue.maximum);
    let holder: unknown = json;
    for (const key of issue.path.slice(0, -1)) {
      holder = (holder as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    }
    const last = issue.path.at(-1) as PropertyKey;
    const record = holder as Record<PropertyKey, unknown> | undefined;
    const value = record?.[last];
    if (typeof value !== 'string' || !Number.isFinite(max) || value.length <= max) continue;
    record![last] =
      max > TRUNCATED_NOTE.length
        ? value.slice(0, max - TRUNCATED_NOTE.length) + TRUNCATED_NOTE
        : value.slice(0, max);
    changed = true;
  }
  return changed;
}

/**
 * Runs the Python harness in one sealed container: packs the trees, streams progress,
 * and returns the validated report of the mode. Throws SandboxError: SANDBOX_DEADLINE,
 * SANDBOX_OUTPUT_LIMIT, SANDBOX_OOM, SANDBOX_EXIT (the harness itself failed),
 * HARNESS_REPORT_INVALID, SANDBOX_ABORTED, TREE_INVALID, DOCKER_UNAVAILABLE, IMAGE_MISSING.
 */
export async function runHarness<M extends HarnessMode>(
  runner: SandboxRunner,
  options: RunHarnessOptions<M>,
): Promise<HarnessReport<M>> {
  // A fresh nonce per run: code under test never sees request.json (the harness deletes it
  // and is non-dumpable), so it cannot forge the line that frames the report.
  const nonce = randomBytes(16).toString('hex');
  const stdin = await packHarnessInput({
    mode: options.mode,
    nonce,
    base: options.base,
    head: options.head,
    ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
    ...(options.settings === undefined ? {} : { settings: options.settings }),
    ...(options.treeLimits === undefined ? {} : { treeLimits: options.treeLimits }),
    ...(options.environment === undefined ? {} : { environmentPaths: options.environment.paths }),
  });
  // A tree file that cannot be read mid-stream is the tree's problem (TREE_INVALID), not
  // the truncated-input failure the harness would report for it.
  // Other errors (the container closing stdin early) are the run's result to judge.
  let inputError: SandboxError | undefined;
  stdin.on('error', (error) => {
    if (error instanceof SandboxError) inputError = error;
  });
  const { onProgress } = options;
  const result = await runner.run({
    image: options.image,
    cmd: HARNESS_COMMAND,
    stdin,
    labels: { ...options.labels, 'testgate.mode': options.mode },
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.environment === undefined
      ? {}
      : { environment: { volume: options.environment.volume, readOnly: true } }),
    ...(onProgress === undefined
      ? {}
      : {
          onStdoutLine: (line: string) => {
            const event = parseProgressLine(line);
            if (event) onProgress(event);
          },
        }),
  });
  options.onRunResult?.(result);
  if (inputError !== undefined) throw inputError;
  const error = sandboxResultError(result, `harness (${options.mode})`);
  if (error) throw error;
  return parseHarnessReport(options.mode, nonce, result);
}
