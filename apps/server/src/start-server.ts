import { createGateQueue, redisDurabilityWarnings, type GateQueue } from '@testgate/queue';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { createAddTestsIntake } from './add-tests-intake.ts';
import { buildServer } from './build-server.ts';
import type { AppConfig } from './config.ts';

interface RunningServer {
  app: FastifyInstance;
  queue: GateQueue;
  url: string;
  close(): Promise<void>;
}

/** Builds and listens: used by `main.ts` and `testgate serve`. */
export async function startServer(options: {
  config: AppConfig;
  logger?: Logger;
  readiness?: Record<string, () => Promise<void>>;
}): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel, name: 'testgate-server' });
  const queue = createGateQueue({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    logger: logger.child({ component: 'queue' }),
  });
  await queue.waitUntilReady().catch((error: unknown) => {
    // Start anyway: /readyz reports the outage and deliveries get 503 until Redis is back.
    logger.warn({ err: error }, 'Redis is not reachable yet');
  });
  const app = buildServer({
    appId: config.appId,
    webhookSecret: config.webhookSecret,
    webhookPath: config.webhookPath,
    queue,
    addTests: createAddTestsIntake(queue),
    logger,
    ...(options.readiness === undefined ? {} : { readiness: options.readiness }),
  });
  const url = await app.listen({ port: config.port, host: config.host });
  logger.info({ url, webhookPath: config.webhookPath }, 'testgate server listening');
  for (const warning of await redisDurabilityWarnings(config.redisUrl)) logger.warn(warning);
  return {
    app,
    queue,
    url,
    async close() {
      await app.close();
      await queue.close();
    },
  };
}
