import { z } from 'zod';

/** Queue name for gate jobs. BullMQ forbids ':' in queue names. */
export const GATE_QUEUE_NAME = 'gate';
export const GATE_JOB_NAME = 'gate';
/** Redis key prefix for everything Testgate stores. */
export const DEFAULT_PREFIX = 'testgate';

const repoName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a GitHub owner or repository name');

/**
 * The code-host account a job's host is opened for, read only by that host's adapter (the
 * worker opens it through `openHost`; the steps never look inside). One member per host:
 * GitHub's is the App installation. A second host adds its own member here.
 */
const HostRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('github'), installationId: z.number().int().positive() }),
]);

/** Job data, validated when enqueued and again when a worker picks the job up. */
export const GateJobDataSchema = z.object({
  host: HostRefSchema,
  owner: repoName,
  repo: repoName,
  pullNumber: z.number().int().positive(),
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  baseSha: z.string().regex(/^[0-9a-f]{40}$/),
  headRef: z.string(),
  baseRef: z.string(),
  /** Branch the repo config `.github/testgate.yml` is read from. */
  defaultBranch: z.string(),
  /** The PR was a draft when the event fired; the worker skips it unless the repo config gates drafts. */
  draft: z.boolean().default(false),
  /**
   * The pull request says it fixes a bug (the host's words for it, e.g. a `bug` label or
   * "fixes #12"), as the event that asked for this run saw it; the worker asks the host
   * again when it judges. With `require.failsBefore`, a test must fail before the change.
   */
  claimsFix: z.boolean().default(false),
  /** The event that asked for this run, for logs. */
  event: z.string(),
  deliveryId: z.string(),
});
export type GateJobData = z.infer<typeof GateJobDataSchema>;
export type GateJobInput = z.input<typeof GateJobDataSchema>;

/**
 * Job data as written before `host` existed: a top-level GitHub `installationId`. Jobs,
 * intake entries and tracked runs already in Redis keep that shape until they are read;
 * reading turns it into `host` (and drops the old field), writing uses only `host`.
 */
export function withHostRef(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  if ('host' in raw || !('installationId' in raw)) return raw;
  const { installationId, ...rest } = raw as Record<string, unknown>;
  return { ...rest, host: { kind: 'github', installationId } };
}

/** What a worker accepts when it reads a gate job: the current shape or the one before `host`. */
export const StoredGateJobDataSchema = z.preprocess(withHostRef, GateJobDataSchema);

/** `owner/repo/pr` — identifies the pull request across head SHAs. */
export function pullRequestKey(data: Pick<GateJobData, 'owner' | 'repo' | 'pullNumber'>): string {
  return `${data.owner}/${data.repo}/${data.pullNumber}`;
}

/**
 * One job per repo, PR and head SHA: `owner/repo/pr/headSha`. BullMQ rejects custom ids
 * containing ':' (reserved for its legacy repeatable-job ids) and ids that parse as
 * integers; GitHub names cannot contain ':' but we sanitize anyway so a surprise never
 * turns into a 500.
 */
export function gateJobId(
  data: Pick<GateJobData, 'owner' | 'repo' | 'pullNumber' | 'headSha'>,
): string {
  return `${pullRequestKey(data)}/${data.headSha}`.replace(/[^A-Za-z0-9._/-]/g, '_');
}

/** Message published when a job must stop (a newer head SHA arrived for its PR). */
export const CancelMessageSchema = z.object({
  jobId: z.string(),
  reason: z.literal('superseded'),
  supersededBy: z.string(),
});
export type CancelMessage = z.infer<typeof CancelMessageSchema>;

/**
 * Jobs that ride the gate queue beside the gate runs: a click on a check-run button.
 * Each has its own name and schema, so it neither has to carry a gate job's fields nor
 * counts as "the latest head" of its PR (which would cancel a newer gate run).
 * The server enqueues a click on "Add tests" under ADD_TESTS_JOB_NAME; the worker
 * dispatches on the name.
 */
export const ADD_TESTS_JOB_NAME = 'add-tests';
export const ACTION_JOB_NAMES = [ADD_TESTS_JOB_NAME] as const;
export type ActionJobName = (typeof ACTION_JOB_NAMES)[number];

export function isActionJobName(name: string): name is ActionJobName {
  return (ACTION_JOB_NAMES as readonly string[]).includes(name);
}

/** A check-run button click, validated when enqueued and when a worker picks it up. */
export const ActionJobDataSchema = z.object({
  host: HostRefSchema,
  owner: repoName,
  repo: repoName,
  pullNumber: z.number().int().positive(),
  /** The SHA the clicked check run judged. */
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  checkRunId: z.number().int().positive(),
  /** Who clicked, for the commit message and logs. */
  requestedBy: z.string().optional(),
  deliveryId: z.string().min(1),
});
export type ActionJobData = z.infer<typeof ActionJobDataSchema>;
export type ActionJobInput = z.input<typeof ActionJobDataSchema>;
/** What a worker accepts when it reads a button click: the current shape or the one before `host`. */
export const StoredActionJobDataSchema = z.preprocess(withHostRef, ActionJobDataSchema);

/** `<name>/<owner>/<repo>/<check run>/<delivery>`: one job per click; the worker makes a second click a no-op. */
export function actionJobId(
  name: ActionJobName,
  data: Pick<ActionJobData, 'owner' | 'repo' | 'checkRunId' | 'deliveryId'>,
): string {
  return `${name}/${data.owner}/${data.repo}/${data.checkRunId}/${data.deliveryId}`.replace(
    /[^A-Za-z0-9._/-]/g,
    '_',
  );
}
