import { pino } from 'pino';
import { loadWorkerConfig, WorkerConfigError } from './config.ts';
import { startWorker } from './start-worker.ts';

// The worker alone: the only process that talks to the Docker engine.
async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (error instanceof WorkerConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, name: 'testgate-worker' });
  const worker = await startWorker(config, { logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, graceMs: config.shutdownGraceMs },
      'shutting down: finishing the active job',
    );
    worker.close({ graceMs: config.shutdownGraceMs }).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

await main();
