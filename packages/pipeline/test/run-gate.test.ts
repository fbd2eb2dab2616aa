import type { Readable } from 'node:stream';
/**
 * runGate's composition against a scripted SandboxRunner: what it sends the harness
 * (settings, candidates, deadline), how it turns answers into a report with suggestions,
 * and how sandbox failures become PipelineErrors. The real Docker path is covered end to
 * end by test/example-reasons.test.ts and test/cli-usage.test.ts.
 */
import type { EvaluationEvidence, GateConfig, Generation } from '@testgate/core';
import { defaultConfig } from '@testgate/core';
import { readTarTree, SandboxError } from '@testgate/sandbox';
import type {
  SandboxRunner,
  SandboxRunRequest,
  SandboxRunResult,
  TreeInput,
} from '@testgate/sandbox';
import { describe, expect, it } from 'vitest';
import { PipelineError, runGate } from '../src/index.ts';

interface SeenRequest {
  mode: string;
  settings: Record<string, unknown>;
  candidates: { path: string; origin: string; generator?: string }[];
  files: Map<string, string>;
  limits: SandboxRunRequest['limits'];
  labels: SandboxRunRequest['labels'];
}

type Answer = Record<string, unknown> | Partial<SandboxRunResult> | Error;

function result(stdout: string, extra: Partial<SandboxRunResult> = {}): SandboxRunResult {
  return {
    exitCode: 0,
    stdout,
    stdoutTail: stdout.slice(-4000),
    stderrTail: '',
    timedOut: false,
    oomKilled: false,
    outputLimitHit: null,
    durationMs: 5,
    containerId: 'fake',
    timings: { createMs: 1, startMs: 1, runMs: 1, removeMs: 1 },
    ...extra,
  };
}

/** A runner that answers each harness mode from a script, the way the harness frames it. */
function scriptedRunner(answers: Record<string, Answer>): SandboxRunner & { seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  return {
    seen,
    async run(request) {
      const files = new Map(
        (await readTarTree(request.stdin as Readable)).map((f) => [
          f.path,
          f.content.toString('utf8'),
        ]),
      );
      const req = JSON.parse(files.get('request.json')!) as {
        mode: string;
        nonce: string;
        settings: Record<string, unknown>;
        candidates: SeenRequest['candidates'];
      };
      seen.push({
        mode: req.mode,
        settings: req.settings,
        candidates: req.candidates,
        files,
        limits: request.limits,
        labels: request.labels,
      });
      const answer = answers[req.mode];
      if (answer instanceof Error) throw answer;
      if (answer === undefined) throw new Error(`unexpected mode ${req.mode}`);
      if ('exitCode' in answer || 'timedOut' in answer || 'stdout' in answer)
        return result(String(answer.stdout ?? ''), answer as Partial<SandboxRunResult>);
      request.onStdoutLine?.(
        `TESTGATE-PROGRESS {"phase": "run", "message": "fake", "done": 1, "total": 1}`,
      );
      return result(
        `TESTGATE-PROGRESS {"phase": "run", "message": "fake"}\nTESTGATE-REPORT ${req.nonce} ${JSON.stringify(answer)}\n`,
      );
    },
  };
}

const GEN_FILE = 'tests/test_testgate_calc.py';
const GEN_CONTENT = `import pytest

from calc import parse_amount


def test_parse_amount_rejects_text():
    with pytest.raises(ValueError):
        parse_amount("x")


def test_parse_amount_wrong():
    assert parse_amount("1") == 2
`;

const project = { layout: 'flat' as const, packages: ['calc'], importable: true };
const coverage = (lines: number[]) => ({
  changedLinesCovered: { 'calc/parse.py': lines },
  changedBranchesCovered: 0,
  linesCovered: 4,
  branchesCovered: 0,
  errorPathLinesReached: {},
});
const passed = { outcome: 'passed' as const, durationMs: 5, cpuMs: 4 };
const failed = {
  outcome: 'failed' as const,
  durationMs: 5,
  cpuMs: 4,
  message: 'E   assert 1.0 == 2',
};

const generation: Generation = {
  protocol: 1,
  mode: 'generate',
  project,
  functions: [],
  tests: [{ path: GEN_FILE, content: GEN_CONTENT, targets: ['parse_amount'] }],
  skipped: [{ file: 'calc/ops.py', qualname: 'mul', reason: 'no changed lines' }],
  suspectedBugs: [],
  durationMs: 10,
};

