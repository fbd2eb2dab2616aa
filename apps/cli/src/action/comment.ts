/**
 * The sticky PR comment for the Action, posted by a `workflow_run` workflow from the gate
 * run's artifact. The gate ran on `pull_request` with a read-only token (a fork's PR gets no
 * other); this step runs from the default branch with `pull-requests: write`, so everything
 * it reads from the artifact is untrusted data: a pull request can edit the workflow that
 * produced it. Hence:
 *
 * - only two regular files are read (no links), each under a size cap; nothing else is;
 * - the PR number must be digits, and the PR's head SHA (asked from the API) must be the
 *   head SHA of the triggering run (from the event, which GitHub writes), so an artifact
 *   cannot steer the comment to another pull request;
 * - the report is parsed against the JSON report's schema and re-rendered here, with the
 *   same escaping as the App's comment; no text of the artifact is posted as it came, and
 *   nothing in it is executed.
 *
 * Inputs: artifact (the directory actions/download-artifact wrote), github-token.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseGateReport, ReportShapeError } from '@testgate/core';
import type { GateReport } from '@testgate/core';
import { createGitHubTokenClient, upsertStickyComment } from '@testgate/github';
import { COMMENT_LIMIT, COMMENT_MARKER, mdText, renderComment } from '@testgate/report';
import type { CliIo } from '../command.ts';
import { CliError, EXIT } from '../command.ts';
import { printError } from '../print-error.ts';
import { eventString, input, readEvent, setOutputs } from './runner-env.ts';

/** The files the gate workflow uploads (docs/workflows/testgate.yml). */
export const ARTIFACT_REPORT = 'testgate-report.json';
export const ARTIFACT_PR_NUMBER = 'pr-number';
/** A real report of a large PR is a few MiB at most; anything past this is refused unread. */
const MAX_REPORT_BYTES = 16 * 1024 * 1024;
const MAX_PR_NUMBER_BYTES = 32;

function refuse(message: string, hint: string): CliError {
  return new CliError('ARTIFACT_REFUSED', message, { hint, exitCode: EXIT.fail });
}

/** Reads one regular file of the artifact, refusing links, directories and oversized files. */
async function readArtifactFile(dir: string, name: string, maxBytes: number): Promise<string> {
  const file = join(dir, name);
  let info;
  try {
    info = await lstat(file);
  } catch {
    throw refuse(
      `the artifact has no ${name}`,
      `the gate workflow must upload ${ARTIFACT_REPORT} and ${ARTIFACT_PR_NUMBER} (docs/workflows/testgate.yml)`,
    );
  }
  if (!info.isFile()) {
    throw refuse(
      `${name} in the artifact is not a regular file`,
      'links and directories are never followed',
    );
  }
  if (info.size > maxBytes) {
    throw refuse(
      `${name} in the artifact is ${info.size} bytes (at most ${maxBytes})`,
      'nothing was read from it',
    );
  }
  return readFile(file, 'utf8');
}

interface CommentArtifact {
  prNumber: number;
  report: GateReport;
  /** Entries of the artifact directory that were ignored. */
  ignored: string[];
}

/** The artifact's PR number and report, validated; throws CliError ARTIFACT_REFUSED. */
async function readCommentArtifact(dir: string): Promise<CommentArtifact> {
  const entries = await readdir(dir).catch(() => {
    throw refuse(
      `the artifact directory ${dir} cannot be read`,
      "download the gate run's artifact first (actions/download-artifact with run-id)",
    );
  });
  const numberText = (await readArtifactFile(dir, ARTIFACT_PR_NUMBER, MAX_PR_NUMBER_BYTES)).trim();
  if (!/^[1-9][0-9]{0,9}$/.test(numberText)) {
    throw refuse(
      `${ARTIFACT_PR_NUMBER} in the artifact is not a pull request number`,
      'it must hold digits only',
    );
  }
  let report: GateReport;
  try {
    report = parseGateReport(
      await readArtifactFile(dir, ARTIFACT_REPORT, MAX_REPORT_BYTES),
      ARTIFACT_REPORT,
    );
  } catch (error) {
    if (error instanceof ReportShapeError) {
      throw refuse(
        error.message,
        'the artifact was not written by the Testgate action; nothing was posted',
      );
    }
    throw error;
  }
  return {
    prNumber: Number(numberText),
    report,
    ignored: entries.filter((name) => name !== ARTIFACT_REPORT && name !== ARTIFACT_PR_NUMBER),
  };
}

