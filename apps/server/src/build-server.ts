import { createHmac, timingSafeEqual } from 'node:crypto';
import { withTimeout } from '@testgate/core';
import { QueueError, type GateQueue } from '@testgate/queue';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { createServerMetrics, type DeliveryResult, type ServerMetrics } from './metrics.ts';
import type { AddTestsIntake } from './add-tests-intake.ts';
import { planDelivery, type DeliveryPlan } from './webhook-plan.ts';

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

export interface ServerDeps {
  /** GitHub App id: check runs of other apps are ignored. */
  appId: string;
  webhookSecret: string;
  /** @defaultValue '/api/github/webhooks' */
  webhookPath?: string;
  queue: Pick<GateQueue, 'enqueueDelivery' | 'ping'> &
    Partial<
      Pick<
        GateQueue,
        'intakeBacklog' | 'intakeGroupsRecreated' | 'runsPastDeadline' | 'gateCounters'
      >
    >;
  /** Where "Add tests" clicks go; without it they are answered 200 and ignored. */
  addTests?: AddTestsIntake;
  /** A pino logger; `false` for none. @defaultValue false */
  logger?: Logger | false;
  /**
   * Extra readiness checks besides Redis, e.g. `{ docker: pingDocker }` when the worker
   * runs in the same process. Each throws when not ready.
   */
  readiness?: Record<string, () => Promise<void>>;
  metrics?: ServerMetrics;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the webhook server; only `main.ts` listens. */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const webhookPath = deps.webhookPath ?? '/api/github/webhooks';
  const { intakeBacklog, intakeGroupsRecreated, runsPastDeadline, gateCounters } = deps.queue;
  const metrics =
    deps.metrics ??
    createServerMetrics({
      ...(intakeBacklog === undefined
        ? {}
        : { intakeBacklog: () => intakeBacklog.call(deps.queue) }),
      ...(intakeGroupsRecreated === undefined
        ? {}
        : { intakeGroupsRecreated: () => intakeGroupsRecreated.call(deps.queue) }),
      ...(runsPastDeadline === undefined
        ? {}
        : { runsPastDeadline: () => runsPastDeadline.call(deps.queue) }),
      ...(gateCounters === undefined ? {} : { gateCounters: () => gateCounters.call(deps.queue) }),
    });
  const app = Fastify({
    bodyLimit: WEBHOOK_BODY_LIMIT,
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
  });

