import { GateJobDataSchema, type GateJobInput } from '@testgate/queue';
import { ADD_TESTS_IDENTIFIER, gitHubHostRef, pullRequestClaimsFix } from '@testgate/github';
import type { AddTestsRequestInput } from './add-tests-intake.ts';
import { z } from 'zod';

/** What a delivery asks of us. Pure: decided from the event name and payload alone. */
export type DeliveryPlan =
  | { action: 'enqueue'; job: Omit<GateJobInput, 'deliveryId'>; rerun: boolean }
  | { action: 'add-tests'; request: Omit<AddTestsRequestInput, 'deliveryId'> }
  | { action: 'ignore'; reason: string }
  | { action: 'log'; reason: string };

export const PULL_REQUEST_ACTIONS: readonly string[] = [
  'opened',
  'synchronize',
  'reopened',
  'ready_for_review',
];

const Repository = z.object({
  name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string(),
});
const Installation = z.object({ id: z.number() });
const Ref = z.object({ sha: z.string(), ref: z.string() });

/** What a `pull_request` payload may hold where the gate reads it; nothing is checked yet. */
interface PullRequestPayload {
  installation?: { id?: unknown };
  repository?: { name?: unknown; owner?: { login?: unknown }; default_branch?: unknown };
  pull_request?: {
    number?: unknown;
    draft?: unknown;
    title?: unknown;
    body?: unknown;
    labels?: unknown;
    head?: { sha?: unknown; ref?: unknown };
    base?: { sha?: unknown; ref?: unknown };
  };
}

/**
 * A pull_request delivery is checked through the job it becomes, not as a payload: a zod
 * object schema over the ~20 KB payload walks all its members (~15 µs, the largest part of
 * planning), while the job schema checks the dozen fields read out of it (~2 µs).
 */
const PullRequestJob = GateJobDataSchema.omit({ deliveryId: true });

const CheckPullRequest = z.object({ number: z.number(), head: Ref, base: Ref });

const CheckRunEvent = z.object({
  action: z.string(),
  installation: Installation,
  repository: Repository,
  check_run: z.object({
    id: z.number().optional(),
    head_sha: z.string(),
    app: z.object({ id: z.number() }).nullable(),
    pull_requests: z.array(CheckPullRequest),
  }),
  requested_action: z.object({ identifier: z.string() }).optional(),
  sender: z.object({ login: z.string() }).optional(),
});

const CheckSuiteEvent = z.object({
  action: z.string(),
  installation: Installation,
  repository: Repository,
  check_suite: z.object({
    head_sha: z.string(),
    app: z.object({ id: z.number() }).nullable().optional(),
    pull_requests: z.array(CheckPullRequest),
  }),
});

/** "Re-run" on a check run or suite: the gate again on `headSha`, replacing a finished run. */
function rerunPlan(
  data: { repository: z.infer<typeof Repository>; installation: z.infer<typeof Installation> },
  pr: z.infer<typeof CheckPullRequest>,
  headSha: string,
  event: string,
): DeliveryPlan {
  return {
    action: 'enqueue',
    rerun: true,
    job: {
      host: gitHubHostRef(data.installation.id),
      owner: data.repository.owner.login,
      repo: data.repository.name,
      defaultBranch: data.repository.default_branch,
      pullNumber: pr.number,
      headSha,
      baseSha: pr.base.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      draft: false,
      event,
    },
  };
}

/**
 * Decides what to do with one delivery. Drafts are queued with `draft: true`: whether
 * they are gated is the repo config's call (`pullRequests.drafts`), which the worker reads.
 */
export function planDelivery(event: string, payload: unknown, appId: string): DeliveryPlan {
  // Valid JSON need not be an object ("null", "[]"): such a body names no action.
  const action =
    typeof payload === 'object' && payload !== null
      ? (payload as { action?: unknown }).action
      : undefined;
  if (event === 'pull_request') {
    if (typeof action !== 'string' || !PULL_REQUEST_ACTIONS.includes(action)) {
      return { action: 'ignore', reason: `pull_request.${String(action)} is not gated` };
    }
    const p = payload as PullRequestPayload;
    const pr = p.pull_request;
    const job = PullRequestJob.safeParse({
      host: gitHubHostRef(p.installation?.id),
      owner: p.repository?.owner?.login,
      repo: p.repository?.name,
      defaultBranch: p.repository?.default_branch,
      pullNumber: pr?.number,
      headSha: pr?.head?.sha,
      baseSha: pr?.base?.sha,
      headRef: pr?.head?.ref,
      baseRef: pr?.base?.ref,
      draft: pr?.draft === true,
      claimsFix: pullRequestClaimsFix({
        labels: Array.isArray(pr?.labels)
          ? (pr.labels as unknown[]).filter(
              (label): label is { name?: unknown } => typeof label === 'object' && label !== null,
            )
          : [],
        title: pr?.title,
        body: pr?.body,
      }),
      event: `pull_request.${action}`,
    });
    if (!job.success)
      return { action: 'ignore', reason: 'pull_request payload lacks the fields we need' };
    return { action: 'enqueue', rerun: false, job: job.data };
  }
  if (event === 'check_run') {
    const p = CheckRunEvent.safeParse(payload);
    if (!p.success)
      return { action: 'ignore', reason: 'check_run payload lacks the fields we need' };
    const { action, check_run: run } = p.data;
    if (action !== 'rerequested' && action !== 'requested_action') {
      return { action: 'ignore', reason: `check_run.${action} is not acted on` };
    }
    // Every app's check runs are delivered to every app subscribed to check_run events.
    if (run.app === null || String(run.app.id) !== appId) {
      return { action: 'ignore', reason: 'check run belongs to another app' };
    }
    const pr = run.pull_requests[0];
    if (pr === undefined) return { action: 'ignore', reason: 'check run is not on a pull request' };
    if (action === 'requested_action') {
      // A button on our check run: never a re-run of the gate.
      const identifier = p.data.requested_action?.identifier;
      if (identifier !== ADD_TESTS_IDENTIFIER || run.id === undefined) {
        return {
          action: 'ignore',
          reason: `check_run.requested_action ${String(identifier)} is not ours`,
        };
      }
      return {
        action: 'add-tests',
        request: {
          host: gitHubHostRef(p.data.installation.id),
          owner: p.data.repository.owner.login,
          repo: p.data.repository.name,
          pullNumber: pr.number,
          headSha: run.head_sha,
          checkRunId: run.id,
          ...(p.data.sender === undefined ? {} : { requestedBy: p.data.sender.login }),
        },
      };
    }
    return rerunPlan(p.data, pr, run.head_sha, `check_run.${action}`);
  }
  if (event === 'check_suite') {
    const p = CheckSuiteEvent.safeParse(payload);
    if (!p.success)
      return { action: 'ignore', reason: 'check_suite payload lacks the fields we need' };
    const { action, check_suite: suite } = p.data;
    if (action !== 'rerequested')
      return { action: 'ignore', reason: `check_suite.${action} is not acted on` };
    if (suite.app != null && String(suite.app.id) !== appId) {
      return { action: 'ignore', reason: 'check suite belongs to another app' };
    }
    const pr = suite.pull_requests[0];
    if (pr === undefined)
      return { action: 'ignore', reason: 'check suite is not on a pull request' };
    return rerunPlan(p.data, pr, suite.head_sha, `check_suite.${action}`);
  }
  if (event === 'installation' || event === 'installation_repositories') {
    return {
      action: 'log',
      reason: `${event}.${String(action)}`,
    };
  }
  return { action: 'ignore', reason: `${event} is not acted on` };
}