interface RunInfo {
  owner: string;
  repo: string;
  headSha: string;
  runUrl: string | undefined;
  runNumber: string | undefined;
}

function runInfo(event: Record<string, unknown>, env: NodeJS.ProcessEnv): RunInfo | undefined {
  if (eventString(event, 'workflow_run', 'event') !== 'pull_request') return undefined;
  const headSha = eventString(event, 'workflow_run', 'head_sha');
  const [owner, repo] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (!headSha || !owner || !repo) return undefined;
  const number = (event['workflow_run'] as { run_number?: unknown } | undefined)?.run_number;
  return {
    owner,
    repo,
    headSha,
    runUrl: eventString(event, 'workflow_run', 'html_url'),
    runNumber: typeof number === 'number' ? String(number) : undefined,
  };
}

interface CommentActionOptions {
  /** Injected fetch (tests). */
  fetch?: typeof fetch;
}

/** Posts or updates the sticky comment; returns the exit code. */
export async function runCommentAction(
  io: CliIo,
  options: CommentActionOptions = {},
): Promise<number> {
  try {
    const event = await readEvent(io.env);
    const run = runInfo(event, io.env);
    if (run === undefined) {
      io.stderr.write('testgate: not a workflow_run of a pull_request run: no comment to post\n');
      await setOutputs(io.env, { action: 'none', 'comment-id': '' }, io.stderr);
      return EXIT.ok;
    }
    const token = input(io.env, 'github-token');
    if (token === '') {
      throw new CliError('ACTION_INPUT', 'input github-token is empty', {
        hint: 'pass `github-token: ${{ github.token }}` with `permissions: pull-requests: write`',
        exitCode: EXIT.usage,
      });
    }
    const dir = resolve(io.env['GITHUB_WORKSPACE'] || io.cwd, input(io.env, 'artifact') || '.');
    const artifact = await readCommentArtifact(dir);
    if (artifact.ignored.length > 0) {
      io.stderr.write(
        `testgate: ignored in the artifact (never read): ${artifact.ignored.map((name) => JSON.stringify(name)).join(', ')}\n`,
      );
    }
    const octokit = createGitHubTokenClient({
      token,
      ...(io.env['GITHUB_API_URL'] ? { baseUrl: io.env['GITHUB_API_URL'] } : {}),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const { data: pull } = await octokit.rest.pulls.get({
      owner: run.owner,
      repo: run.repo,
      pull_number: artifact.prNumber,
    });
    if (pull.head.sha !== run.headSha) {
      throw refuse(
        `pull request #${artifact.prNumber} has head ${pull.head.sha.slice(0, 12)}, but the gate run judged ${run.headSha.slice(0, 12)}`,
        'the artifact names another pull request, or the PR was pushed to since (the newer run posts its own comment)',
      );
    }
    const fork = pull.head.repo?.full_name !== `${run.owner}/${run.repo}`;
    const footer = `\n\n<sub>Posted from the artifact of ${run.runUrl ? `[gate run${run.runNumber ? ` #${run.runNumber}` : ''}](${encodeURI(run.runUrl)})` : 'the gate run'} on ${mdText(run.headSha.slice(0, 12))}. The pull request's own workflow run wrote that report.</sub>`;
    const body = `${renderComment(artifact.report, {
      delivery: fork ? 'patch' : 'copy',
      maxChars: COMMENT_LIMIT - footer.length,
    })}${footer}`;
    const result = await upsertStickyComment({
      octokit,
      owner: run.owner,
      repo: run.repo,
      issueNumber: artifact.prNumber,
      marker: COMMENT_MARKER,
      body,
    });
    io.stderr.write(
      `testgate: comment ${result.action} on #${artifact.prNumber} (id ${result.commentId}): ${artifact.report.verdict}\n`,
    );
    await setOutputs(
      io.env,
      { action: result.action, 'comment-id': String(result.commentId) },
      io.stderr,
    );
    return EXIT.ok;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const wrapped =
      typeof status === 'number'
        ? new CliError('GITHUB_API', `GitHub answered ${status}: ${(error as Error).message}`, {
            hint: 'the workflow needs `permissions: pull-requests: write` (and `actions: read` to download the artifact)',
            cause: error,
          })
        : error;
    return printError(wrapped, io);
  }
}
