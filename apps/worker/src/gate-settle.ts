/**
 * Step 4 of a gate job: however the judging ended, the check ends in a state a reader
 * understands, the job goes where BullMQ should put it (done, retried, delayed, back to
 * the queue, failed for good), and the job's containers and trees are removed.
 */
import { rm } from 'node:fs/promises';
import { DelayedError, isGateAbortReason, UnrecoverableError, WaitingError } from '@testgate/queue';
import { classifyFailure, describeFailure } from './classify-error.ts';
import {
  completeCheck,
  delayJob,
  retryAfterMs,
  sha7,
  type GateJobResult,
  type GateRun,
} from './gate-run.ts';

/**
 * Runs `body` (the judging of an open check) and settles whatever it ends with: a result
 * is returned; a failure completes the check (or leaves it for a retry) and is mapped to
 * BullMQ's semantics; the job's leftovers are removed in every case.
 */
export async function settleGate(
  run: GateRun,
  checkId: number,
  body: () => Promise<GateJobResult>,
): Promise<GateJobResult> {
  try {
    const result = await body();
    run.state.settled = true;
    return result;
  } catch (error) {
    return await settleFailure(run, checkId, error);
  } finally {
    await cleanUp(run, checkId);
  }
}

/** A failure of an open check's job: superseded, shut down, past its deadline, or an error. */
export async function settleFailure(
  run: GateRun,
  checkId: number,
  error: unknown,
): Promise<GateJobResult> {
  const { log, signal, state } = run;
  if (error instanceof DelayedError) {
    // Back in the queue with a delay (a rate limit, or a verdict waiting to be
    // published): the check stays in progress for the next try.
    state.settled = true;
    throw error;
  }
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (isGateAbortReason(reason)) {
    if (reason.kind === 'superseded') {
      await completeCheck(
        run,
        checkId,
        'cancelled',
        `Superseded by ${sha7(reason.supersededBy)}`,
        `A newer commit (${reason.supersededBy}) was pushed to this pull request; Testgate judges that one instead.`,
      );
      state.settled = true;
      log.info({ supersededBy: reason.supersededBy }, 'job cancelled: superseded');
      return { outcome: 'superseded', conclusion: 'cancelled', checkRunId: checkId };
    }
    if (reason.kind === 'shutdown') {
      // Back to the queue for another worker; the check stays in progress and the next
      // attempt finds it by its key (the job id).
      state.settled = true;
      log.warn('worker shutting down: job returned to the queue');
      // Remove this job's containers BEFORE handing it back: once it is waiting,
      // another worker may start sandboxes with the same job label.
      await run.deps.reapJob(run.jobId).catch((error: unknown) => {
        log.warn({ err: error }, 'could not reap the containers of a job handed back');
      });
      state.handedBack = true;
      await run.queue.handBack();
      throw new WaitingError();
    }
    await completeCheck(
      run,
      checkId,
      'neutral',
      'Testgate timed out',
      `The gate did not finish within ${reason.deadlineMs % 60_000 === 0 ? `${reason.deadlineMs / 60_000} min` : `${Math.round(reason.deadlineMs / 1000)} s`}, so it could not judge this commit. Re-run the check, or raise JOB_DEADLINE_SECONDS.`,
    );
    state.settled = true;
    throw new UnrecoverableError(`job deadline of ${reason.deadlineMs} ms passed`);
  }
  const kind = classifyFailure(error);
  const waitMs = retryAfterMs(run, error);
  if (kind === 'transient' && waitMs !== undefined) {
    // The host said when to come back: wait that long without spending an attempt.
    state.settled = true;
    throw await delayJob(run, waitMs, error, 'the code host asked to wait (retry-after)');
  }
  if (kind === 'transient' && run.attempt < run.maxAttempts) {
    // Leave the check in progress: the retry reuses it.
    state.settled = true;
    log.warn(
      { err: error, attempt: run.attempt, maxAttempts: run.maxAttempts },
      'transient failure: job will be retried',
    );
    throw error;
  }
  const { message, hint } = describeFailure(error);
  await completeCheck(
    run,
    checkId,
    'neutral',
    'Testgate could not run',
    `The gate itself failed, so this commit was not judged.\n\n> ${message}${hint === undefined ? '' : `\n\n${hint}`}`,
  );
  state.settled = true;
  log.error({ err: error, kind }, 'gate failed: check run completed neutral');
  throw kind === 'permanent' ? new UnrecoverableError(message) : error;
}

/** Whatever happened: no check left in progress by accident, no containers, no trees. */
async function cleanUp(run: GateRun, checkId: number): Promise<void> {
  const { log, state } = run;
  if (!state.settled) {
    await completeCheck(
      run,
      checkId,
      'neutral',
      'Testgate could not run',
      'The gate stopped unexpectedly; re-run the check.',
    ).catch((error: unknown) => log.error({ err: error }, 'could not complete the check run'));
  }
  if (!state.handedBack)
    await run.deps
      .reapJob(run.jobId)
      .catch((error: unknown) => log.warn({ err: error }, 'could not reap the job containers'));
  // The ledger's entry only lets a sweeper finish a check that is already finished: harmless.
  if (state.finished) await run.queue.untrackRun().catch(() => {});
  if (state.workspace !== undefined) {
    const workspace = state.workspace;
    await rm(workspace, { recursive: true, force: true }).catch((error: unknown) =>
      log.warn({ err: error, workspace }, 'could not remove the job workspace'),
    );
  }
}
