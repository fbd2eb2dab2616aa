import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultConfig,
  ConfigError,
  parseConfig,
  type GateConfig,
  type GateReport,
} from '@testgate/core';
import {
  ADD_TESTS_ACTION,
  completeCheckRun,
  DEFAULT_EXTRACT_LIMITS,
  ensureCheckRun,
  fetchRepoConfig,
  fetchTree,
  findCheckRun,
  getGitCommit,
  getPullRequest,
  GitHubError,
  isTestgateCommitMessage,
  upsertStickyComment,
  type CheckConclusion,
  type ExtractLimits,
  type GitHubApp,
  type GitHubClient,
} from '@testgate/github';
import { resolveGenerateMode } from '@testgate/generator';
import type { EnvironmentStep, RunGateOptions } from '@testgate/pipeline';
import {
  DelayedError,
  isGateAbortReason,
  UnrecoverableError,
  WaitingError,
  type AbandonedRun,
  type GateJobContext,
  type GateJobData,
  type Job,
} from '@testgate/queue';
import {
  COMMENT_MARKER,
  layoutComment,
  renderCheckRun,
  type SuggestionDelivery,
} from '@testgate/report';
import type { SandboxRunner } from '@testgate/sandbox';
import type { Logger } from 'pino';
import { classifyFailure, describeFailure } from './classify-error.ts';
import type { SuggestionStore } from './suggestion-store.ts';
import type { WorkerModel } from './worker-model.ts';

export type GateOutcome =
  'completed' | 'superseded' | 'skipped-draft' | 'config-error' | 'tree-too-large' | 'neutral';

export interface GateJobResult {
  outcome: GateOutcome;
  conclusion?: CheckConclusion;
  checkRunId?: number;
  /** Suggestions offered (files); 0 when the head commit was Testgate's own. */
  suggestions?: number;
  /** The head commit was written by "Add tests": nothing was generated for it. */
  appCommit?: boolean;
  /** Whether the check run offers "Add tests". */
  addTestsOffered?: boolean;
}

/** A computed verdict on its way to GitHub (stored in Redis until it got there). */
interface PendingPublish {
  checkRunId: number;
  conclusion: CheckConclusion;
  output: {
    title: string;
    summary: string;
    text?: string;
    annotations: NonNullable<Parameters<typeof completeCheckRun>[0]['output']['annotations']>;
  };
  offerButton: boolean;
  comment?: { body: string; suggestionsShown: number };
  verdict: string;
  result: GateJobResult;
  /** Epoch ms of the first try: publishing is retried for PUBLISH_RETRY_WINDOW_MS from it. */
  firstTriedAt: number;
  tries: number;
}

/** Publishing a verdict is retried this long (GitHub outages), with backoff. */
const PUBLISH_RETRY_WINDOW_MS = 75 * 60_000;
const PUBLISH_RETRY_BASE_MS = 5_000;
const PUBLISH_RETRY_MAX_DELAY_MS = 5 * 60_000;

export interface GateProcessorDeps {
  github: GitHubApp;
  runner: SandboxRunner;
  /** The sandbox image tag, resolved once at worker start (ensureSandboxImage). */
  image: string;
  /** The pipeline; injectable so GitHub-plumbing tests can stand in a fake. */
  runGate: (options: RunGateOptions) => Promise<GateReport>;
  /** Removes the containers of one job (label `testgate.job`), e.g. after a worker died mid-job. */
  reapJob: (jobId: string) => Promise<void>;
  logger: Logger;
  /** Where suggestions wait for an "Add tests" click; without it the button is never offered. */
  suggestions?: SuggestionStore;
  /** The model generator (worker-model.ts); without it `generate.mode: auto` means the built-in one. */
  model?: Pick<WorkerModel, 'env' | 'replayDir' | 'generateCandidates'>;
  /**
   * Installs each project's dependencies (the operator's index and limits; the credentials
   * stay in this process, never in the job). Without it nothing is installed.
   */
  environment?: EnvironmentStep;
  /**
   * Where each job writes its base and head trees (a fresh directory per job, removed when
   * it ends). @defaultValue the OS temp directory
   */
  workDir?: string;
  /** Caps on each commit's tree. @defaultValue DEFAULT_EXTRACT_LIMITS (256 MiB, 20000 files) */
  treeLimits?: ExtractLimits;
  /** How long a computed verdict is retried for when GitHub refuses it. @defaultValue 75 min */
  publishRetryWindowMs?: number;
  /** First delay between publish tries (doubling, at most 5 min). @defaultValue 5000 */
  publishRetryBaseMs?: number;
  /** Scales GitHub's retry-after (tests). @defaultValue 1 */
  retryAfterScale?: number;
}