const evidence: EvaluationEvidence = {
  protocol: 1,
  mode: 'evaluate',
  project,
  changedFiles: [{ path: 'calc/parse.py', status: 'modified', isTest: false }],
  changedLines: { 'calc/parse.py': [2, 3, 4] },
  functions: [],
  files: [
    { path: 'tests/test_parse.py', origin: 'pr', kind: 'tests', collected: 1, findings: [] },
    { path: GEN_FILE, origin: 'generated', kind: 'tests', collected: 2, findings: [] },
  ],
  tests: [
    {
      nodeid: 'tests/test_parse.py::test_pr',
      file: 'tests/test_parse.py',
      function: 'test_pr',
      startLine: 4,
      endLine: 5,
      origin: 'pr',
      change: 'added',
      runs: [passed, passed, passed],
      coverage: coverage([2, 3]),
      findings: [],
      asserts: 1,
      trivialAsserts: 0,
    },
    {
      nodeid: `${GEN_FILE}::test_parse_amount_rejects_text`,
      file: GEN_FILE,
      function: 'test_parse_amount_rejects_text',
      startLine: 6,
      endLine: 8,
      origin: 'generated',
      generator: 'builtin',
      runs: [passed, passed, passed],
      coverage: coverage([2, 4]),
      findings: [],
      asserts: 1,
      trivialAsserts: 0,
    },
    {
      nodeid: `${GEN_FILE}::test_parse_amount_wrong`,
      file: GEN_FILE,
      function: 'test_parse_amount_wrong',
      startLine: 11,
      endLine: 12,
      origin: 'generated',
      generator: 'builtin',
      runs: [failed, failed, failed],
      coverage: coverage([2]),
      findings: [],
      asserts: 1,
      trivialAsserts: 0,
    },
  ],
  tools: { python: '3.11.2', pytest: '7.2.1', coverage: '6.5.0', bandit: '1.6.2' },
  durationMs: 100,
};

const base: TreeInput = {
  kind: 'files',
  files: { 'calc/__init__.py': '', 'calc/parse.py': 'def parse_amount(t):\n    return float(t)\n' },
};
const head: TreeInput = {
  kind: 'files',
  files: {
    'calc/__init__.py': '',
    'calc/parse.py':
      'def parse_amount(t):\n    if not t:\n        raise ValueError\n    return float(t)\n',
    'tests/test_parse.py':
      'from calc.parse import parse_amount\n\n\ndef test_pr():\n    assert parse_amount("1") == 1.0\n',
  },
};
const config: GateConfig = {
  ...defaultConfig,
  reruns: 4,
  limits: { ...defaultConfig.limits, cpuSeconds: 3, wallSeconds: 7 },
};

