/**
 * `testgate run`: the gate on a local git repository. Resolves the two refs, exports
 * both trees with `git archive`, reads `.github/testgate.yml` from the base commit (as the
 * App reads the default branch's: a change must not configure the gate that judges it), and
 * runs the same pipeline as the GitHub App.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  defaultConfig,
  GENERATE_MODES,
  parseConfig,
  REPO_CONFIG_PATH,
} from '@testgate/core';
import type { GateConfig, GateReport } from '@testgate/core';
import { createModelCandidates, runGate, toPipelineError } from '@testgate/pipeline';
import { renderJson, renderJunit, renderMarkdown, renderSarif, renderText } from '@testgate/report';
import { environmentSettingsFromEnv, indexSettingsFromEnv } from '@testgate/environment';
import {
  createDockerRunner,
  createEnvironmentVolumes,
  ensureSandboxImage,
  reapSandboxes,
} from '@testgate/sandbox';
import type { CliCommand, CliIo } from '../command.ts';
import { CliError, EXIT, UsageError } from '../command.ts';
import { openCompletionCache } from '../completion-cache.ts';
import { isDebug } from '../print-error.ts';
import { resolveGenerateMode } from '../generate-mode.ts';
import type { GenerateMode } from '../generate-mode.ts';
import { archiveTree, GitError, resolveRef, showFile } from '../git.ts';
import { createProgressReporter } from '../progress.ts';

const FORMATS = ['text', 'json', 'markdown', 'sarif', 'junit'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: testgate run --repo DIR --base REF [--head REF] [flags]

Judges the pytest tests that the commits from --base to --head add or change (and, with
--generate, tests Testgate writes for the changed functions) by running them in a sealed
Docker sandbox. The report goes to stdout; progress goes to stderr. Only commits are
judged: commit (or stash) work in progress first.

Flags:
  --repo DIR           the git repository (required)
  --base REF           the commit the change starts from, e.g. main~1 or origin/main (required)
  --head REF           the commit to judge (default: HEAD)
  --format FORMAT      text (default), json, markdown, sarif or junit (JUnit XML)
  --out FILE           write the report to FILE instead of stdout
  --generate MODE      model, builtin or off: who proposes extra tests (default:
                       generate.mode of the config; "auto" = the model when
                       OPENAI_API_KEY or OPENAI_BASE_URL is set, else builtin)
  --record DIR         write every exchange with the model to DIR (for --replay)
  --replay DIR         answer from the exchanges recorded in DIR instead of a model
                       (no network; implies --generate model under "auto")
  --config FILE        use this config instead of .github/testgate.yml of the base commit
                       (the change's own config never judges it; to try a new config,
                       pass it here)
  --index-url URL      the package index the project's dependencies come from
                       (default: PIP_INDEX_URL, else pip's own configuration)
  --fixes-bug          the change fixes a bug: with require.failsBefore in the config,
                       one of its tests must fail on the base commit (passes-before)
  --quiet              no progress on stderr
  -h, --help           this help

Environment: OPENAI_API_KEY, OPENAI_BASE_URL (an OpenAI-compatible server) choose the
model; with REDIS_URL set, its answers are cached in Redis (same prompt, no new call).
PIP_INDEX_URL, PIP_EXTRA_INDEX_URL: where dependencies are downloaded from (credentials
stay on this machine: the sandbox gets wheel files only); TESTGATE_ENV_TIMEOUT_SECONDS,
TESTGATE_ENV_MAX_MB, TESTGATE_ENV_CACHE_MB, TESTGATE_CACHE_DIR: limits and cache of the
installed environments (docs/dependencies.md).

Exit codes: 0 pass (or neutral: nothing to judge, reason on stderr), 1 fail,
2 usage or configuration error, 3 the gate could not run (Docker, image, sandbox).

Example:
  testgate run --repo . --base origin/main --head HEAD --format sarif --out testgate.sarif
`;

interface RunArgs {
  repo: string;
  base: string;
  head: string;
  format: Format;
  out: string | undefined;
  generate: GenerateMode | undefined;
  config: string | undefined;
  record: string | undefined;
  replay: string | undefined;
  indexUrl: string | undefined;
  /** The change says it fixes a bug (`require.failsBefore`). */
  fixesBug: boolean;
  quiet: boolean;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`, {
      command: 'run',
    });
  }
  return value as T;
}

function parseRunArgs(args: string[], cwd: string): RunArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        repo: { type: 'string' },
        base: { type: 'string' },
        head: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        generate: { type: 'string' },
        config: { type: 'string' },
        record: { type: 'string' },
        replay: { type: 'string' },
        'index-url': { type: 'string' },
        'fixes-bug': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs' messages are good ("Unknown option '--fromat'"); keep them, drop its code prefix.
    throw new UsageError(
      (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''),
      { command: 'run', cause: error },
    );
  }
  if (values.repo === undefined) {
    throw new UsageError(
      '--repo DIR is required: the path of the git repository to judge (e.g. --repo .)',
      { command: 'run' },
    );
  }
  if (values.base === undefined) {
    throw new UsageError(
      '--base REF is required: the commit the change starts from (e.g. --base main~1 or --base origin/main)',
      {
        command: 'run',
      },
    );
  }
  if (values.record !== undefined && values.replay !== undefined) {
    throw new UsageError(
      '--record and --replay exclude each other: record once against a model, then replay the directory',
      { command: 'run' },
    );
  }
  const replay = values.replay === undefined ? undefined : resolve(cwd, values.replay);
  if (replay !== undefined && (!existsSync(replay) || !statSync(replay).isDirectory())) {
    throw new UsageError(
      `--replay ${replay} is not a directory: pass the DIR an earlier run wrote with --record DIR`,
      { command: 'run' },
    );
  }
  return {
    repo: resolve(cwd, values.repo),
    base: values.base,
    head: values.head ?? 'HEAD',
    format: oneOf('format', values.format, FORMATS) ?? 'text',
    out: values.out === undefined ? undefined : resolve(cwd, values.out),
    generate: oneOf('generate', values.generate, GENERATE_MODES),
    config: values.config === undefined ? undefined : resolve(cwd, values.config),
    record: values.record === undefined ? undefined : resolve(cwd, values.record),
    replay,
    indexUrl: checkIndexUrl(values['index-url']),
    fixesBug: values['fixes-bug'] ?? false,
    quiet: values.quiet ?? false,
  };
}

function checkIndexUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new UsageError(
      '--index-url must be the URL of a PEP 503 simple index, e.g. https://pypi.org/simple',
      { command: 'run' },
    );
  }
  return value;
}

async function resolveRefs(args: RunArgs): Promise<{ base: string; head: string }> {
  if (!existsSync(args.repo) || !statSync(args.repo).isDirectory()) {
    throw new UsageError(`--repo ${args.repo} is not a directory`, { command: 'run' });
  }
  const one = async (flag: string, ref: string): Promise<string> => {
    try {
      return await resolveRef(args.repo, ref);
    } catch (error) {
      if (error instanceof GitError && error.code === 'NOT_A_REPO') {
        throw new UsageError(
          `--repo ${args.repo} is not a git repository (run \`git init\` there, or point --repo at a clone)`,
          {
            command: 'run',
            cause: error,
          },
        );
      }
      if (error instanceof GitError && error.code === 'BAD_REF') {
        throw new UsageError(
          `--${flag} ${ref}: no such commit in ${args.repo}; list candidates with \`git -C ${args.repo} log --oneline -5\` or \`git -C ${args.repo} branch -a\``,
          { command: 'run', cause: error },
        );
      }
      if (error instanceof GitError && error.code === 'GIT_NOT_FOUND') {
        throw new CliError('GIT_NOT_FOUND', error.message, {
          hint: 'install git (apt-get install -y git)',
          exitCode: EXIT.usage,
          cause: error,
        });
      }
      throw error;
    }
  };
  return { base: await one('base', args.base), head: await one('head', args.head) };
}

