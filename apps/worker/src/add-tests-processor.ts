/**
 * A click on "Add tests": commit the suggestions that were judged on the check run's head
 * SHA to the PR's branch, once, and only if the branch is still at that SHA. Every
 * outcome is told in the check run itself (a note above its summary), since that is
 * where the user clicked.
 */
import { TESTGATE_TRAILER, type CodeHost, type HostPullRequest } from '@testgate/core';
import {
  StoredActionJobDataSchema,
  UnrecoverableError,
  type ActionJobData as AddTestsRequest,
  type Job,
} from '@testgate/queue';
import type { Logger } from 'pino';
import { classifyFailure, describeFailure } from './classify-error.ts';
import type { StoredSuggestions, SuggestionStore } from './suggestion-store.ts';

export type AddTestsOutcome =
  'committed' | 'already-added' | 'in-progress' | 'expired' | 'head-moved' | 'fork' | 'closed';

export interface AddTestsResult {
  outcome: AddTestsOutcome;
  commitSha?: string;
}

interface AddTestsProcessorDeps {
  /** The code host of the clicked check's repository. */
  openHost: (request: AddTestsRequest) => CodeHost;
  store: SuggestionStore;
  logger: Logger;
}

const sha7 = (sha: string) => sha.slice(0, 7);

export function createAddTestsProcessor(deps: AddTestsProcessorDeps) {
  return async function processAddTests(job: Job): Promise<AddTestsResult> {
    const parsed = StoredActionJobDataSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`add-tests job data is invalid: ${parsed.error.message}`);
    const request = parsed.data;
    const { owner, repo, checkRunId } = request;
    const log = deps.logger.child({ jobId: job.id, checkRunId, deliveryId: request.deliveryId });
    const host = deps.openHost(request);
    const token = job.id ?? request.deliveryId;

    const claim = await deps.store.claim(owner, repo, checkRunId, token);
    if (claim.status === 'taken') {
      // Clicking twice commits once: the first click's job did (or is doing) the work.
      log.info({ commitSha: claim.commitSha }, 'add tests: already done for this check run');
      return claim.commitSha === undefined
        ? { outcome: 'in-progress' }
        : { outcome: 'already-added', commitSha: claim.commitSha };
    }
    const state = { committed: false };
    try {
      return await addSuggestedTests({ host, store: deps.store, request, log, state });
    } catch (error) {
      const kind = classifyFailure(error);
      log.error({ err: error, kind }, 'add tests failed');
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!state.committed && (kind === 'permanent' || lastAttempt)) {
        await note(host, request, {
          title: 'Could not add the tests',
          text: `Testgate could not commit the suggested tests: ${describeFailure(error).message}. If the app lacks "Contents: write" permission, see docs/github-app.md; otherwise press Add tests again.`,
          keepButton: true,
        }).catch((noteError: unknown) =>
          log.warn({ err: noteError }, 'could not say so on the check run'),
        );
      }
      throw kind === 'permanent' ? new UnrecoverableError(describeFailure(error).message) : error;
    } finally {
      if (!state.committed)
        await deps.store
          .release(owner, repo, checkRunId, token)
          .catch((error: unknown) => log.warn({ err: error }, 'could not release the click'));
    }
  };
}

/**
 * The claimed click: commit the stored suggestions on the judged head, or say on the check
 * why not (a fork, expired, closed, the branch moved). `state.committed` is set once the
 * branch holds the commit.
 */
export async function addSuggestedTests(options: {
  host: CodeHost;
  store: Pick<SuggestionStore, 'load' | 'finish'>;
  request: AddTestsRequest;
  log: Logger;
  state: { committed: boolean };
}): Promise<AddTestsResult> {
  const { host, store, request, log, state } = options;
  const { owner, repo, checkRunId } = request;
  const pull = await host.getPullRequest(request.pullNumber);
  const stored = pull.fromFork ? undefined : await store.load(owner, repo, checkRunId);
  const refused = refusal(pull, stored);
  if (refused !== undefined) {
    await note(host, request, refused.note);
    log.info(
      { outcome: refused.outcome, judged: stored?.headSha, now: pull.headSha },
      'add tests: nothing committed',
    );
    return { outcome: refused.outcome };
  }
  const suggestions = stored!;
  const result = await host.commitFiles({
    branch: pull.headRef,
    parentSha: suggestions.headSha,
    files: suggestions.suggestions.map((s) => ({ path: s.path, content: s.content })),
    message: commitMessage(suggestions, request),
  });
  if (result.status === 'branch-moved') {
    await note(host, request, {
      title: 'The pull request moved on',
      text: `The branch \`${pull.headRef}\` moved while the tests were being committed. Nothing was committed: a fresh Testgate run on the new commit brings its own suggestions.`,
    });
    return { outcome: 'head-moved' };
  }
  state.committed = true;
  await store.finish(owner, repo, checkRunId, result.commitSha);
  const tests = countTests(suggestions);
  const files = suggestions.suggestions.length;
  await note(host, request, {
    title: `Added ${tests} suggested tests in ${sha7(result.commitSha)}`,
    text: `Committed ${tests === 1 ? '1 test' : `${tests} tests`} in ${files === 1 ? '1 file' : `${files} files`} to \`${pull.headRef}\` as ${result.commitSha}${request.requestedBy === undefined ? '' : `, as asked by ${request.requestedBy}`}. Testgate judges that commit next (without generating new suggestions for it).`,
  });
  log.info({ commitSha: result.commitSha, files }, 'add tests: committed');
  return { outcome: 'committed', commitSha: result.commitSha };
}

