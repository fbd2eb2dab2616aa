/**
 * The gate as a GitHub Action step: `testgate run` on the workflow's checkout, then what a
 * step can give back without an App: the Markdown report as the job summary, one
 * `::error file=...,line=...::` workflow command per flagged call and rejected test of the
 * pull request, the JSON and SARIF reports as files, the verdict as outputs, and the exit
 * code the `fail-on` input asks for.
 *
 * Inputs (INPUT_<NAME>, set by action.yml from `with:`): path, base, head, config, generate,
 * report, sarif, fail-on. Base and head default from the event: a pull_request's base and
 * head SHAs (as the App judges them), a push's before and after.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { GateReport } from '@testgate/core';
import { GENERATE_MODES, neutralizeWorkflowCommands } from '@testgate/core';
import { pullRequestClaimsFix } from '@testgate/github';
import {
  mdCode,
  mdFence,
  renderAnnotationCommands,
  renderCheckRun,
  renderMarkdown,
  renderSarif,
  utf8Bytes,
  workflowCommand,
} from '@testgate/report';
import { VERSION } from '../build-info.ts';
import type { CliIo } from '../command.ts';
import { CliError, EXIT } from '../command.ts';
import { command as runCommand } from '../commands/run.ts';
import { printError } from '../print-error.ts';
import {
  appendSummary,
  eventString,
  input,
  readEvent,
  setOutputs,
  summaryRoom,
} from './runner-env.ts';

/** What `fail-on` may name: the verdicts that can block, and `error` (the gate could not run). */
const FAIL_ON_WORDS = ['fail', 'neutral', 'error'] as const;
type FailOnWord = (typeof FAIL_ON_WORDS)[number];
const DEFAULT_FAIL_ON: readonly FailOnWord[] = ['fail', 'error'];
/** The action's `generate` input: `auto` or one of the generator modes. */
const GENERATE_INPUTS = ['auto', ...GENERATE_MODES] as const;
/** Git's SHA for "no commit" (a push that creates a branch has it as `before`). */
const NULL_SHA = /^0{40}$/;

interface GateInputs {
  repo: string;
  /** The repository's path relative to the workspace, posix, '' for the workspace itself. */
  pathPrefix: string;
  base: string;
  head: string;
  config: string | undefined;
  generate: (typeof GENERATE_INPUTS)[number];
  report: string;
  sarif: string;
  failOn: readonly FailOnWord[];
  /** The pull request of the event says it fixes a bug: `--fixes-bug`. */
  claimsFix: boolean;
}

function usage(message: string, hint: string): CliError {
  return new CliError('ACTION_INPUT', message, { hint, exitCode: EXIT.usage });
}

export function parseFailOn(text: string): readonly FailOnWord[] {
  if (text === '') return DEFAULT_FAIL_ON;
  const words = text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
  const bad = words.filter((word) => !(FAIL_ON_WORDS as readonly string[]).includes(word));
  if (bad.length > 0) {
    throw usage(
      `input fail-on: ${bad.map((word) => `"${word}"`).join(', ')} is not a verdict`,
      `list any of ${FAIL_ON_WORDS.join(', ')}, e.g. \`fail-on: fail,error\` (the default)`,
    );
  }
  return words as FailOnWord[];
}

