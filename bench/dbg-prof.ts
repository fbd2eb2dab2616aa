import { buildServer } from '@testgate/server';
import { createGateQueue } from '@testgate/queue';
const queue = createGateQueue({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'bench-prof' });
await queue.waitUntilReady();
const app = buildServer({ appId: '1', webhookSecret: 'bench-webhook-secret', queue, logger: false });
await app.listen({ port: 39123, host: '127.0.0.1' });
setTimeout(async () => { await app.close(); await queue.queue.obliterate({ force: true }); await queue.close(); process.exit(0); }, 9000);
