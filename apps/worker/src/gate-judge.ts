/**
 * Step 2 of a gate job: fetch the base and head trees, run the gate on them, and turn the
 * report into the verdict to publish (check output, comment, whether "Add tests" is
 * offered). The verdict is stored before it is returned: from here a host outage delays
 * the job to publish it again, it never runs the gate again.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_TREE_LIMITS,
  HostError,
  isTestgateCommitMessage,
  type GateConfig,
  type GateReport,
  type FetchedTree,
  type HostPullRequest,
  type TreeLimits,
} from '@testgate/core';
import { resolveGenerateMode } from '@testgate/generator';
import {
  COMMENT_MARKER,
  layoutComment,
  renderCheckRun,
  type SuggestionDelivery,
} from '@testgate/report';
import {
  completeCheck,
  type GateJobResult,
  type GateRun,
  type PendingPublish,
} from './gate-run.ts';

/** Job workspaces are named so a restarted worker can remove the ones a dead worker left. */
export const TREE_DIR_PREFIX = 'testgate-tree-';

type Judged =
  { step: 'done'; result: GateJobResult } | { step: 'publish'; pending: PendingPublish };

export async function judgeGate(
  run: GateRun,
  checkId: number,
  config: GateConfig,
): Promise<Judged> {
  const trees = await fetchTrees(run, checkId);
  if ('step' in trees) return trees;
  const { report, pull, appCommit } = await runGateOnTrees(run, trees, config);
  const pending = composeVerdict({
    report,
    config,
    pull,
    appCommit,
    checkId,
    headSha: run.data.headSha,
    canOfferButton: run.deps.suggestions !== undefined,
  });
  await storeVerdict(run, pending, report);
  return { step: 'publish', pending };
}

/**
 * The base and head trees in a fresh workspace (removed by settleGate). A head over the
 * caps fails the check; the pull request made it too large to judge.
 */
async function fetchTrees(
  run: GateRun,
  checkId: number,
): Promise<{ base: FetchedTree; head: FetchedTree } | Judged> {
  const { deps, host, data, log, signal } = run;
  // Leftovers of an earlier attempt of this same job (a worker that died mid-run).
  await deps
    .reapJob(run.jobId)
    .catch((error: unknown) => log.warn({ err: error }, 'could not reap leftover containers'));

  // On disk, not in memory: a large tree costs the worker disk space, not RSS.
  const workspace = await mkdtemp(join(deps.workDir ?? tmpdir(), TREE_DIR_PREFIX));
  run.state.workspace = workspace;
  const tree = (ref: string, into: string) =>
    host.fetchTree({
      ref,
      into: join(workspace, into),
      signal,
      ...(deps.treeLimits === undefined ? {} : { limits: deps.treeLimits }),
    });
  const [baseFetch, headFetch] = await Promise.allSettled([
    tree(data.baseSha, 'base'),
    tree(data.headSha, 'head'),
  ]);
  if (baseFetch.status === 'rejected') throw baseFetch.reason;
  if (headFetch.status === 'rejected') {
    const error: unknown = headFetch.reason;
    if (error instanceof HostError && error.code === 'TREE_TOO_LARGE') {
      // The base fits and the head does not: the pull request made the tree too large
      // to judge. Its own doing, so the check fails (a neutral one would pass it).
      await completeCheck(
        run,
        checkId,
        'failure',
        `The pull request's tree is too large to judge: ${error.message}`.slice(0, 255),
        `${error.message}. Testgate reads at most ${describeTreeCaps(deps.treeLimits)}; the base commit fits, this pull request's head does not.\n\nKeep large data out of the repository (Git LFS, a download step), or ask the operator to raise the cap.`,
      );
      run.state.settled = true;
      return {
        step: 'done',
        result: { outcome: 'tree-too-large', conclusion: 'failure', checkRunId: checkId },
      };
    }
    throw error;
  }
  const base = baseFetch.value;
  const head = headFetch.value;
  log.info(
    { baseFiles: base.files, headFiles: head.files, skipped: head.skipped.length },
    'workspace fetched',
  );
  return { base, head };
}