describe('runGate', () => {
  it('generates with the built-in generator, evaluates with the config, and keeps only accepted generated tests', async () => {
    const runner = scriptedRunner({ generate: generation, evaluate: evidence });
    const progress: string[] = [];
    const report = await runGate({
      runner,
      image: 'testgate-sandbox:test',
      base,
      head,
      config,
      generate: 'builtin',
      labels: { 'testgate.test': 'pipeline' },
      onProgress: (event) => progress.push(event.phase),
    });

    expect(runner.seen.map((r) => r.mode)).toEqual(['generate', 'evaluate']);
    const evaluate = runner.seen[1]!;
    expect(evaluate.settings).toMatchObject({
      reruns: 4,
      cpuSecondsPerTest: 3,
      wallSecondsPerTest: 7,
      includePrTests: true,
    });
    expect(evaluate.settings['testGlobs']).toEqual(defaultConfig.tests.globs);
    expect(evaluate.candidates).toEqual([
      { path: GEN_FILE, origin: 'generated', generator: 'builtin' },
    ]);
    expect(evaluate.files.get(`candidates/${GEN_FILE}`)).toBe(GEN_CONTENT);
    expect(evaluate.files.get('head/tests/test_parse.py')).toContain('def test_pr');
    expect(evaluate.labels).toMatchObject({
      'testgate.test': 'pipeline',
      'testgate.mode': 'evaluate',
    });
    // The container's deadline is the cap; the harness sizes its own budget to the runs it
    // collects within it (tg_evaluate._size_budget, tested with the harness).
    expect(evaluate.limits?.deadlineMs).toBe(30 * 60_000);
    expect(evaluate.settings['deadlineMs']).toBe(30 * 60_000);
    expect(progress).toEqual(expect.arrayContaining(['generate', 'evaluate', 'run', 'judge']));

    expect(report.verdict).toBe('pass');
    expect(report.generation).toMatchObject({
      generator: 'builtin',
      candidates: 2,
      accepted: 1,
      rounds: 1,
      skipped: generation.skipped,
    });
    expect(report.suggestions).toHaveLength(1);
    const suggestion = report.suggestions[0]!;
    expect(suggestion.tests).toEqual([`${GEN_FILE}::test_parse_amount_rejects_text`]);
    expect(suggestion.content).toContain('def test_parse_amount_rejects_text');
    expect(suggestion.content).not.toContain('test_parse_amount_wrong');
    expect(suggestion.content.startsWith('import pytest\n\nfrom calc import parse_amount\n')).toBe(
      true,
    );
    expect(suggestion.covers).toEqual({ 'calc/parse.py': [2, 4] });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('sends the strength settings from the config, passes claimsFix to the policy, and suggests by mutants killed', async () => {
    const mutant = {
      file: 'calc/parse.py',
      line: 2,
      col: 7,
      operator: 'boolean' as const,
      original: 'not t',
      replacement: 't',
      valueChanging: true,
      tests: 2,
    };
    const [prTest, genTest, wrongTest] = evidence.tests as [
      EvaluationEvidence['tests'][number],
      EvaluationEvidence['tests'][number],
      EvaluationEvidence['tests'][number],
    ];
    const strong: EvaluationEvidence = {
      ...evidence,
      tests: [
        { ...prTest, label: 'passes-before', before: { outcome: 'passed' } },
        // Kills only what the PR's test kills already: accepted, not suggested.
        {
          ...genTest,
          strength: {
            mutants: 1,
            killed: 1,
            crashed: 0,
            killedIds: ['m1'],
            crashedIds: [],
            mutantIds: ['m1'],
          },
        },
        wrongTest,
      ],
      mutation: {
        mutants: [{ ...mutant, id: 'm1', status: 'killed', killedBy: [prTest.nodeid] }],
        changedLines: 3,
        aridLines: 0,
        equivalent: 0,
        capped: false,
        budgetSpent: false,
        runs: 2,
        durationMs: 300,
        baseDurationMs: 40,
      },
    };
    const strict: GateConfig = {
      ...config,
      require: { ...config.require, failsBefore: true },
      strength: { maxMutants: 10, maxMutantsPerLine: 2, seconds: 30, baseRuns: true },
    };
    const runner = scriptedRunner({ generate: generation, evaluate: strong });
    const report = await runGate({
      runner,
      image: 'testgate-sandbox:test',
      base,
      head,
      config: strict,
      generate: 'builtin',
      claimsFix: true,
    });
    expect(runner.seen[1]!.settings).toMatchObject({
      baseRuns: true,
      mutation: { enabled: true, maxMutants: 10, maxPerLine: 2, seconds: 30 },
    });
    expect(report.verdict).toBe('fail');
    expect(report.tests[0]).toMatchObject({ label: 'passes-before', reasons: ['passes-before'] });
    expect(report.suggestions).toEqual([]);
    expect(report.generation?.notSuggested).toEqual([
      {
        nodeid: `${GEN_FILE}::test_parse_amount_rejects_text`,
        reason: "not suggested: kills no mutant the pull request's tests do not already kill",
      },
    ]);
    expect(report.strength).toMatchObject({ prMutants: 1, prKilled: 1, score: 1 });

    const off = scriptedRunner({ evaluate: evidence });
    await runGate({
      runner: off,
      image: 'testgate-sandbox:test',
      base,
      head,
      config: { ...config, require: { ...config.require, strength: false } },
      generate: 'off',
    });
    expect(off.seen[0]!.settings['mutation']).toMatchObject({ enabled: false });
  });

  it('runs only evaluate when generation is off, and reports no generation', async () => {
    const runner = scriptedRunner({
      evaluate: {
        ...evidence,
        tests: evidence.tests.slice(0, 1),
        files: evidence.files.slice(0, 1),
      },
    });
    const report = await runGate({
      runner,
      image: 'img',
      base,
      head,
      config: defaultConfig,
      generate: 'off',
    });
    expect(runner.seen.map((r) => r.mode)).toEqual(['evaluate']);
    expect(runner.seen[0]!.candidates).toEqual([]);
    expect(report.generation).toBeUndefined();
    expect(report.suggestions).toEqual([]);
    expect(report.tests.map((t) => t.status)).toEqual(['accepted']);
  });

  it('falls back to the built-in generator when the model fails, keeping what the model spent', async () => {
    const runner = scriptedRunner({ generate: generation, evaluate: evidence });
    const modelFallback = {
      fallback: {
        reason: 'the model answered 429 three times',
        spent: {
          model: 'gpt-4o-mini',
          modelCalls: 3,
          promptTokens: 1200,
          completionTokens: 0,
          costUsd: 0.0002,
          cacheHits: 0,
        },
      },
    };
    const report = await runGate({
      runner,
      image: 'img',
      base,
      head,
      config,
      generate: 'model',
      generateCandidates: async (context) => {
        expect((await context.headPaths()).sort()).toEqual([
          'calc/__init__.py',
          'calc/parse.py',
          'tests/test_parse.py',
        ]);
        return modelFallback;
      },
    });
    expect(report.generation).toMatchObject({
      generator: 'builtin',
      fallbackReason: 'the model answered 429 three times',
      model: 'gpt-4o-mini',
      modelCalls: 3,
      promptTokens: 1200,
      candidates: 2,
      accepted: 1,
    });
  });

  it('uses the model generator when given, and offers it an evaluate of candidates alone', async () => {
    const runner = scriptedRunner({ evaluate: evidence });
    const report = await runGate({
      runner,
      image: 'img',
      base,
      head,
      config,
      generate: 'model',
      generateCandidates: async (context) => {
        const files = [
          {
            path: GEN_FILE,
            content: GEN_CONTENT,
            targets: ['parse_amount'],
            generator: 'gpt-4o-mini',
          },
        ];
        const { report: judged } = await context.evaluate(files);
        expect(judged.tests.filter((t) => t.origin === 'generated').map((t) => t.status)).toEqual([
          'accepted',
          'rejected',
        ]);
        return { files, summary: { model: 'gpt-4o-mini', modelCalls: 1, rounds: 2 } };
      },
    });
    expect(runner.seen.map((r) => [r.mode, r.settings['includePrTests']])).toEqual([
      ['evaluate', false],
      ['evaluate', true],
    ]);
    expect(report.generation).toMatchObject({
      generator: 'model',
      model: 'gpt-4o-mini',
      modelCalls: 1,
      rounds: 2,
      candidates: 2,
      accepted: 1,
    });
    expect(report.suggestions[0]?.generator).toBe('gpt-4o-mini');
  });

  it('still judges the PR when the built-in generator crashes', async () => {
    const runner = scriptedRunner({
      generate: { exitCode: 1, stderrTail: 'Traceback: boom' },
      evaluate: evidence,
    });
    const report = await runGate({ runner, image: 'img', base, head, config, generate: 'builtin' });
    expect(report.verdict).toBe('pass');
    expect(report.generation?.generator).toBe('off');
    expect(report.generation?.fallbackReason).toContain('the generator failed');
  });

  it.each([
    ['the outer deadline', { timedOut: true, exitCode: 137 }, 'SANDBOX_DEADLINE'],
    ['an OOM kill', { oomKilled: true, exitCode: 137 }, 'SANDBOX_LIMIT'],
    [
      'a harness crash',
      { exitCode: 1, stderrTail: 'Traceback (most recent call last)' },
      'HARNESS_FAILED',
    ],
    ['a report without our nonce', { stdout: 'TESTGATE-REPORT deadbeef {}\n' }, 'HARNESS_FAILED'],
  ] as const)('turns %s into a PipelineError', async (_what, answer, code) => {
    const runner = scriptedRunner({ evaluate: answer });
    const error = await runGate({
      runner,
      image: 'img',
      base,
      head,
      config,
      generate: 'off',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe(code);
    expect((error as PipelineError).hint.length).toBeGreaterThan(10);
    expect((error as PipelineError).cause).toBeInstanceOf(SandboxError);
  });

  it('reports an engine that does not answer as DOCKER_UNAVAILABLE, retryable', async () => {
    const runner = scriptedRunner({
      evaluate: new SandboxError('DOCKER_UNAVAILABLE', 'Docker engine is not answering (ENOENT)'),
    });
    const error = (await runGate({
      runner,
      image: 'img',
      base,
      head,
      config,
      generate: 'off',
    }).catch((e: unknown) => e)) as PipelineError;
    expect(error.code).toBe('DOCKER_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.hint).toContain('ensure-docker.sh');
  });

  it('does not start a container once aborted', async () => {
    const runner = scriptedRunner({ evaluate: evidence });
    const controller = new AbortController();
    controller.abort();
    const error = (await runGate({
      runner,
      image: 'img',
      base,
      head,
      config,
      generate: 'off',
      signal: controller.signal,
    }).catch((e: unknown) => e)) as PipelineError;
    expect(error.code).toBe('ABORTED');
    expect(runner.seen).toEqual([]);
  });
});
