/**
 * action.yml, comment/action.yml and the example workflows under docs/workflows/ parse,
 * reference only inputs and steps that exist, never splice an expression into a shell
 * script, and keep the fork-safety rules of docs/github-action.md.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../apps/cli/src/example-repo.ts';
import { ARTIFACT_PR_NUMBER, ARTIFACT_REPORT } from '../apps/cli/src/action/comment.ts';
import { readAction } from './action-runner.ts';
import type { ActionFile, ActionStep } from './action-runner.ts';

const ACTIONS = ['action.yml', 'comment/action.yml'];
const WORKFLOW_DIR = join(REPO_ROOT, 'docs', 'workflows');
const WORKFLOWS = readdirSync(WORKFLOW_DIR).filter((name) => name.endsWith('.yml'));

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; permissions?: unknown; steps: ActionStep[] }>;
}

const text = (file: string): string => readFileSync(join(REPO_ROOT, file), 'utf8');
const workflow = (name: string): Workflow =>
  parse(readFileSync(join(WORKFLOW_DIR, name), 'utf8')) as Workflow;
const allSteps = (w: Workflow): ActionStep[] => Object.values(w.jobs).flatMap((job) => job.steps);
/** `inputs.X` anywhere an expression can be: `${{ }}`, and the bare expressions of `if:`. */
const inputRefs = (source: string): string[] => [
  ...new Set([...source.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!)),
];

describe.each(ACTIONS)('%s', (file) => {
  const action: ActionFile = readAction(file);
  const source = text(file);

  it('is a composite action whose inputs are all described, and all used', () => {
    expect(action.runs.using).toBe('composite');
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toMatch(/\S/);
    }
    expect(inputRefs(source).sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it('references only steps defined before the reference, and outputs of real steps', () => {
    const ids: string[] = [];
    for (const step of action.runs.steps) {
      const refs = [...JSON.stringify(step).matchAll(/steps\.([\w-]+)\.outputs/g)].map((m) => m[1]);
      for (const ref of refs) expect(ids, `${step.name}: steps.${ref}`).toContain(ref);
      if (step.id) ids.push(step.id);
    }
    for (const [name, output] of Object.entries(action.outputs)) {
      const ref = /^\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}$/.exec(output.value);
      expect(ref, name).not.toBeNull();
      expect(ids).toContain(ref![1]);
    }
  });

  it('passes inputs to scripts through env only: no expression inside a run script', () => {
    for (const step of action.runs.steps) {
      if (step.run === undefined) continue;
      expect(step.shell, step.name).toBe('bash');
      expect(step.run, step.name).not.toContain('${{');
      // And the script is valid bash.
      expect(() => execFileSync('bash', ['-n', '-c', step.run!])).not.toThrow();
    }
  });

  it('uses only actions pinned to a version', () => {
    for (const step of action.runs.steps) {
      if (step.uses !== undefined) expect(step.uses).toMatch(/^[\w-]+\/[\w/-]+@v\d+$/);
    }
  });
});

describe.each(WORKFLOWS)('docs/workflows/%s', (name) => {
  const w = workflow(name);

  it('never runs on pull_request_target, and sets its permissions', () => {
    expect(Object.keys(w.on)).not.toContain('pull_request_target');
    expect(w.permissions).toBeDefined();
  });

  it('splices no expression into a run script', () => {
    for (const step of allSteps(w)) {
      if (step.run !== undefined) expect(step.run, step.name).not.toContain('${{');
    }
  });

  it("gives Testgate's actions only inputs they have", () => {
    let used = 0;
    for (const step of allSteps(w)) {
      const target = step.uses?.match(/\/testgate(\/comment)?@/);
      if (!target) continue;
      used += 1;
      const action = readAction(target[1] ? 'comment/action.yml' : 'action.yml');
      for (const key of Object.keys(step.with ?? {}))
        expect(Object.keys(action.inputs), key).toContain(key);
    }
    expect(used).toBe(1);
  });
});

describe('the two example workflows together', () => {
  const gate = workflow('testgate.yml');
  const comment = workflow('testgate-comment.yml');

  it('the gate runs on pull_request with a read-only token and no secret but the optional model key', () => {
    expect(Object.keys(gate.on)).toEqual(['pull_request']);
    expect(gate.permissions).toEqual({ contents: 'read' });
    const secrets = [...JSON.stringify(gate).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
    expect(secrets).toEqual(['OPENAI_API_KEY']);
    const testgate = allSteps(gate).find((s) => s.uses?.includes('/testgate@'));
    expect(testgate?.with?.['openai-api-key']).toBe('${{ secrets.OPENAI_API_KEY }}');
  });

  it('the comment workflow follows the gate by name, checks nothing out, and may only write comments', () => {
    expect(comment.on).toEqual({ workflow_run: { workflows: [gate.name], types: ['completed'] } });
    expect(comment.permissions).toEqual({
      contents: 'read',
      actions: 'read',
      'pull-requests': 'write',
    });
    const steps = allSteps(comment);
    expect(steps.some((s) => s.uses?.startsWith('actions/checkout'))).toBe(false);
    expect(steps.every((s) => s.run === undefined)).toBe(true);
    expect(comment.jobs['comment']?.if).toContain(
      "github.event.workflow_run.event == 'pull_request'",
    );
  });

  it('uploads the files the comment step reads, under the name it downloads', () => {
    const upload = allSteps(gate).find((s) => s.uses?.startsWith('actions/upload-artifact'));
    const download = allSteps(comment).find((s) => s.uses?.startsWith('actions/download-artifact'));
    expect(upload?.with?.['name']).toBe(download?.with?.['name']);
    expect(download?.with?.['run-id']).toBe('${{ github.event.workflow_run.id }}');
    const keep = allSteps(gate).find((s) => s.run?.includes('testgate-artifact'));
    expect(keep?.run).toContain(`testgate-artifact/${ARTIFACT_REPORT}`);
    expect(keep?.run).toContain(`testgate-artifact/${ARTIFACT_PR_NUMBER}`);
    const post = allSteps(comment).find((s) => s.uses?.includes('/testgate/comment@'));
    expect(post?.with?.['artifact']).toBe(download?.with?.['path']);
  });
});