/** Runs the pipeline on the trees: generating only when the head is not our own commit. */
async function runGateOnTrees(
  run: GateRun,
  trees: { base: FetchedTree; head: FetchedTree },
  config: GateConfig,
): Promise<{ report: GateReport; pull: HostPullRequest; appCommit: boolean }> {
  const { deps, host, data, log, signal } = run;
  // Who wrote the head commit, and where its branch lives: "Add tests" commits get no
  // new suggestions (no loop), and fork branches cannot take a push.
  const [pull, headMessage] = await Promise.all([
    host.getPullRequest(data.pullNumber),
    host.getCommitMessage(data.headSha),
  ]);
  const appCommit = isTestgateCommitMessage(headMessage);
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
    base: { kind: 'dir', path: trees.base.root },
    head: { kind: 'dir', path: trees.head.root },
    config,
    generate,
    // The host's answer is fresher (a label added since the event); a host that cannot tell leaves the event's.
    claimsFix: pull.claimsFix ?? data.claimsFix,
    ...(generate === 'model' && deps.model !== undefined
      ? { generateCandidates: deps.model.generateCandidates({ config, tenant: host.tenant }) }
      : {}),
    ...(deps.environment === undefined ? {} : { environment: deps.environment }),
    signal,
    jobId: run.jobId,
    labels: { 'testgate.delivery': data.deliveryId },
    onProgress(event) {
      const now = Date.now();
      if (now - lastProgress < 1000) return;
      lastProgress = now;
      run.queue.progress({ phase: event.phase, message: event.message });
    },
  });
  signal.throwIfAborted();
  return { report, pull, appCommit };
}

/** Keeps the suggestions (for a click) and the verdict (for a publish retry) before publishing. */
async function storeVerdict(run: GateRun, pending: PendingPublish, report: GateReport) {
  const { deps, data, log } = run;
  if (pending.offerButton) {
    // Stored before the button appears, so a click never finds nothing.
    await deps.suggestions!.save(pending.checkRunId, {
      owner: data.owner,
      repo: data.repo,
      pullNumber: data.pullNumber,
      headSha: data.headSha,
      suggestions: report.suggestions,
      createdAt: new Date().toISOString(),
    });
  }
  // Stored before publishing: from here a host outage delays the job to publish this
  // verdict again, it never runs the gate again.
  await run.queue
    .savePublish(pending)
    .catch((error: unknown) => log.warn({ err: error }, 'could not store the verdict'));
}

/**
 * What to publish for a report: the check output, the comment (when the config asks for
 * one), and whether the check offers "Add tests" (a branch we can push to, suggestions to
 * add, a store to keep them in, and a head that is not our own commit).
 */
function composeVerdict(options: {
  report: GateReport;
  config: GateConfig;
  pull: Pick<HostPullRequest, 'fromFork'>;
  appCommit: boolean;
  checkId: number;
  headSha: string;
  canOfferButton: boolean;
}): PendingPublish {
  const { report, config, appCommit, checkId } = options;
  const delivery: SuggestionDelivery = options.pull.fromFork
    ? 'patch'
    : config.addTests.enabled
      ? 'button'
      : 'copy';
  const offerButton =
    !appCommit && delivery === 'button' && report.suggestions.length > 0 && options.canOfferButton;
  const comment = config.comment.enabled
    ? layoutComment(report, {
        marker: COMMENT_MARKER,
        delivery: offerButton ? 'button' : delivery === 'button' ? 'copy' : delivery,
        ...(appCommit ? { appCommit: { sha: options.headSha } } : {}),
      })
    : undefined;
  const output = renderCheckRun(report, { suggestionsInComment: comment?.suggestionsShown ?? 0 });
  return {
    checkRunId: checkId,
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
      checkRunId: checkId,
      suggestions: report.suggestions.length,
      appCommit,
      addTestsOffered: offerButton,
    },
    firstTriedAt: Date.now(),
    tries: 0,
  };
}

/** The tree caps, as the check that says a head exceeds them names them. */
function describeTreeCaps(limits: TreeLimits | undefined): string {
  const { maxTotalBytes, maxFiles } = { ...DEFAULT_TREE_LIMITS, ...limits };
  const size =
    maxTotalBytes >= 1024 * 1024
      ? `${Math.round(maxTotalBytes / 1024 / 1024)} MiB`
      : `${Math.round(maxTotalBytes / 1024)} KiB`;
  return `${size} and ${maxFiles} files per commit`;
}
