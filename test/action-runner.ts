/**
 * Test helper: runs a step of action.yml (or comment/action.yml) the way the Actions runner
 * does: the step's own `run:` script in bash, with the step's `env:` where every
 * `${{ inputs.X }}` is the value given in `with` or the input's default, and the runner's
 * files (event payload, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). The CLI is the bundle built in
 * apps/cli (what the install step yields when `cli:` is empty).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../apps/cli/src/example-repo.ts';

export interface ActionInput {
  description: string;
  default?: string;
}
export interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
export interface ActionFile {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function readAction(file = 'action.yml'): ActionFile {
  return parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as ActionFile;
}

const CLI_DIR = join(REPO_ROOT, 'apps', 'cli');

export interface StepRun {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  /** The workflow commands the step printed on stdout, unescaped. */
  commands: WorkflowCommand[];
}

export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  message: string;
  line: string;
}

const unescape = (text: string): string =>
  text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

/** `::name k=v,k=v::message` lines, parsed as the runner parses them. */
function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const at = pair.indexOf('=');
      properties[pair.slice(0, at)] = unescape(pair.slice(at + 1));
    }
    out.push({ name: m[1]!, properties, message: unescape(m[3] ?? ''), line });
  }
  return out;
}

/** GITHUB_OUTPUT's two forms (`name=value`, `name<<DELIM` ... `DELIM`); anything else throws. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${heredoc[1]} has no closing ${heredoc[2]}`);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const plain = /^([\w-]+)=(.*)$/.exec(line);
    if (!plain) throw new Error(`GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`);
    outputs[plain[1]!] = plain[2]!;
  }
  return outputs;
}

/** The step's env with `${{ inputs.X }}` resolved; other expressions come from `context`. */
function stepEnv(
  action: ActionFile,
  step: ActionStep,
  given: Record<string, string>,
  context: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(step.env ?? {})) {
    const input = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(value);
    if (input) {
      const name = input[1]!;
      if (!(name in action.inputs)) throw new Error(`${key}: no input ${name} in the action`);
      env[key] = given[name] ?? action.inputs[name]!.default ?? '';
    } else if (value in context) {
      env[key] = context[value]!;
    } else {
      throw new Error(`${key}: the test has no value for ${value}`);
    }
  }
  for (const name of Object.keys(given)) {
    if (!(name in action.inputs)) throw new Error(`with: ${name} is not an input of the action`);
  }
  return env;
}

export async function runStep(options: {
  action?: ActionFile;
  stepId: string;
  with?: Record<string, string>;
  workspace: string;
  event: unknown;
  eventName: string;
  /** Laid over the runner's variables (DOCKER_HOST, GITHUB_API_URL...). */
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<StepRun> {
  const action = options.action ?? readAction();
  const step = action.runs.steps.find((s) => s.id === options.stepId);
  if (!step?.run) throw new Error(`action has no run step ${options.stepId}`);
  const runner = mkdtempSync(join(tmpdir(), 'testgate-runner-'));
  const files = {
    event: join(runner, 'event.json'),
    output: join(runner, 'output'),
    summary: join(runner, 'step_summary'),
  };
  writeFileSync(files.event, JSON.stringify(options.event));
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: runner,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'octo-org/calc',
    RUNNER_TEMP: runner,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...(process.env['DOCKER_HOST'] ? { DOCKER_HOST: process.env['DOCKER_HOST'] } : {}),
    ...stepEnv(action, step, options.with ?? {}, {
      '${{ steps.cli.outputs.dir }}': CLI_DIR,
    }),
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', step.run!], {
      cwd: options.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        pid: child.pid ?? -1,
        code,
        stdout,
        stderr,
        summary: readFileSync(files.summary, 'utf8'),
        outputs: parseOutputs(readFileSync(files.output, 'utf8')),
        commands: parseWorkflowCommands(stdout),
      });
    });
  });
}