/**
 * The repo's config: --config FILE, else `.github/testgate.yml` at the base commit, else
 * defaults. Never the head's: a change that adds `allowRules: [B605]` would pass its own
 * `os.system` test. `headChange` is the head's file when it differs (null: the change
 * deletes it), to tell the user.
 */
async function loadConfig(
  args: RunArgs,
  refs: { base: string; head: string },
): Promise<{ config: GateConfig; source: string; headChange: string | null | undefined }> {
  let text: string | undefined;
  let source: string;
  let headChange: string | null | undefined;
  if (args.config !== undefined) {
    source = args.config;
    try {
      text = await readFile(args.config, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--config ${args.config} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        {
          command: 'run',
          cause: error,
        },
      );
    }
  } else {
    text = await showFile(args.repo, refs.base, REPO_CONFIG_PATH);
    const headText = await showFile(args.repo, refs.head, REPO_CONFIG_PATH);
    if (headText !== text) headChange = headText ?? null;
    if (text === undefined) return { config: defaultConfig, source: 'defaults', headChange };
    source = `${REPO_CONFIG_PATH} at the base commit`;
  }
  try {
    return { config: parseConfig(text, source), source, headChange };
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CliError(error.code, `the configuration is invalid:\n${error.message}`, {
        hint: `fix ${source} (every key is optional; see the README for the settings)`,
        exitCode: EXIT.usage,
        cause: error,
      });
    }
    throw error;
  }
}

/** What is wrong with the head commit's config text, in one line, or undefined when it parses. */
function headConfigProblem(text: string): string | undefined {
  try {
    parseConfig(text, REPO_CONFIG_PATH);
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => problem.message).join('; ');
  }
}

function renderReport(
  report: GateReport,
  format: Format,
  options: { color?: boolean } = {},
): string {
  switch (format) {
    case 'text':
      return renderText(report, { color: options.color ?? false });
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'sarif':
      return renderSarif(report);
    case 'junit':
      return renderJunit(report);
  }
}

/**
 * Colour for text on a terminal; FORCE_COLOR (any value but `0` or `false`) asks for it
 * when piped too (CI logs that render ANSI), NO_COLOR and TERM=dumb turn it off. A file
 * written with --out never has it.
 */
