/**
 * Step 3 of a gate job: put a computed verdict on the host (the check, then the sticky
 * comment). A transient failure stores the verdict and delays the job (backoff, at least
 * `publishRetryWindowMs` in all, surviving restarts): the next try publishes the same
 * verdict instead of judging again.
 */
import { COMMENT_MARKER } from '@testgate/report';
import { classifyFailure } from './classify-error.ts';
import {
  delayJob,
  retryAfterMs,
  type GateJobResult,
  type GateRun,
  type PendingPublish,
} from './gate-run.ts';

/** Publishing a verdict is retried this long (host outages), with backoff. */
const PUBLISH_RETRY_WINDOW_MS = 75 * 60_000;
const PUBLISH_RETRY_BASE_MS = 5_000;
const PUBLISH_RETRY_MAX_DELAY_MS = 5 * 60_000;

export async function publishVerdict(
  run: GateRun,
  pending: PendingPublish,
): Promise<GateJobResult> {
  const { deps, host, log } = run;
  try {
    await host.completeCheck({
      checkId: pending.checkRunId,
      conclusion: pending.conclusion,
      output: pending.output,
      offerAddTests: pending.offerButton,
    });
  } catch (error) {
    const window = deps.publishRetryWindowMs ?? PUBLISH_RETRY_WINDOW_MS;
    if (classifyFailure(error) !== 'transient' || Date.now() - pending.firstTriedAt > window)
      throw error;
    const tries = pending.tries + 1;
    await run.queue.savePublish({ ...pending, tries });
    await run.queue.count('publish-retries').catch(() => {});
    const base = deps.publishRetryBaseMs ?? PUBLISH_RETRY_BASE_MS;
    const backoff = Math.min(base * 2 ** (tries - 1), PUBLISH_RETRY_MAX_DELAY_MS);
    throw await delayJob(
      run,
      Math.max(backoff, retryAfterMs(run, error) ?? 0),
      error,
      `publishing the verdict failed (try ${tries}); it is kept, the gate is not run again`,
    );
  }
  await run.queue.untrackRun().catch(() => {});
  log.info(
    {
      verdict: pending.verdict,
      conclusion: pending.conclusion,
      annotations: pending.output.annotations.length,
    },
    'check run completed',
  );
  if (pending.comment !== undefined) {
    try {
      const written = await host.upsertComment({
        pullNumber: run.data.pullNumber,
        marker: COMMENT_MARKER,
        body: pending.comment.body,
      });
      log.info(
        {
          commentId: written.commentId,
          action: written.action,
          suggestionsShown: pending.comment.suggestionsShown,
        },
        'sticky comment written',
      );
    } catch (error) {
      // The verdict is already on the check; a lost comment is not worth re-running the gate.
      log.error({ err: error }, 'could not write the sticky comment');
    }
  }
  await run.queue.clearPublish().catch(() => {});
  return pending.result;
}
