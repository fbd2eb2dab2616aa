/** Test helper: runs the CLI the way a user does (a separate node process) and captures everything. */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/example-repo.ts';

export interface CliRun {
  /** The CLI process's pid: its containers carry it as the `testgate.pid` label. */
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAIN = join(REPO_ROOT, 'apps', 'cli', 'src', 'main.ts');

export function runCli(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** The environment `env` is laid over. @defaultValue process.env */
    baseEnv?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    /** Send SIGINT (Ctrl-C) once stderr matches this. */
    interruptWhen?: RegExp;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      // CI=true: plain progress lines, as in a CI log.
      env: { ...(options.baseEnv ?? process.env), CI: 'true', DEBUG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    let interrupted = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const timer = setTimeout(() => {
      // SIGINT first: the CLI removes its containers on it.
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, options.timeoutMs ?? 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ pid: child.pid ?? -1, code, stdout, stderr });
    });
  });
}

/** Sandbox containers (running or not) that CLI runs with these pids left behind. */
export function containersLeftBy(pids: readonly number[]): string[] {
  const out = execFileSync(
    'docker',
    [
      'ps',
      '-a',
      '--filter',
      'label=testgate.source=cli',
      '--format',
      '{{.ID}} {{.Label "testgate.pid"}}',
    ],
    {
      encoding: 'utf8',
    },
  );
  const mine = new Set(pids.map(String));
  return out
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([id, pid]) => id && pid !== undefined && mine.has(pid))
    .map(([id]) => id!);
}
