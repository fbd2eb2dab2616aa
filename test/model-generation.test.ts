/**
 * The model path end to end: a local OpenAI-compatible server (driven by the real `openai`
 * client), the real sandbox (harness analyze + evaluate in Docker), the real gate policy
 * (`judge`) and real Redis for the completion cache.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defaultConfig, judge, type Analysis } from '@testgate/core';
import {
  candidateEvaluationFrom,
  createOpenAIProvider,
  createRedisCompletionCache,
  createThrottle,
  generateWithModel,
  targetsFromAnalysis,
  type CandidateFile,
  type GenerationTarget,
  type GeneratorConfigInput,
} from '@testgate/generator';
import { createRedisConnection } from '@testgate/queue';
import {
  createDockerRunner,
  ensureSandboxImage,
  runHarness,
  type SandboxRunner,
  type TreeInput,
} from '@testgate/sandbox';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeOpenAIServer,
  type ChatRequestBody,
  type FakeOpenAIServer,
} from './fakes/openai-server.ts';

const CALC = fileURLToPath(new URL('../examples/calc/', import.meta.url));
const base: TreeInput = { kind: 'dir', path: `${CALC}base` };
const head: TreeInput = { kind: 'dir', path: `${CALC}head` };

let image: string;
let runner: SandboxRunner;
let analysis: Analysis;
let redis: Redis;
let server: FakeOpenAIServer;
let prefix: string;
let evaluations: CandidateFile[][];

beforeAll(async () => {
  image = await ensureSandboxImage();
  runner = createDockerRunner();
  analysis = await runHarness(runner, { mode: 'analyze', image, base, head });
  redis = createRedisConnection({ url: 'redis://127.0.0.1:6379', role: 'worker' });
});
afterAll(async () => {
  await redis?.quit();
});
beforeEach(async () => {
  server = await startFakeOpenAIServer();
  prefix = `testgate-test:${randomUUID()}:`;
  evaluations = [];
});
afterEach(async () => {
  await server.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

function parseAmountTarget(): GenerationTarget[] {
  const targets = targetsFromAnalysis(analysis).filter(
    (t) => t.context.qualname === 'parse_amount',
  );
  expect(targets).toHaveLength(1);
  return targets;
}

/** The same evaluation the PR's tests get: harness evaluate in the sandbox, then the gate policy. */
async function evaluate(files: CandidateFile[]) {
  evaluations.push(files);
  const evidence = await runHarness(runner, {
    mode: 'evaluate',
    image,
    base,
    head,
    candidates: files.map((f) => ({
      path: f.path,
      content: f.content,
      origin: 'generated' as const,
      generator: f.generator,
    })),
    settings: { includePrTests: false, reruns: 2 },
  });
  return candidateEvaluationFrom(judge(evidence, defaultConfig), evidence);
}

function run(
  options: {
    config?: GeneratorConfigInput;
    targets?: GenerationTarget[];
    maxRetries?: number;
  } = {},
) {
  return generateWithModel({
    targets: options.targets ?? parseAmountTarget(),
    evaluate,
    provider: createOpenAIProvider({
      apiKey: 'sk-test',
      baseURL: server.url,
      maxRetries: options.maxRetries ?? 3,
      initialBackoffMs: 20,
      timeoutMs: 5000,
    }),
    config: { model: 'gpt-4o-mini', ...options.config },
    cache: createRedisCompletionCache({ client: redis, prefix }),
    throttle: createThrottle({ intervalMs: 300 }),
    throttleKey: 'installation-42',
  });
}

const fence = (code: string) =>
  `Here are tests for parse_amount.\n\n\`\`\`python\n${code}\`\`\`\n\nThey cover the error paths.`;

const GOOD = `import pytest

from calc.parse import parse_amount


def test_thousands_are_rounded_to_cents():
    assert parse_amount(" 1,000.257 ") == 1000.26


def test_empty_amount_is_refused():
    with pytest.raises(ValueError, match="empty amount"):
        parse_amount("   ")


def test_text_is_refused():
    with pytest.raises(ValueError, match="not a number"):
        parse_amount("twelve")


def test_negative_amount_is_refused():
    with pytest.raises(ValueError, match="negative amount"):
        parse_amount("-3")
`;

const WRONG = GOOD.replace(
  'def test_empty_amount_is_refused',
  'def test_three_decimals_are_kept():\n    assert parse_amount("1.234") == 1.234\n\n\ndef test_empty_amount_is_refused',
);

const UNSAFE = GOOD.replace(
  'def test_empty_amount_is_refused',
  'def test_cleans_up_with_a_shell():\n    import os\n    os.system("rm -rf /tmp/cache")\n    assert parse_amount("3") == 3.0\n\n\ndef test_empty_amount_is_refused',
);

