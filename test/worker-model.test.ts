/**
 * The GitHub App's model path: a worker with OPENAI_BASE_URL set (as loadWorkerConfig
 * reads it), real Redis (queue and completion cache), real Octokit against the fake
 * GitHub, the real pipeline in Docker, and a local OpenAI-compatible server. What is
 * asserted is what the pull request shows: the check run and the sticky comment.
 */
import { execFileSync } from 'node:child_process';
import { ensureSandboxImage } from '@testgate/sandbox';
import { loadWorkerConfig, startWorker, type RunningWorker } from '@testgate/worker';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  REDIS_URL,
  startAppUnderTest,
  waitFor,
  WEBHOOK_SECRET,
  type AppUnderTest,
} from './fakes/github-app-harness.ts';
import {
  appPrivateKey,
  createPullRequestRepo,
  pullRequestPayload,
  signedDelivery,
  uniquePrefix,
  type PullRequestRepo,
} from './fakes/github-fixtures.ts';
import { startFakeGitHub, type FakeGitHub } from './fakes/github-server.ts';
import {
  startFakeOpenAIServer,
  type ChatRequestBody,
  type FakeOpenAIServer,
  type FakeReply,
} from './fakes/openai-server.ts';

const OWNER = 'octo';
const REPO = 'calc';
const INSTALLATION = 5;

const fence = (code: string) => `\`\`\`python\n${code}\`\`\`\n`;
const DIVIDE_TESTS = `import pytest

from calc.ops import divide


def test_divide_halves():
    assert divide(3, 2) == 1.5


def test_divide_by_zero_is_refused():
    with pytest.raises(ZeroDivisionError, match="cannot divide by zero"):
        divide(1, 0)
`;
const PARSE_TESTS = `import pytest

from calc.parse import parse_amount


def test_empty_amount_is_refused():
    with pytest.raises(ValueError, match="empty amount"):
        parse_amount("   ")
`;

function answer(body: ChatRequestBody): FakeReply {
  const prompt = body.messages.map((m) => m.content).join('\n');
  if (prompt.includes('Write pytest tests for `divide`'))
    return { content: fence(DIVIDE_TESTS), usage: { prompt_tokens: 600, completion_tokens: 100 } };
  if (prompt.includes('Write pytest tests for `parse_amount`'))
    return { content: fence(PARSE_TESTS), usage: { prompt_tokens: 800, completion_tokens: 150 } };
  return { kind: 'status', status: 400, body: { error: { message: 'unexpected prompt' } } };
}

function containersOf(jobId: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=testgate.job=${jobId}`])
    .toString()
    .trim();
  return out === '' ? [] : out.split('\n');
}

describe('GitHub App with a model', () => {
  let image = '';
  let github: FakeGitHub | undefined;
  let app: AppUnderTest | undefined;
  let worker: RunningWorker | undefined;
  let repo: PullRequestRepo | undefined;
  let model: FakeOpenAIServer | undefined;

  beforeAll(async () => {
    image = await ensureSandboxImage();
  }, 900_000);

  afterEach(async () => {
    await worker?.close({ graceMs: 2000 });
    await app?.close();
    await github?.close();
    await model?.close();
    if (repo !== undefined) {
      const ids = containersOf(`${OWNER}/${REPO}/3/${repo.headSha}`);
      if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids]);
    }
    repo?.cleanup();
    worker = app = github = repo = model = undefined;
  });

  it('suggests the model-written tests on the check run and in the comment, with calls, tokens and cost', async () => {
    model = await startFakeOpenAIServer({ responder: answer });
    repo = createPullRequestRepo();
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    const prefix = uniquePrefix('model');
    app = await startAppUnderTest({ github, worker: false, prefix });
    // The worker's settings as `testgate worker` reads them from its environment.
    const settings = loadWorkerConfig({
      APP_ID: String(github.appId),
      PRIVATE_KEY: appPrivateKey(),
      GITHUB_API_URL: github.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: 'test',
    });
    const logs: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
    );
    worker = await startWorker(settings, { image, logger, retryBaseMs: 50 });

    const payload = pullRequestPayload({
      action: 'opened',
      owner: OWNER,
      repo: REPO,
      number: 3,
      headSha: repo.headSha,
      baseSha: repo.baseSha,
      installationId: INSTALLATION,
    });
    const d = await signedDelivery({ secret: WEBHOOK_SECRET, event: 'pull_request', payload });
    expect(
      (
        await fetch(`${app.url}/api/github/webhooks`, {
          method: 'POST',
          headers: d.headers,
          body: d.body,
        })
      ).status,
    ).toBe(202);

    const gh = github;
    const sha = repo.headSha;
    const run = await waitFor(
      () => gh.checkRuns.find((r) => r.head_sha === sha && r.status === 'completed'),
      { timeoutMs: 280_000, what: 'check run' },
    );
    const comment = await waitFor(() => gh.comments[0], { what: 'comment' });

    expect(model.completions()).toHaveLength(2);
    expect(model.requests.every((r) => r.headers.authorization === 'Bearer test')).toBe(true);
    // examples/calc's own tests fail the gate; the model's tests are offered, not judged against it.
    expect(run.conclusion).toBe('failure');
    const details = `${run.output.summary}\n${run.output.text ?? ''}`;
    expect(details).toContain('Written by the model `gpt-4o-mini`');
    expect(details).toMatch(/2 model calls, 0 cache hits, 1650 tokens/);
    expect(details).not.toContain('The model was not used');
    const shown = `${details}\n${comment.body}`;
    expect(shown).toContain('tests/test_testgate_ops_divide.py');
    expect(shown).toContain('tests/test_testgate_parse_parse_amount.py');
    expect(comment.body).toContain('`gpt-4o-mini`');

    // The answers went to the completion cache under the worker's prefix.
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}:completion:*`)).toHaveLength(2);
    } finally {
      redis.disconnect();
    }
    expect(gh.unexpected).toEqual([]);
    expect(containersOf(`${OWNER}/${REPO}/3/${sha}`)).toEqual([]);
  }, 320_000);
});

describe('loadWorkerConfig: model settings', () => {
  // The worker checks the key is a PEM (like the server); its content is not parsed here.
  const base = {
    APP_ID: '1',
    PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\\nx\\n-----END RSA PRIVATE KEY-----',
  };

  it('reads OPENAI_API_KEY, OPENAI_BASE_URL and TESTGATE_MODEL_REPLAY_DIR as optional settings', () => {
    expect(loadWorkerConfig(base)).not.toHaveProperty('openaiApiKey');
    expect(
      loadWorkerConfig({
        ...base,
        OPENAI_API_KEY: 'sk-1',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
        TESTGATE_MODEL_REPLAY_DIR: '/tmp',
      }),
    ).toMatchObject({
      openaiApiKey: 'sk-1',
      openaiBaseUrl: 'http://127.0.0.1:1/v1',
      modelReplayDir: '/tmp',
    });
  });

  it('names the bad setting and what to put there', () => {
    expect(() => loadWorkerConfig({ ...base, OPENAI_BASE_URL: 'localhost:8000' })).toThrow(
      /OPENAI_BASE_URL must be the URL of an OpenAI-compatible API/,
    );
    expect(() =>
      loadWorkerConfig({ ...base, TESTGATE_MODEL_REPLAY_DIR: '/nonexistent/replay' }),
    ).toThrow(
      /TESTGATE_MODEL_REPLAY_DIR points at \/nonexistent\/replay, which is not a directory/,
    );
  });
});
