import type { Readable } from 'node:stream';
/**
 * runHarness against a fake SandboxRunner (the port), so the framing and validation rules
 * are pinned down independently of the Python harness. The fake reads the real stdin tar.
 */
import { describe, expect, it } from 'vitest';
import { HARNESS_COMMAND, isSandboxError, readTarTree, runHarness } from '../src/index.ts';
import type {
  HarnessProgress,
  SandboxRunner,
  SandboxRunRequest,
  SandboxRunResult,
} from '../src/index.ts';

const analysis = {
  protocol: 1,
  mode: 'analyze',
  project: { layout: 'flat', packages: ['calc'], importable: true },
  changedLines: { 'calc.py': [2] },
  functions: [],
  contexts: [],
  durationMs: 12,
};

type Script = (
  nonce: string,
  request: SandboxRunRequest,
) => Partial<SandboxRunResult> & { lines?: string[] };

function fakeRunner(script: Script): SandboxRunner & { seen: SandboxRunRequest[] } {
  const seen: SandboxRunRequest[] = [];
  return {
    seen,
    async run(request) {
      seen.push(request);
      const files = await readTarTree(request.stdin as Readable);
      const body = JSON.parse(
        files.find((file) => file.path === 'request.json')?.content.toString() ?? '{}',
      ) as { nonce: string };
      const { lines = [], ...rest } = script(body.nonce, request);
      for (const line of lines) request.onStdoutLine?.(line);
      const stdout = lines.map((line) => `${line}\n`).join('');
      return {
        exitCode: 0,
        stdout,
        stdoutTail: stdout.slice(-8192),
        stderrTail: '',
        timedOut: false,
        oomKilled: false,
        outputLimitHit: null,
        durationMs: 5,
        containerId: 'fake',
        timings: { createMs: 0, startMs: 0, runMs: 0, removeMs: 0 },
        ...rest,
      };
    },
  };
}

const trees = {
  base: { kind: 'files', files: { 'calc.py': 'x = 1\n' } },
  head: { kind: 'files', files: { 'calc.py': 'x = 2\n' } },
} as const;

async function harnessError(
  script: Script,
  mode: 'analyze' | 'evaluate' = 'analyze',
): Promise<unknown> {
  return runHarness(fakeRunner(script), { mode, image: 'img', ...trees }).catch(
    (error: unknown) => error,
  );
}

