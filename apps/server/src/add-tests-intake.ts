import type { ActionJobInput, GateQueue } from '@testgate/queue';

/**
 * BullMQ job name of an "Add tests" click. Must equal `ADD_TESTS_JOB_NAME` of
 * `@testgate/github`, which the worker dispatches on (the server does not depend on the
 * GitHub client; test/suggestions-app.test.ts checks the two agree).
 */
export const ADD_TESTS_JOB_NAME = 'add-tests';
/** The check-run action identifier Testgate offers (`ADD_TESTS_IDENTIFIER`). */
export const ADD_TESTS_IDENTIFIER = 'add_tests';

/** A click on "Add tests": the queue's `ActionJobDataSchema`, which the worker's `AddTestsRequestSchema` reads. */
export type AddTestsRequestInput = ActionJobInput;

export type AddTestsEnqueueResult = { status: 'duplicate' } | { status: 'queued'; jobId: string };

export interface AddTestsIntake {
  enqueueAddTests(request: AddTestsRequestInput): Promise<AddTestsEnqueueResult>;
}

/**
 * Clicks ride the gate queue under their own job name, schema and id
 * (`add-tests/<owner>/<repo>/<check run>/<delivery>`, see `enqueueAction`), so they neither
 * replace the gate job of that head SHA nor count as "the latest head" of the PR.
 */
export function createAddTestsIntake(queue: Pick<GateQueue, 'enqueueAction'>): AddTestsIntake {
  return {
    async enqueueAddTests(request) {
      return queue.enqueueAction({ name: ADD_TESTS_JOB_NAME, data: request });
    },
  };
}
