/**
 * The JSON report's shape, for reading a report this process did not write: the GitHub
 * Action's comment step gets it as an artifact of a `pull_request` run, which a pull request
 * from a fork controls (it can edit that workflow). Every field is checked and bounded;
 * unknown keys are dropped. The renderers escape what they print, so a report that passes
 * can say false things but cannot inject markup, mentions or workflow commands.
 */
import { z } from 'zod';
import {
  failedAtSchema,
  findingSchema,
  MUTANT_OPERATORS,
  runOutcomeSchema,
  TEST_LABELS,
} from './evidence.ts';
import type { GateReport } from './gate-report.ts';
import { escapeUntrustedStrings } from './untrusted-text.ts';
import { REASON_CODES } from './vocabulary.ts';

// Bounds with room for what parse-time escaping adds (a control character becomes `\xNN`):
// a report this gate wrote always fits; the caller caps the file's size as a whole.
const text = (max = 100_000) => z.string().max(max);
const path = text(20_000);
const count = z.number().int().nonnegative().max(1e9);
const lines = z.array(z.number().int().nonnegative()).max(200_000);
const linesByFile = z.record(path, lines);
const reason = z.enum(REASON_CODES);
const origin = z.enum(['pr', 'generated']);

const reportFindingSchema = findingSchema.extend({
  rule: text(2000),
  file: path,
  message: text(),
});

const detailSchema = z.object({
  reason,
  message: text(),
  rule: text(2000).optional(),
  line: count.optional(),
  file: path.optional(),
});

const testSchema = z.object({
  nodeid: path,
  file: path,
  function: text(20_000),
  line: count,
  origin,
  generator: text(2000).optional(),
  status: z.enum(['accepted', 'rejected']),
  reasons: z.array(reason).max(REASON_CODES.length),
  details: z.array(detailSchema).max(100),
  findings: z.array(reportFindingSchema).max(1000),
  runs: z.array(runOutcomeSchema).max(100),
  durationMs: z.number().nonnegative(),
  coverage: z.object({
    changedLines: linesByFile,
    changedLinesCovered: count,
    changedLinesTotal: count,
    changedBranchesCovered: count,
    linesCovered: count,
    branchesCovered: count,
    errorPathLines: linesByFile,
  }),
  label: z.enum(TEST_LABELS).optional(),
  before: z
    .object({
      outcome: runOutcomeSchema,
      failedAt: failedAtSchema.optional(),
      message: text().optional(),
    })
    .optional(),
  strength: z
    .object({
      mutants: count,
      killed: count,
      crashed: count,
      killedIds: z.array(text(2000)).max(1000),
      crashedIds: z.array(text(2000)).max(1000),
      mutantIds: z.array(text(2000)).max(1000),
    })
    .optional(),
});

const fileSchema = z.object({
  path,
  origin,
  kind: z.enum(['tests', 'support', 'source']),
  collected: count,
  reasons: z.array(reason).max(REASON_CODES.length),
  details: z.array(detailSchema).max(100),
  findings: z.array(reportFindingSchema).max(1000),
  error: text().optional(),
});

const generationSchema = z.object({
  generator: z.enum(['model', 'builtin', 'off']),
  model: text(2000).optional(),
  fallbackReason: text().optional(),
  candidates: count,
  accepted: count,
  rounds: count,
  modelCalls: count,
  cacheHits: count,
  promptTokens: count,
  completionTokens: count,
  costUsd: z.number().nonnegative(),
  skipped: z.array(z.object({ file: path, qualname: text(20_000), reason: text() })).max(10_000),
  suspectedBugs: z
    .array(z.object({ nodeid: path, target: text(20_000), message: text() }))
    .max(1000),
  notSuggested: z
    .array(z.object({ nodeid: path, reason: text() }))
    .max(10_000)
    .optional(),
});

const suggestionSchema = z.object({
  path,
  content: text(512 * 1024),
  targets: z.array(text(20_000)).max(1000),
  generator: text(2000),
  tests: z.array(path).max(1000),
  covers: linesByFile,
  kills: z.array(text(2000)).max(10_000).optional(),
});

const mutantRefSchema = z.object({
  id: text(2000),
  file: path,
  line: count,
  original: text(4000),
  replacement: text(4000),
  operator: z.enum(MUTANT_OPERATORS),
});

const strengthSchema = z.object({
  mutants: count,
  killed: count,
  survived: count,
  crashed: count,
  notRun: count,
  prMutants: count,
  prKilled: count,
  score: z.number().min(0).max(1).nullable(),
  survivors: z.array(mutantRefSchema).max(10_000),
  crashedOnly: z.array(mutantRefSchema).max(10_000),
  capped: z.boolean(),
  budgetSpent: z.boolean(),
  runs: count,
  durationMs: z.number().nonnegative(),
  baseDurationMs: z.number().nonnegative(),
});

const environmentSchema = z.object({
  status: z.enum(['installed', 'none', 'off', 'failed']),
  packages: z.array(z.object({ name: text(2000), version: text(2000) })).max(5000),
  cacheHit: z.boolean(),
  setupMs: z.number().nonnegative(),
  sources: z.array(path).max(1000),
  notes: z.array(text()).max(1000),
  built: z.array(text(20_000)).max(1000),
  problem: z.object({ code: text(2000), message: text() }).optional(),
});

const gateReportSchema = z.object({
  verdict: z.enum(['pass', 'fail', 'neutral']),
  title: text(20_000),
  neutralReason: text().optional(),
  counts: z.object({
    accepted: count,
    rejected: count,
    byReason: z.partialRecord(reason, count),
  }),
  tests: z.array(testSchema).max(10_000),
  files: z.array(fileSchema).max(10_000),
  findings: z.array(reportFindingSchema).max(10_000),
  existingFindings: z.array(reportFindingSchema).max(10_000),
  changedLines: linesByFile,
  project: z.object({
    layout: z.enum(['flat', 'src', 'unknown']),
    importable: z.boolean(),
    importError: text().optional(),
  }),
  generation: generationSchema.optional(),
  suggestions: z.array(suggestionSchema).max(1000),
  tools: z.record(text(2000), text(2000)),
  environment: environmentSchema.optional(),
  strength: strengthSchema.optional(),
  durationMs: z.number().nonnegative(),
});

export class ReportShapeError extends Error {
  override readonly name = 'ReportShapeError';
  readonly code = 'REPORT_INVALID';
  /** Where the report is wrong, one line per problem (at most 10). */
  readonly problems: string[];
  constructor(source: string, problems: string[], options: { cause?: unknown } = {}) {
    super(
      `${source} is not a Testgate JSON report: ${problems.join('; ')}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.problems = problems;
  }
}

/**
 * Parses a JSON report from text nobody on this side wrote: shape checked, unknown keys
 * dropped, control characters of every string escaped. Throws ReportShapeError.
 */
export function parseGateReport(json: string, source = 'the report'): GateReport {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ReportShapeError(source, ['it is not JSON'], { cause: error });
  }
  const result = gateReportSchema.safeParse(value);
  if (!result.success) {
    throw new ReportShapeError(
      source,
      result.error.issues
        .slice(0, 10)
        .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`),
      { cause: result.error },
    );
  }
  // zod's optional fields read `T | undefined`; the parse dropped every absent key.
  return escapeUntrustedStrings(result.data) as GateReport;
}