/** Why a click cannot be honoured, in the order a user would want to hear it; undefined if it can. */
function refusal(
  pull: HostPullRequest,
  stored: StoredSuggestions | undefined,
): { outcome: AddTestsOutcome; note: { title: string; text: string } } | undefined {
  if (pull.fromFork)
    return {
      outcome: 'fork',
      note: {
        title: 'Cannot push to a fork',
        text: 'This pull request comes from a fork, which Testgate cannot push to. Apply the patch from the Testgate comment with `git apply` instead.',
      },
    };
  if (stored === undefined)
    return {
      outcome: 'expired',
      note: {
        title: 'Suggested tests expired',
        text: 'The suggested tests of this run are no longer stored (they are kept for 7 days). Re-run this check to judge the pull request again and get fresh suggestions.',
      },
    };
  if (!pull.open)
    return {
      outcome: 'closed',
      note: {
        title: 'Pull request is closed',
        text: 'The pull request is closed; nothing was committed.',
      },
    };
  if (pull.headSha !== stored.headSha)
    return {
      outcome: 'head-moved',
      note: {
        title: 'The pull request moved on',
        text: `These tests were judged on ${sha7(stored.headSha)}, but the branch \`${pull.headRef}\` is now at ${sha7(pull.headSha)}. Nothing was committed: a fresh Testgate run on the new commit brings its own suggestions.`,
      },
    };
  return undefined;
}

function countTests(stored: StoredSuggestions): number {
  return stored.suggestions.reduce((sum, s) => sum + s.tests.length, 0);
}

/** "Add N tests suggested by Testgate", what they cover, and the trailer that stops the loop. */
function commitMessage(
  stored: StoredSuggestions,
  request: Pick<AddTestsRequest, 'checkRunId' | 'requestedBy'>,
): string {
  const tests = countTests(stored);
  const lines = [
    `Add ${tests} ${tests === 1 ? 'test' : 'tests'} suggested by Testgate`,
    '',
    `Generated for the functions this pull request changes and accepted by the`,
    `gate on ${sha7(stored.headSha)} (check run ${request.checkRunId}):`,
    '',
    ...stored.suggestions.map((s) => {
      const by = s.generator === 'builtin' ? 'built-in generator' : `model ${s.generator}`;
      return `- ${s.path}: ${s.tests.length} ${s.tests.length === 1 ? 'test' : 'tests'} for ${s.targets.join(', ') || 'the changed code'} (${by})`;
    }),
    '',
    ...(request.requestedBy === undefined
      ? []
      : [`Requested by ${request.requestedBy} with the "Add tests" button.`, '']),
    TESTGATE_TRAILER,
  ];
  return `${lines.join('\n')}\n`;
}

/** Puts a note above the check's summary and, unless `keepButton`, removes the button. */
async function note(
  host: CodeHost,
  request: AddTestsRequest,
  message: { title: string; text: string; keepButton?: boolean },
): Promise<void> {
  const current = await host.readCheckOutput(request.checkRunId);
  // Earlier notes are replaced, not stacked.
  const previous = current.summary.replace(
    /^> \*\*Add tests\*\*[^\n]*\n(?:>[^\n]*\n)*\n---\n\n/,
    '',
  );
  const summary = `> **Add tests**: ${message.title}\n>\n> ${message.text}\n\n---\n\n${previous}`;
  await host.updateCheckOutput({
    checkId: request.checkRunId,
    output: {
      title: current.title,
      summary,
      ...(current.text === undefined ? {} : { text: current.text }),
    },
    ...(message.keepButton === true ? {} : { offerAddTests: false }),
  });
}
