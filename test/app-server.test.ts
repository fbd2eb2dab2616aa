import { buildServer } from '@testgate/server';
import {
  createGateQueue,
  createIntakeMover,
  type GateQueue,
  type IntakeMover,
} from '@testgate/queue';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pullRequestPayload, signedDelivery, uniquePrefix } from './fakes/github-fixtures.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'it-is-a-secret';
const APP_ID = '4242';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

function payload(overrides: Partial<Parameters<typeof pullRequestPayload>[0]> = {}) {
  return pullRequestPayload({
    action: 'opened',
    owner: 'octo',
    repo: 'calc',
    number: 7,
    headSha: HEAD,
    baseSha: BASE,
    installationId: 99,
    ...overrides,
  });
}

describe('webhook server', () => {
  let queue: GateQueue;
  let mover: IntakeMover;
  let app: ReturnType<typeof buildServer>;
  let prefix: string;

  beforeEach(async () => {
    prefix = uniquePrefix('server');
    queue = createGateQueue({ redisUrl: REDIS_URL, prefix });
    await queue.waitUntilReady();
    // What a worker does with stored deliveries, stepped by the test (`moved()`).
    mover = createIntakeMover({ redisUrl: REDIS_URL, prefix, autorun: false });
    app = buildServer({ appId: APP_ID, webhookSecret: SECRET, queue });
  });

  /** Moves every stored delivery into its gate job, as a worker would. */
  async function moved() {
    while ((await mover.moveOnce()) > 0);
    return queue.queue;
  }

  afterEach(async () => {
    await app.close();
    await mover.close();
    await queue.queue.obliterate({ force: true });
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await queue.close();
  });

  async function post(event: string, body: unknown, deliveryId?: string) {
    const d = await signedDelivery({
      secret: SECRET,
      event,
      payload: body,
      ...(deliveryId ? { deliveryId } : {}),
    });
    return app.inject({
      method: 'POST',
      url: '/api/github/webhooks',
      headers: d.headers,
      payload: d.body,
    });
  }

  it('queues one job for a signed pull_request.opened and answers 202', async () => {
    const res = await post('pull_request', payload());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ ok: true, jobId: `octo/calc/7/${HEAD}` });
    expect(await queue.intakeBacklog()).toBe(1);
    const job = await (await moved()).getJob(`octo/calc/7/${HEAD}`);
    expect(await queue.intakeBacklog()).toBe(0);
    expect(job?.data).toMatchObject({
      owner: 'octo',
      repo: 'calc',
      pullNumber: 7,
      headSha: HEAD,
      baseSha: BASE,
      host: { kind: 'github', installationId: 99 },
    });
  });

  it('rejects a forged or missing signature with 401 and queues nothing', async () => {
    const d = await signedDelivery({
      secret: 'not-the-secret',
      event: 'pull_request',
      payload: payload(),
    });
    const forged = await app.inject({
      method: 'POST',
      url: '/api/github/webhooks',
      headers: d.headers,
      payload: d.body,
    });
    expect(forged.statusCode).toBe(401);
    const { 'x-hub-signature-256': _sig, ...unsigned } = d.headers;
    const missing = await app.inject({
      method: 'POST',
      url: '/api/github/webhooks',
      headers: unsigned,
      payload: d.body,
    });
    expect(missing.statusCode).toBe(401);
    // Tampered body under a valid signature.
    const good = await signedDelivery({
      secret: SECRET,
      event: 'pull_request',
      payload: payload(),
    });
    const tampered = await app.inject({
      method: 'POST',
      url: '/api/github/webhooks',
      headers: good.headers,
      payload: good.body.replace('"number":7', '"number":8'),
    });
    expect(tampered.statusCode).toBe(401);
    expect(await queue.intakeBacklog()).toBe(0);
    expect(await (await moved()).getJobCounts()).toMatchObject({
      waiting: 0,
      active: 0,
      delayed: 0,
    });
  });

  it('queues the same delivery once', async () => {
    const first = await post('pull_request', payload(), 'delivery-1');
    const second = await post('pull_request', payload(), 'delivery-1');
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ duplicate: true });
    expect(await (await moved()).getWaitingCount()).toBe(1);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/testgate_webhook_duplicates_total\{event="pull_request"\} 1/);
    expect(metrics.body).toMatch(
      /testgate_webhook_deliveries_total\{event="pull_request",result="queued"\} 1/,
    );
  });

  it('acknowledges events it does not act on without queueing', async () => {
    const closed = await post('pull_request', payload({ action: 'closed' }));
    expect(closed.statusCode).toBe(200);
    const push = await post('push', { ref: 'refs/heads/main' });
    expect(push.statusCode).toBe(200);
    const otherApp = await post('check_run', {
      action: 'rerequested',
      installation: { id: 99 },
      repository: { name: 'calc', owner: { login: 'octo' }, default_branch: 'main' },
      check_run: {
        head_sha: HEAD,
        app: { id: 1 },
        pull_requests: [
          { number: 7, head: { sha: HEAD, ref: 'f' }, base: { sha: BASE, ref: 'main' } },
        ],
      },
    });
    expect(otherApp.statusCode).toBe(200);
    expect(otherApp.json()).toMatchObject({ ignored: 'check run belongs to another app' });
    expect(await queue.intakeBacklog()).toBe(0);
    expect(await (await moved()).getWaitingCount()).toBe(0);
  });

  it('re-runs on check_run.rerequested for our own app', async () => {
    const res = await post('check_run', {
      action: 'rerequested',
      installation: { id: 99 },
      repository: { name: 'calc', owner: { login: 'octo' }, default_branch: 'main' },
      check_run: {
        head_sha: HEAD,
        app: { id: Number(APP_ID) },
        pull_requests: [
          { number: 7, head: { sha: HEAD, ref: 'f' }, base: { sha: BASE, ref: 'main' } },
        ],
      },
    });
    expect(res.statusCode).toBe(202);
    expect(await (await moved()).getWaitingCount()).toBe(1);
  });

  it('answers 415 to a non-JSON body, 400 to bad JSON, 413 past 25 MB', async () => {
    const form = await app.inject({
      method: 'POST',
      url: '/api/github/webhooks',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'payload=%7B%7D',
    });
    expect(form.statusCode).toBe(415);
    const bad = await signedDelivery({ secret: SECRET, event: 'pull_request', payload: {} });
    const notJson = '{not json';
    const { sign } = await import('@octokit/webhooks-methods');
    const badRes = await app.inject({
      method: 'POST',
      url: '/api/github/webhooks',
      headers: { ...bad.headers, 'x-hub-signature-256': await sign(SECRET, notJson) },
      payload: notJson,
    });
    expect(badRes.statusCode).toBe(400);
    const huge = await app.inject({
      method: 'POST',
      url: '/api/github/webhooks',
      headers: bad.headers,
      payload: `{"a":"${'x'.repeat(25 * 1024 * 1024)}"}`,
    });
    expect(huge.statusCode).toBe(413);
  });

  it('is ready when Redis answers', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true, checks: { redis: 'ok' } });
  });
});

describe('webhook server without Redis', () => {
  it('answers 503 (never a 2xx for work not queued) and is not ready', async () => {
    // A port nothing listens on.
    const queue = createGateQueue({
      redisUrl: 'redis://127.0.0.1:1',
      prefix: uniquePrefix('down'),
    });
    const app = buildServer({
      appId: APP_ID,
      webhookSecret: SECRET,
      queue,
      readiness: { docker: async () => {} },
    });
    try {
      const d = await signedDelivery({ secret: SECRET, event: 'pull_request', payload: payload() });
      const started = Date.now();
      const res = await app.inject({
        method: 'POST',
        url: '/api/github/webhooks',
        headers: d.headers,
        payload: d.body,
      });
      expect(res.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ ready: false, checks: { docker: 'ok' } });
    } finally {
      await app.close();
      await queue.close();
    }
  });
});
