/**
 * Suggestions delivered on the PR, with the real pipeline in real Docker (built-in
 * generator), real Redis, real Octokit over HTTP to the fake GitHub: the comment's
 * "Suggested tests", "Add tests" committing exactly the accepted tests once, the follow-up
 * run on the app's own commit generating nothing, and the fork patch applying cleanly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateReport } from '@testgate/core';
import { runGate, type RunGateOptions } from '@testgate/pipeline';
import { extractPatch } from '@testgate/report';
import { ensureSandboxImage } from '@testgate/sandbox';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startAppUnderTest,
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
const PR = 21;
const INSTALLATION = 9;
const CONFIG = 'addTests:\n  enabled: true\n';

function containersOf(jobId: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=testgate.job=${jobId}`])
    .toString()
    .trim();
  return out === '' ? [] : out.split('\n');
}

describe('suggestions on the PR, real pipeline', () => {
  let github: FakeGitHub | undefined;
  let app: AppUnderTest | undefined;
  let repo: PullRequestRepo | undefined;
  let image = '';
  const shas: string[] = [];
  const temp: string[] = [];

  beforeAll(async () => {
    image = await ensureSandboxImage();
  }, 900_000);

  afterEach(async () => {
    await app?.close();
    await github?.close();
    repo?.cleanup();
    // Only this test's own containers: other test files run sandboxes alongside.
    for (const sha of shas) {
      const ids = containersOf(`${OWNER}/${REPO}/${PR}/${sha}`);
      if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids]);
    }
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
    shas.length = 0;
    temp.length = 0;
    app = undefined;
    github = undefined;
    repo = undefined;
  });

  /** The real runGate, recording what it was asked and what it answered. */
  function recordingRunGate() {
    const calls: { generate: RunGateOptions['generate']; report: GateReport }[] = [];
    const fn = async (options: RunGateOptions) => {
      const report = await runGate(options);
      calls.push({ generate: options.generate, report });
      return report;
    };
    return Object.assign(fn, { calls });
  }

  async function post(event: string, payload: unknown): Promise<number> {
    const d = await signedDelivery({ secret: WEBHOOK_SECRET, event, payload });
    return (
      await fetch(`${app!.url}/api/github/webhooks`, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
      })
    ).status;
  }

  function prEvent(action: 'opened' | 'synchronize', headSha: string) {
    shas.push(headSha);
    return post(
      'pull_request',
      pullRequestPayload({
        action,
        owner: OWNER,
        repo: REPO,
        number: PR,
        headSha,
        baseSha: repo!.baseSha,
        installationId: INSTALLATION,
      }),
    );
  }

  function click(checkRunId: number, headSha: string) {
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
      }),
    );
  }

  const completed = (sha: string) => () =>
    github!.checkRuns.find((r) => r.head_sha === sha && r.status === 'completed');
  const gitIn = (dir: string, args: string[]) =>
    execFileSync('git', ['-C', dir, ...args]).toString();

  it('comment with suggestions, Add tests commits them once, the follow-up run judges them and generates nothing', async () => {
    // The calc PR without its AI-written tests: only the source changes (and one new case).
    repo = createPullRequestRepo({
      config: CONFIG,
      headExclude: ['tests/test_parse_ai.py', 'tests/test_parse_broken.py'],
    });
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    const gate = recordingRunGate();
    app = await startAppUnderTest({ github, overrides: { image, runGate: gate } });
    const gh = github;
    const headSha = repo.headSha;

    expect(await prEvent('opened', headSha)).toBe(202);
    const run = await waitFor(completed(headSha), { timeoutMs: 240_000, what: 'first check run' });
    await waitFor(() => gh.comments.length === 1 || undefined, { what: 'comment' });
    const first = gate.calls[0]!;
    expect(first.generate).toBe('builtin');
    const suggestions = first.report.suggestions;
    expect(suggestions.length).toBeGreaterThan(0);
    const testCount = suggestions.reduce((n, s) => n + s.tests.length, 0);

    // The comment: a Suggested tests section, per target, code in <details>, covered lines, generator.
    const comment = gh.comments[0]!.body;
    expect(comment).toContain('### Suggested tests');
    expect(comment).toContain('Press **Add tests**');
    expect(comment).toContain('#### `divide`');
    expect(comment).toContain('#### `parse_amount`');
    expect(comment).toMatch(
      /<details><summary>`tests\/test_testgate_ops\.py`: \d+ tests?, \d+ changed lines? covered of \d+ \(\+\d+ not covered by the PR's tests\), kills \d+ mutants? the PR's tests miss · built-in generator<\/summary>/,
    );
    expect(comment).toContain(
      '| `test_divide_raises_zero_division_error_when_b_eq_0` | `calc/ops.py` ',
    );
    for (const s of suggestions) expect(comment).toContain(s.content.trim().split('\n').at(-1)!);
    // The button is there, on a PR that is not from a fork.
    expect(run.actions).toEqual([
      {
        label: 'Add tests',
        description: 'Commit the suggested tests to this PR',
        identifier: 'add_tests',
      },
    ]);

    // Click: exactly the accepted tests, through blobs, a tree on the judged head, a commit, a fast-forward.
    expect(await click(run.id, headSha)).toBe(202);
    const commit = await waitFor(() => gh.gitCommits[0], {
      timeoutMs: 30_000,
      what: 'the Add tests commit',
    });
    const treeRequest = gh.requests.find(
      (r) => r.method === 'POST' && r.path.endsWith('/git/trees'),
    )!;
    const headTree = gitIn(repo.dir, ['rev-parse', `${headSha}^{tree}`]).trim();
    const treeBody = treeRequest.body as {
      base_tree: string;
      tree: { path: string; mode: string; type: string; sha: string }[];
    };
    expect(treeBody.base_tree).toBe(headTree);
    expect(treeBody.tree.map((e) => e.path).sort()).toEqual(suggestions.map((s) => s.path).sort());
    expect(treeBody.tree.every((e) => e.mode === '100644' && e.type === 'blob')).toBe(true);
    for (const s of suggestions)
      expect(gitIn(repo.dir, ['show', `${commit.sha}:${s.path}`])).toBe(s.content);
    // Nothing else changed in the tree.
    expect(
      gitIn(repo.dir, ['diff', '--name-only', headSha, commit.sha]).trim().split('\n').sort(),
    ).toEqual(suggestions.map((s) => s.path).sort());
    expect(commit.parents).toEqual([headSha]);
    expect(commit.message.split('\n')[0]).toBe(`Add ${testCount} tests suggested by Testgate`);
    expect(commit.message).toContain('\nTestgate-Suggested: true\n');
    // The commit object exists before the ref moves: wait for the ref update.
    const refPatch = await waitFor(
      () =>
        gh.requests.find(
          (r) =>
            r.method === 'PATCH' &&
            decodeURIComponent(r.path).endsWith('/git/refs/heads/feature') &&
            r.status !== 0,
        ),
      { what: 'ref update' },
    );
    expect(refPatch.body).toEqual({ sha: commit.sha, force: false });
    expect(gitIn(repo.dir, ['rev-parse', 'refs/heads/feature']).trim()).toBe(commit.sha);
    await waitFor(() => (run.output.summary?.includes('Added') ? true : undefined), {
      what: 'the note on the check run',
    });
    expect(run.output.summary).toContain(
      `**Add tests**: Added ${testCount} suggested tests in ${commit.sha.slice(0, 7)}`,
    );
    expect(run.actions).toEqual([]);

    // A second click (the button was still on someone's screen): no second commit.
    const requestsBefore = gh.requests.length;
    expect(await click(run.id, headSha)).toBe(202);
    await waitFor(
      () =>
        app!.logs.some((l) => l.msg === 'add tests: already done for this check run') || undefined,
      { what: 'second click handled' },
    );
    expect(gh.gitCommits).toHaveLength(1);
    expect(
      gh.requests
        .slice(requestsBefore)
        .filter((r) => r.method !== 'GET' && r.path.includes('/git/')),
    ).toEqual([]);

    // The push triggers synchronize: judged like any PR test, nothing generated.
    expect(await prEvent('synchronize', commit.sha)).toBe(202);
    const second = await waitFor(completed(commit.sha), {
      timeoutMs: 240_000,
      what: 'follow-up check run',
    });
    const followUp = gate.calls[1]!;
    expect(followUp.generate).toBe('off');
    expect(followUp.report.generation).toBeUndefined();
    expect(followUp.report.suggestions).toEqual([]);
    const committedTests = followUp.report.tests.filter((t) =>
      suggestions.some((s) => s.path === t.file),
    );
    expect(committedTests.map((t) => t.nodeid).sort()).toEqual(
      suggestions.flatMap((s) => s.tests).sort(),
    );
    expect(committedTests.every((t) => t.origin === 'pr' && t.status === 'accepted')).toBe(true);
    expect(second.conclusion).toBe('success');
    expect(second.actions).toEqual([]);
    expect(second.output.summary).toContain(
      '| ✅ accepted | `tests/test_testgate_ops.py::test_divide_raises_zero_division_error_when_b_eq_0` |',
    );
    await waitFor(
      () => (gh.comments[0]?.body.includes('No new tests were generated') ? true : undefined),
      { what: 'updated comment' },
    );
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).not.toContain('Press **Add tests**');
    expect(gh.unexpected).toEqual([]);
    for (const sha of shas) expect(containersOf(`${OWNER}/${REPO}/${PR}/${sha}`)).toEqual([]);
  }, 600_000);

  it('a fork PR gets no button and a patch that applies to the head commit with git apply', async () => {
    repo = createPullRequestRepo({
      config: CONFIG,
      headExclude: ['tests/test_parse_ai.py', 'tests/test_parse_broken.py'],
    });
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    github.addPull({ owner: OWNER, repo: REPO, number: PR, headRepoFullName: 'forker/calc' });
    const gate = recordingRunGate();
    app = await startAppUnderTest({ github, overrides: { image, runGate: gate } });
    const gh = github;

    expect(await prEvent('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completed(repo.headSha), { timeoutMs: 240_000, what: 'check run' });
    await waitFor(() => gh.comments.length === 1 || undefined, { what: 'comment' });
    const suggestions = gate.calls[0]!.report.suggestions;
    expect(suggestions.length).toBeGreaterThan(0);
    expect(run.actions).toEqual([]);
    expect(run.updates.some((u) => 'actions' in (u as object))).toBe(false);
    const body = gh.comments[0]!.body;
    expect(body).toContain('comes from a fork');
    expect(body).not.toContain('Press **Add tests**');

    const patch = extractPatch(body);
    expect(patch).toBeDefined();
    const checkout = mkdtempSync(join(tmpdir(), 'testgate-fork-apply-'));
    temp.push(checkout);
    execFileSync('git', ['clone', '-q', repo.dir, checkout]);
    gitIn(checkout, ['checkout', '-q', repo.headSha]);
    writeFileSync(join(checkout, '..', `${checkout.split('/').pop()}.patch`), patch!);
    const patchFile = join(checkout, '..', `${checkout.split('/').pop()}.patch`);
    temp.push(patchFile);
    gitIn(checkout, ['apply', '--check', patchFile]);
    gitIn(checkout, ['apply', patchFile]);
    for (const s of suggestions)
      expect(readFileSync(join(checkout, s.path), 'utf8')).toBe(s.content);
    expect(gh.gitCommits).toEqual([]);
  }, 400_000);
});