describe('runHarness', () => {
  it('returns the typed report framed by a fresh nonce and streams progress', async () => {
    const runner = fakeRunner((nonce) => ({
      lines: [
        'TESTGATE-PROGRESS {"phase": "collect", "message": "collecting", "done": 1, "total": 3}',
        'TESTGATE-PROGRESS not json',
        'noise the harness should not print',
        `TESTGATE-REPORT ${nonce} ${JSON.stringify(analysis)}`,
      ],
    }));
    const progress: HarnessProgress[] = [];
    const report = await runHarness(runner, {
      mode: 'analyze',
      image: 'img',
      ...trees,
      onProgress: (event) => progress.push(event),
      jobId: 'o/r/1/sha',
    });
    expect(report.project.packages).toEqual(['calc']);
    expect(report.changedLines).toEqual({ 'calc.py': [2] });
    expect(progress).toEqual([{ phase: 'collect', message: 'collecting', done: 1, total: 3 }]);
    const request = runner.seen[0];
    expect(request?.cmd).toEqual(HARNESS_COMMAND);
    expect(request?.labels?.['testgate.mode']).toBe('analyze');
    expect(request?.jobId).toBe('o/r/1/sha');
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i += 1) {
      await runHarness(
        fakeRunner((nonce) => {
          nonces.add(nonce);
          return { lines: [`TESTGATE-REPORT ${nonce} ${JSON.stringify(analysis)}`] };
        }),
        { mode: 'analyze', image: 'img', ...trees },
      );
    }
    expect(nonces.size).toBe(3);
    expect([...nonces].every((nonce) => /^[0-9a-f]{32}$/.test(nonce))).toBe(true);
  });

  it.each([
    [
      'a report with a forged nonce',
      () => [`TESTGATE-REPORT ${'0'.repeat(32)} ${JSON.stringify(analysis)}`],
      'wrong nonce',
    ],
    ['no report', () => ['TESTGATE-PROGRESS {"phase":"run","message":"x"}'], 'no TESTGATE-REPORT'],
    [
      'two reports',
      (nonce: string) => [
        `TESTGATE-REPORT ${nonce} ${JSON.stringify(analysis)}`,
        `TESTGATE-REPORT ${nonce} ${JSON.stringify(analysis)}`,
      ],
      'exactly one',
    ],
    [
      'a report that is not last',
      (nonce: string) => [`TESTGATE-REPORT ${nonce} ${JSON.stringify(analysis)}`, 'trailing'],
      'last line',
    ],
    [
      'a report that is not JSON',
      (nonce: string) => [`TESTGATE-REPORT ${nonce} {oops`],
      'not JSON',
    ],
    [
      'a report of the wrong shape',
      (nonce: string) => [
        `TESTGATE-REPORT ${nonce} ${JSON.stringify({ ...analysis, durationMs: -1 })}`,
      ],
      'durationMs',
    ],
  ])('rejects %s as HARNESS_REPORT_INVALID with evidence', async (_name, lines, why) => {
    const error = await harnessError((nonce) => ({
      lines: lines(nonce),
      stderrTail: 'harness stderr',
    }));
    expect(isSandboxError(error, 'HARNESS_REPORT_INVALID')).toBe(true);
    expect((error as Error).message).toContain(why);
    expect((error as { evidence?: { stderrTail?: string } }).evidence?.stderrTail).toBe(
      'harness stderr',
    );
  });

  it('sends the strength settings: base runs and mutation, with their defaults or as given', async () => {
    const settingsOf = async (settings?: Record<string, unknown>) => {
      let sent: unknown;
      const runner: SandboxRunner = {
        async run(request) {
          const files = await readTarTree(request.stdin as Readable);
          const body = JSON.parse(
            files.find((file) => file.path === 'request.json')!.content.toString(),
          ) as { nonce: string; settings: unknown };
          sent = body.settings;
          const stdout = `TESTGATE-REPORT ${body.nonce} ${JSON.stringify(analysis)}\n`;
          return {
            exitCode: 0,
            stdout,
            stdoutTail: stdout,
            stderrTail: '',
            timedOut: false,
            oomKilled: false,
            outputLimitHit: null,
            durationMs: 5,
            containerId: 'fake',
            timings: { createMs: 0, startMs: 0, runMs: 0, removeMs: 0 },
          };
        },
      };
      await runHarness(runner, {
        mode: 'analyze',
        image: 'img',
        ...trees,
        ...(settings === undefined ? {} : { settings }),
      });
      return sent;
    };
    expect(await settingsOf()).toMatchObject({
      baseRuns: true,
      mutation: { enabled: true, maxMutants: 60, maxPerLine: 3, seconds: 60 },
    });
    expect(
      await settingsOf({ baseRuns: false, mutation: { enabled: false, maxMutants: 5 } }),
    ).toMatchObject({
      baseRuns: false,
      mutation: { enabled: false, maxMutants: 5, maxPerLine: 3, seconds: 60 },
    });
  });

  it('validates against the schema of the requested mode', async () => {
    const error = await harnessError(
      (nonce) => ({ lines: [`TESTGATE-REPORT ${nonce} ${JSON.stringify(analysis)}`] }),
      'evaluate',
    );
    expect(isSandboxError(error, 'HARNESS_REPORT_INVALID')).toBe(true);
    expect((error as Error).message).toContain('evaluate schema');
  });

  it('turns a harness crash, a deadline and an output flood into their own codes', async () => {
    const crash = await harnessError(() => ({
      exitCode: 1,
      stderrTail: 'Traceback ...\nValueError: bad request',
    }));
    expect(isSandboxError(crash, 'SANDBOX_EXIT')).toBe(true);
    expect((crash as Error).message).toContain('ValueError: bad request');
    const late = await harnessError((nonce) => ({
      exitCode: 137,
      timedOut: true,
      lines: [`TESTGATE-REPORT ${nonce} ${JSON.stringify(analysis)}`],
    }));
    expect(isSandboxError(late, 'SANDBOX_DEADLINE')).toBe(true);
    const flood = await harnessError(() => ({ exitCode: 137, outputLimitHit: 'stdout' }));
    expect(isSandboxError(flood, 'SANDBOX_OUTPUT_LIMIT')).toBe(true);
  });
});

describe('runHarness with text the PR wrote', () => {
  it('cuts an over-long string to its field limit with a note and escapes control characters', async () => {
    const longPath = `calc/${'x'.repeat(5000)}.py\u001b[31m`;
    const report = await runHarness(
      fakeRunner((nonce) => ({
        lines: [
          `TESTGATE-REPORT ${nonce} ${JSON.stringify({
            ...analysis,
            project: { ...analysis.project, packages: ['calc\r::warning::x'] },
            functions: [
              {
                file: longPath,
                qualname: 'f',
                startLine: 1,
                endLine: 2,
                changedLines: [1],
                raiseLines: [],
                exceptLines: [],
              },
            ],
          })}`,
        ],
      })),
      { mode: 'analyze', image: 'img', ...trees },
    );
    const cut = report.functions[0]!.file;
    expect(cut).toHaveLength(4096);
    expect(cut.endsWith(' [... cut by Testgate: too long]')).toBe(true);
    expect(report.project.packages).toEqual(['calc\\x0d::warning::x']);
  });
});
