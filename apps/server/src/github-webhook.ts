/**
 * The GitHub webhook route: GitHub's headers (X-GitHub-Event, X-GitHub-Delivery,
 * X-Hub-Signature-256), its payloads (webhook-plan.ts) and its answers. Another code host
 * gets a route of its own beside this one, enqueueing the same gate job.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { QueueError, type GateQueue } from '@testgate/queue';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import type { AddTestsIntake } from './add-tests-intake.ts';
import type { DeliveryResult, ServerMetrics } from './metrics.ts';
import { planDelivery, type DeliveryPlan } from './webhook-plan.ts';

interface GitHubWebhookOptions {
  path: string;
  /** GitHub App id: check runs of other apps are ignored. */
  appId: string;
  webhookSecret: string;
  queue: Pick<GateQueue, 'enqueueDelivery'>;
  /** Where "Add tests" clicks go; without it they are answered 200 and ignored. */
  addTests?: AddTestsIntake;
  metrics: ServerMetrics;
  /** No child logger per delivery (logging is off). */
  quiet: boolean;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Verifies, plans and enqueues GitHub deliveries at `options.path`; answers at once. */
export function registerGitHubWebhook(app: FastifyInstance, options: GitHubWebhookOptions): void {
  const { metrics } = options;
  app.post(options.path, async (request, reply) => {
    const eventHeader = header(request.headers['x-github-event']);
    const event = eventHeader ?? 'unknown';
    const deliveryId = header(request.headers['x-github-delivery']);
    const signature = header(request.headers['x-hub-signature-256']);
    const log = options.quiet ? request.log : request.log.child({ deliveryId, event });
    const count = (result: DeliveryResult) => metrics.countDelivery(event, result);
    const body = typeof request.body === 'string' ? request.body : undefined;

    if (
      signature === undefined ||
      body === undefined ||
      body.length === 0 ||
      !signatureMatches(options.webhookSecret, body, signature)
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
    const plan = planFromBody(event, body, options.appId);
    if (plan === undefined) {
      count('bad-request');
      return reply.code(400).send({ error: 'body is not JSON' });
    }
    if (plan.action === 'add-tests') {
      if (options.addTests === undefined) {
        count('ignored');
        return reply.code(200).send({ ok: true, ignored: 'add tests is not wired in this server' });
      }
      try {
        const result = await options.addTests.enqueueAddTests({ ...plan.request, deliveryId });
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
      const result = await options.queue.enqueueDelivery(
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