const sha7 = (sha: string) => sha.slice(0, 7);

/** The tree caps, as the check run that says a head exceeds them names them. */
function describeTreeCaps(limits: ExtractLimits | undefined): string {
  const { maxTotalBytes, maxFiles } = { ...DEFAULT_EXTRACT_LIMITS, ...limits };
  const size =
    maxTotalBytes >= 1024 * 1024
      ? `${Math.round(maxTotalBytes / 1024 / 1024)} MiB`
      : `${Math.round(maxTotalBytes / 1024)} KiB`;
  return `${size} and ${maxFiles} files per commit`;
}

/** Job workspaces are named so a restarted worker can remove the ones a dead worker left. */
export const TREE_DIR_PREFIX = 'testgate-tree-';

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

/** Builds the BullMQ processor of a gate job: GitHub in, GateReport through, check run and comment out. */
export function createGateProcessor(deps: GateProcessorDeps) {
  return async function processGateJob(
    job: Job<GateJobData>,
    context: GateJobContext,
  ): Promise<GateJobResult> {
    const data = context.data;
    const jobId = job.id ?? 'unknown';
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const log = deps.logger.child({ jobId, deliveryId: data.deliveryId, attempt });
    const repo = { owner: data.owner, repo: data.repo };
    const octokit: GitHubClient = deps.github.installation(data.installationId);
    const { signal } = context;

    // Whether the check run reached its final state: then nobody else needs to finish it.
    let finished = false;
    async function complete(
      checkRunId: number,
      conclusion: CheckConclusion,
      title: string,
      summary: string,
    ): Promise<void> {
      await completeCheckRun({
        octokit,
        ...repo,
        checkRunId,
        conclusion,
        output: { title, summary },
      });
      finished = true;
    }

    /** Moves the job back to the queue for `ms` without spending an attempt. */
    async function delayJob(ms: number, error: unknown, why: string): Promise<DelayedError> {
      log.warn({ err: error, delayMs: ms }, `${why}: job delayed`);
      await job.moveToDelayed(Date.now() + ms, context.token);
      return new DelayedError();
    }

    /** How long GitHub asked us to wait (retry-after), scaled for tests; undefined if it did not. */
    function retryAfterMs(error: unknown): number | undefined {
      const header = (error as { response?: { headers?: Record<string, unknown> } } | null)
        ?.response?.headers?.['retry-after'];
      const seconds = Number(header);
      return header === undefined || !Number.isFinite(seconds) || seconds < 0
        ? undefined
        : Math.round(seconds * 1000 * (deps.retryAfterScale ?? 1));
    }

    /** A failure before the check run exists: a rate limit delays the job, the rest is BullMQ's. */
    async function failEarly(error: unknown): Promise<Error> {
      const waitMs = retryAfterMs(error);
      if (waitMs !== undefined && classifyFailure(error) === 'transient')
        return delayJob(waitMs, error, 'GitHub asked to wait (retry-after)');
      return toBullError(error, { attempt, maxAttempts });
    }

    /**
     * Puts a computed verdict on GitHub. A transient failure stores it and delays the job
     * (backoff, at least `publishRetryWindowMs` in all, surviving restarts): the next try
     * publishes the same verdict instead of judging again.
     */
    async function publish(pending: PendingPublish): Promise<GateJobResult> {
      try {
        await completeCheckRun({
          octokit,
          ...repo,
          checkRunId: pending.checkRunId,
          conclusion: pending.conclusion,
          output: pending.output,
          ...(pending.offerButton ? { actions: [ADD_TESTS_ACTION] } : {}),
        });
      } catch (error) {
        const window = deps.publishRetryWindowMs ?? PUBLISH_RETRY_WINDOW_MS;
        if (classifyFailure(error) !== 'transient' || Date.now() - pending.firstTriedAt > window)
          throw error;
        const tries = pending.tries + 1;
        await context.savePublish({ ...pending, tries });
        await context.count('publish-retries').catch(() => {});
        const base = deps.publishRetryBaseMs ?? PUBLISH_RETRY_BASE_MS;
        const backoff = Math.min(base * 2 ** (tries - 1), PUBLISH_RETRY_MAX_DELAY_MS);
        throw await delayJob(
          Math.max(backoff, retryAfterMs(error) ?? 0),
          error,
          `publishing the verdict failed (try ${tries}); it is kept, the gate is not run again`,
        );
      }
      await context.untrackRun().catch(() => {});
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
          const written = await upsertStickyComment({
            octokit,
            ...repo,
            issueNumber: data.pullNumber,
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
          // The verdict is already on the check run; a lost comment is not worth re-running the gate.
          log.error({ err: error }, 'could not write the sticky comment');
        }
      }
      await context.clearPublish().catch(() => {});
      return pending.result;
    }

    // A verdict computed by an earlier try that GitHub did not take yet: publish only.
    const stored = (await context.loadPublish().catch(() => undefined)) as
      PendingPublish | undefined;
    if (stored !== undefined) {
      log.info({ tries: stored.tries }, 'publishing the verdict computed earlier');
      return publish(stored).catch(async (error: unknown) => {
        throw error instanceof DelayedError ? error : await failEarly(error);
      });
    }

    // The current head is what GitHub says, not the order deliveries arrived in: a
    // redelivered `opened` for an older commit must neither be judged nor cancel the newer.
    const current = await getPullRequest({ octokit, ...repo, pullNumber: data.pullNumber })
      .then((pull) => pull.headSha)
      .catch(async (error: unknown) => {
        throw await failEarly(error);
      });
    if (current !== data.headSha) {
      const existing = await findCheckRun({
        octokit,
        ...repo,
        headSha: data.headSha,
        externalId: jobId,
      });
      if (existing !== undefined && existing.status !== 'completed') {
        await complete(
          existing.id,
          'cancelled',
          `Superseded by ${sha7(current)}`,
          `The pull request's head is now ${current}; Testgate judges that commit instead.`,
        );
      }
      log.info({ current }, 'stale delivery skipped: the pull request has moved on');
      await context.count('stale-skipped').catch(() => {});
      return { outcome: 'superseded' };
    }

    let config: GateConfig = defaultConfig;
    let configError: ConfigError | undefined;
    try {
      const raw = await fetchRepoConfig({ octokit, ...repo, ref: data.defaultBranch });
      if (raw !== null) config = parseConfig(raw);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw await failEarly(error);
      configError = error;
    }
    if (data.draft && (configError !== undefined || !config.pullRequests.drafts)) {
      log.info('draft pull request skipped (pullRequests.drafts is off)');
      return { outcome: 'skipped-draft' };
    }

    const checkRun = await ensureCheckRun({
      octokit,
      ...repo,
      headSha: data.headSha,
      externalId: jobId,
      output: {
        title: 'Judging the tests of this pull request',
        summary: `Commit ${sha7(data.headSha)}: Testgate is running.`,
      },
    }).catch(async (error: unknown) => {
      throw await failEarly(error);
    });
    log.info({ checkRunId: checkRun.id }, 'check run in progress');
    // From here a dead worker's run is finished by another (onRunAbandoned).
    await context
      .trackRun(checkRun.id)
      .catch((error: unknown) => log.warn({ err: error }, 'could not record the open check run'));
    // Whether the check run reached a final state or is deliberately left for a retry.
    let settled = false;
    /** Set once the job is back in the queue: its label may then belong to another worker's sandboxes. */
    let handedBack = false;
    /** This job's trees on disk, removed when the job ends however it ends. */
    let workspace: string | undefined;
    try {
      if (configError !== undefined) {
        // The repo owner's error, and a deterministic one: fail the check (a neutral
        // check would let a broken config silently switch the gate off), name the problem.
        const first = configError.problems[0]?.message ?? configError.message;
        await complete(
          checkRun.id,
          'failure',
          `Invalid .github/testgate.yml: ${first}`.slice(0, 255),
          `Testgate could not read its configuration from the default branch (\`${data.defaultBranch}\`):\n\n${configError.problems
            .map(
              (p) =>
                `- \`${p.path || '(file)'}\`${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`,
            )
            .join('\n')}\n\nFix the file on \`${data.defaultBranch}\`, then re-run this check.`,
        );
        settled = true;
        return { outcome: 'config-error', conclusion: 'failure', checkRunId: checkRun.id };
      }

      // Leftovers of an earlier attempt of this same job (a worker that died mid-run).
      await deps
        .reapJob(jobId)
        .catch((error: unknown) => log.warn({ err: error }, 'could not reap leftover containers'));

      // On disk, not in memory: a large tree costs the worker disk space, not RSS.
      workspace = await mkdtemp(join(deps.workDir ?? tmpdir(), TREE_DIR_PREFIX));
      const treeRequest = {
        octokit,
        ...repo,
        signal,
        ...(deps.treeLimits === undefined ? {} : { limits: deps.treeLimits }),
      };
      const [baseFetch, headFetch] = await Promise.allSettled([
        fetchTree({ ...treeRequest, ref: data.baseSha, into: join(workspace, 'base') }),
        fetchTree({ ...treeRequest, ref: data.headSha, into: join(workspace, 'head') }),
      ]);
      if (baseFetch.status === 'rejected') throw baseFetch.reason;
      if (headFetch.status === 'rejected') {
        const error: unknown = headFetch.reason;
        if (error instanceof GitHubError && error.code === 'archive-too-large') {
          // The base fits and the head does not: the pull request made the tree too large
          // to judge. Its own doing, so the check fails (a neutral one would pass it).
          await complete(
            checkRun.id,
            'failure',
            `The pull request's tree is too large to judge: ${error.message}`.slice(0, 255),
            `${error.message}. Testgate reads at most ${describeTreeCaps(deps.treeLimits)}; the base commit fits, this pull request's head does not.\n\nKeep large data out of the repository (Git LFS, a download step), or ask the operator to raise the cap.`,
          );
          settled = true;
          return { outcome: 'tree-too-large', conclusion: 'failure', checkRunId: checkRun.id };
        }
        throw error;
      }
      const base = baseFetch.value;
      const head = headFetch.value;
      log.info(
        { baseFiles: base.files, headFiles: head.files, skipped: head.skipped.length },
        'workspace fetched',
      );

      // Who wrote the head commit, and where its branch lives: "Add tests" commits get no
      // new suggestions (no loop), and fork branches cannot take a push.
      const [pull, headCommit] = await Promise.all([
        getPullRequest({ octokit, ...repo, pullNumber: data.pullNumber }),
        getGitCommit({ octokit, ...repo, sha: data.headSha }),
      ]);
      const appCommit = isTestgateCommitMessage(headCommit.message);
      if (appCommit) log.info('head commit was written by Add tests: judging without generating');

      const generate = appCommit
        ? 'off'
        : resolveGenerateMode({
            flag: undefined,
            config,
            env: deps.model?.env ?? {},
            replayDir: deps.model?.replayDir,
          });
      let lastProgress = 0;
      const report = await deps.runGate({
        runner: deps.runner,
        image: deps.image,
        base: { kind: 'dir', path: base.root },
        head: { kind: 'dir', path: head.root },
        config,
        generate,
        ...(generate === 'model' && deps.model !== undefined
          ? {
              generateCandidates: deps.model.generateCandidates({
                config,
                installationId: data.installationId,
              }),
            }
          : {}),
        ...(deps.environment === undefined ? {} : { environment: deps.environment }),
        signal,
        jobId,
        labels: { 'testgate.delivery': data.deliveryId },
        onProgress(event) {
          const now = Date.now();
          if (now - lastProgress < 1000) return;
          lastProgress = now;
          void job.updateProgress({ phase: event.phase, message: event.message }).catch(() => {});
        },
      });
      signal.throwIfAborted();

      const delivery: SuggestionDelivery = pull.fromFork
        ? 'patch'
        : config.addTests.enabled
          ? 'button'
          : 'copy';
      const offerButton =
        !appCommit &&
        delivery === 'button' &&
        report.suggestions.length > 0 &&
        deps.suggestions !== undefined;
      const comment = config.comment.enabled
        ? layoutComment(report, {
            marker: COMMENT_MARKER,
            delivery: offerButton ? 'button' : delivery === 'button' ? 'copy' : delivery,
            ...(appCommit ? { appCommit: { sha: data.headSha } } : {}),
          })
        : undefined;
      const output = renderCheckRun(report, {
        suggestionsInComment: comment?.suggestionsShown ?? 0,
      });
      if (offerButton) {
        // Stored before the button appears, so a click never finds nothing.
        await deps.suggestions!.save(checkRun.id, {
          owner: data.owner,
          repo: data.repo,
          pullNumber: data.pullNumber,
          headSha: data.headSha,
          suggestions: report.suggestions,
          createdAt: new Date().toISOString(),
        });
      }
      // Stored before publishing: from here a GitHub outage delays the job to publish this
      // verdict again, it never runs the gate again.
      const pending: PendingPublish = {
        checkRunId: checkRun.id,
        conclusion: output.conclusion,
        output: {
          title: output.title,
          summary: output.summary,
          ...(output.text === undefined ? {} : { text: output.text }),
          annotations: output.annotations,
        },
        offerButton,
        ...(comment === undefined
          ? {}
          : { comment: { body: comment.body, suggestionsShown: comment.suggestionsShown } }),
        verdict: report.verdict,
        result: {
          outcome: 'completed',
          conclusion: output.conclusion,
          checkRunId: checkRun.id,
          suggestions: report.suggestions.length,
          appCommit,
          addTestsOffered: offerButton,
        },
        firstTriedAt: Date.now(),
        tries: 0,
      };
      await context
        .savePublish(pending)
        .catch((error: unknown) => log.warn({ err: error }, 'could not store the verdict'));
      const result = await publish(pending);
      finished = true;
      settled = true;
      return result;
    } catch (error) {
      if (error instanceof DelayedError) {
        // Back in the queue with a delay (a rate limit, or a verdict waiting to be
        // published): the run stays in progress for the next try.
        settled = true;
        throw error;
      }
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      if (isGateAbortReason(reason)) {
        if (reason.kind === 'superseded') {
          await complete(
            checkRun.id,
            'cancelled',
            `Superseded by ${sha7(reason.supersededBy)}`,
            `A newer commit (${reason.supersededBy}) was pushed to this pull request; Testgate judges that one instead.`,
          );
          settled = true;
          log.info({ supersededBy: reason.supersededBy }, 'job cancelled: superseded');
          return { outcome: 'superseded', conclusion: 'cancelled', checkRunId: checkRun.id };
        }
        if (reason.kind === 'shutdown') {
          // Back to the queue for another worker; the check run stays in progress and the
          // next attempt finds it by external_id.
          settled = true;
          log.warn('worker shutting down: job returned to the queue');
          // Remove this job's containers BEFORE handing it back: once it is waiting,
          // another worker may start sandboxes with the same job label.
          await deps.reapJob(jobId).catch(() => {});
          handedBack = true;
          await job.moveToWait(context.token);
          throw new WaitingError();
        }
        await complete(
          checkRun.id,
          'neutral',
          'Testgate timed out',
          `The gate did not finish within ${reason.deadlineMs % 60_000 === 0 ? `${reason.deadlineMs / 60_000} min` : `${Math.round(reason.deadlineMs / 1000)} s`}, so it could not judge this commit. Re-run the check, or raise JOB_DEADLINE_SECONDS.`,
        );
        settled = true;
        throw new UnrecoverableError(`job deadline of ${reason.deadlineMs} ms passed`);
      }
      const kind = classifyFailure(error);
      const waitMs = retryAfterMs(error);
      if (kind === 'transient' && waitMs !== undefined) {
        // GitHub said when to come back: wait that long without spending an attempt.
        settled = true;
        throw await delayJob(waitMs, error, 'GitHub asked to wait (retry-after)');
      }
      if (kind === 'transient' && attempt < maxAttempts) {
        // Leave the run in progress: the retry reuses it.
        settled = true;
        log.warn({ err: error, attempt, maxAttempts }, 'transient failure: job will be retried');
        throw error;
      }
      const { message, hint } = describeFailure(error);
      await complete(
        checkRun.id,
        'neutral',
        'Testgate could not run',
        `The gate itself failed, so this commit was not judged.\n\n> ${message}${hint === undefined ? '' : `\n\n${hint}`}`,
      );
      settled = true;
      log.error({ err: error, kind }, 'gate failed: check run completed neutral');
      throw kind === 'permanent' ? new UnrecoverableError(message) : error;
    } finally {
      if (!settled) {
        await complete(
          checkRun.id,
          'neutral',
          'Testgate could not run',
          'The gate stopped unexpectedly; re-run the check.',
        ).catch((error: unknown) => log.error({ err: error }, 'could not complete the check run'));
      }
      if (!handedBack) await deps.reapJob(jobId).catch(() => {});
      if (finished) await context.untrackRun().catch(() => {});
      if (workspace !== undefined) {
        await rm(workspace, { recursive: true, force: true }).catch((error: unknown) =>
          log.warn({ err: error, workspace }, 'could not remove the job workspace'),
        );
      }
    }
  };
}

