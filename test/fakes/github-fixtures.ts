/** Builders for GitHub App end-to-end tests: an app key, a git repo with a PR, signed payloads. */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import examples from '@octokit/webhooks-examples';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cachedKey: string | undefined;
/** A throwaway RSA key, like the one a GitHub App's settings page generates. */
export function appPrivateKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return cachedKey;
}

export interface PullRequestRepo {
  dir: string;
  baseSha: string;
  headSha: string;
  /** Commits a further change on the PR branch; returns the new head SHA. */
  pushHead(files: Record<string, string | Buffer>): string;
  cleanup(): void;
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  })
    .toString()
    .trim();
}

function replaceTree(dir: string, source: string): void {
  for (const entry of readdirSync(dir)) {
    if (entry !== '.git') rmSync(join(dir, entry), { recursive: true, force: true });
  }
  cpSync(source, dir, {
    recursive: true,
    filter: (src) => !/(\.pytest_cache|__pycache__)/.test(src),
  });
}

/**
 * A real git repo with `main` = examples/<name>/base and `feature` = examples/<name>/head
 * (or the given trees), as the fake GitHub serves it.
 */
export function createPullRequestRepo(
  options: {
    example?: string;
    config?: string;
    /** Paths of the example's head snapshot left out of the PR (e.g. its AI-written tests). */
    headExclude?: string[];
  } = {},
): PullRequestRepo {
  const example = options.example ?? 'calc';
  const dir = mkdtempSync(join(tmpdir(), 'testgate-gh-repo-'));
  git(dir, ['init', '-q', '-b', 'main']);
  replaceTree(dir, join(REPO_ROOT, 'examples', example, 'base'));
  if (options.config !== undefined) {
    mkdirSync(join(dir, '.github'), { recursive: true });
    writeFileSync(join(dir, '.github', 'testgate.yml'), options.config);
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'base']);
  const baseSha = git(dir, ['rev-parse', 'HEAD']);
  git(dir, ['checkout', '-q', '-b', 'feature']);
  replaceTree(dir, join(REPO_ROOT, 'examples', example, 'head'));
  for (const path of options.headExclude ?? [])
    rmSync(join(dir, path), { recursive: true, force: true });
  if (options.config !== undefined) {
    mkdirSync(join(dir, '.github'), { recursive: true });
    writeFileSync(join(dir, '.github', 'testgate.yml'), options.config);
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'head']);
  const headSha = git(dir, ['rev-parse', 'HEAD']);
  return {
    dir,
    baseSha,
    headSha,
    pushHead(files) {
      // The fake GitHub may have moved the branch (an "Add tests" commit): catch up first.
      git(dir, ['reset', '-q', '--hard', 'HEAD']);
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      git(dir, ['add', '-A']);
      git(dir, ['commit', '-q', '-m', 'more']);
      return git(dir, ['rev-parse', 'HEAD']);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Example = { name: string; examples: Record<string, unknown>[] };
/** The fields of the example payload we point at our repo. */
interface PullRequestExample {
  action: string;
  number: number;
  installation?: { id: number; node_id: string };
  repository: { name: string; full_name: string; owner: { login: string }; default_branch: string };
  pull_request: {
    number: number;
    draft: boolean;
    head: { sha: string; ref: string };
    base: { sha: string; ref: string };
  };
}

/** A `pull_request` payload from @octokit/webhooks-examples, pointed at our repo and SHAs. */
export function pullRequestPayload(options: {
  action: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review' | 'closed';
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  installationId: number;
  draft?: boolean;
}): Record<string, unknown> {
  const all = examples as unknown as Example[];
  const pr = all.find((e) => e.name === 'pull_request');
  const source =
    pr?.examples.find((e) => e.action === options.action) ??
    pr?.examples.find((e) => e.action === 'opened');
  if (source === undefined)
    throw new Error('no pull_request example in @octokit/webhooks-examples');
  const payload = structuredClone(source) as unknown as PullRequestExample;
  payload.action = options.action;
  payload.number = options.number;
  payload.installation = {
    id: options.installationId,
    node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==',
  };
  payload.repository.name = options.repo;
  payload.repository.full_name = `${options.owner}/${options.repo}`;
  payload.repository.owner.login = options.owner;
  payload.repository.default_branch = 'main';
  payload.pull_request.number = options.number;
  payload.pull_request.draft = options.draft ?? false;
  payload.pull_request.head.sha = options.headSha;
  payload.pull_request.head.ref = 'feature';
  payload.pull_request.base.sha = options.baseSha;
  payload.pull_request.base.ref = 'main';
  return payload as unknown as Record<string, unknown>;
}

/** A `check_run.requested_action` payload from @octokit/webhooks-examples: a click on one of our buttons. */
export function requestedActionPayload(options: {
  owner: string;
  repo: string;
  number: number;
  checkRunId: number;
  headSha: string;
  baseSha: string;
  installationId: number;
  appId: number;
  identifier?: string;
  sender?: string;
}): Record<string, unknown> {
  const all = examples as unknown as Example[];
  const source = all
    .find((e) => e.name === 'check_run')
    ?.examples.find((e) => e.action === 'requested_action');
  if (source === undefined)
    throw new Error('no check_run.requested_action example in @octokit/webhooks-examples');
  const payload = structuredClone(source) as unknown as RequestedActionPayload;
  payload.installation = {
    id: options.installationId,
    node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==',
  };
  payload.repository.name = options.repo;
  payload.repository.full_name = `${options.owner}/${options.repo}`;
  payload.repository.owner.login = options.owner;
  payload.repository.default_branch = 'main';
  payload.check_run.id = options.checkRunId;
  payload.check_run.name = 'Testgate';
  payload.check_run.head_sha = options.headSha;
  payload.check_run.app = { ...payload.check_run.app, id: options.appId };
  payload.check_run.pull_requests = [
    {
      number: options.number,
      head: { ref: 'feature', sha: options.headSha, repo: { name: options.repo } },
      base: { ref: 'main', sha: options.baseSha, repo: { name: options.repo } },
    },
  ];
  payload.requested_action = { identifier: options.identifier ?? 'add_tests' };
  payload.sender = { ...payload.sender, login: options.sender ?? 'octocat' };
  return payload as unknown as Record<string, unknown>;
}

/** The fields of a check_run.requested_action example this fixture rewrites. */
interface RequestedActionPayload {
  installation: { id: number; node_id: string };
  repository: { name: string; full_name: string; owner: { login: string }; default_branch: string };
  check_run: {
    id: number;
    name: string;
    head_sha: string;
    app: Record<string, unknown>;
    pull_requests: unknown[];
  };
  requested_action: { identifier: string };
  sender: Record<string, unknown>;
}

/** Headers and body of a delivery signed the way GitHub signs it. */
export async function signedDelivery(options: {
  secret: string;
  event: string;
  payload: unknown;
  deliveryId?: string;
}): Promise<{ headers: Record<string, string>; body: string }> {
  const body = JSON.stringify(options.payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': options.event,
      'x-github-delivery': options.deliveryId ?? crypto.randomUUID(),
      'x-hub-signature-256': await sign(options.secret, body),
      'user-agent': 'GitHub-Hookshot/test',
    },
  };
}

/** A Redis prefix no other test uses. */
export function uniquePrefix(label: string): string {
  return `tgtest-${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Signs and posts a `pull_request` delivery for octo/calc to a webhook URL, as GitHub would;
 * returns the status and the JSON body the server answered.
 */
export async function postPullRequestDelivery(options: {
  url: string;
  secret: string;
  number: number;
  headSha: string;
  action?: 'opened' | 'synchronize';
  deliveryId?: string;
}): Promise<{ status: number; body: Record<string, unknown> }> {
  const delivery = await signedDelivery({
    secret: options.secret,
    event: 'pull_request',
    payload: pullRequestPayload({
      action: options.action ?? 'opened',
      owner: 'octo',
      repo: 'calc',
      number: options.number,
      headSha: options.headSha,
      baseSha: 'b'.repeat(40),
      installationId: 9,
    }),
    ...(options.deliveryId === undefined ? {} : { deliveryId: options.deliveryId }),
  });
  const res = await fetch(options.url, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
