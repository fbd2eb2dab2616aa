import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../../test/fakes/openai-server.ts';
import {
  createOpenAIProvider,
  createRecordingProvider,
  createReplayProvider,
  createThrottle,
  GeneratorError,
  requestHash,
  type CompletionRequest,
} from '../src/index.ts';

const request: CompletionRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You write tests.' },
    { role: 'user', content: 'Test add().' },
  ],
  temperature: 0,
  maxTokens: 200,
};

let server: FakeOpenAIServer;
let dir: string;
beforeEach(async () => {
  server = await startFakeOpenAIServer();
  dir = await mkdtemp(join(tmpdir(), 'testgate-record-'));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<GeneratorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GeneratorError) return error;
    throw error;
  }
  throw new Error('expected a GeneratorError');
}

describe('createOpenAIProvider', () => {
  it('sends the chat request and returns the text and the usage', async () => {
    server.enqueue({
      content: 'def test_x():\n    assert 1\n',
      usage: { prompt_tokens: 120, completion_tokens: 30 },
    });
    const provider = createOpenAIProvider({ apiKey: 'sk-test', baseURL: server.url });
    const result = await provider.complete(request);
    expect(result).toMatchObject({
      content: 'def test_x():\n    assert 1\n',
      usage: { promptTokens: 120, completionTokens: 30 },
      requests: 1,
    });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(server.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 200,
      temperature: 0,
      messages: request.messages,
    });
  });

  it('waits for retry-after on a 429, then succeeds, and counts both requests', async () => {
    server.enqueue(
      { kind: 'status', status: 429, headers: { 'retry-after': '0.2' } },
      { content: 'def test_x():\n    assert 1\n' },
    );
    const retries: { status: number | undefined; waitMs: number }[] = [];
    const provider = createOpenAIProvider({
      apiKey: 'k',
      baseURL: server.url,
      onRetry: (info) => retries.push(info),
    });
    const started = Date.now();
    const result = await provider.complete(request);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(result.requests).toBe(2);
    expect(retries).toEqual([{ attempt: 1, status: 429, waitMs: 200 }]);
    expect(server.requests.map((r) => r.replied)).toEqual(['status:429', 'answer']);
  });

  it('backs off with jitter on 5xx and gives up after maxRetries as MODEL_UNAVAILABLE', async () => {
    server.respond(() => ({ kind: 'status', status: 503 }));
    const waits: number[] = [];
    const provider = createOpenAIProvider({
      apiKey: 'k',
      baseURL: server.url,
      maxRetries: 3,
      initialBackoffMs: 100,
      random: () => 1,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const error = await failure(provider.complete(request));
    expect(error.code).toBe('MODEL_UNAVAILABLE');
    expect(error.requests).toBe(4);
    expect(error.message).toContain('HTTP 503');
    // 100, 200, 400 ms, each +25% jitter at random() = 1.
    expect(waits).toEqual([125, 250, 500]);
    expect(server.requests).toHaveLength(4);
  });

  it('times out a hanging server and retries it', async () => {
    server.enqueue({ kind: 'hang' });
    server.respond(() => ({ content: 'def test_x():\n    assert 1\n' }));
    const provider = createOpenAIProvider({
      apiKey: 'k',
      baseURL: server.url,
      timeoutMs: 300,
      initialBackoffMs: 10,
    });
    const result = await provider.complete(request);
    expect(result.requests).toBe(2);
    expect(server.requests.map((r) => r.replied)).toEqual(['hang', 'answer']);
  });

  it('does not retry a 401: the key is wrong, retrying will not fix it', async () => {
    server.respond(() => ({
      kind: 'status',
      status: 401,
      body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } },
    }));
    const provider = createOpenAIProvider({ apiKey: 'bad', baseURL: server.url });
    const error = await failure(provider.complete(request));
    expect(error.code).toBe('MODEL_REJECTED');
    expect(error.message).toMatch(/HTTP 401.*Check OPENAI_API_KEY/s);
    expect(server.requests).toHaveLength(1);
  });
});

describe('record and replay', () => {
  it('records exchanges by request hash and replays them without a server', async () => {
    server.enqueue({
      content: 'recorded answer with def test_x',
      usage: { prompt_tokens: 50, completion_tokens: 7 },
    });
    const recording = createRecordingProvider(
      createOpenAIProvider({ apiKey: 'k', baseURL: server.url }),
      dir,
    );
    const live = await recording.complete(request);
    const hash = requestHash(request);
    expect((await readdir(dir)).sort()).toEqual([`${hash}.request.json`, `${hash}.response.json`]);

    await server.close();
    const replay = createReplayProvider(dir);
    const replayed = await replay.complete(request);
    expect(replayed).toMatchObject({ content: live.content, usage: live.usage, model: live.model });

    const other = {
      ...request,
      messages: [...request.messages, { role: 'user' as const, content: 'more' }],
    };
    const miss = await failure(replay.complete(other));
    expect(miss.code).toBe('REPLAY_MISS');
    expect(miss.message).toContain(requestHash(other));
    server = await startFakeOpenAIServer();
  });
});

describe('createThrottle', () => {
  it('spaces the requests of one installation and leaves others alone', async () => {
    let now = 1000;
    const slept: number[] = [];
    const throttle = createThrottle({
      intervalMs: 300,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    await throttle.wait('inst-1');
    await throttle.wait('inst-1');
    await throttle.wait('inst-1');
    await throttle.wait('inst-2');
    expect(slept).toEqual([300, 600]);
    now += 1000;
    await throttle.wait('inst-1');
    expect(slept).toEqual([300, 600]);
  });
});