const isRepair = (body: ChatRequestBody) =>
  body.messages.some((m) => m.content.includes('These tests were rejected by the gate'));

describe('generateWithModel with a model server and the real sandbox', () => {
  it('suggests the tests that pass the gate, with the changed lines they cover', async () => {
    server.respond(() => ({
      content: fence(GOOD),
      usage: { prompt_tokens: 900, completion_tokens: 200 },
    }));
    const result = await run();

    expect(result.outcome).toBe('generated');
    expect(result.suggestions).toHaveLength(1);
    const suggestion = result.suggestions[0]!;
    expect(suggestion.path).toBe('tests/test_testgate_parse_parse_amount.py');
    expect(suggestion.content).toBe(GOOD);
    expect(suggestion.tests.map((n) => n.split('::')[1]).sort()).toEqual([
      'test_empty_amount_is_refused',
      'test_negative_amount_is_refused',
      'test_text_is_refused',
      'test_thousands_are_rounded_to_cents',
    ]);
    // Every new raise of parse_amount (lines 5, 9, 11) is reached by an accepted test.
    expect(suggestion.covers['calc/parse.py']).toEqual(expect.arrayContaining([5, 9, 11]));
    expect(result.summary).toMatchObject({
      generator: 'model',
      model: 'gpt-4o-mini',
      accepted: 4,
      candidates: 4,
      rounds: 1,
      modelCalls: 1,
      cacheHits: 0,
      promptTokens: 900,
      completionTokens: 200,
      // gpt-4o-mini: $0.15 per 1M input, $0.60 per 1M output.
      costUsd: (900 * 0.15 + 200 * 0.6) / 1e6,
    });
    expect(result.contexts[0]!.tokens).toBeLessThanOrEqual(2048);
    // The prompt carries the target and how to import it.
    const prompt = server.requests[0]!.body!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('from calc.parse import parse_amount');
    expect(prompt).toContain('raise ValueError(f"negative amount: {text!r}")');
  });

  it('sends a failing test back with its failure output and accepts the repaired file', async () => {
    server.respond((body) => ({ content: fence(isRepair(body) ? GOOD : WRONG) }));
    const result = await run();

    expect(server.completions()).toHaveLength(2);
    const repair = server.requests[1]!.body!.messages;
    const feedback = repair.at(-1)!.content;
    expect(feedback).toContain('test_three_decimals_are_kept (failed)');
    // pytest's own assertion text, from the sandbox run.
    expect(feedback).toMatch(/assert 1\.23 == 1\.234/);
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: fence(WRONG) });
    expect(evaluations).toHaveLength(2);

    expect(result.outcome).toBe('generated');
    expect(result.summary).toMatchObject({ rounds: 2, modelCalls: 2, accepted: 4 });
    expect(result.suggestions[0]!.content).toBe(GOOD);
    expect(result.suggestions[0]!.content).not.toContain('1.234');
  });

  it('rejects a file that calls os.system, never suggests it and never asks for a repair of it', async () => {
    server.respond(() => ({ content: fence(UNSAFE) }));
    const result = await run();

    expect(result.outcome).toBe('generated');
    expect(result.suggestions).toEqual([]);
    expect(result.files).toEqual([]);
    expect(result.rejected[0]).toMatchObject({
      path: 'tests/test_testgate_parse_parse_amount.py',
      reasons: expect.arrayContaining(['unsafe']),
    });
    expect(server.requests).toHaveLength(1);
    expect(result.summary.accepted).toBe(0);
    expect(result.summary.skipped).toEqual([
      {
        file: 'calc/parse.py',
        qualname: 'parse_amount',
        reason: expect.stringContaining('unsafe'),
      },
    ]);
  });

  it('retries a 429 and counts the retried request as a model call', async () => {
    server.enqueue({ kind: 'status', status: 429, headers: { 'retry-after-ms': '50' } });
    server.respond(() => ({ content: fence(GOOD) }));
    const result = await run();

    expect(server.requests.map((r) => r.replied)).toEqual(['status:429', 'answer']);
    expect(result.outcome).toBe('generated');
    expect(result.requests).toEqual({ total: 2, retries: 1 });
    expect(result.summary.modelCalls).toBe(2);
    expect(result.summary.accepted).toBe(4);
  });

  it(
    'serves the same head SHA twice with zero model calls the second time (Redis cache)',
    { timeout: 240_000 },
    async () => {
      server.respond(() => ({ content: fence(GOOD) }));
      const first = await run();
      expect(first.summary).toMatchObject({ modelCalls: 1, cacheHits: 0, accepted: 4 });
      expect(await redis.keys(`${prefix}*`)).toHaveLength(1);
      const ttl = await redis.pttl((await redis.keys(`${prefix}*`))[0]!);
      expect(ttl).toBeGreaterThan(167 * 3_600_000);

      const requestsBefore = server.requests.length;
      const second = await run();
      expect(server.requests.length).toBe(requestsBefore);
      expect(second.summary).toMatchObject({
        modelCalls: 0,
        cacheHits: 1,
        promptTokens: 0,
        costUsd: 0,
        accepted: 4,
      });
      expect(second.suggestions.map((s) => s.content)).toEqual(
        first.suggestions.map((s) => s.content),
      );
    },
  );

  it('reports a test that keeps failing on documented behaviour as a suspected bug', async () => {
    // The docstring says amounts are "rounded to cents"; a head that forgets to round is a bug.
    const buggy: TreeInput = {
      kind: 'files',
      files: {
        'calc/__init__.py': '',
        'calc/parse.py':
          'def parse_amount(text: str) -> float:\n    """Parse an amount: parse_amount("2.499") == 2.5 (rounded to cents)."""\n    return float(text.strip())\n',
      },
    };
    const buggyAnalysis = await runHarness(runner, { mode: 'analyze', image, base, head: buggy });
    const targets = targetsFromAnalysis(buggyAnalysis).filter(
      (t) => t.context.qualname === 'parse_amount',
    );
    const test =
      'from calc.parse import parse_amount\n\n\ndef test_rounds_to_cents():\n    assert parse_amount("2.499") == 2.5\n';
    server.respond(() => ({ content: fence(test) }));
    const result = await generateWithModel({
      targets,
      evaluate: async (files) => {
        const evidence = await runHarness(runner, {
          mode: 'evaluate',
          image,
          base,
          head: buggy,
          candidates: files.map((f) => ({
            path: f.path,
            content: f.content,
            origin: 'generated' as const,
          })),
          settings: { includePrTests: false, reruns: 1 },
        });
        return candidateEvaluationFrom(judge(evidence, defaultConfig), evidence);
      },
      provider: createOpenAIProvider({ apiKey: 'k', baseURL: server.url }),
      config: { maxRepairRounds: 1 },
    });

    expect(server.completions()).toHaveLength(2);
    expect(result.suggestions).toEqual([]);
    expect(result.suspectedBugs).toEqual([
      {
        nodeid: 'tests/test_testgate_parse_parse_amount.py::test_rounds_to_cents',
        target: 'parse_amount',
        message: expect.stringContaining('expects 2.5'),
      },
    ]);
    expect(result.summary.suspectedBugs).toEqual(result.suspectedBugs);
  });
});

