import { pino } from 'pino';
import { ConfigEnvError, loadConfig } from './config.ts';
import { startServer } from './start-server.ts';

// The webhook server alone (docker/compose.yml runs it apart from the worker, which is
// the only process with the Docker socket; so readiness here is Redis only).
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigEnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, name: 'testgate-server' });
  const server = await startServer({ config, logger });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

await main();
