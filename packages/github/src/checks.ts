import type {
  CheckAnnotation,
  CheckConclusion as HostCheckConclusion,
  CheckOutput,
} from '@testgate/core';
import { z } from 'zod';
import type { GitHubClient } from './octokit.ts';

const CHECK_RUN_NAME = 'Testgate';
/** GitHub accepts at most 50 annotations per create/update request. */
const ANNOTATIONS_PER_REQUEST = 50;

/** GitHub's conclusions: the port's, and three Testgate never sets. */
type CheckConclusion = HostCheckConclusion | 'skipped' | 'timed_out' | 'action_required';

interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

interface RepoRef {
  octokit: GitHubClient;
  owner: string;
  repo: string;
}

const CheckRunSchema = z.object({
  id: z.number(),
  external_id: z.string().nullable().optional(),
  status: z.string(),
  conclusion: z.string().nullable().optional(),
  app: z.object({ id: z.number() }).nullable().optional(),
});
type CheckRunRef = z.infer<typeof CheckRunSchema>;

/** Our check run for `externalId` on `headSha`, if an earlier attempt created one. */
export async function findCheckRun(
  options: RepoRef & { headSha: string; externalId: string; name?: string },
): Promise<CheckRunRef | undefined> {
  const runs = await options.octokit.paginate(options.octokit.rest.checks.listForRef, {
    owner: options.owner,
    repo: options.repo,
    ref: options.headSha,
    check_name: options.name ?? CHECK_RUN_NAME,
    filter: 'all',
    per_page: 100,
  });
  for (const run of runs) {
    const parsed = CheckRunSchema.safeParse(run);
    if (parsed.success && parsed.data.external_id === options.externalId) return parsed.data;
  }
  return undefined;
}

async function createCheckRun(
  options: RepoRef & {
    headSha: string;
    externalId: string;
    name?: string;
    output?: CheckOutput;
    detailsUrl?: string;
  },
): Promise<CheckRunRef> {
  const response = await options.octokit.rest.checks.create({
    owner: options.owner,
    repo: options.repo,
    name: options.name ?? CHECK_RUN_NAME,
    head_sha: options.headSha,
    external_id: options.externalId,
    status: 'in_progress',
    started_at: new Date().toISOString(),
    ...(options.output === undefined ? {} : { output: toGitHubOutput(options.output) }),
    ...(options.detailsUrl === undefined ? {} : { details_url: options.detailsUrl }),
  });
  return CheckRunSchema.parse(response.data);
}

/** Finds the run an earlier attempt of this job created, or creates it. */
export async function ensureCheckRun(
  options: RepoRef & { headSha: string; externalId: string; name?: string; output?: CheckOutput },
): Promise<CheckRunRef> {
  const existing = await findCheckRun(options);
  if (existing !== undefined && existing.status !== 'completed') return existing;
  return createCheckRun(options);
}

/**
 * Completes a check run. Annotations go 50 per request: every batch but the last is sent
 * while the run is still in progress, and the last one with the conclusion, so a reader
 * never sees a completed run with half its annotations.
 */
export async function completeCheckRun(
  options: RepoRef & {
    checkRunId: number;
    conclusion: CheckConclusion;
    output: CheckOutput;
    actions?: CheckAction[];
  },
): Promise<void> {
  const { octokit, owner, repo, checkRunId } = options;
  const annotations = (options.output.annotations ?? []).map(toGitHubAnnotation);
  const batches: GitHubAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const base = {
    title: options.output.title.slice(0, 255),
    summary: truncate(options.output.summary, 65_535),
    ...(options.output.text === undefined ? {} : { text: truncate(options.output.text, 65_535) }),
  };
  for (const batch of batches.slice(0, -1)) {
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: checkRunId,
      output: { ...base, annotations: batch },
    });
  }
  const last = batches.at(-1);
  await octokit.rest.checks.update({
    owner,
    repo,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion: options.conclusion,
    completed_at: new Date().toISOString(),
    output: { ...base, ...(last === undefined ? {} : { annotations: last }) },
    ...(options.actions === undefined ? {} : { actions: options.actions }),
  });
}

/** GitHub rejects output fields over 65535 characters. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = '\n\n… (truncated)';
  return text.slice(0, max - note.length) + note;
}

/** The port's output as Octokit types it (GitHub's annotation fields, a mutable array). */
function toGitHubOutput(output: CheckOutput) {
  const { annotations, ...rest } = output;
  return {
    ...rest,
    ...(annotations === undefined ? {} : { annotations: annotations.map(toGitHubAnnotation) }),
  };
}

/** An annotation as the checks API names its fields. */
interface GitHubAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: CheckAnnotation['level'];
  title?: string;
  message: string;
  raw_details?: string;
}

function toGitHubAnnotation(annotation: CheckAnnotation): GitHubAnnotation {
  return {
    path: annotation.file,
    start_line: annotation.startLine,
    end_line: annotation.endLine,
    annotation_level: annotation.level,
    ...(annotation.title === undefined ? {} : { title: annotation.title }),
    message: annotation.message,
    ...(annotation.details === undefined ? {} : { raw_details: annotation.details }),
  };
}
