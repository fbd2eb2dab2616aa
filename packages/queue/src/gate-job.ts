import { z } from 'zod';

/** Queue name for gate jobs. BullMQ forbids ':' in queue names. */
export const GATE_QUEUE_NAME = 'gate';
export const GATE_JOB_NAME = 'gate';
/** Redis key prefix for everything Testgate stores. */
export const DEFAULT_PREFIX = 'testgate';

const repoName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a GitHub owner or repository name');

/** Job data, validated when enqueued and again when a worker picks the job up. */
export const GateJobDataSchema = z.object({
  installationId: z.number().int().positive(),
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
  /** The event that asked for this run, for logs. */
  event: z.string(),
  deliveryId: z.string(),
});
export type GateJobData = z.infer<typeof GateJobDataSchema>;
export type GateJobInput = z.input<typeof GateJobDataSchema>;

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
export function gateJobId(data: Pick<GateJobData, 'owner' | 'repo' | 'pullNumber' | 'headSha'>): string {
  return `${pullRequestKey(data)}/${data.headSha}`.replace(/[^A-Za-z0-9._/-]/g, '_');
}

/** Message published when a job must stop (a newer head SHA arrived for its PR). */
export const CancelMessageSchema = z.object({
  jobId: z.string(),
  reason: z.literal('superseded'),
  supersededBy: z.string(),
});
export type CancelMessage = z.infer<typeof CancelMessageSchema>;
