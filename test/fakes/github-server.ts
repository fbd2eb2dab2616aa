/**
 * A local fake of the GitHub REST API: exactly the endpoints Testgate calls, on
 * 127.0.0.1 and a random port. Repositories are real git repos on disk; tarballs come
 * from `git archive`, file contents from `git show`. Every request is recorded, and the
 * fake can be told to fail (N × 500, secondary rate limit with retry-after).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  owner: string;
  repo: string;
  /** A git work tree or bare repo whose commits the fake serves. */
  gitDir: string;
  /** @defaultValue 'main' */
  defaultBranch?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: {
    title: string | null;
    summary: string | null;
    text: string | null;
    annotations: unknown[];
  };
  actions: unknown[];
  app: { id: number };
  owner: string;
  repo: string;
  /** Every PATCH body in order, for tests about batching. */
  updates: unknown[];
}

export interface FakeComment {
  id: number;
  body: string;
  issue_number: number;
  owner: string;
  repo: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

/** A pull request the fake answers `GET pulls/{n}` for; its head SHA is the branch's tip at request time. */
export interface FakePull {
  owner: string;
  repo: string;
  number: number;
  /** @defaultValue 'feature' */
  headRef?: string;
  /** @defaultValue 'main' */
  baseRef?: string;
  /** `owner/repo` the head branch lives in; another repo than the base's makes it a fork PR. */
  headRepoFullName?: string;
}

/** A commit the fake created through `POST git/commits`. */
export interface FakeGitCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  owner: string;
  repo: string;
}

/**
 * `cut-body`: the real answer's first half, then the connection closes without a length
 * (read-until-close framing), as a download dropped mid-way looks to the client.
 * `forbidden`: a plain 403 (a missing permission), which no retry fixes.
 */
type FailureKind = 'server-error' | 'secondary-rate-limit' | 'cut-body' | 'forbidden';

export interface FailureRule {
  method: string;
  path: RegExp;
  kind: FailureKind;
  /** How many matching requests fail before the rule stops applying. */
  times: number;
  /** Seconds, for `secondary-rate-limit`. @defaultValue 1 */
  retryAfter?: number;
}

export interface FakeGitHub {
  url: string;
  appId: number;
  requests: RecordedRequest[];
  /** Requests that matched no route (a test should expect none). */
  unexpected: RecordedRequest[];
  checkRuns: FakeCheckRun[];
  comments: FakeComment[];
  /** Commits made through the Git Data API, in order. */
  gitCommits: FakeGitCommit[];
  addRepo(repo: FakeRepo): void;
  addPull(pull: FakePull): void;
  /** Accepts `token` as a plain token (a workflow's GITHUB_TOKEN) from now on. */
  addToken(token: string): void;
  fail(rule: FailureRule): void;
  /** Delays every response of matching requests (to hold a job mid-flight). */
  delay(rule: { method: string; path: RegExp; ms: number }): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(
  options: { appId?: number; repos?: FakeRepo[] } = {},
): Promise<FakeGitHub> {
  const appId = options.appId ?? 4242;
  const repos = new Map<string, FakeRepo>();
  const tokens = new Set<string>();
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  const checkRuns: FakeCheckRun[] = [];
  const comments: FakeComment[] = [];
  const failures: FailureRule[] = [];
  const gitCommits: FakeGitCommit[] = [];
  const pulls = new Map<string, FakePull>();
  const delays: { method: string; path: RegExp; ms: number }[] = [];
  let nextId = 1000;
  for (const r of options.repos ?? []) repos.set(`${r.owner}/${r.repo}`, r);

  function git(
    repo: FakeRepo,
    args: string[],
    options: { input?: Buffer | string; env?: Record<string, string> } = {},
  ): Buffer {
    return execFileSync('git', ['-C', repo.gitDir, ...args], {
      maxBuffer: 256 * 1024 * 1024,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.input === undefined ? {} : { input: options.input }),
      env: { ...process.env, ...options.env },
    });
  }

  function objectType(repo: FakeRepo, sha: string): string | undefined {
    try {
      return git(repo, ['cat-file', '-t', sha]).toString().trim();
    } catch {
      return undefined;
    }
  }

