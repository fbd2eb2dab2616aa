/**
 * The intake between the webhook server and BullMQ: deliveries stored by the server (many
 * per Redis call under load), moved into gate jobs by workers, at least once, with no
 * delivery lost when a mover dies and none doubled when two movers see it.
 */
import { buildServer } from '@testgate/server';
import {
  createGateQueue,
  createIntakeMover,
  INTAKE_GROUP,
  intakeStreamKey,
  type GateQueue,
  type IntakeMover,
} from '@testgate/queue';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postPullRequestDelivery, signedDelivery, uniquePrefix } from './fakes/github-fixtures.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'intake-secret';
const sha = (c: string) => c.repeat(40);

describe('delivery intake', () => {
  let prefix: string;
  let queue: GateQueue;
  let app: ReturnType<typeof buildServer>;
  let url: string;
  let redis: Redis;
  const movers: IntakeMover[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix('intake');
    queue = createGateQueue({ redisUrl: REDIS_URL, prefix });
    await queue.waitUntilReady();
    app = buildServer({ appId: '1', webhookSecret: SECRET, queue });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/api/github/webhooks`;
    redis = new Redis(REDIS_URL);
  });

  afterEach(async () => {
    await app.close();
    for (const mover of movers.splice(0)) await mover.close();
    await queue.queue.obliterate({ force: true });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await queue.close();
  });

  function mover(options: { claimIdleMs?: number; consumer?: string } = {}): IntakeMover {
    const m = createIntakeMover({ redisUrl: REDIS_URL, prefix, autorun: false, ...options });
    movers.push(m);
    return m;
  }

  async function deliver(
    number: number,
    headSha: string,
    options: { action?: 'opened' | 'synchronize'; deliveryId?: string } = {},
  ) {
    return postPullRequestDelivery({ url, secret: SECRET, number, headSha, ...options });
  }

  it('stores concurrent deliveries together, and a mover turns each into one gate job', async () => {
    // 40 PRs at once, plus a second copy of one delivery arriving in the same burst.
    const responses = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) =>
        deliver(i + 1, sha('a'), { deliveryId: `burst-${i + 1}` }),
      ),
      deliver(1, sha('a'), { deliveryId: 'burst-1' }),
    ]);
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(40);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(await queue.intakeBacklog()).toBe(40);
    // Nothing is a BullMQ job until a worker moves it.
    expect(await queue.queue.getWaitingCount()).toBe(0);

    expect(await mover().moveOnce()).toBe(40);
    expect(await queue.intakeBacklog()).toBe(0);
    expect(await queue.queue.getWaitingCount()).toBe(40);
    const job = await queue.queue.getJob(`octo/calc/17/${sha('a')}`);
    expect(job?.data).toMatchObject({ pullNumber: 17, headSha: sha('a'), deliveryId: 'burst-17' });
    // The metric reads the same backlog.
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^testgate_intake_backlog 0$/m);
  });

  it('a newer head SHA tells a worker running the older one to stop; the waiting job stays to ask GitHub', async () => {
    const first = await deliver(5, sha('1'));
    const second = await deliver(5, sha('2'), { action: 'synchronize' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const cancels: string[] = [];
    const subscriber = new Redis(REDIS_URL);
    await subscriber.subscribe(`${prefix}:gate:cancel`);
    subscriber.on('message', (_channel, message: string) => cancels.push(message));
    try {
      await mover().moveOnce();
      // Deliveries can arrive out of order: the older job stays and, when it runs, asks
      // GitHub for the pull request's head and skips itself if it is stale.
      expect(await (await queue.queue.getJob(`octo/calc/5/${sha('1')}`))?.getState()).toBe(
        'waiting',
      );
      expect(await (await queue.queue.getJob(`octo/calc/5/${sha('2')}`))?.getState()).toBe(
        'waiting',
      );
      // A worker already running the old head is told to stop.
      await expect.poll(() => cancels.length).toBe(1);
      expect(JSON.parse(cancels[0] ?? '{}')).toEqual({
        jobId: `octo/calc/5/${sha('1')}`,
        reason: 'superseded',
        supersededBy: sha('2'),
      });
    } finally {
      subscriber.disconnect();
    }
  });

  it('entries a dead mover read but never moved are claimed by another, and moved once', async () => {
    await deliver(1, sha('c'));
    await deliver(2, sha('d'));
    const live = mover({ claimIdleMs: 200 });
    await live.waitUntilReady();
    // A mover that reads both entries and dies before adding their jobs.
    const stream = intakeStreamKey(prefix, 'gate');
    const read = (await redis.xreadgroup(
      'GROUP',
      INTAKE_GROUP,
      'dead-mover',
      'COUNT',
      10,
      'STREAMS',
      stream,
      '>',
    )) as [string, unknown[]][];
    expect(read[0]?.[1]).toHaveLength(2);
    // Not yet idle long enough: the live mover leaves them to their owner.
    expect(await live.moveOnce()).toBe(0);
    expect(await queue.queue.getWaitingCount()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await live.moveOnce()).toBe(2);
    expect(await queue.queue.getWaitingCount()).toBe(2);
    expect(await queue.intakeBacklog()).toBe(0);
    expect(await redis.xpending(stream, INTAKE_GROUP)).toEqual([0, null, null, null]);
    // A second mover finds nothing left to do: no job twice.
    expect(await mover().moveOnce()).toBe(0);
    expect(await queue.queue.getWaitingCount()).toBe(2);
  });

  it('forgets consumers of processes long gone, but not one with entries pending', async () => {
    const stream = intakeStreamKey(prefix, 'gate');
    await deliver(6, sha('7'));
    expect(await mover({ consumer: 'worker-a' }).moveOnce()).toBe(1);
    // 'holder' read a delivery and never acknowledged it.
    await deliver(7, sha('8'));
    await redis.xreadgroup('GROUP', INTAKE_GROUP, 'holder', 'COUNT', 1, 'STREAMS', stream, '>');
    const names = async () =>
      ((await redis.xinfo('CONSUMERS', stream, INTAKE_GROUP)) as unknown[][]).map((c) => c[1]);
    expect(await names()).toEqual(expect.arrayContaining(['worker-a', 'holder']));
    await new Promise((r) => setTimeout(r, 100));
    const later = createIntakeMover({
      redisUrl: REDIS_URL,
      prefix,
      autorun: false,
      forgetConsumersAfterMs: 50,
    });
    movers.push(later);
    await later.moveOnce();
    const left = await names();
    expect(left).not.toContain('worker-a');
    expect(left).toContain('holder');
  });

  it('moves deliveries stored before any worker ever ran, and drops an entry it cannot read', async () => {
    await deliver(3, sha('e'));
    // Something other than the server wrote into the stream.
    await redis.xadd(intakeStreamKey(prefix, 'gate'), '*', 'job', '{"not":"a job"}');
    await deliver(4, sha('f'));
    const problems: string[] = [];
    const m = createIntakeMover({
      redisUrl: REDIS_URL,
      prefix,
      autorun: false,
      onProblem: ({ message }) => problems.push(message),
    });
    movers.push(m);
    expect(await m.moveOnce()).toBe(3);
    expect(await queue.queue.getWaitingCount()).toBe(2);
    expect(await queue.intakeBacklog()).toBe(0);
    expect(problems).toEqual([expect.stringContaining('dropped an intake entry')]);
  });

  it('a re-run of a finished head is moved as a fresh job of the same id', async () => {
    const first = await deliver(11, sha('5'));
    const jobId = String(first.body.jobId);
    await mover().moveOnce();
    // A worker finishes the job.
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker('gate', async () => 'judged', { connection, prefix });
    try {
      await expect
        .poll(async () => (await queue.queue.getJob(jobId))?.getState(), { timeout: 10_000 })
        .toBe('completed');
    } finally {
      await worker.close();
      connection.disconnect();
    }
    // "Re-run" on the check run of that head.
    const rerun = await signedDelivery({
      secret: SECRET,
      event: 'check_run',
      payload: {
        action: 'rerequested',
        installation: { id: 9 },
        repository: { name: 'calc', owner: { login: 'octo' }, default_branch: 'main' },
        check_run: {
          head_sha: sha('5'),
          app: { id: 1 },
          pull_requests: [
            { number: 11, head: { sha: sha('5'), ref: 'f' }, base: { sha: sha('b'), ref: 'main' } },
          ],
        },
      },
    });
    const res = await fetch(url, { method: 'POST', headers: rerun.headers, body: rerun.body });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ jobId });
    // Without the move it is still the finished job; after it, a waiting one again.
    expect(await (await queue.queue.getJob(jobId))?.getState()).toBe('completed');
    await mover().moveOnce();
    const again = await queue.queue.getJob(jobId);
    expect(await again?.getState()).toBe('waiting');
    expect(again?.data.event).toBe('check_run.rerequested');
  });

  it('a running mover moves a delivery within moments of the 202', async () => {
    const running = createIntakeMover({ redisUrl: REDIS_URL, prefix, blockMs: 200 });
    movers.push(running);
    await running.waitUntilReady();
    const res = await deliver(8, sha('9'));
    expect(res.status).toBe(202);
    await expect
      .poll(async () => (await queue.queue.getJob(String(res.body.jobId)))?.data.pullNumber, {
        timeout: 5000,
      })
      .toBe(8);
  });
});