  // The body reaches the handler as the text GitHub sent, unparsed: the HMAC runs over it
  // (re-encoded to the same UTF-8 bytes, as @octokit/webhooks verifies) and JSON.parse
  // happens only after verification. Text rather than a Buffer: Fastify then decodes the
  // chunks as they come instead of concatenating them into a fresh 20 KB ArrayBuffer per
  // delivery, whose off-heap total kept V8 running full mark-compacts under load (9 in 6 s
  // of the webhook benchmark, 3 with text; they are the intake's longest pauses).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    done(null, body);
  });

  // With logging off, skip building a child logger per delivery (a visible cost in the
  // intake profile); the no-op logger has the same shape.
  const quiet = deps.logger === undefined || deps.logger === false;

  app.post(webhookPath, async (request, reply) => {
    const eventHeader = header(request.headers['x-github-event']);
    const event = eventHeader ?? 'unknown';
    const deliveryId = header(request.headers['x-github-delivery']);
    const signature = header(request.headers['x-hub-signature-256']);
    const log = quiet ? request.log : request.log.child({ deliveryId, event });
    const count = (result: DeliveryResult) => metrics.countDelivery(event, result);
    const body = typeof request.body === 'string' ? request.body : undefined;

    if (
      signature === undefined ||
      body === undefined ||
      body.length === 0 ||
      !signatureMatches(deps.webhookSecret, body, signature)
    ) {
      count('unauthorized');
      log.warn({ hasSignature: signature !== undefined }, 'webhook signature missing or wrong');
      return reply.code(401).send({ error: 'signature does not match: check the webhook secret' });
    }
    if (deliveryId === undefined || eventHeader === undefined) {
      count('bad-request');
      return reply
        .code(400)
        .send({ error: 'X-GitHub-Event and X-GitHub-Delivery headers are required' });
    }
    const plan = planFromBody(event, body, deps.appId);
    if (plan === undefined) {
      count('bad-request');
      return reply.code(400).send({ error: 'body is not JSON' });
    }
    if (plan.action === 'add-tests') {
      if (deps.addTests === undefined) {
        count('ignored');
        return reply.code(200).send({ ok: true, ignored: 'add tests is not wired in this server' });
      }
      try {
        const result = await deps.addTests.enqueueAddTests({ ...plan.request, deliveryId });
        count(result.status === 'duplicate' ? 'duplicate' : 'queued');
        log.info({ ...result, checkRunId: plan.request.checkRunId }, 'add tests requested');
        return result.status === 'duplicate'
          ? reply.code(200).send({ ok: true, duplicate: true })
          : reply.code(202).send({ ok: true, jobId: result.jobId });
      } catch (error) {
        return notStored(error, { reply, count, log, what: 'click', job: 'add-tests job' });
      }
    }
    if (plan.action !== 'enqueue') {
      count('ignored');
      if (plan.action === 'log') log.info({ reason: plan.reason }, 'installation event');
      else log.debug({ reason: plan.reason }, 'delivery ignored');
      return reply.code(200).send({ ok: true, ignored: plan.reason });
    }

    const started = performance.now();
    try {
      const result = await deps.queue.enqueueDelivery(
        deliveryId,
        { ...plan.job, deliveryId },
        { rerun: plan.rerun },
      );
      if (result.status === 'duplicate') {
        count('duplicate');
        metrics.countDuplicate(event);
        log.info('duplicate delivery dropped');
        return reply.code(200).send({ ok: true, duplicate: true });
      }
      metrics.observeEnqueue(event, (performance.now() - started) / 1000);
      count('queued');
      log.info({ jobId: result.jobId, superseded: result.superseded }, 'gate job queued');
      return reply.code(202).send({ ok: true, jobId: result.jobId });
    } catch (error) {
      return notStored(error, { reply, count, log, what: 'delivery', job: 'gate job' });
    }
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, () => Promise<void>> = {
      redis: () => deps.queue.ping(),
      ...deps.readiness,
    };
    const results: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000, name);
          results[name] = 'ok';
        } catch (error) {
          ready = false;
          results[name] = error instanceof Error ? error.message : String(error);
        }
      }),
    );
    return reply.code(ready ? 200 : 503).send({ ready, checks: results });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  // The pino-typed instance is a FastifyInstance with a narrower logger type.
  return app as unknown as FastifyInstance;
}

/**
 * GitHub's X-Hub-Signature-256: `sha256=` + hex HMAC-SHA256 of the raw body. Checked with a
 * synchronous HMAC and a constant-time compare: the same check as
 * @octokit/webhooks-methods' `verify`, without WebCrypto's async round trip on every
 * delivery (it showed up as the biggest cost after JSON.parse in the intake profile).
 */
export function signatureMatches(
  secret: string,
  body: string | Buffer,
  signature: string,
): boolean {
  if (!signature.startsWith('sha256=')) return false;
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  const hmac = createHmac('sha256', secret);
  const expected = (
    typeof body === 'string' ? hmac.update(body, 'utf8') : hmac.update(body)
  ).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Parses and plans in a frame of its own, so the parsed payload (a few hundred objects) is
 * garbage before the handler waits for Redis, rather than held by the suspended handler
 * and copied by every young-generation GC that runs during the wait.
 */
function planFromBody(event: string, body: string, appId: string): DeliveryPlan | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return undefined;
  }
  return planDelivery(event, payload, appId);
}

/**
 * The answer when a job was not stored. Fields that fail the job schema would fail the
 * same way on redelivery: 200, ignored. Anything else is never a 2xx for work not queued:
 * 503, so GitHub shows the failed delivery and it can be redelivered.
 */
function notStored(
  error: unknown,
  context: {
    reply: FastifyReply;
    count: (result: DeliveryResult) => void;
    log: FastifyBaseLogger;
    what: string;
    job: string;
  },
) {
  const { reply, count, log } = context;
  if (error instanceof QueueError && error.code === 'INVALID_JOB_DATA') {
    count('ignored');
    return reply
      .code(200)
      .send({ ok: true, ignored: `the ${context.what} carries fields we cannot use` });
  }
  count('unavailable');
  log.error({ err: error }, `cannot enqueue the ${context.job}`);
  return reply.code(503).header('retry-after', '10').send({ error: 'queue unavailable' });
}
