import { describe, expect, it } from 'vitest';
import {
  GateJobDataSchema,
  StoredActionJobDataSchema,
  StoredGateJobDataSchema,
  withHostRef,
} from '../src/gate-job.ts';

const SHA = 'a'.repeat(40);
const pullRequest = {
  owner: 'octo',
  repo: 'calc',
  pullNumber: 7,
  headSha: SHA,
  baseSha: 'b'.repeat(40),
  headRef: 'feature',
  baseRef: 'main',
  defaultBranch: 'main',
  event: 'pull_request.opened',
  deliveryId: 'd-1',
};

describe('gate job data', () => {
  it('names the host it is opened for under host, and nothing of GitHub beside it', () => {
    const data = GateJobDataSchema.parse({
      ...pullRequest,
      host: { kind: 'github', installationId: 99 },
    });
    expect(data.host).toEqual({ kind: 'github', installationId: 99 });
    expect(data).not.toHaveProperty('installationId');
  });

  it('reads a job queued before host existed (a top-level installationId) in the current shape', () => {
    const data = StoredGateJobDataSchema.parse({ ...pullRequest, installationId: 99 });
    expect(data).toEqual(
      GateJobDataSchema.parse({ ...pullRequest, host: { kind: 'github', installationId: 99 } }),
    );
    expect(data).not.toHaveProperty('installationId');
  });

  it('still rejects an old job whose installation id is not a positive integer', () => {
    expect(StoredGateJobDataSchema.safeParse({ ...pullRequest, installationId: 0 }).success).toBe(
      false,
    );
    expect(StoredGateJobDataSchema.safeParse({ ...pullRequest }).success).toBe(false);
  });

  it('writes only the new shape: the write schema refuses the old field alone', () => {
    expect(GateJobDataSchema.safeParse({ ...pullRequest, installationId: 99 }).success).toBe(false);
  });

  it('reads an old "Add tests" click the same way', () => {
    const click = StoredActionJobDataSchema.parse({
      installationId: 3,
      owner: 'octo',
      repo: 'calc',
      pullNumber: 7,
      headSha: SHA,
      checkRunId: 11,
      deliveryId: 'd-2',
    });
    expect(click.host).toEqual({ kind: 'github', installationId: 3 });
    expect(click).not.toHaveProperty('installationId');
  });

  it('leaves data that already has host, and what is not an object, as it is', () => {
    const current = { ...pullRequest, host: { kind: 'github', installationId: 1 } };
    expect(withHostRef(current)).toBe(current);
    expect(withHostRef(null)).toBeNull();
    expect(withHostRef('x')).toBe('x');
  });
});