/**
 * Finishes the check run of a gate job that ended without finishing it (its worker died,
 * the stall limit was reached, it failed for good before the run existed). Idempotent: a
 * run already completed is left alone.
 */
export function createAbandonedRunHandler(
  deps: Pick<GateProcessorDeps, 'github' | 'reapJob' | 'logger'>,
) {
  return async function finishAbandonedRun(run: AbandonedRun): Promise<void> {
    const { data } = run;
    const repo = { owner: data.owner, repo: data.repo };
    const octokit: GitHubClient = deps.github.installation(data.installationId);
    const log = deps.logger.child({ jobId: run.jobId, deliveryId: data.deliveryId });
    const existing = await findCheckRun({
      octokit,
      ...repo,
      headSha: data.headSha,
      externalId: run.jobId,
    });
    if (existing?.status === 'completed') return;
    const checkRunId =
      existing?.id ??
      (
        await ensureCheckRun({
          octokit,
          ...repo,
          headSha: data.headSha,
          externalId: run.jobId,
          output: {
            title: 'Testgate could not run',
            summary: 'The job ended before the gate ran.',
          },
        })
      ).id;
    // A verdict was computed but never published (GitHub was down for the whole window):
    // it is still the right answer. Else a job that killed every worker that took it: the
    // pull request's code did that.
    const pending = run.pendingPublish as PendingPublish | undefined;
    if (pending !== undefined && pending.checkRunId === checkRunId) {
      await completeCheckRun({
        octokit,
        ...repo,
        checkRunId,
        conclusion: pending.conclusion,
        output: pending.output,
      });
      log.warn({ checkRunId }, 'abandoned check run completed with the verdict its job computed');
      await deps.reapJob(run.jobId).catch(() => {});
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
    await completeCheckRun({
      octokit,
      ...repo,
      checkRunId,
      conclusion: output.conclusion,
      output: { title: output.title, summary: output.summary },
    });
    log.warn(
      { checkRunId, exhausted: run.exhausted, reason: run.reason },
      'abandoned check run completed',
    );
    await deps.reapJob(run.jobId).catch(() => {});
  };
}

/** Maps a failure before the check run exists to BullMQ's retry semantics. */
function toBullError(error: unknown, _attempts: { attempt: number; maxAttempts: number }): Error {
  if (classifyFailure(error) === 'permanent') {
    return new UnrecoverableError(describeFailure(error).message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
