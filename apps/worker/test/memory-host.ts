/**
 * An in-memory CodeHost for the worker's step tests: one pull request, checks kept in a
 * map, every call recorded. It stands in for the host port, not for GitHub (the GitHub
 * adapter is tested against the fake GitHub server in test/).
 */
import type {
  CheckConclusion,
  CheckOutput,
  CodeHost,
  FetchedTree,
  HostPullRequest,
} from '@testgate/core';

export interface MemoryCheck {
  id: number;
  headSha: string;
  key: string;
  completed: boolean;
  conclusion?: CheckConclusion;
  output: CheckOutput;
  offerAddTests?: boolean;
}

export interface MemoryHost extends CodeHost {
  pull: HostPullRequest;
  config: string | null;
  checks: MemoryCheck[];
  comments: { marker: string; body: string }[];
  /** Method names in call order. */
  calls: string[];
  /** Makes the next `times` calls of `method` throw `error`. */
  failNext(method: keyof CodeHost, error: unknown, times?: number): void;
}

export function createMemoryHost(pull: Partial<HostPullRequest> = {}): MemoryHost {
  const failures = new Map<string, { error: unknown; times: number }>();
  const host: MemoryHost = {
    kind: 'memory',
    tenant: 'tenant-1',
    pull: {
      number: 7,
      open: true,
      headSha: 'b'.repeat(40),
      headRef: 'feature',
      baseSha: 'a'.repeat(40),
      fromFork: false,
      ...pull,
    },
    config: null,
    checks: [],
    comments: [],
    calls: [],
    failNext(method, error, times = 1) {
      failures.set(method, { error, times });
    },
    async getPullRequest() {
      enter('getPullRequest');
      return { ...host.pull };
    },
    async getCommitMessage() {
      enter('getCommitMessage');
      return 'A commit';
    },
    async fetchTree({ into }): Promise<FetchedTree> {
      enter('fetchTree');
      return { root: into, files: 0, bytes: 0, skipped: [] };
    },
    async readRepoConfig() {
      enter('readRepoConfig');
      return host.config;
    },
    async findCheck({ headSha, key }) {
      enter('findCheck');
      const check = host.checks.find((c) => c.headSha === headSha && c.key === key);
      return check === undefined ? undefined : { id: check.id, completed: check.completed };
    },
    async ensureCheck({ headSha, key, output }) {
      enter('ensureCheck');
      const open = host.checks.find((c) => c.headSha === headSha && c.key === key && !c.completed);
      if (open !== undefined) return { id: open.id, completed: false };
      const check = { id: 100 + host.checks.length, headSha, key, completed: false, output };
      host.checks.push(check);
      return { id: check.id, completed: false };
    },
    async completeCheck({ checkId, conclusion, output, offerAddTests }) {
      enter('completeCheck');
      const check = byId(checkId);
      Object.assign(check, { completed: true, conclusion, output, offerAddTests });
    },
    async readCheckOutput(checkId) {
      enter('readCheckOutput');
      const { title, summary, text } = byId(checkId).output;
      return { title, summary, ...(text === undefined ? {} : { text }) };
    },
    async updateCheckOutput({ checkId, output, offerAddTests }) {
      enter('updateCheckOutput');
      const check = byId(checkId);
      check.output = output;
      if (offerAddTests !== undefined) check.offerAddTests = offerAddTests;
    },
    async upsertComment({ marker, body }) {
      enter('upsertComment');
      const index = host.comments.findIndex((c) => c.marker === marker);
      if (index >= 0) host.comments[index] = { marker, body };
      else host.comments.push({ marker, body });
      return { action: index >= 0 ? 'updated' : 'created', commentId: 1 };
    },
    async commitFiles() {
      enter('commitFiles');
      return { status: 'committed', commitSha: 'c'.repeat(40) };
    },
  };
  function enter(method: string): void {
    host.calls.push(method);
    const failure = failures.get(method);
    if (failure === undefined) return;
    failure.times -= 1;
    if (failure.times <= 0) failures.delete(method);
    throw failure.error;
  }
  function byId(id: number): MemoryCheck {
    const check = host.checks.find((c) => c.id === id);
    if (check === undefined) throw new Error(`no check ${id}`);
    return check;
  }
  return host;
}
