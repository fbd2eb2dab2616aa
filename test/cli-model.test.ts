/**
 * `testgate run --generate model` as a user meets it: the CLI in its own process, a local
 * OpenAI-compatible server over HTTP, the real sandbox, real Redis for the completion
 * cache. What is asserted is what the user gets: the JSON report, the files --record
 * writes, stderr, the exit code, and how many requests reached the model server.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateReport } from '@testgate/core';
import { createRedisConnection } from '@testgate/queue';
import { ensureSandboxImage } from '@testgate/sandbox';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildExampleRepo } from '../apps/cli/src/example-repo.ts';
import { containersLeftBy, runCli as spawnCli } from '../apps/cli/test/run-cli.ts';
import type { CliRun } from '../apps/cli/test/run-cli.ts';
import {
  startFakeOpenAIServer,
  type ChatRequestBody,
  type FakeOpenAIServer,
  type FakeReply,
} from './fakes/openai-server.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const work = mkdtempSync(join(tmpdir(), 'testgate-cli-model-'));
const repoDir = join(work, 'calc');
const recordDir = join(work, 'exchanges');
// Only this file's cache entries: the CLI puts them under `${REDIS_PREFIX}:completion:`.
const redisPrefix = `tgtest-cli-model-${randomUUID()}`;

const fence = (code: string) => `Here are the tests.\n\n\`\`\`python\n${code}\`\`\`\n`;

const PARSE_TESTS = `import pytest

from calc.parse import parse_amount


def test_thousands_are_rounded_to_cents():
    assert parse_amount(" 1,000.257 ") == 1000.26


def test_empty_amount_is_refused():
    with pytest.raises(ValueError, match="empty amount"):
        parse_amount("   ")


def test_negative_amount_is_refused():
    with pytest.raises(ValueError, match="negative amount"):
        parse_amount("-3")
`;

const DIVIDE_TESTS = `import pytest

from calc.ops import divide


def test_divide_halves():
    assert divide(3, 2) == 1.5


def test_divide_by_zero_is_refused():
    with pytest.raises(ZeroDivisionError, match="cannot divide by zero"):
        divide(1, 0)
`;

/** A model that knows the two changed functions of examples/calc. */
function answer(body: ChatRequestBody): FakeReply {
  const prompt = body.messages.map((m) => m.content).join('\n');
  if (prompt.includes('Write pytest tests for `parse_amount`'))
    return { content: fence(PARSE_TESTS), usage: { prompt_tokens: 800, completion_tokens: 150 } };
  if (prompt.includes('Write pytest tests for `divide`'))
    return { content: fence(DIVIDE_TESTS), usage: { prompt_tokens: 600, completion_tokens: 100 } };
  return { kind: 'status', status: 400, body: { error: { message: 'unexpected prompt' } } };
}

const pids: number[] = [];
let server: FakeOpenAIServer;
let redis: Redis;

async function testgate(options: {
  env: NodeJS.ProcessEnv;
  extra?: string[];
  format?: 'json' | 'text';
}): Promise<CliRun> {
  const run = await spawnCli(
    [
      'run',
      '--repo',
      repoDir,
      '--base',
      'main~1',
      '--head',
      'main',
      '--format',
      options.format ?? 'json',
      '--generate',
      'model',
      ...(options.extra ?? []),
    ],
    {
      env: {
        // Unset unless a test sets them: the CLI must not reach a model or Redis by accident.
        OPENAI_API_KEY: '',
        OPENAI_BASE_URL: '',
        REDIS_URL: '',
        REDIS_PREFIX: redisPrefix,
        ...options.env,
      },
      timeoutMs: 290_000,
    },
  );
  pids.push(run.pid);
  return run;
}

function reportOf(run: CliRun): GateReport {
  try {
    return JSON.parse(run.stdout) as GateReport;
  } catch {
    throw new Error(`no JSON report (exit ${run.code}); stderr:\n${run.stderr}`);
  }
}