  function commitBody(repo: FakeRepo, sha: string): unknown {
    const raw = git(repo, ['cat-file', 'commit', sha]).toString('utf8');
    const split = raw.indexOf('\n\n');
    const headers = raw.slice(0, split).split('\n');
    const message = raw.slice(split + 2);
    const field = (name: string) =>
      headers.filter((h) => h.startsWith(`${name} `)).map((h) => h.slice(name.length + 1));
    const person = (value: string | undefined) => {
      const m = value?.match(/^(.*) <(.*)> (\d+) ([+-]\d{4})$/);
      return m === null || m === undefined
        ? null
        : { name: m[1], email: m[2], date: new Date(Number(m[3]) * 1000).toISOString() };
    };
    return {
      sha,
      tree: { sha: field('tree')[0] },
      parents: field('parent').map((p) => ({ sha: p })),
      message: message.replace(/\n$/, ''),
      author: person(field('author')[0]),
      committer: person(field('committer')[0]),
    };
  }

  function resolveSha(repo: FakeRepo, ref: string): string | undefined {
    try {
      return git(repo, ['rev-parse', '--verify', `${ref}^{commit}`])
        .toString()
        .trim();
    } catch {
      return undefined;
    }
  }

  type Reply = { status: number; body?: unknown; raw?: Buffer; headers?: Record<string, string> };

  function notFound(): Reply {
    return {
      status: 404,
      body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
    };
  }

