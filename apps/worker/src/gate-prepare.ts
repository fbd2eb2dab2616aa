/**
 * Step 1 of a gate job: is there anything to judge, and on which check? A stale delivery
 * (the pull request moved on) cancels its own check and stops; a draft stops unless the
 * repo config gates drafts; otherwise the check is opened (or found again) in progress.
 */
import {
  ConfigError,
  defaultConfig,
  parseConfig,
  REPO_CONFIG_PATH,
  type GateConfig,
} from '@testgate/core';
import { completeCheck, failEarly, sha7, type GateJobResult, type GateRun } from './gate-run.ts';

type Prepared =
  /** Nothing to judge: the job ends with this result. */
  | { step: 'done'; result: GateJobResult }
  /** The check is open; judge the head with `config`, or fail it for `configError`. */
  | { step: 'judge'; checkId: number; config: GateConfig; configError?: ConfigError };

export async function prepareGate(run: GateRun): Promise<Prepared> {
  const { host, data, log } = run;
  // The current head is what the host says, not the order deliveries arrived in: a
  // redelivered `opened` for an older commit must neither be judged nor cancel the newer.
  const current = await host
    .getPullRequest(data.pullNumber)
    .then((pull) => pull.headSha)
    .catch(async (error: unknown) => {
      throw await failEarly(run, error);
    });
  if (current !== data.headSha) {
    const existing = await host.findCheck({ headSha: data.headSha, key: run.jobId });
    if (existing !== undefined && !existing.completed) {
      await completeCheck(
        run,
        existing.id,
        'cancelled',
        `Superseded by ${sha7(current)}`,
        `The pull request's head is now ${current}; Testgate judges that commit instead.`,
      );
    }
    log.info({ current }, 'stale delivery skipped: the pull request has moved on');
    await run.queue.count('stale-skipped').catch(() => {});
    return { step: 'done', result: { outcome: 'superseded' } };
  }

  const { config, configError } = await readConfig(run);
  if (data.draft && (configError !== undefined || !config.pullRequests.drafts)) {
    log.info('draft pull request skipped (pullRequests.drafts is off)');
    return { step: 'done', result: { outcome: 'skipped-draft' } };
  }

  const check = await host
    .ensureCheck({
      headSha: data.headSha,
      key: run.jobId,
      output: {
        title: 'Judging the tests of this pull request',
        summary: `Commit ${sha7(data.headSha)}: Testgate is running.`,
      },
    })
    .catch(async (error: unknown) => {
      throw await failEarly(run, error);
    });
  log.info({ checkRunId: check.id }, 'check run in progress');
  // From here a dead worker's check is finished by another (onRunAbandoned).
  await run.queue
    .trackRun(check.id)
    .catch((error: unknown) => log.warn({ err: error }, 'could not record the open check run'));
  return {
    step: 'judge',
    checkId: check.id,
    config,
    ...(configError === undefined ? {} : { configError }),
  };
}

/** The repo config of the default branch; a broken one is the owner's to fix, not a retry. */
async function readConfig(
  run: GateRun,
): Promise<{ config: GateConfig; configError?: ConfigError }> {
  try {
    const raw = await run.host.readRepoConfig(run.data.defaultBranch);
    return { config: raw === null ? defaultConfig : parseConfig(raw) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw await failEarly(run, error);
    return { config: defaultConfig, configError: error };
  }
}

/**
 * Fails the check for an invalid repo config. The owner's error, and a deterministic one:
 * a neutral check would let a broken config silently switch the gate off.
 */
export async function failInvalidConfig(
  run: GateRun,
  checkId: number,
  configError: ConfigError,
): Promise<GateJobResult> {
  const branch = run.data.defaultBranch;
  const first = configError.problems[0]?.message ?? configError.message;
  const problems = configError.problems
    .map(
      (p) =>
        `- \`${p.path || '(file)'}\`${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`,
    )
    .join('\n');
  await completeCheck(
    run,
    checkId,
    'failure',
    `Invalid ${REPO_CONFIG_PATH}: ${first}`.slice(0, 255),
    `Testgate could not read its configuration from the default branch (\`${branch}\`):\n\n${problems}\n\nFix the file on \`${branch}\`, then re-run this check.`,
  );
  run.state.settled = true;
  return { outcome: 'config-error', conclusion: 'failure', checkRunId: checkId };
}
