import { ADD_TESTS_JOB_NAME, type ActionJobInput, type GateQueue } from '@testgate/queue';

/** The job name and the check-run action identifier, as the server's callers know them. */
export { ADD_TESTS_JOB_NAME } from '@testgate/queue';
export { ADD_TESTS_IDENTIFIER } from '@testgate/github';

/** A click on "Add tests": the queue's `ActionJobDataSchema`, which the worker reads too. */
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