describe('fallback to the built-in generator', () => {
  it('falls back with the reason when the model server is down', async () => {
    server.respond(() => ({ kind: 'status', status: 500 }));
    const result = await run({ maxRetries: 2 });

    expect(result.outcome).toBe('fallback');
    expect(result.fallback?.code).toBe('model-unavailable');
    expect(result.summary.generator).toBe('builtin');
    expect(result.summary.fallbackReason).toMatch(
      /^the model is unavailable: .*3 request\(s\).*HTTP 500/,
    );
    expect(result.summary.modelCalls).toBe(3);
    expect(evaluations).toEqual([]);
  });

  it('falls back without a provider (no key configured)', async () => {
    const result = await generateWithModel({
      targets: parseAmountTarget(),
      evaluate,
      provider: undefined,
    });
    expect(result).toMatchObject({
      outcome: 'fallback',
      fallback: { code: 'no-model' },
      summary: { generator: 'builtin', modelCalls: 0 },
    });
    expect(result.summary.fallbackReason).toContain('OPENAI_API_KEY');
  });

  it('falls back when the per-PR token budget is spent', async () => {
    server.respond(() => ({
      content: fence(GOOD),
      usage: { prompt_tokens: 1500, completion_tokens: 600 },
    }));
    // Two targets: the first answer spends the budget, so the second is never asked for.
    const targets = targetsFromAnalysis(analysis);
    expect(targets.length).toBeGreaterThanOrEqual(2);
    const result = await run({ targets, config: { budget: { maxTokens: 2000 } } });

    expect(server.requests).toHaveLength(1);
    expect(result.outcome).toBe('fallback');
    expect(result.fallback?.code).toBe('budget');
    expect(result.summary).toMatchObject({
      generator: 'builtin',
      promptTokens: 1500,
      completionTokens: 600,
    });
    expect(result.summary.fallbackReason).toContain('2100 of 2000 tokens');
    expect(evaluations).toEqual([]);
  });
});
