/**
 * The GitHub Action's gate step as a workflow run meets it: action.yml's own `run:` script
 * and `env:` (inputs resolved as the runner resolves them), a pull_request payload from
 * @octokit/webhooks-examples in GITHUB_EVENT_PATH, the example repository's git checkout as
 * GITHUB_WORKSPACE, and GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files. Asserted: the summary,
 * the outputs, the annotations on stdout, the SARIF file and the exit code per verdict.
 * Real git, real Docker, real sandbox image; the CLI is the bundle the package ships.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateReport } from '@testgate/core';
import { ensureSandboxImage, sandboxImageTags } from '@testgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../apps/cli/scripts/build.ts';
import { buildExampleRepo, createGitRepo } from '../apps/cli/src/example-repo.ts';
import { containersLeftBy } from '../apps/cli/test/run-cli.ts';
import { runStep } from './action-runner.ts';
import type { StepRun } from './action-runner.ts';
import { pullRequestPayload } from './fakes/github-fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'testgate-action-'));
const pids: number[] = [];

const sha = (repo: string, ref: string): string =>
  execFileSync('git', ['-C', repo, 'rev-parse', ref], { encoding: 'utf8' }).trim();

function prEvent(repo: string): Record<string, unknown> {
  return pullRequestPayload({
    action: 'synchronize',
    owner: 'octo-org',
    repo: 'calc',
    number: 7,
    baseSha: sha(repo, 'main~1'),
    headSha: sha(repo, 'main'),
    installationId: 1,
  });
}

async function gate(
  repo: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<StepRun> {
  const run = await runStep({
    stepId: 'gate',
    with: inputs,
    workspace: repo,
    event: prEvent(repo),
    eventName: 'pull_request',
    env,
  });
  pids.push(run.pid);
  return run;
}

async function twoCommits(
  name: string,
  base: Record<string, string>,
  head: Record<string, string>,
): Promise<string> {
  const dir = join(work, name);
  await createGitRepo({
    dir,
    commits: [
      { message: 'base', files: base },
      { message: 'pr', files: head },
    ],
  });
  return dir;
}

// The passing change of test/cli-usage.test.ts.
const CALC_BASE = {
  'calc/__init__.py': 'from calc.core import double\n',
  'calc/core.py': 'def double(x):\n    return x * 2\n',
  'tests/test_core.py':
    'from calc import double\n\n\ndef test_double():\n    assert double(2) == 4\n',
};
const CALC_HEAD = {
  ...CALC_BASE,
  'calc/core.py':
    'def double(x):\n    if x is None:\n        raise TypeError("x is None")\n    return x * 2\n',
  'tests/test_core_more.py': [
    'import pytest',
    '',
    'from calc import double',
    '',
    '',
    'def test_double_none():',
    '    assert double(3) == 6',
    '    with pytest.raises(TypeError):',
    '        double(None)',
    '',
  ].join('\n'),
};

let example: string;
let failing: StepRun;
let report: GateReport;

beforeAll(async () => {
  await ensureSandboxImage();
  await buildCli({ log: () => undefined });
  example = (await buildExampleRepo({ name: 'calc', dir: join(work, 'calc') })).dir;
  failing = await gate(example, { generate: 'off' });
  report = JSON.parse(readFileSync(join(example, 'testgate-report.json'), 'utf8')) as GateReport;
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('a failing pull request (examples/calc)', () => {
  it('fails the step (exit 1) and sets the outputs', () => {
    expect(failing.code, failing.stderr.slice(-3000)).toBe(1);
    expect(failing.outputs).toEqual({
      verdict: 'fail',
      title: report.title,
      report: join(example, 'testgate-report.json'),
      sarif: join(example, 'testgate.sarif'),
    });
    expect(report.verdict).toBe('fail');
    expect(report.title).toMatch(/^13 of 15 tests rejected: /);
    expect(failing.stderr).toContain(
      'testgate: verdict fail (fail-on: fail,error): failing the step',
    );
  });

  it('writes the Markdown report as the job summary, within 1 MiB', () => {
    expect(failing.summary.startsWith('# ❌ Testgate: FAIL\n\n13 of 15 tests rejected')).toBe(true);
    expect(failing.summary).toContain(
      '| ❌ rejected | `tests/test_parse_ai.py::test_parse_amount_shell` | unsafe, failed, no-coverage-gain |',
    );
    expect(failing.summary).toContain('## Security report');
    expect(failing.summary).toContain('`AUDIT-os.system`');
    expect(Buffer.byteLength(failing.summary)).toBeLessThanOrEqual(1024 * 1024);
  });

  it('annotates every flagged call and every rejected test and file, at its line', () => {
    const errors = failing.commands.filter((c) => c.name === 'error');
    const at = (file: string, line: number, title: RegExp) =>
      errors.filter(
        (c) =>
          c.properties['file'] === file &&
          c.properties['line'] === String(line) &&
          title.test(c.properties['title'] ?? ''),
      );
    for (const finding of report.findings) {
      expect(
        at(
          finding.file,
          finding.line,
          new RegExp(`^${finding.reason}: ${finding.rule.replace(/\./g, '\\.')}$`),
        ),
        finding.rule,
      ).toHaveLength(1);
    }
    const rejected = report.tests.filter((t) => t.origin === 'pr' && t.status === 'rejected');
    expect(rejected).toHaveLength(13);
    for (const test of rejected) {
      const [annotation] = at(
        test.file,
        test.line,
        new RegExp(`^${test.function} rejected: ${test.reasons.join(', ')}$`),
      );
      expect(annotation, test.nodeid).toBeDefined();
      expect(annotation!.message).toContain(test.details[0]!.message);
    }
    expect(at('tests/test_parse_broken.py', 1, /^test file rejected: error$/)).toHaveLength(1);
    expect(errors).toHaveLength(report.findings.length + rejected.length + 1);
    // The accepted tests are not annotated.
    expect(errors.some((c) => c.message.includes('test_parse_amount_good'))).toBe(false);
    // Every annotated path is a file of the pull request's head.
    for (const file of new Set(errors.map((c) => c.properties['file']!))) {
      expect(() =>
        execFileSync('git', ['-C', example, 'cat-file', '-e', `main:${file}`]),
      ).not.toThrow();
    }
  });

  it('writes a SARIF 2.1.0 report with the findings at their lines', () => {
    const sarif = JSON.parse(readFileSync(failing.outputs['sarif']!, 'utf8')) as {
      version: string;
      runs: {
        tool: { driver: { name: string } };
        properties: { verdict: string };
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.tool.driver.name).toBe('Testgate');
    expect(run.properties.verdict).toBe('fail');
    const at = (ruleId: string) =>
      run.results
        .filter((r) => r.ruleId === ruleId)
        .map(
          (r) =>
            `${r.locations[0]?.physicalLocation.artifactLocation.uri}:${r.locations[0]?.physicalLocation.region.startLine}`,
        );
    // The flagged call, by its rule, at its line; the rejected test, by its reason, at its def.
    expect(at('AUDIT-os.system')).toEqual(['tests/test_parse_ai.py:22']);
    expect(at('B605')).toEqual(['tests/test_parse_ai.py:22']);
    expect(at('flaky')).toEqual(['tests/test_parse_ai.py:31']);
    expect(at('error')).toEqual(['tests/test_parse_broken.py:1']);
  });
});

describe('exit codes per verdict and fail-on', () => {
  it('passes a good pull request (exit 0), no annotations, suggestions in the summary', async () => {
    const repo = await twoCommits('pass', CALC_BASE, CALC_HEAD);
    const run = await gate(repo, { generate: 'builtin' });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.outputs['verdict']).toBe('pass');
    expect(run.outputs['title']).toBe('1 test accepted');
    // Nothing rejected or flagged; a surviving mutant would be a notice for the reviewer.
    expect(run.commands.filter((c) => c.name !== 'notice')).toEqual([]);
    for (const notice of run.commands) expect(notice.message).toMatch(/ survives: | only crashes /);
    expect(run.summary.startsWith('# ✅ Testgate: PASS\n\n1 test accepted')).toBe(true);
    expect(run.summary).toContain('## Generated tests');
    expect(existsSync(run.outputs['sarif']!)).toBe(true);
  });

  it('neutral passes the step by default and fails it with fail-on: neutral', async () => {
    // Only the code changes: nothing to judge.
    const repo = await twoCommits('neutral', CALC_BASE, {
      ...CALC_BASE,
      'calc/core.py': 'def double(x):\n    return x + x\n',
    });
    const lenient = await gate(repo, { generate: 'off' });
    expect(lenient.code, lenient.stderr.slice(-3000)).toBe(0);
    expect(lenient.outputs['verdict']).toBe('neutral');
    expect(lenient.summary).toContain('# ⚪ Testgate: ');
    const strict = await gate(repo, { generate: 'off', 'fail-on': 'fail, neutral' });
    expect(strict.code).toBe(1);
    expect(strict.outputs['verdict']).toBe('neutral');
  });

  it('the gate that could not run fails the step (exit 3) and says why, unless fail-on leaves out error', async () => {
    const repo = await twoCommits('no-docker', CALC_BASE, CALC_HEAD);
    const env = { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` };
    const run = await gate(repo, { generate: 'off' }, env);
    expect(run.code).toBe(3);
    expect(run.outputs).toMatchObject({ verdict: 'error', report: '', sarif: '' });
    expect(run.commands).toHaveLength(1);
    expect(run.commands[0]).toMatchObject({
      name: 'error',
      properties: { title: 'Testgate could not run' },
    });
    expect(run.commands[0]!.message).toMatch(/^error DOCKER_UNAVAILABLE: /);
    expect(run.summary).toContain('# ⚠️ Testgate could not run');
    expect(run.summary).toContain('error DOCKER_UNAVAILABLE');
    const lenient = await gate(repo, { generate: 'off', 'fail-on': 'fail' }, env);
    expect(lenient.code).toBe(0);
    expect(lenient.outputs['verdict']).toBe('error');
  });

  it('a bad input is a usage error (exit 2) that names the input', async () => {
    const run = await gate(example, { 'fail-on': 'sometimes' });
    expect(run.code).toBe(2);
    expect(run.outputs['verdict']).toBe('error');
    expect(run.commands.map((c) => c.message)).toEqual([
      'input fail-on: "sometimes" is not a verdict',
    ]);
    expect(run.stderr).toContain('what to do: list any of fail, neutral, error');
  });

  it('takes base and head from the pull_request payload (not HEAD): a checkout on the base judges the PR head', async () => {
    const repo = await twoCommits('detached', CALC_BASE, CALC_HEAD);
    execFileSync('git', ['-C', repo, 'checkout', '--quiet', '--detach', 'main~1']);
    const run = await gate(repo, { generate: 'off' });
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.outputs['verdict']).toBe('pass');
    expect(run.stderr).toContain(
      `judging ${sha(repo, 'main~1').slice(0, 12)}..${sha(repo, 'main').slice(0, 12)}`,
    );
  });
});

describe('the image cache key', () => {
  it('is the content hash of the image, per runner platform, known before Docker is asked', async () => {
    const run = await runStep({
      stepId: 'image',
      workspace: work,
      event: {},
      eventName: 'pull_request',
      env: { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
    });
    expect(run.code, run.stderr).toBe(0);
    const tags = await sandboxImageTags();
    expect(run.outputs).toEqual({
      image: tags.image,
      base: tags.base,
      key: `testgate-sandbox-Linux-X64-${tags.image.split(':')[1]}`,
    });
  });
});

describe('text from the pull request in annotations', () => {
  it('cannot end a command early or start another one', async () => {
    const evil = 'x%0A,y:z\n::warning file=README.md::pwned\r\n%25';
    const repo = await twoCommits('evil', CALC_BASE, {
      ...CALC_BASE,
      'tests/test_evil.py': `def test_evil():\n    assert ${JSON.stringify(evil)} == "ok"\n`,
    });
    const run = await gate(repo, { generate: 'off' });
    expect(run.code).toBe(1);
    // One command per line; the message's line breaks and percent signs are escaped.
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::warning'))).toEqual([]);
    // The runner reads commands on stderr too: the progress lines carry none.
    expect(run.stderr.split('\n').filter((line) => /^\s*::/.test(line))).toEqual([]);
    const [annotation] = run.commands.filter((c) => c.properties['file'] === 'tests/test_evil.py');
    expect(annotation).toBeDefined();
    expect(annotation!.line).toContain('%0A');
    expect(annotation!.line).not.toContain('\r');
    expect(annotation!.properties['title']).toBe('test_evil rejected: failed');
    // Unescaped as the runner does, the message shows what the test printed.
    expect(annotation!.message).toContain('x%0A,y:z');
  });

  it('leaves no sandbox container behind', () => {
    expect(containersLeftBy(pids)).toEqual([]);
  });
});
