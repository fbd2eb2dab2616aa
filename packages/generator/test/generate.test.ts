/**
 * The repair loop's decisions with a scripted evaluation (the sandbox path is covered in
 * test/model-generation.test.ts): what goes back to the model, what is suggested.
 */
import type { FunctionContext } from '@testgate/core';
import { defaultConfig, judge } from '@testgate/core';
import { evidence, mutant, mutation, test as testEvidence } from '../../core/test/builders.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../../test/fakes/openai-server.ts';
import {
  buildContext,
  candidateEvaluationFrom,
  countTokens,
  createMemoryCompletionCache,
  createOpenAIProvider,
  generateWithModel,
  pipelineResultOf,
  resolveGenerateMode,
  type CandidateEvaluation,
  type CandidateFile,
  type CandidateTestResult,
} from '../src/index.ts';

const context: FunctionContext = {
  file: 'calc/ops.py',
  qualname: 'clamp',
  module: 'calc.ops',
  source:
    'def clamp(value, low, high):\n    """Clamp into [low, high]: clamp(15, 0, 10) == 10."""\n    if value < low:\n        return low\n    return value\n',
  docstring: 'Clamp into [low, high]: clamp(15, 0, 10) == 10.',
  imports: 'import math\nimport os\nfrom typing import (\n    Any,\n    List,\n)\n',
  uses: [],
};

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await startFakeOpenAIServer();
});
afterEach(async () => {
  await server.close();
});

function result(
  path: string,
  fn: string,
  status: 'accepted' | 'rejected',
  extra: Partial<CandidateTestResult> = {},
): CandidateTestResult {
  return {
    nodeid: `${path}::${fn}`,
    file: path,
    function: fn,
    status,
    reasons: status === 'accepted' ? [] : ['failed'],
    details: [],
    coverage: { changedLines: status === 'accepted' ? { 'calc/ops.py': [3, 4] } : {} },
    lines: { start: 0, end: 0 },
    ...extra,
  };
}

/** Where the harness would find `def fn` in a candidate file: its line and the body's lines. */
function linesOf(content: string, fn: string): CandidateTestResult['lines'] {
  const lines = content.split('\n');
  const at = lines.findIndex((line) => line.startsWith(`def ${fn}(`));
  let end = at + 1;
  while (end < lines.length && /^\s+\S/.test(lines[end] ?? '')) end++;
  return { start: at + 1, end };
}

