import { withTimeout } from '@testgate/core';
import type { GateQueue } from '@testgate/queue';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createServerMetrics, type ServerMetrics } from './metrics.ts';
import type { AddTestsIntake } from './add-tests-intake.ts';
import { registerGitHubWebhook } from './github-webhook.ts';

export { signatureMatches } from './github-webhook.ts';

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

interface ServerDeps {
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

  // The pino-typed instance is a FastifyInstance with a narrower logger type.
  registerGitHubWebhook(app as unknown as FastifyInstance, {
    path: webhookPath,
    appId: deps.appId,
    webhookSecret: deps.webhookSecret,
    queue: deps.queue,
    ...(deps.addTests === undefined ? {} : { addTests: deps.addTests }),
    metrics,
    quiet,
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
