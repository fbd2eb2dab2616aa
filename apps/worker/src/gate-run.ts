/**
 * One gate job as its steps (prepare, judge, publish, settle) see it: the code host, the
 * job's data, the queue's side of the job, and what must be undone when it ends. The
 * steps never see BullMQ's job object or the host's client, so each can be run on its own
 * with an in-memory host and queue.
 */
import {
  HostError,
  type CheckAnnotation,
  type CheckConclusion,
  type CodeHost,
  type GateReport,
  type TreeLimits,
} from '@testgate/core';
import type { EnvironmentStep, RunGateOptions } from '@testgate/pipeline';
import {
  DelayedError,
  UnrecoverableError,
  type GateJobContext,
  type GateJobData,
} from '@testgate/queue';
import type { SandboxRunner } from '@testgate/sandbox';
import type { Logger } from 'pino';
import { classifyFailure, describeFailure } from './classify-error.ts';
import type { SuggestionStore } from './suggestion-store.ts';
import type { WorkerModel } from './worker-model.ts';

export type GateOutcome =
  'completed' | 'superseded' | 'skipped-draft' | 'config-error' | 'tree-too-large' | 'neutral';

export interface GateJobResult {
  outcome: GateOutcome;
  conclusion?: CheckConclusion;
  checkRunId?: number;
  /** Suggestions offered (files); 0 when the head commit was Testgate's own. */
  suggestions?: number;
  /** The head commit was written by "Add tests": nothing was generated for it. */
  appCommit?: boolean;
  /** Whether the check run offers "Add tests". */
  addTestsOffered?: boolean;
}

/** A computed verdict on its way to the host (stored in Redis until it got there). */
export interface PendingPublish {
  checkRunId: number;
  conclusion: CheckConclusion;
  output: {
    title: string;
    summary: string;
    text?: string;
    annotations: CheckAnnotation[];
  };
  offerButton: boolean;
  comment?: { body: string; suggestionsShown: number };
  verdict: string;
  result: GateJobResult;
  /** Epoch ms of the first try: publishing is retried for PUBLISH_RETRY_WINDOW_MS from it. */
  firstTriedAt: number;
  tries: number;
}

/**
 * A pending publish as stored: one saved before annotations had the port's own field names
 * (it named them as GitHub's checks API does: path, start_line, end_line, annotation_level,
 * raw_details) gets the current names, so a verdict kept across an upgrade still publishes.
 */
export function readPendingPublish(stored: unknown): PendingPublish | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const pending = stored as PendingPublish;
  const annotations = pending.output?.annotations;
  if (!Array.isArray(annotations)) return pending;
  return {
    ...pending,
    output: { ...pending.output, annotations: annotations.map(withPortNames) },
  };
}

function withPortNames(annotation: CheckAnnotation): CheckAnnotation {
  if (!('annotation_level' in annotation)) return annotation;
  const old = annotation as unknown as {
    path: string;
    start_line: number;
    end_line: number;
    annotation_level: CheckAnnotation['level'];
    title?: string;
    message: string;
    raw_details?: string;
  };
  return {
    file: old.path,
    startLine: old.start_line,
    endLine: old.end_line,
    level: old.annotation_level,
    ...(old.title === undefined ? {} : { title: old.title }),
    message: old.message,
    ...(old.raw_details === undefined ? {} : { details: old.raw_details }),
  };
}