const provider = () => createOpenAIProvider({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
const TWO_TESTS =
  '```python\nfrom calc.ops import clamp\n\n\ndef test_low():\n    assert clamp(-1, 0, 10) == 0\n\n\ndef test_high():\n    assert clamp(15, 0, 10) == 10\n```';

describe('generateWithModel (scripted evaluation)', () => {
  it('asks again for Python when the answer has none, and suggests only the accepted tests of a mixed file', async () => {
    server.enqueue(
      { content: 'Sorry, here is JavaScript:\n```js\nconst x = () => {};\n```' },
      { content: TWO_TESTS },
    );
    const seen: CandidateFile[][] = [];
    const evaluate = async (files: CandidateFile[]): Promise<CandidateEvaluation> => {
      seen.push(files);
      const path = files[0]!.path;
      return {
        tests: [
          result(path, 'test_low', 'accepted'),
          result(path, 'test_high', 'rejected', {
            output: 'E   assert 15 == 10\nE    +  where 15 = clamp(15, 0, 10)',
            lines: linesOf(files[0]!.content, 'test_high'),
            expected: ['10'],
          }),
        ],
        files: [{ path, reasons: [], details: [], collected: 2 }],
      };
    };
    const out = await generateWithModel({
      targets: [{ context }],
      evaluate,
      provider: provider(),
      config: { maxRepairRounds: 1 },
    });
    // Round 1: no Python, nothing to evaluate; round 2 (the repair) is evaluated.
    expect(seen).toHaveLength(1);
    expect(server.requests[1]!.body!.messages.at(-1)!.content).toContain(
      'without a Python code block',
    );
    expect(out.outcome).toBe('generated');
    expect(out.suggestions).toHaveLength(1);
    expect(out.suggestions[0]!.tests).toEqual(['tests/test_testgate_ops_clamp.py::test_low']);
    expect(out.suggestions[0]!.content).toContain('def test_low');
    expect(out.suggestions[0]!.content).not.toContain('def test_high');
    // The file as evaluated goes to the pipeline, which judges it again with the PR's tests.
    expect(out.files[0]!.content).toContain('def test_high');
    // clamp's docstring documents `== 10`: the failing test is reported, not dropped.
    expect(out.suspectedBugs).toEqual([
      {
        nodeid: 'tests/test_testgate_ops_clamp.py::test_high',
        target: 'clamp',
        message: expect.stringContaining('expects 10'),
      },
    ]);
  });

  it('asks a weak test to fail on the mutants it lets survive', async () => {
    server.enqueue({ content: TWO_TESTS }, { content: TWO_TESTS });
    let round = 0;
    const evaluate = async (files: CandidateFile[]): Promise<CandidateEvaluation> => {
      const path = files[0]!.path;
      round += 1;
      // The gate's own evaluation of the candidate: judge() over evidence with mutants.
      const judged = evidence({
        tests: ['test_low', 'test_high'].map((fn) =>
          testEvidence(fn, {
            nodeid: `${path}::${fn}`,
            file: path,
            origin: 'generated',
            generator: 'gpt-4o-mini',
            change: undefined,
            coverage: { ...testEvidence().coverage, changedLinesCovered: { 'calc/ops.py': [3] } },
            strength:
              fn === 'test_low' && round === 1
                ? {
                    mutants: 2,
                    killed: 0,
                    crashed: 0,
                    killedIds: [],
                    crashedIds: [],
                    mutantIds: ['m1', 'm2'],
                  }
                : {
                    mutants: 2,
                    killed: 2,
                    crashed: 0,
                    killedIds: ['m1', 'm2'],
                    crashedIds: [],
                    mutantIds: ['m1', 'm2'],
                  },
          }),
        ),
        changedLines: { 'calc/ops.py': [3] },
        functions: [],
        files: [],
        mutation: mutation([
          mutant('m1', { file: 'calc/ops.py' }),
          mutant('m2', { file: 'calc/ops.py', original: 'low', replacement: 'low + 1' }),
        ]),
      });
      return candidateEvaluationFrom(judge(judged, defaultConfig), judged);
    };
    const out = await generateWithModel({
      targets: [{ context }],
      evaluate,
      provider: provider(),
      config: { maxRepairRounds: 1 },
    });
    const repair = server.requests[1]!.body!.messages.at(-1)!.content;
    expect(repair).toContain('(weak-oracle)');
    expect(repair).toContain('write a test that fails on this change: calc/ops.py:3 `<` -> `<=`');
    expect(repair).toContain(
      'write a test that fails on this change: calc/ops.py:3 `low` -> `low + 1`',
    );
    expect(out.suggestions[0]!.tests).toEqual([
      'tests/test_testgate_ops_clamp.py::test_low',
      'tests/test_testgate_ops_clamp.py::test_high',
    ]);
  });

  it('falls back when the dollar budget is spent, keeping what it spent in the summary', async () => {
    server.respond(() => ({
      content: TWO_TESTS,
      usage: { prompt_tokens: 1_000_000, completion_tokens: 0 },
    }));
    const evaluate = async (files: CandidateFile[]): Promise<CandidateEvaluation> => ({
      tests: [result(files[0]!.path, 'test_low', 'rejected')],
      files: [],
    });
    const out = await generateWithModel({
      targets: [{ context }],
      evaluate,
      provider: provider(),
      config: { model: 'gpt-4o', budget: { maxCostUsd: 2 } },
    });
    // gpt-4o: $2.50 per 1M input tokens; the repair round is not asked for.
    expect(server.requests).toHaveLength(1);
    expect(out).toMatchObject({ outcome: 'fallback', fallback: { code: 'budget' } });
    expect(out.summary).toMatchObject({ generator: 'builtin', costUsd: 2.5, modelCalls: 1 });
    expect(out.summary.fallbackReason).toContain('$2.5000 of $2');
    // runGate's seam: a fallback carries the reason and what was spent.
    const seam = pipelineResultOf(out);
    expect('fallback' in seam && seam.fallback.spent.costUsd).toBe(2.5);
    expect('fallback' in seam && seam.fallback.reason).toBe(out.summary.fallbackReason);
  });

  it('answers a repeated prompt from the cache', async () => {
    server.respond(() => ({ content: TWO_TESTS }));
    const cache = createMemoryCompletionCache();
    const evaluate = async (files: CandidateFile[]): Promise<CandidateEvaluation> => ({
      tests: [
        result(files[0]!.path, 'test_low', 'accepted'),
        result(files[0]!.path, 'test_high', 'accepted'),
      ],
      files: [],
    });
    const first = await generateWithModel({
      targets: [{ context }],
      evaluate,
      provider: provider(),
      cache,
    });
    const second = await generateWithModel({
      targets: [{ context }],
      evaluate,
      provider: provider(),
      cache,
    });
    expect(first.summary).toMatchObject({ modelCalls: 1, cacheHits: 0, accepted: 2 });
    expect(second.summary).toMatchObject({ modelCalls: 0, cacheHits: 1, accepted: 2 });
    expect(server.requests).toHaveLength(1);
  });
});

describe('buildContext', () => {
  it('keeps the imports the target uses, drops the others first, and counts exactly', () => {
    const fn = {
      ...context,
      source: 'def clamp(value: Any, low, high):\n    return max(low, min(high, value))\n',
    };
    const roomy = buildContext({ context: fn }, { maxTokens: 2048 });
    expect(roomy.text).toContain('from typing import (\n    Any,\n    List,\n)');
    expect(roomy.text).toContain('import os');
    const usedOnly = countTokens(buildContext({ context: fn }, { maxTokens: 2048 }).text) - 4;
    const tight = buildContext({ context: fn }, { maxTokens: usedOnly });
    expect(tight.tokens).toBe(countTokens(tight.text));
    expect(tight.text).toContain('from typing import (');
    expect(tight.dropped).toEqual(['unused-imports']);
    expect(tight.text).not.toContain('import os');
  });
});

describe('resolveGenerateMode', () => {
  const config = defaultConfig;
  it('uses the model by default when a key, a base URL or a replay directory is configured', () => {
    expect(resolveGenerateMode({ flag: undefined, config, env: {} })).toBe('builtin');
    expect(resolveGenerateMode({ flag: undefined, config, env: { OPENAI_API_KEY: 'sk-x' } })).toBe(
      'model',
    );
    expect(
      resolveGenerateMode({
        flag: undefined,
        config,
        env: { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' },
      }),
    ).toBe('model');
    expect(
      resolveGenerateMode({ flag: undefined, config, env: {}, replayDir: '.testgate/replay' }),
    ).toBe('model');
    expect(resolveGenerateMode({ flag: 'builtin', config, env: { OPENAI_API_KEY: 'sk-x' } })).toBe(
      'builtin',
    );
    expect(
      resolveGenerateMode({
        flag: undefined,
        config: { generate: { ...config.generate, mode: 'off' } },
        env: { OPENAI_API_KEY: 'sk' },
      }),
    ).toBe('off');
  });
});
