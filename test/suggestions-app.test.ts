/**
 * "Add tests" plumbing over real HTTP, real Redis and real Octokit against the fake
 * GitHub, with a stand-in runGate (the real pipeline's flow is in suggestions-e2e.test.ts):
 * the head moved before the click, expired suggestions, the button's conditions, routing.
 */
import { execFileSync } from 'node:child_process';
import type { GateReport, Suggestion } from '@testgate/core';
import { ADD_TESTS_IDENTIFIER } from '@testgate/github';
import { ADD_TESTS_JOB_NAME } from '@testgate/queue';
import {
  ADD_TESTS_IDENTIFIER as SERVER_IDENTIFIER,
  ADD_TESTS_JOB_NAME as SERVER_JOB_NAME,
} from '@testgate/server';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fakeReport,
  fakeRunGate,
  REDIS_URL,
  startAppUnderTest,
  unusedRunner,
  waitFor,
  WEBHOOK_SECRET,
  type AppUnderTest,
} from './fakes/github-app-harness.ts';
import {
  createPullRequestRepo,
  pullRequestPayload,
  requestedActionPayload,
  signedDelivery,
  type PullRequestRepo,
} from './fakes/github-fixtures.ts';
import { startFakeGitHub, type FakeGitHub } from './fakes/github-server.ts';

const OWNER = 'octo';
const REPO = 'calc';
const PR = 14;
const INSTALLATION = 31;

function suggestion(name: string, content: string): Suggestion {
  return {
    path: `tests/test_testgate_${name}.py`,
    content,
    targets: [name],
    generator: 'builtin',
    tests: [`tests/test_testgate_${name}.py::test_${name}`],
    covers: { 'calc/ops.py': [10, 11] },
  };
}

function reportWithSuggestions(): GateReport {
  return {
    ...fakeReport(0),
    verdict: 'neutral',
    title: 'Nothing to judge: no test added or changed between base and head',
    generation: {
      generator: 'builtin',
      candidates: 3,
      accepted: 2,
      rounds: 1,
      modelCalls: 0,
      cacheHits: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      skipped: [],
      suspectedBugs: [
        {
          nodeid: 'tests/test_testgate_parse.py::test_parse_amount_rounds',
          target: 'parse_amount',
          message: "assert 1000.26 == 1000.25\n documented: 'rounded to cents'",
        },
      ],
    },
    suggestions: [
      suggestion(
        'divide',
        'from calc.ops import divide\n\n\ndef test_divide():\n    assert divide(4, 2) == 2.0\n',
      ),
      // No final newline: the fork patch must say so.
      suggestion(
        'parse',
        'from calc.parse import parse_amount\n\n\ndef test_parse():\n    assert parse_amount("1") == 1.0',
      ),
    ],
  };
}

