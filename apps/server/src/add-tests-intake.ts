import type { GateQueue } from '@testgate/queue';

/**
 * BullMQ job name of an "Add tests" click. Must equal `ADD_TESTS_JOB_NAME` of
 * `@testgate/github`, which the worker dispatches on (the server does not depend on the
 * GitHub client; test/suggestions-app.test.ts checks the two agree).
 */
export const ADD_TESTS_JOB_NAME = 'add-tests';
/** The check-run action identifier Testgate offers (`ADD_TESTS_IDENTIFIER`). */
export const ADD_TESTS_IDENTIFIER = 'add_tests';

/** A click on "Add tests", as the worker's `AddTestsRequestSchema` reads it. */
export interface AddTestsRequestInput {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  checkRunId: number;
  requestedBy?: string;
  deliveryId: string;
  /** Gate-job fields too: the gate queue's worker validates every job against its schema. */
  baseSha: string;
  headRef: string;
  baseRef: string;
  defaultBranch: string;
  draft: boolean;
  event: string;
}

export type AddTestsEnqueueResult = { status: 'duplicate' } | { status: 'queued'; jobId: string };

export interface AddTestsIntake {
  enqueueAddTests(request: AddTestsRequestInput): Promise<AddTestsEnqueueResult>;
}

/**
 * Clicks ride the gate queue under their own job name and id (`add-tests/<check run>/<delivery>`),
 * so they neither replace the gate job of that head SHA nor count as "the latest head"
 * of the PR (which would cancel a newer gate run). A second click is a second job: the
 * worker's idempotency key makes it a no-op.
 */
export function createAddTestsIntake(queue: Pick<GateQueue, 'markDelivery' | 'forgetDelivery' | 'queue'>): AddTestsIntake {
  return {
    async enqueueAddTests(request) {
      if (!(await queue.markDelivery(request.deliveryId))) return { status: 'duplicate' };
      const jobId = `add-tests/${request.owner}/${request.repo}/${request.checkRunId}/${request.deliveryId}`.replace(/[^A-Za-z0-9._/-]/g, '_');
      try {
        await queue.queue.add(ADD_TESTS_JOB_NAME, request, {
          jobId,
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
          removeOnComplete: { age: 24 * 3600, count: 5000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
        });
      } catch (error) {
        await queue.forgetDelivery(request.deliveryId);
        throw error;
      }
      return { status: 'queued', jobId };
    },
  };
}
