/** The JSON report: the GateReport itself, with a stable key order so diffs and goldens stay quiet. */
import type { GateReport } from '@testgate/core';

/** Keys in the order a reader wants them; any other key follows, alphabetically. */
const KEY_ORDER = [
  // report
  'verdict',
  'title',
  'neutralReason',
  'counts',
  'accepted',
  'rejected',
  'byReason',
  // test / file / finding / suggestion
  'nodeid',
  'path',
  'file',
  'function',
  'line',
  'origin',
  'generator',
  'status',
  'kind',
  'collected',
  'reasons',
  'reason',
  'rule',
  'source',
  'severity',
  'message',
  'baseline',
  'details',
  'error',
  'findings',
  'runs',
  'durationMs',
  'coverage',
  'label',
  'before',
  'strength',
  // coverage
  'changedLinesCovered',
  'changedLinesTotal',
  'changedLines',
  'changedBranchesCovered',
  'linesCovered',
  'branchesCovered',
  'errorPathLines',
  // report, continued
  'tests',
  'files',
  'project',
  'layout',
  'importable',
  'importError',
  'generation',
  'suggestions',
  'tools',
];
const RANK = new Map(KEY_ORDER.map((key, index) => [key, index]));
const TOP_ORDER = [
  'verdict',
  'title',
  'neutralReason',
  'counts',
  'tests',
  'files',
  'findings',
  'existingFindings',
  'changedLines',
  'project',
  'generation',
  'suggestions',
  'strength',
  'environment',
  'tools',
  'durationMs',
];
const TOP_RANK = new Map(TOP_ORDER.map((key, index) => [key, index]));

function ordered(value: unknown, rank: Map<string, number> = RANK): unknown {
  if (Array.isArray(value)) return value.map((inner) => ordered(inner));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, inner]) => inner !== undefined,
  );
  entries.sort(([a], [b]) => {
    const ra = rank.get(a) ?? Infinity;
    const rb = rank.get(b) ?? Infinity;
    return ra === rb ? (a < b ? -1 : a > b ? 1 : 0) : ra - rb;
  });
  return Object.fromEntries(entries.map(([key, inner]) => [key, ordered(inner)]));
}

export function renderJson(report: GateReport): string {
  return `${JSON.stringify(ordered(report, TOP_RANK), null, 2)}\n`;
}
