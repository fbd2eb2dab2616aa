/**
 * Test helper: commits `base` then `head` into a fresh git repo and judges the change with
 * `testgate run` end to end (real git, Docker and the sandbox image), as a user would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateReport } from '@testgate/core';
import { expect } from 'vitest';
import { createGitRepo } from '../apps/cli/src/example-repo.ts';
import type { CommitSpec } from '../apps/cli/src/example-repo.ts';
import { containersLeftBy, runCli } from '../apps/cli/test/run-cli.ts';

export interface Judged {
  code: number | null;
  /** The report as --format asked (JSON parsed for `json`). */
  report: GateReport;
  stdout: string;
  stderr: string;
}

interface ChangeJudge {
  judge(
    name: string,
    base: Omit<CommitSpec, 'message'>,
    head: Omit<CommitSpec, 'message'>,
    options?: {
      generate?: 'off' | 'builtin';
      format?: 'json' | 'markdown' | 'text';
      /** The CLI's whole environment (default: this process's). */
      env?: NodeJS.ProcessEnv;
      /** More `testgate run` arguments, e.g. `--fixes-bug`. */
      args?: string[];
    },
  ): Promise<Judged>;
  /** Asserts no container of any judged run is left, and removes the repos. */
  cleanup(): void;
}

export function changeJudge(prefix: string): ChangeJudge {
  const work = mkdtempSync(join(tmpdir(), `testgate-${prefix}-`));
  const pids: number[] = [];
  return {
    async judge(name, base, head, options = {}) {
      const dir = join(work, name);
      await createGitRepo({
        dir,
        commits: [
          { message: 'base', ...base },
          { message: 'pr', ...head },
        ],
      });
      const format = options.format ?? 'json';
      const run = await runCli(
        [
          'run',
          '--repo',
          dir,
          '--base',
          'main~1',
          '--head',
          'main',
          '--generate',
          options.generate ?? 'off',
          '--format',
          format,
          ...(options.args ?? []),
        ],
        options.env === undefined ? {} : { baseEnv: options.env },
      );
      pids.push(run.pid);
      expect(run.stdout, run.stderr).not.toBe('');
      const report =
        format === 'json' ? (JSON.parse(run.stdout) as GateReport) : ({} as GateReport);
      return { code: run.code, report, stdout: run.stdout, stderr: run.stderr };
    },
    cleanup() {
      expect(containersLeftBy(pids)).toEqual([]);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** nodeid -> "status reason reason" of the PR's tests, for one readable assertion. */
export function statuses(report: GateReport): Record<string, string> {
  return Object.fromEntries(
    report.tests
      .filter((test) => test.origin === 'pr')
      .map((test) => [test.nodeid, [test.status, ...test.reasons].join(' ')]),
  );
}