/** The step's inputs, with base and head filled in from the event when not given. */
async function readGateInputs(env: NodeJS.ProcessEnv, cwd: string): Promise<GateInputs> {
  const workspace = env['GITHUB_WORKSPACE'] || cwd;
  const repo = resolve(workspace, input(env, 'path') || '.');
  const rel = relative(workspace, repo);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw usage(
      `input path ${input(env, 'path')} is outside the workspace ${workspace}`,
      'give the checkout path relative to the workspace, as in actions/checkout `path:`',
    );
  }
  const event = await readEvent(env);
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  const pr = eventString(event, 'pull_request', 'head', 'sha') !== undefined;
  const before = eventString(event, 'before');
  const base =
    input(env, 'base') ||
    eventString(event, 'pull_request', 'base', 'sha') ||
    (before !== undefined && !NULL_SHA.test(before) ? before : undefined);
  if (base === undefined) {
    throw usage(
      `no base commit: the ${eventName || 'current'} event names none`,
      'on pull_request events the base comes from the event; otherwise set the `base` input (e.g. `base: origin/main`, with actions/checkout `fetch-depth: 0`)',
    );
  }
  const head =
    input(env, 'head') ||
    (pr ? eventString(event, 'pull_request', 'head', 'sha') : eventString(event, 'after')) ||
    'HEAD';
  const generate = input(env, 'generate') || 'auto';
  if (!(GENERATE_INPUTS as readonly string[]).includes(generate)) {
    throw usage(
      `input generate must be one of ${GENERATE_INPUTS.join(', ')} (got "${generate}")`,
      '`builtin` needs no secret; `model` needs OPENAI_API_KEY (or OPENAI_BASE_URL) in the step env',
    );
  }
  const config = input(env, 'config');
  return {
    repo,
    pathPrefix: rel.split(sep).join('/'),
    base,
    head,
    config: config === '' ? undefined : resolve(workspace, config),
    generate: generate as GateInputs['generate'],
    report: resolve(workspace, input(env, 'report') || 'testgate-report.json'),
    sarif: resolve(workspace, input(env, 'sarif') || 'testgate.sarif'),
    failOn: parseFailOn(input(env, 'fail-on')),
    // As the App reads it: a `bug`/`bugfix`/`fix` label or "fixes #12" on the pull request.
    claimsFix: pr && pullRequestClaimsFix(pullRequestOf(event)),
  };
}

/** The event's `pull_request`, as far as pullRequestClaimsFix reads it. */
function pullRequestOf(event: unknown): Parameters<typeof pullRequestClaimsFix>[0] {
  const pull = (event as { pull_request?: unknown } | null)?.pull_request;
  if (pull === null || typeof pull !== 'object') return {};
  const { labels, title, body } = pull as { labels?: unknown; title?: unknown; body?: unknown };
  return {
    labels: Array.isArray(labels)
      ? labels.filter(
          (label): label is { name?: unknown } => typeof label === 'object' && label !== null,
        )
      : [],
    title,
    body,
  };
}

function git(repo: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      'git',
      ['-C', repo, ...args],
      { env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (error, stdout, stderr) =>
        error ? fail(new Error(stderr.trim() || error.message)) : done(stdout.trim()),
    );
  });
}

/**
 * actions/checkout fetches one commit by default (the merge commit of a pull request): on a
 * runner, fetch a base or head the checkout lacks, so `fetch-depth: 0` is not required.
 */
