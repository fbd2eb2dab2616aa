/**
 * A Redis without persistence restarts empty under a running server and worker-side mover
 * (a private redis-server on 127.0.0.1, killed and started again on the same port): the
 * mover recreates its consumer group and the next delivery becomes a gate job with no
 * process restarted; the server's /metrics counts the recreation and both processes' start
 * warning says what such a Redis loses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { buildServer } from '@testgate/server';
import {
  createGateQueue,
  createIntakeMover,
  redisDurabilityWarnings,
  type GateQueue,
  type IntakeMover,
} from '@testgate/queue';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postPullRequestDelivery } from './fakes/github-fixtures.ts';

const SECRET = 'restart-secret';
const sha = (c: string) => c.repeat(40);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** redis-server with no persistence at all: what a restart loses is everything. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50 });
  client.on('error', () => {});
  const until = Date.now() + 10_000;
  while ((await client.ping().catch(() => 'down')) !== 'PONG') {
    if (Date.now() > until) throw new Error(`redis-server on port ${port} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  client.disconnect();
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('Redis restarted without its data', () => {
  let port: number;
  let redisUrl: string;
  let redis: ChildProcess;
  let queue: GateQueue;
  let app: ReturnType<typeof buildServer>;
  let url: string;
  let mover: IntakeMover;
  const problems: { message: string; kind?: string }[] = [];

  beforeAll(async () => {
    port = await freePort();
    redisUrl = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    queue = createGateQueue({ redisUrl, prefix: 'restart' });
    await queue.waitUntilReady();
    app = buildServer({ appId: '1', webhookSecret: SECRET, queue });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/api/github/webhooks`;
    mover = createIntakeMover({
      redisUrl,
      prefix: 'restart',
      blockMs: 200,
      onProblem: (problem) => problems.push(problem),
    });
    await mover.waitUntilReady();
  });

  afterAll(async () => {
    await mover?.close();
    await app?.close();
    await queue?.close();
    if (redis !== undefined) await stop(redis);
  });

  async function deliver(number: number, headSha: string): Promise<number> {
    return (await postPullRequestDelivery({ url, secret: SECRET, number, headSha })).status;
  }

  const jobState = async (number: number, headSha: string) =>
    (await (await queue.queue.getJob(`octo/calc/${number}/${headSha}`))?.getState()) ?? 'none';

  it('recreates the consumer group and moves the next delivery, with no process restarted', async () => {
    expect(await deliver(1, sha('a'))).toBe(202);
    await expect.poll(() => jobState(1, sha('a')), { timeout: 10_000 }).toBe('waiting');

    await stop(redis);
    redis = await startRedis(port);

    // The server answers 503 until its connection is back, then stores the delivery.
    await expect.poll(() => deliver(2, sha('c')), { timeout: 15_000, interval: 200 }).toBe(202);
    await expect.poll(() => jobState(2, sha('c')), { timeout: 15_000 }).toBe('waiting');
    expect(problems.filter((p) => p.kind === 'group-recreated')).toHaveLength(1);
    expect(problems.find((p) => p.kind === 'group-recreated')?.message).toContain(
      'the intake consumer group was missing (did Redis restart without its data?)',
    );
    expect(await queue.intakeGroupsRecreated()).toBe(1);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^testgate_intake_groups_recreated 1$/m);
  }, 60_000);

  it('says at start what a Redis without persistence loses', async () => {
    expect(await redisDurabilityWarnings(redisUrl)).toEqual([
      'Redis keeps nothing across a restart (appendonly no, save ""): deliveries not yet judged and queued jobs are lost; set appendonly yes',
    ]);
  });
});