export interface GateProcessorDeps {
  /** The code host of a job's repository (start-worker: GitHub, as the job's installation). */
  openHost: (data: GateJobData) => CodeHost;
  runner: SandboxRunner;
  /** The sandbox image tag, resolved once at worker start (ensureSandboxImage). */
  image: string;
  /** The pipeline; injectable so host-plumbing tests can stand in a fake. */
  runGate: (options: RunGateOptions) => Promise<GateReport>;
  /** Removes the containers of one job (label `testgate.job`), e.g. after a worker died mid-job. */
  reapJob: (jobId: string) => Promise<void>;
  logger: Logger;
  /** Where suggestions wait for an "Add tests" click; without it the button is never offered. */
  suggestions?: SuggestionStore;
  /** The model generator (worker-model.ts); without it `generate.mode: auto` means the built-in one. */
  model?: Pick<WorkerModel, 'env' | 'replayDir' | 'generateCandidates'>;
  /**
   * Installs each project's dependencies (the operator's index and limits; the credentials
   * stay in this process, never in the job). Without it nothing is installed.
   */
  environment?: EnvironmentStep;
  /**
   * Where each job writes its base and head trees (a fresh directory per job, removed when
   * it ends). @defaultValue the OS temp directory
   */
  workDir?: string;
  /** Caps on each commit's tree. @defaultValue DEFAULT_TREE_LIMITS (256 MiB, 20000 files) */
  treeLimits?: TreeLimits;
  /** How long a computed verdict is retried for when the host refuses it. @defaultValue 75 min */
  publishRetryWindowMs?: number;
  /** First delay between publish tries (doubling, at most 5 min). @defaultValue 5000 */
  publishRetryBaseMs?: number;
  /** Scales the host's retry-after (tests). @defaultValue 1 */
  retryAfterScale?: number;
}

/** The queue's side of one job: moving it, its progress, its ledger entry, its stored verdict. */
export interface GateRunQueue extends Pick<
  GateJobContext,
  'trackRun' | 'untrackRun' | 'count' | 'savePublish' | 'loadPublish' | 'clearPublish'
> {
  /** Moves the job back to the queue for `ms` without spending an attempt. */
  delay(ms: number): Promise<void>;
  /** Puts the job back in the waiting list, for another worker. */
  handBack(): Promise<void>;
  progress(update: { phase: string; message?: string }): void;
}

export interface GateRun {
  readonly deps: GateProcessorDeps;
  readonly host: CodeHost;
  readonly data: GateJobData;
  readonly jobId: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly log: Logger;
  /** Aborted when the job is superseded, the worker shuts down, or the deadline passes. */
  readonly signal: AbortSignal;
  readonly queue: GateRunQueue;
  /** What the job has done so far, for the cleanup when it ends however it ends. */
  readonly state: {
    /** The check reached its final state: nobody else needs to finish it. */
    finished: boolean;
    /** The check reached a final state or is deliberately left for a retry. */
    settled: boolean;
    /** The job is back in the queue: its label may then belong to another worker's sandboxes. */
    handedBack: boolean;
    /** This job's trees on disk. */
    workspace?: string;
  };
}

export const sha7 = (sha: string) => sha.slice(0, 7);

/** Completes the check with a plain title and summary, and marks it finished. */
export async function completeCheck(
  run: GateRun,
  checkId: number,
  conclusion: CheckConclusion,
  title: string,
  summary: string,
): Promise<void> {
  await run.host.completeCheck({ checkId, conclusion, output: { title, summary } });
  run.state.finished = true;
}

/** Moves the job back to the queue for `ms` without spending an attempt. */
export async function delayJob(
  run: GateRun,
  ms: number,
  error: unknown,
  why: string,
): Promise<DelayedError> {
  run.log.warn({ err: error, delayMs: ms }, `${why}: job delayed`);
  await run.queue.delay(ms);
  return new DelayedError();
}

/** How long the host asked us to wait (retry-after), scaled for tests; undefined if it did not. */
export function retryAfterMs(run: GateRun, error: unknown): number | undefined {
  if (!(error instanceof HostError) || error.retryAfterMs === undefined) return undefined;
  return Math.round(error.retryAfterMs * (run.deps.retryAfterScale ?? 1));
}

/** A failure before the check exists: a rate limit delays the job, the rest is BullMQ's. */
export async function failEarly(run: GateRun, error: unknown): Promise<Error> {
  const waitMs = retryAfterMs(run, error);
  if (waitMs !== undefined && classifyFailure(error) === 'transient')
    return delayJob(run, waitMs, error, 'the code host asked to wait (retry-after)');
  return toBullError(error);
}

/** Maps a failure before the check exists to BullMQ's retry semantics. */
function toBullError(error: unknown): Error {
  if (classifyFailure(error) === 'permanent') {
    return new UnrecoverableError(describeFailure(error).message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