function suggested(report: GateReport) {
  return report.suggestions
    .map((s) => ({ path: s.path, content: s.content, tests: [...s.tests].sort() }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

beforeAll(async () => {
  await ensureSandboxImage();
  await buildExampleRepo({ name: 'calc', dir: repoDir });
  redis = createRedisConnection({ url: REDIS_URL, role: 'worker' });
}, 900_000);

beforeEach(async () => {
  server = await startFakeOpenAIServer({ responder: answer });
});

afterEach(async () => {
  await server.close();
  expect(containersLeftBy(pids)).toEqual([]);
});

afterAll(async () => {
  const keys = await redis.keys(`${redisPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  rmSync(work, { recursive: true, force: true });
});

describe('testgate run --generate model', () => {
  let first: GateReport | undefined;

  it(
    'reports the model, its tokens and cost, and the tests it wrote that pass the gate; --record writes the exchanges',
    { timeout: 300_000 },
    async () => {
      const run = await testgate({
        env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test', REDIS_URL },
        extra: ['--record', recordDir],
      });
      const report = reportOf(run);
      first = report;

      // examples/calc's own tests fail the gate; the verdict decides the exit code.
      expect(report.verdict).toBe('fail');
      expect(run.code).toBe(1);
      expect(report.generation).toMatchObject({
        generator: 'model',
        model: 'gpt-4o-mini',
        modelCalls: 2,
        cacheHits: 0,
        promptTokens: 1400,
        completionTokens: 250,
        accepted: 5,
      });
      // gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
      expect(report.generation?.costUsd).toBeCloseTo((1400 * 0.15 + 250 * 0.6) / 1e6, 12);
      expect(report.generation?.fallbackReason).toBeUndefined();
      // Chosen by strength: a test that kills no mutant the PR's own tests do not already kill
      // (the PR checks halving and rounding to cents) is accepted but not suggested.
      expect(suggested(report).map(({ path, tests }) => ({ path, tests }))).toEqual([
        {
          path: 'tests/test_testgate_ops_divide.py',
          tests: ['tests/test_testgate_ops_divide.py::test_divide_by_zero_is_refused'],
        },
        {
          path: 'tests/test_testgate_parse_parse_amount.py',
          tests: [
            'tests/test_testgate_parse_parse_amount.py::test_empty_amount_is_refused',
            'tests/test_testgate_parse_parse_amount.py::test_negative_amount_is_refused',
          ],
        },
      ]);
      const [divide, parse] = suggested(report);
      expect(divide!.content).toContain('def test_divide_by_zero_is_refused');
      expect(divide!.content).not.toContain('def test_divide_halves');
      expect(parse!.content).not.toContain('def test_thousands_are_rounded_to_cents');
      expect(report.generation?.notSuggested?.map((n) => n.nodeid).sort()).toEqual([
        'tests/test_testgate_ops_divide.py::test_divide_halves',
        'tests/test_testgate_parse_parse_amount.py::test_thousands_are_rounded_to_cents',
      ]);
      expect(server.completions()).toHaveLength(2);
      // The key reached the server; nothing else was asked.
      expect(server.requests.every((r) => r.headers.authorization === 'Bearer test')).toBe(true);

      const files = readdirSync(recordDir).sort();
      expect(files.filter((f) => f.endsWith('.request.json'))).toHaveLength(2);
      expect(files.filter((f) => f.endsWith('.response.json'))).toHaveLength(2);
      const recorded = files
        .filter((f) => f.endsWith('.response.json'))
        .map((f) => readFileSync(join(recordDir, f), 'utf8'))
        .join('\n');
      expect(recorded).toContain('divide(1, 0)');
      expect(recorded).toContain('parse_amount(\\"   \\")');
    },
  );

  it(
    'answers from --replay DIR with no model server at all: the same suggestions, zero requests',
    { timeout: 300_000 },
    async () => {
      expect(first, 'the recording run must pass first').toBeDefined();
      await server.close();
      const run = await testgate({ env: {}, extra: ['--replay', recordDir] });
      const report = reportOf(run);

      expect(run.code).toBe(1);
      expect(server.requests).toHaveLength(0);
      expect(report.generation).toMatchObject({
        generator: 'model',
        model: 'gpt-4o-mini',
        accepted: 5,
      });
      expect(report.generation?.fallbackReason).toBeUndefined();
      expect(suggested(report)).toEqual(suggested(first!));
      server = await startFakeOpenAIServer({ responder: answer });
    },
  );

  it(
    'serves the same head a second time from the Redis cache: zero model requests (text report)',
    { timeout: 300_000 },
    async () => {
      expect(first, 'the first run must have filled the cache').toBeDefined();
      expect(await redis.keys(`${redisPrefix}:completion:*`)).toHaveLength(2);
      const run = await testgate({
        env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test', REDIS_URL },
        format: 'text',
      });

      expect(server.requests).toHaveLength(0);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        'model gpt-4o-mini: 5 of 5 candidates accepted, 1 round, 0 model calls (2 cached), 0 tokens, $0',
      );
      expect(run.stdout).toContain('tests/test_testgate_ops_divide.py: 1 test for divide');
      expect(run.stdout).toContain(
        'tests/test_testgate_parse_parse_amount.py: 2 tests for parse_amount',
      );
      expect(run.stdout).not.toContain('model not used');
      expect(run.stderr).not.toContain('completion cache is off');
    },
  );

  it(
    'falls back to the built-in generator when the model answers 500 to everything, and says why',
    { timeout: 300_000 },
    async () => {
      server.respond(() => ({ kind: 'status', status: 500 }));
      // An unreachable Redis: the run goes on without the cache and says so once.
      const run = await testgate({
        env: {
          OPENAI_BASE_URL: server.url,
          OPENAI_API_KEY: 'test',
          REDIS_URL: 'redis://127.0.0.1:1',
        },
      });
      const report = reportOf(run);

      expect(report.generation?.generator).toBe('builtin');
      expect(report.generation?.fallbackReason).toBeTruthy();
      expect(report.generation?.modelCalls).toBeGreaterThan(0);
      expect(server.requests.length).toBeGreaterThan(0);
      expect(server.requests.every((r) => r.replied === 'status:500')).toBe(true);
      // The verdict, not the model outage, decides the exit code.
      expect(report.verdict).toBe('fail');
      expect(run.code).toBe(1);
      expect(run.stderr.match(/completion cache is off/g)).toHaveLength(1);
    },
  );
});

describe('--record and --replay usage', () => {
  it('refuses --replay of a directory that does not exist', async () => {
    const run = await testgate({ env: {}, extra: ['--replay', join(work, 'nope')] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a directory');
    expect(run.stdout).toBe('');
  });

  it('refuses --replay with --generate builtin', async () => {
    const run = await spawnCli([
      'run',
      '--repo',
      repoDir,
      '--base',
      'main~1',
      '--generate',
      'builtin',
      '--replay',
      work,
    ]);
    pids.push(run.pid);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--replay DIR needs the model generator');
  });
});