function wantsColor(args: { out?: string | undefined }, io: CliIo): boolean {
  if (args.out !== undefined) return false;
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  const stdout = io.stdout as NodeJS.WritableStream & { isTTY?: boolean };
  return stdout.isTTY === true && io.env['NO_COLOR'] === undefined && io.env['TERM'] !== 'dumb';
}

function exitCodeFor(report: GateReport): number {
  return report.verdict === 'fail' ? EXIT.fail : EXIT.ok;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseRunArgs(argv, io.cwd);
  const refs = await resolveRefs(args);
  const { config, source, headChange } = await loadConfig(args, refs);
  const generate = resolveGenerateMode({
    flag: args.generate,
    config,
    env: io.env,
    replayDir: args.replay,
  });
  const modelFlag =
    args.replay !== undefined ? 'replay' : args.record !== undefined ? 'record' : undefined;
  if (modelFlag !== undefined && generate !== 'model') {
    const why =
      args.generate !== undefined
        ? `--generate ${args.generate} was given`
        : config.generate.mode === 'auto'
          ? 'no model is configured (set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server)'
          : `generate.mode is "${config.generate.mode}" in ${source}`;
    throw new UsageError(
      `--${modelFlag} DIR needs the model generator, but ${why}: add --generate model`,
      { command: 'run' },
    );
  }
  const progress = createProgressReporter({ stream: io.stderr, env: io.env, quiet: args.quiet });
  // Replayed answers cost nothing; the cache is for live calls.
  const completions =
    generate === 'model' && args.replay === undefined
      ? await openCompletionCache({ env: io.env, stderr: io.stderr })
      : undefined;
  try {
    progress.log(
      `judging ${refs.base.slice(0, 12)}..${refs.head.slice(0, 12)} in ${args.repo} (config: ${source}, generate: ${generate})`,
    );
    if (headChange !== undefined) {
      progress.log(
        `note: the change edits ${REPO_CONFIG_PATH}; it is judged with the base commit's config (pass --config ${REPO_CONFIG_PATH} to try the new one)`,
      );
      const problem = headChange === null ? undefined : headConfigProblem(headChange);
      if (problem !== undefined) {
        progress.log(
          `note: the change's ${REPO_CONFIG_PATH} is invalid, and will stop the gate once merged: ${problem}`,
        );
      }
    }
    const debug = isDebug(io.env);
    const [baseTar, headTar] = await Promise.all([
      archiveTree(args.repo, refs.base),
      archiveTree(args.repo, refs.head),
    ]);
    progress.update({ phase: 'image', message: 'checking the sandbox image' });
    const image = await ensureSandboxImage({
      onProgress: (event) =>
        progress.update({
          phase: event.stage === 'base' ? 'image (base)' : 'image',
          message: event.message,
        }),
    }).catch((error: unknown) => {
      throw toPipelineError(error, 'sandbox image');
    });
    // Leftovers of an earlier run that was killed; only ones past their own deadline.
    await reapSandboxes().catch(() => undefined);
    const report = await runGate({
      runner: createDockerRunner(),
      image,
      base: { kind: 'tar', tar: baseTar },
      head: { kind: 'tar', tar: headTar },
      config,
      generate,
      claimsFix: args.fixesBug,
      ...(generate === 'model'
        ? {
            generateCandidates: createModelCandidates({
              env: io.env,
              config,
              replayDir: args.replay,
              recordDir: args.record,
              cache: completions?.cache,
              throttleKey: 'local',
            }),
          }
        : {}),
      environment: {
        volumes: createEnvironmentVolumes(),
        index: indexSettingsFromEnv(io.env, args.indexUrl),
        settings: environmentSettingsFromEnv(io.env),
      },
      signal: io.signal,
      onProgress: (event) => {
        // The harness's per-phase breakdown (wall and CPU): a line of its own with DEBUG=1.
        if (event.phase === 'timings') {
          if (debug) progress.log(`harness timings: ${event.message}`);
          return;
        }
        progress.update(event);
      },
      // The pid tells a leftover's owner apart when several runs share an engine.
      labels: { 'testgate.source': 'cli', 'testgate.pid': String(process.pid) },
    });
    progress.stop();
    const output = renderReport(report, args.format, { color: wantsColor(args, io) });
    if (args.out !== undefined) {
      await writeFile(args.out, output.endsWith('\n') ? output : `${output}\n`);
      io.stderr.write(`testgate: report written to ${args.out}\n`);
    } else {
      io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    }
    if (report.verdict === 'neutral') {
      io.stderr.write(`testgate: neutral (not judged): ${report.neutralReason ?? report.title}\n`);
    } else if (args.out !== undefined || args.format !== 'text') {
      io.stderr.write(`testgate: ${report.verdict}: ${report.title}\n`);
    }
    return exitCodeFor(report);
  } finally {
    progress.stop();
    await completions?.close();
  }
}

export const command: CliCommand = {
  name: 'run',
  summary: 'Judge the tests a change adds, on a local git repository',
  help: HELP,
  run,
};
