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
  ensureCheckRun,
  fetchRepoConfig,
  fetchTree,
  findCheckRun,
  getGitCommit,
  getPullRequest,
  isTestgateCommitMessage,
  upsertStickyComment,
  type CheckConclusion,
  type GitHubApp,
  type GitHubClient,
} from '@testgate/github';
import { resolveGenerateMode } from '@testgate/generator';
import type { EnvironmentStep, RunGateOptions } from '@testgate/pipeline';
import {
  isGateAbortReason,
  UnrecoverableError,
  WaitingError,
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

export type GateOutcome = 'completed' | 'superseded' | 'skipped-draft' | 'config-error' | 'neutral';

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
}

const sha7 = (sha: string) => sha.slice(0, 7);

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
    }

    // The current head is what GitHub says, not the order deliveries arrived in: a
    // redelivered `opened` for an older commit must neither be judged nor cancel the newer.
    const current = await getPullRequest({ octokit, ...repo, pullNumber: data.pullNumber })
      .then((pull) => pull.headSha)
      .catch((error: unknown) => {
        throw toBullError(error, { attempt, maxAttempts });
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
      return { outcome: 'superseded' };
    }

    let config: GateConfig = defaultConfig;
    let configError: ConfigError | undefined;
    try {
      const raw = await fetchRepoConfig({ octokit, ...repo, ref: data.defaultBranch });
      if (raw !== null) config = parseConfig(raw);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw toBullError(error, { attempt, maxAttempts });
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
    }).catch((error: unknown) => {
      throw toBullError(error, { attempt, maxAttempts });
    });
    log.info({ checkRunId: checkRun.id }, 'check run in progress');

    // Whether the check run reached a final state or is deliberately left for a retry.
    let settled = false;
    /** Set once the job is back in the queue: its label may then belong to another worker's sandboxes. */
    let handedBack = false;
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

      const [base, head] = await Promise.all([
        fetchTree({ octokit, ...repo, ref: data.baseSha, signal }),
        fetchTree({ octokit, ...repo, ref: data.headSha, signal }),
      ]);
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
        base: { kind: 'tar', tar: base.tar },
        head: { kind: 'tar', tar: head.tar },
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
      await completeCheckRun({
        octokit,
        ...repo,
        checkRunId: checkRun.id,
        conclusion: output.conclusion,
        output: {
          title: output.title,
          summary: output.summary,
          ...(output.text === undefined ? {} : { text: output.text }),
          annotations: output.annotations,
        },
        ...(offerButton ? { actions: [ADD_TESTS_ACTION] } : {}),
      });
      settled = true;
      log.info(
        {
          verdict: report.verdict,
          conclusion: output.conclusion,
          annotations: output.annotations.length,
        },
        'check run completed',
      );

      if (comment !== undefined) {
        try {
          const written = await upsertStickyComment({
            octokit,
            ...repo,
            issueNumber: data.pullNumber,
            marker: COMMENT_MARKER,
            body: comment.body,
          });
          log.info(
            {
              commentId: written.commentId,
              action: written.action,
              suggestionsShown: comment.suggestionsShown,
            },
            'sticky comment written',
          );
        } catch (error) {
          // The verdict is already on the check run; a lost comment is not worth re-running the gate.
          log.error({ err: error }, 'could not write the sticky comment');
        }
      }
      return {
        outcome: 'completed',
        conclusion: output.conclusion,
        checkRunId: checkRun.id,
        suggestions: report.suggestions.length,
        appCommit,
        addTestsOffered: offerButton,
      };
    } catch (error) {
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
    }
  };
}

/** Maps a failure before the check run exists to BullMQ's retry semantics. */
function toBullError(error: unknown, _attempts: { attempt: number; maxAttempts: number }): Error {
  if (classifyFailure(error) === 'permanent') {
    return new UnrecoverableError(describeFailure(error).message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