async function ensureCommits(
  repo: string,
  refs: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  if (env['GITHUB_ACTIONS'] !== 'true') return;
  for (const ref of refs) {
    const present = await git(repo, ['cat-file', '-e', `${ref}^{commit}`]).then(
      () => true,
      () => false,
    );
    if (present || !/^[0-9a-f]{40}$/.test(ref)) continue;
    log(`testgate: fetching ${ref.slice(0, 12)} (not in the checkout)`);
    const shallow =
      (await git(repo, ['rev-parse', '--is-shallow-repository']).catch(() => '')) === 'true';
    await git(repo, [
      'fetch',
      '--no-tags',
      '--quiet',
      ...(shallow ? ['--depth=1'] : []),
      'origin',
      ref,
    ]).catch((error: unknown) =>
      log(
        `testgate: could not fetch ${ref.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
}

/** A writable that passes everything on and keeps the last `limit` characters. */
function teeTail(
  target: NodeJS.WritableStream,
  limit = 8000,
): { stream: NodeJS.WritableStream; tail: () => string } {
  let kept = '';
  const stream = {
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      kept = (
        kept + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      ).slice(-limit);
      return (target.write as (...args: unknown[]) => boolean)(chunk, ...rest);
    },
  };
  return { stream: stream as unknown as NodeJS.WritableStream, tail: () => kept };
}

/**
 * The Markdown report, or when it would pass the summary's 1 MiB the check run's summary
 * fitted to the room left (whole blocks, a note on what was left out).
 */
export function summaryMarkdown(report: GateReport, room: number, reportPath: string): string {
  const full = renderMarkdown(report);
  if (utf8Bytes(full) <= room) return full;
  const note = `\n\n_The full report did not fit GitHub's 1 MiB job summary: the JSON report (${mdCode(reportPath)}) has everything._\n`;
  const heading = `# Testgate: ${report.verdict}\n\n`;
  const fitted = renderCheckRun(report, {
    maxSummaryBytes: Math.max(0, room - utf8Bytes(heading) - utf8Bytes(note) - 64),
  }).summary;
  return neutralizeWorkflowCommands(`${heading}${fitted}${note}`);
}

async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs the gate step; returns the exit code (non-zero when the verdict is in fail-on). */
export async function runGateAction(io: CliIo): Promise<number> {
  let inputs: GateInputs;
  try {
    inputs = await readGateInputs(io.env, io.cwd);
  } catch (error) {
    const code = printError(error, io);
    io.stdout.write(
      `${workflowCommand('error', { title: 'Testgate' }, error instanceof Error ? error.message : String(error))}\n`,
    );
    await setOutputs(io.env, { verdict: 'error', report: '', sarif: '' }, io.stderr);
    return code;
  }
  const log = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  await ensureCommits(inputs.repo, [inputs.base, inputs.head], io.env, log);
  const args = [
    '--repo',
    inputs.repo,
    '--base',
    inputs.base,
    '--head',
    inputs.head,
    '--format',
    'json',
    '--out',
    inputs.report,
    ...(inputs.generate === 'auto' ? [] : ['--generate', inputs.generate]),
    ...(inputs.config === undefined ? [] : ['--config', inputs.config]),
    ...(inputs.claimsFix ? ['--fixes-bug'] : []),
  ];
  await mkdir(dirname(inputs.report), { recursive: true });
  const stderr = teeTail(io.stderr);
  let code: number;
  try {
    code = await runCommand.run(args, { ...io, stderr: stderr.stream });
  } catch (error) {
    code = printError(error, { stderr: stderr.stream, env: io.env });
  }
  if (code !== EXIT.ok && code !== EXIT.fail) return couldNotRun(io, inputs, code, stderr.tail());

  const report = JSON.parse(await readFile(inputs.report, 'utf8')) as GateReport;
  await writeText(inputs.sarif, renderSarif(report, { version: VERSION }));
  await appendSummary(io.env, summaryMarkdown(report, summaryRoom(io.env), inputs.report));
  for (const line of renderAnnotationCommands(report, { pathPrefix: inputs.pathPrefix })) {
    io.stdout.write(`${line}\n`);
  }
  await setOutputs(
    io.env,
    { verdict: report.verdict, title: report.title, report: inputs.report, sarif: inputs.sarif },
    io.stderr,
  );
  const fails = (inputs.failOn as readonly string[]).includes(report.verdict);
  log(
    `testgate: verdict ${report.verdict}${fails ? ` (fail-on: ${inputs.failOn.join(',')}): failing the step` : ''}`,
  );
  return fails ? EXIT.fail : EXIT.ok;
}

/** The gate did not produce a report (usage, config, Docker, image): say why everywhere. */
async function couldNotRun(
  io: CliIo,
  inputs: GateInputs,
  code: number,
  tail: string,
): Promise<number> {
  const lines = tail.split('\n').filter((line) => line.trim() !== '');
  // printError's `error CODE: message` (or a usage message) says why; progress lines do not.
  const first =
    lines.findLast((line) => /^error \S+: /.test(line)) ??
    lines.findLast(
      (line) => line.startsWith('testgate: ') && !line.startsWith('testgate: judging'),
    ) ??
    lines.at(-1) ??
    `exit ${code}`;
  io.stdout.write(`${workflowCommand('error', { title: 'Testgate could not run' }, first)}\n`);
  await appendSummary(
    io.env,
    neutralizeWorkflowCommands(
      `# ⚠️ Testgate could not run\n\nThe gate exited ${code} before judging anything (${code === EXIT.usage ? 'a usage or configuration error' : 'Docker, the sandbox image or the sandbox'}). Its last words:\n\n${mdFence(lines.slice(-30).join('\n'))}\n`,
    ),
  );
  await setOutputs(io.env, { verdict: 'error', title: first, report: '', sarif: '' }, io.stderr);
  const fails = inputs.failOn.includes('error');
  io.stderr.write(
    `testgate: the gate could not run${fails ? '' : ' (fail-on has no "error": the step passes)'}\n`,
  );
  return fails ? code : EXIT.ok;
}