  function route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    auth: string,
  ): Reply | undefined {
    let m: RegExpMatchArray | null;
    if (method === 'POST' && (m = path.match(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      if (!/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i.test(auth))
        return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      const token = `ghs_fake${nextId++}`;
      tokens.add(token);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: {
            checks: 'write',
            pull_requests: 'write',
            contents: 'write',
            metadata: 'read',
          },
          repository_selection: 'all',
        },
      };
    }
    if (!(m = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/))) return undefined;
    const token = auth.replace(/^(token|bearer) /i, '');
    if (!tokens.has(token)) return { status: 401, body: { message: 'Bad credentials' } };
    const repo = repos.get(`${m[1]}/${m[2]}`);
    if (repo === undefined) return notFound();
    const rest = m[3] ?? '';
    const owner = repo.owner;
    const name = repo.repo;
    if (method === 'GET' && rest === '') {
      return {
        status: 200,
        body: {
          id: 1,
          name,
          full_name: `${owner}/${name}`,
          owner: { login: owner },
          default_branch: repo.defaultBranch ?? 'main',
          private: false,
        },
      };
    }
    if (method === 'GET' && (m = rest.match(/^\/tarball\/(.+)$/))) {
      const sha = resolveSha(repo, decodeURIComponent(m[1] ?? ''));
      if (sha === undefined) return notFound();
      const raw = git(repo, [
        'archive',
        '--format=tar.gz',
        `--prefix=${owner}-${name}-${sha.slice(0, 7)}/`,
        sha,
      ]);
      return {
        status: 200,
        raw,
        headers: {
          'content-type': 'application/x-gzip',
          'content-disposition': `attachment; filename=${owner}-${name}-${sha.slice(0, 7)}.tar.gz`,
        },
      };
    }
    if (method === 'GET' && (m = rest.match(/^\/contents\/(.+)$/))) {
      const filePath = decodeURIComponent(m[1] ?? '');
      const sha = resolveSha(repo, query.ref ?? repo.defaultBranch ?? 'main');
      if (sha === undefined) return notFound();
      let content: Buffer;
      try {
        content = git(repo, ['show', `${sha}:${filePath}`]);
      } catch {
        return notFound();
      }
      // As GitHub does: files over 1 MB come without content (encoding "none").
      const inline = content.length <= 1024 * 1024;
      return {
        status: 200,
        body: {
          type: 'file',
          encoding: inline ? 'base64' : 'none',
          name: filePath.split('/').pop(),
          path: filePath,
          size: content.length,
          content: inline ? content.toString('base64') : '',
        },
      };
    }
    if (method === 'GET' && (m = rest.match(/^\/pulls\/(\d+)$/))) {
      const number = Number(m[1]);
      const pull = pulls.get(`${owner}/${name}/${number}`) ?? { owner, repo: name, number };
      const headRef = pull.headRef ?? 'feature';
      const baseRef = pull.baseRef ?? repo.defaultBranch ?? 'main';
      const full = `${owner}/${name}`;
      return {
        status: 200,
        body: {
          number,
          state: 'open',
          draft: false,
          head: {
            ref: headRef,
            sha: resolveSha(repo, headRef) ?? '',
            repo: { full_name: pull.headRepoFullName ?? full },
          },
          base: { ref: baseRef, sha: resolveSha(repo, baseRef) ?? '', repo: { full_name: full } },
        },
      };
    }
    // --- Git Data API: objects go into the real repo, so the ref really moves.
    if (method === 'POST' && rest === '/git/blobs') {
      const b = body as { content?: unknown; encoding?: unknown };
      if (typeof b.content !== 'string')
        return { status: 422, body: { message: 'content is required' } };
      const bytes =
        b.encoding === 'base64' ? Buffer.from(b.content, 'base64') : Buffer.from(b.content, 'utf8');
      const sha = git(repo, ['hash-object', '-w', '--stdin'], { input: bytes }).toString().trim();
      return {
        status: 201,
        body: { sha, url: `${baseUrl}/repos/${owner}/${name}/git/blobs/${sha}` },
      };
    }
    if (method === 'POST' && rest === '/git/trees') {
      const b = body as { base_tree?: unknown; tree?: unknown };
      if (!Array.isArray(b.tree)) return { status: 422, body: { message: 'tree is required' } };
      if (typeof b.base_tree === 'string' && objectType(repo, b.base_tree) !== 'tree') {
        return { status: 422, body: { message: 'base_tree is not a valid tree oid' } };
      }
      const index = join(mkdtempSync(join(tmpdir(), 'fake-gh-index-')), 'index');
      const env = { GIT_INDEX_FILE: index };
      try {
        if (typeof b.base_tree === 'string') git(repo, ['read-tree', b.base_tree], { env });
        else git(repo, ['read-tree', '--empty'], { env });
        for (const entry of b.tree as {
          path?: unknown;
          mode?: unknown;
          type?: unknown;
          sha?: unknown;
        }[]) {
          if (
            typeof entry.path !== 'string' ||
            entry.type !== 'blob' ||
            typeof entry.sha !== 'string' ||
            objectType(repo, entry.sha) !== 'blob'
          ) {
            return {
              status: 422,
              body: { message: `tree entry ${String(entry.path)} is invalid` },
            };
          }
          git(
            repo,
            [
              'update-index',
              '--add',
              '--cacheinfo',
              `${String(entry.mode ?? '100644')},${entry.sha},${entry.path}`,
            ],
            { env },
          );
        }
        const sha = git(repo, ['write-tree'], { env }).toString().trim();
        return { status: 201, body: { sha, tree: [] } };
      } finally {
        rmSync(dirname(index), { recursive: true, force: true });
      }
    }
    if (method === 'POST' && rest === '/git/commits') {
      const b = body as { message?: unknown; tree?: unknown; parents?: unknown };
      if (
        typeof b.message !== 'string' ||
        typeof b.tree !== 'string' ||
        !Array.isArray(b.parents)
      ) {
        return { status: 422, body: { message: 'message, tree and parents are required' } };
      }
      const parents = b.parents as string[];
      if (
        objectType(repo, b.tree) !== 'tree' ||
        parents.some((p) => objectType(repo, p) !== 'commit')
      ) {
        return { status: 422, body: { message: 'tree or parent is not a valid oid' } };
      }
      // A commit made with an installation token is authored by the app's bot account.
      const bot = {
        GIT_AUTHOR_NAME: 'testgate[bot]',
        GIT_AUTHOR_EMAIL: `${appId}+testgate[bot]@users.noreply.github.com`,
      };
      const sha = git(
        repo,
        ['commit-tree', b.tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'],
        {
          input: b.message,
          env: { ...bot, GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' },
        },
      )
        .toString()
        .trim();
      gitCommits.push({ sha, tree: b.tree, parents, message: b.message, owner, repo: name });
      return { status: 201, body: commitBody(repo, sha) };
    }
    if (method === 'GET' && (m = rest.match(/^\/git\/commits\/([0-9a-f]{40})$/))) {
      if (objectType(repo, m[1] ?? '') !== 'commit') return notFound();
      return { status: 200, body: commitBody(repo, m[1] ?? '') };
    }
    if (method === 'GET' && (m = decodeURIComponent(rest).match(/^\/git\/ref\/heads\/(.+)$/))) {
      const sha = resolveSha(repo, `refs/heads/${decodeURIComponent(m[1] ?? '')}`);
      if (sha === undefined) return notFound();
      return { status: 200, body: { ref: `refs/heads/${m[1]}`, object: { sha, type: 'commit' } } };
    }
    // Octokit sends `{ref}` percent-encoded (`heads%2Ffeature`), as GitHub accepts it.
    if (method === 'PATCH' && (m = decodeURIComponent(rest).match(/^\/git\/refs\/heads\/(.+)$/))) {
      const branch = `refs/heads/${decodeURIComponent(m[1] ?? '')}`;
      const b = body as { sha?: unknown; force?: unknown };
      const current = resolveSha(repo, branch);
      if (current === undefined)
        return { status: 422, body: { message: 'Reference does not exist' } };
      if (typeof b.sha !== 'string' || objectType(repo, b.sha) !== 'commit')
        return { status: 422, body: { message: 'Object does not exist' } };
      if (b.force !== true) {
        try {
          git(repo, ['merge-base', '--is-ancestor', current, b.sha]);
        } catch {
          return { status: 422, body: { message: 'Update is not a fast forward' } };
        }
      }
      git(repo, ['update-ref', branch, b.sha, current]);
      return { status: 200, body: { ref: branch, object: { sha: b.sha, type: 'commit' } } };
    }
    if (method === 'POST' && rest === '/check-runs') {
      const b = body as Record<string, unknown>;
      if (typeof b.name !== 'string' || typeof b.head_sha !== 'string') {
        return {
          status: 422,
          body: { message: 'Invalid request: name and head_sha are required' },
        };
      }
      const output = (b.output ?? {}) as Record<string, unknown>;
      const run: FakeCheckRun = {
        id: nextId++,
        name: b.name,
        head_sha: b.head_sha,
        external_id: typeof b.external_id === 'string' ? b.external_id : null,
        status: typeof b.status === 'string' ? b.status : 'queued',
        conclusion: typeof b.conclusion === 'string' ? b.conclusion : null,
        started_at: typeof b.started_at === 'string' ? b.started_at : null,
        completed_at: null,
        output: {
          title: (output.title as string | undefined) ?? null,
          summary: (output.summary as string | undefined) ?? null,
          text: (output.text as string | undefined) ?? null,
          annotations: Array.isArray(output.annotations)
            ? [...(output.annotations as unknown[])]
            : [],
        },
        actions: [],
        app: { id: appId },
        owner,
        repo: name,
        updates: [],
      };
      checkRuns.push(run);
      return { status: 201, body: publicRun(run) };
    }
    if ((m = rest.match(/^\/check-runs\/(\d+)$/))) {
      const run = checkRuns.find((r) => r.id === Number(m?.[1]));
      if (run === undefined) return notFound();
      if (method === 'GET') return { status: 200, body: publicRun(run) };
      if (method === 'PATCH') {
        const b = body as Record<string, unknown>;
        const annotations =
          (b.output as { annotations?: unknown[] } | undefined)?.annotations ?? [];
        if (annotations.length > 50)
          return { status: 422, body: { message: 'Only 50 annotations are allowed per request' } };
        run.updates.push(b);
        if (typeof b.status === 'string') run.status = b.status;
        if (typeof b.conclusion === 'string') {
          run.conclusion = b.conclusion;
          run.status = 'completed';
        }
        if (typeof b.completed_at === 'string') run.completed_at = b.completed_at;
        if (b.output !== undefined) {
          const o = b.output as Record<string, unknown>;
          if (typeof o.title === 'string') run.output.title = o.title;
          if (typeof o.summary === 'string') run.output.summary = o.summary;
          if (typeof o.text === 'string') run.output.text = o.text;
          run.output.annotations.push(...annotations);
        }
        if (Array.isArray(b.actions)) run.actions = b.actions;
        return { status: 200, body: publicRun(run) };
      }
    }
    if (method === 'GET' && (m = rest.match(/^\/commits\/([^/]+)\/check-runs$/))) {
      const sha = resolveSha(repo, decodeURIComponent(m[1] ?? '')) ?? m[1];
      const runs = checkRuns
        .filter((r) => r.owner === owner && r.repo === name && r.head_sha === sha)
        .filter((r) => query.check_name === undefined || r.name === query.check_name);
      return { status: 200, body: { total_count: runs.length, check_runs: runs.map(publicRun) } };
    }
    if ((m = rest.match(/^\/issues\/(\d+)\/comments$/))) {
      const issue = Number(m[1]);
      if (method === 'GET') {
        const all = comments.filter(
          (c) => c.owner === owner && c.repo === name && c.issue_number === issue,
        );
        const perPage = Number(query.per_page ?? 30);
        const page = Number(query.page ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          headers.link = `<${baseUrl}/repos/${owner}/${name}/issues/${issue}/comments?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        }
        return { status: 200, body: slice.map(publicComment), headers };
      }
      if (method === 'POST') {
        const text = (body as { body?: unknown }).body;
        if (typeof text !== 'string') return { status: 422, body: { message: 'body is required' } };
        const now = new Date().toISOString();
        const comment: FakeComment = {
          id: nextId++,
          body: text,
          issue_number: issue,
          owner,
          repo: name,
          user: { login: 'testgate[bot]', type: 'Bot' },
          created_at: now,
          updated_at: now,
        };
        comments.push(comment);
        return { status: 201, body: publicComment(comment) };
      }
    }
    if (method === 'PATCH' && (m = rest.match(/^\/issues\/comments\/(\d+)$/))) {
      const comment = comments.find((c) => c.id === Number(m?.[1]));
      if (comment === undefined) return notFound();
      const text = (body as { body?: unknown }).body;
      if (typeof text !== 'string') return { status: 422, body: { message: 'body is required' } };
      comment.body = text;
      comment.updated_at = new Date().toISOString();
      return { status: 200, body: publicComment(comment) };
    }
    return undefined;
  }

  function publicRun(run: FakeCheckRun): unknown {
    const { owner: _o, repo: _r, updates: _u, ...rest } = run;
    return { ...rest, output: { ...run.output, annotations_count: run.output.annotations.length } };
  }

  function publicComment(comment: FakeComment): unknown {
    const { owner: _o, repo: _r, ...rest } = comment;
    return rest;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method, path, query, body, status: 0, at: Date.now() };
    requests.push(record);

    const delayRule = delays.find((d) => d.method === method && d.path.test(path));
    if (delayRule !== undefined) await new Promise((r) => setTimeout(r, delayRule.ms));

    let reply: Reply | undefined;
    const failure = failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (failure?.kind === 'cut-body') {
      failure.times -= 1;
      const full = route(method, path, query, body, String(req.headers.authorization ?? ''));
      const bytes = full?.raw ?? Buffer.from(JSON.stringify(full?.body ?? {}));
      record.status = full?.status ?? 500;
      const socket = res.socket;
      socket?.write(
        `HTTP/1.1 ${record.status} OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n`,
      );
      socket?.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    }
    if (failure !== undefined) {
      failure.times -= 1;
      reply =
        failure.kind === 'server-error'
          ? { status: 500, body: { message: 'Server Error' } }
          : failure.kind === 'forbidden'
            ? { status: 403, body: { message: 'Resource not accessible by integration' } }
            : {
                status: 403,
                body: {
                  message:
                    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
                  documentation_url:
                    'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
                },
                headers: { 'retry-after': String(failure.retryAfter ?? 1) },
              };
    } else {
      try {
        reply = route(method, path, query, body, String(req.headers.authorization ?? ''));
      } catch (error) {
        reply = {
          status: 500,
          body: { message: `fake GitHub crashed: ${(error as Error).message}` },
        };
      }
    }
    if (reply === undefined) {
      unexpected.push(record);
      reply = notFound();
    }
    record.status = reply.status;
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.raw !== undefined) {
      res.writeHead(reply.status, headers);
      res.end(reply.raw);
      return;
    }
    headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    appId,
    requests,
    unexpected,
    checkRuns,
    comments,
    gitCommits,
    addRepo(repo) {
      repos.set(`${repo.owner}/${repo.repo}`, repo);
    },
    addToken(token) {
      tokens.add(token);
    },
    addPull(pull) {
      pulls.set(`${pull.owner}/${pull.repo}/${pull.number}`, pull);
    },
    fail(rule) {
      failures.push({ ...rule });
    },
    delay(rule) {
      delays.push(rule);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