describe('Add tests plumbing', () => {
  let github: FakeGitHub | undefined;
  let app: AppUnderTest | undefined;
  let repo: PullRequestRepo | undefined;

  afterEach(async () => {
    await app?.close();
    await github?.close();
    repo?.cleanup();
    app = undefined;
    github = undefined;
    repo = undefined;
  });

  async function setup(options: { config?: string; fork?: boolean } = {}) {
    repo = createPullRequestRepo({ config: options.config ?? 'addTests:\n  enabled: true\n' });
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    if (options.fork)
      github.addPull({ owner: OWNER, repo: REPO, number: PR, headRepoFullName: 'forker/calc' });
    const runGate = fakeRunGate(reportWithSuggestions());
    app = await startAppUnderTest({
      github,
      overrides: { runGate, runner: unusedRunner, image: 'unused:image' },
    });
    return { repo, github, app, runGate };
  }

  async function post(event: string, payload: unknown): Promise<Response> {
    const d = await signedDelivery({ secret: WEBHOOK_SECRET, event, payload });
    return fetch(`${app!.url}/api/github/webhooks`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
  }

  async function opened(headSha: string) {
    const res = await post(
      'pull_request',
      pullRequestPayload({
        action: 'opened',
        owner: OWNER,
        repo: REPO,
        number: PR,
        headSha,
        baseSha: repo!.baseSha,
        installationId: INSTALLATION,
      }),
    );
    expect(res.status).toBe(202);
    return waitFor(
      () => github!.checkRuns.find((r) => r.head_sha === headSha && r.status === 'completed'),
      { what: 'completed check run' },
    );
  }

  function click(checkRunId: number, headSha: string, identifier = 'add_tests') {
    return post(
      'check_run',
      requestedActionPayload({
        owner: OWNER,
        repo: REPO,
        number: PR,
        checkRunId,
        headSha,
        baseSha: repo!.baseSha,
        installationId: INSTALLATION,
        appId: github!.appId,
        identifier,
      }),
    );
  }

  it('server and worker agree on the job name and the action identifier', () => {
    expect(SERVER_JOB_NAME).toBe(ADD_TESTS_JOB_NAME);
    expect(SERVER_IDENTIFIER).toBe(ADD_TESTS_IDENTIFIER);
  });

  it('the head moved before the click: no commit, the check run says a fresh run is coming', async () => {
    const { repo, github } = await setup();
    const run = await opened(repo.headSha);
    expect(run.actions).toEqual([
      expect.objectContaining({ identifier: 'add_tests', label: 'Add tests' }),
    ]);
    const moved = repo.pushHead({ 'calc/extra.py': 'X = 1\n' });

    expect((await click(run.id, repo.headSha)).status).toBe(202);
    await waitFor(() => (run.output.summary?.includes('moved on') ? true : undefined), {
      what: 'head-moved note',
    });
    expect(run.output.summary).toContain(
      `These tests were judged on ${repo.headSha.slice(0, 7)}, but the branch \`feature\` is now at ${moved.slice(0, 7)}. Nothing was committed: a fresh Testgate run`,
    );
    expect(run.actions).toEqual([]);
    expect(github.gitCommits).toEqual([]);
    expect(github.requests.filter((r) => r.method !== 'GET' && r.path.includes('/git/'))).toEqual(
      [],
    );
    expect(
      execFileSync('git', ['-C', repo.dir, 'rev-parse', 'refs/heads/feature']).toString().trim(),
    ).toBe(moved);
    // The verdict itself is untouched.
    expect(run.conclusion).toBe('neutral');
  });

  it('a click after the suggestions expired says so and commits nothing', async () => {
    const { repo, github, app } = await setup();
    const run = await opened(repo.headSha);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${app.prefix}:suggestions:*`);
      expect(keys).toEqual([`${app.prefix}:suggestions:${OWNER}/${REPO}/${run.id}`]);
      expect(await redis.ttl(keys[0]!)).toBeGreaterThan(6 * 24 * 3600);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    expect((await click(run.id, repo.headSha)).status).toBe(202);
    await waitFor(() => (run.output.summary?.includes('expired') ? true : undefined), {
      what: 'expired note',
    });
    expect(run.output.summary).toContain('Re-run this check');
    expect(github.gitCommits).toEqual([]);
  });

  it('commits with the trailer; the commit and a second click are idempotent; the follow-up run does not generate', async () => {
    const { repo, github, runGate } = await setup();
    const run = await opened(repo.headSha);
    // Two clicks delivered at once: one commit.
    const [a, b] = await Promise.all([click(run.id, repo.headSha), click(run.id, repo.headSha)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const commit = await waitFor(() => github.gitCommits[0], { what: 'commit' });
    await waitFor(
      () => (run.output.summary?.includes('Added 2 suggested tests') ? true : undefined),
      { what: 'added note' },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(github.gitCommits).toHaveLength(1);
    expect(commit.message).toMatch(/^Add 2 tests suggested by Testgate\n\n/);
    expect(commit.message).toContain(
      '- tests/test_testgate_divide.py: 1 test for divide (built-in generator)',
    );
    expect(commit.message).toContain('Requested by octocat with the "Add tests" button.');
    expect(commit.message.trimEnd().endsWith('Testgate-Suggested: true')).toBe(true);
    expect(
      execFileSync('git', [
        '-C',
        repo.dir,
        'show',
        `${commit.sha}:tests/test_testgate_parse.py`,
      ]).toString(),
    ).toBe(
      'from calc.parse import parse_amount\n\n\ndef test_parse():\n    assert parse_amount("1") == 1.0',
    );

    const res = await post(
      'pull_request',
      pullRequestPayload({
        action: 'synchronize',
        owner: OWNER,
        repo: REPO,
        number: PR,
        headSha: commit.sha,
        baseSha: repo.baseSha,
        installationId: INSTALLATION,
      }),
    );
    expect(res.status).toBe(202);
    const second = await waitFor(
      () => github.checkRuns.find((r) => r.head_sha === commit.sha && r.status === 'completed'),
      { what: 'follow-up run' },
    );
    expect(runGate.calls.map((c) => c.generate)).toEqual(['builtin', 'off']);
    // (The stand-in report still lists suggestions; the real pipeline returns none with 'off'.)
    // The app's own commit never gets the button again: no loop even if something were suggested.
    expect(second.actions).toEqual([]);
    await waitFor(
      () => (github.comments[0]?.body.includes('No new tests were generated') ? true : undefined),
      { what: 'comment update' },
    );
    expect(github.unexpected).toEqual([]);
  });

  it('a fork PR: no button, a patch in the comment, and a click (replayed) refuses to push', async () => {
    const { repo, github } = await setup({ fork: true });
    const run = await opened(repo.headSha);
    expect(run.actions).toEqual([]);
    await waitFor(() => github.comments[0], { what: 'comment' });
    const body = github.comments[0]!.body;
    expect(body).toContain('This pull request comes from a fork');
    expect(body).toContain(
      'diff --git a/tests/test_testgate_parse.py b/tests/test_testgate_parse.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_testgate_parse.py\n@@ -0,0 +1,5 @@\n',
    );
    expect(body).toContain('+    assert parse_amount("1") == 1.0\n\\ No newline at end of file\n');
    expect(body).toContain('### Suspected bugs');
    expect(body).toContain(
      '`parse_amount`: `tests/test_testgate_parse.py::test_parse_amount_rounds` kept failing',
    );
    // A click that reaches us anyway (a replayed delivery): refused, nothing pushed.
    expect((await click(run.id, repo.headSha)).status).toBe(202);
    await waitFor(
      () => (run.output.summary?.includes('Cannot push to a fork') ? true : undefined),
      { what: 'fork note' },
    );
    expect(github.gitCommits).toEqual([]);
  });

  it('without addTests.enabled there is no button; the comment says how to turn it on', async () => {
    const { repo, github, app } = await setup({ config: 'comment:\n  enabled: true\n' });
    const run = await opened(repo.headSha);
    expect(run.actions).toEqual([]);
    await waitFor(() => github.comments[0], { what: 'comment' });
    expect(github.comments[0]!.body).toContain('`addTests.enabled: true`');
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${app.prefix}:suggestions:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('routes only our own add_tests action', async () => {
    const { repo, github } = await setup();
    const run = await opened(repo.headSha);
    const other = await click(run.id, repo.headSha, 'something_else');
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ ignored: expect.stringContaining('not ours') });
    const foreign = requestedActionPayload({
      owner: OWNER,
      repo: REPO,
      number: PR,
      checkRunId: run.id,
      headSha: repo.headSha,
      baseSha: repo.baseSha,
      installationId: INSTALLATION,
      appId: 1,
    });
    const res = await post('check_run', foreign);
    expect(await res.json()).toMatchObject({ ignored: 'check run belongs to another app' });
    expect(github.gitCommits).toEqual([]);
  });
});
