/**
 * The BullMQ processor of a gate job, as four named steps over the host port
 * (`CodeHost` of @testgate/core): prepare (stale? draft? open the check), judge (trees,
 * gate, verdict), publish (check and comment, kept and retried through host outages) and
 * settle (every failure mapped, leftovers removed). A verdict an earlier try computed is
 * published without judging again.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DelayedError,
  type AbandonedRun,
  type GateJobContext,
  type GateJobData,
  type Job,
} from '@testgate/queue';
import { failInvalidConfig, prepareGate } from './gate-prepare.ts';
import { judgeGate, TREE_DIR_PREFIX } from './gate-judge.ts';
import { publishVerdict } from './gate-publish.ts';
import {
  failEarly,
  sha7,
  type GateJobResult,
  type GateProcessorDeps,
  readPendingPublish,
  type GateRun,
  type PendingPublish,
} from './gate-run.ts';
import { settleGate } from './gate-settle.ts';

export type { GateJobResult } from './gate-run.ts';

/** Removes job workspaces in `workDir` older than `olderThanMs`; returns how many. */
export async function removeStaleWorkspaces(workDir: string, olderThanMs: number): Promise<number> {
  let removed = 0;
  for (const name of await readdir(workDir)) {
    if (!name.startsWith(TREE_DIR_PREFIX)) continue;
    const dir = join(workDir, name);
    const info = await lstat(dir).catch(() => undefined);
    if (info === undefined || !info.isDirectory() || Date.now() - info.mtimeMs < olderThanMs)
      continue;
    await rm(dir, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

/** Builds the BullMQ processor of a gate job: host in, GateReport through, check and comment out. */
export function createGateProcessor(deps: GateProcessorDeps) {
  return async function processGateJob(
    job: Job<GateJobData>,
    context: GateJobContext,
  ): Promise<GateJobResult> {
    const run = openGateRun(deps, job, context);
    // A verdict computed by an earlier try that the host did not take yet: publish only.
    const stored = readPendingPublish(await context.loadPublish().catch(() => undefined));
    if (stored !== undefined) return publishStored(run, stored);

    const prepared = await prepareGate(run);
    if (prepared.step === 'done') return prepared.result;
    const { checkId, config, configError } = prepared;
    return settleGate(run, checkId, async () => {
      if (configError !== undefined) return failInvalidConfig(run, checkId, configError);
      const judged = await judgeGate(run, checkId, config);
      if (judged.step === 'done') return judged.result;
      const result = await publishVerdict(run, judged.pending);
      run.state.finished = true;
      return result;
    });
  };
}

/** The steps' view of one BullMQ job. */
function openGateRun(
  deps: GateProcessorDeps,
  job: Job<GateJobData>,
  context: GateJobContext,
): GateRun {
  const data = context.data;
  const jobId = job.id ?? 'unknown';
  const attempt = job.attemptsMade + 1;
  return {
    deps,
    host: deps.openHost(data),
    data,
    jobId,
    attempt,
    maxAttempts: job.opts.attempts ?? 1,
    log: deps.logger.child({ jobId, deliveryId: data.deliveryId, attempt }),
    signal: context.signal,
    queue: {
      trackRun: (checkId) => context.trackRun(checkId),
      untrackRun: () => context.untrackRun(),
      count: (counter) => context.count(counter),
      savePublish: (payload) => context.savePublish(payload),
      loadPublish: () => context.loadPublish(),
      clearPublish: () => context.clearPublish(),
      delay: (ms) => job.moveToDelayed(Date.now() + ms, context.token),
      handBack: () => job.moveToWait(context.token).then(() => undefined),
      progress: (update) => void job.updateProgress(update).catch(() => {}),
    },
    state: { finished: false, settled: false, handedBack: false },
  };
}

/** Publishes the verdict an earlier try stored, without judging again. */
async function publishStored(run: GateRun, stored: PendingPublish): Promise<GateJobResult> {
  run.log.info({ tries: stored.tries }, 'publishing the verdict computed earlier');
  return publishVerdict(run, stored).catch(async (error: unknown) => {
    throw error instanceof DelayedError ? error : await failEarly(run, error);
  });
}

/**
 * Finishes the check of a gate job that ended without finishing it (its worker died, the
 * stall limit was reached, it failed for good before the check existed). Idempotent: a
 * check already completed is left alone.
 */
export function createAbandonedRunHandler(
  deps: Pick<GateProcessorDeps, 'openHost' | 'reapJob' | 'logger'>,
) {
  return async function finishAbandonedRun(run: AbandonedRun): Promise<void> {
    const { data } = run;
    const host = deps.openHost(data);
    const log = deps.logger.child({ jobId: run.jobId, deliveryId: data.deliveryId });
    const existing = await host.findCheck({ headSha: data.headSha, key: run.jobId });
    if (existing?.completed === true) return;
    const checkId =
      existing?.id ??
      (
        await host.ensureCheck({
          headSha: data.headSha,
          key: run.jobId,
          output: {
            title: 'Testgate could not run',
            summary: 'The job ended before the gate ran.',
          },
        })
      ).id;
    // A verdict was computed but never published (the host was down for the whole window):
    // it is still the right answer. Else a job that killed every worker that took it: the
    // pull request's code did that.
    const pending = readPendingPublish(run.pendingPublish);
    if (pending !== undefined && pending.checkRunId === checkId) {
      await host.completeCheck({ checkId, conclusion: pending.conclusion, output: pending.output });
      log.warn(
        { checkRunId: checkId },
        'abandoned check run completed with the verdict its job computed',
      );
      await deps
        .reapJob(run.jobId)
        .catch((error: unknown) => log.warn({ err: error }, 'could not reap the job containers'));
      return;
    }
    const output = run.exhausted
      ? {
          conclusion: 'failure' as const,
          title: "The pull request's code exhausted the worker",
          summary: `Every worker that ran the gate on commit ${sha7(data.headSha)} was killed before it finished (BullMQ: ${run.reason}). That happens when the tests, or the code they import, use more memory than a worker has (or crash it): this commit cannot be judged safely. Make the tests lighter, then re-run the check.`,
        }
      : {
          conclusion: 'neutral' as const,
          title: 'Testgate could not run',
          summary: `The gate itself stopped before it could judge commit ${sha7(data.headSha)}:\n\n> ${run.reason}\n\nRe-run the check; if it keeps happening, the worker's log says why.`,
        };
    await host.completeCheck({
      checkId,
      conclusion: output.conclusion,
      output: { title: output.title, summary: output.summary },
    });
    log.warn(
      { checkRunId: checkId, exhausted: run.exhausted, reason: run.reason },
      'abandoned check run completed',
    );
    await deps
      .reapJob(run.jobId)
      .catch((error: unknown) => log.warn({ err: error }, 'could not reap the job containers'));
  };
}
