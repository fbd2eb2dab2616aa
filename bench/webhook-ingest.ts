/**
 * `pnpm bench webhook-ingest [--duration S] [--connections N] [--rounds N]`
 *
 * Webhook intake throughput: a signed 21 KB `pull_request.opened` (from
 * @octokit/webhooks-examples), 20 connections for 10 s, against
 *   ours:   buildServer — signature check on the raw body, dedupe on X-GitHub-Delivery
 *           (a unique id per request), the delivery durably stored in the real Redis (the
 *           intake stream, see packages/queue/src/intake.ts), 202. After each round a
 *           mover turns every stored delivery into its BullMQ gate job, off the clock,
 *           and the gate jobs are counted: each 2xx must have become one;
 *   probot: a Probot app (createNodeMiddleware) with a no-op `pull_request.opened`
 *           handler on the same payload — the baseline, measured in the same run.
 * Each server runs in its own child process so autocannon does not share its event loop.
 * Every request carries a different PR number (a new job each time for us) and a new
 * delivery id, and is signed afresh (from a pre-hashed head, see `headSigner`); both
 * servers verify the full 21 KB. Five alternating rounds of each (`--rounds N`); each
 * figure is the median over its rounds.
 * Also printed: CPU per request of the server process and of Redis. BENCH_CPU_PROF_DIR=DIR
 * writes V8 CPU profiles of the server processes there.
 * Last line: `ratio: X` = our requests/s ÷ Probot's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import examples from '@octokit/webhooks-examples';
import autocannon from 'autocannon';

const SECRET = 'bench-webhook-secret';
const PATH = '/api/github/webhooks';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Example = { name: string; examples: Record<string, unknown>[] };
interface PullRequestExample {
  number: number;
  installation?: { id: number; node_id: string };
  pull_request: { number: number };
}

/**
 * The payload as a template whose PR number we vary per request. The number is the very
 * last member (`pull_request` last in the payload, `number` last in it; JSON member order
 * carries no meaning), so the varying text is a short tail after a ~21 KB fixed head.
 */
function payloadTemplate(): { head: string; tail: (n: number) => string } {
  const pr = (examples as unknown as Example[]).find((e) => e.name === 'pull_request');
  const source = pr?.examples.find((e) => e.action === 'opened');
  if (source === undefined) throw new Error('no pull_request.opened example');
  const payload = structuredClone(source) as unknown as PullRequestExample;
  const { pull_request: pullRequest, ...rest } = payload;
  const { number: _number, ...pullRequestRest } = pullRequest;
  const text = JSON.stringify({
    ...rest,
    installation: { id: 1, node_id: 'x' },
    number: 1,
    pull_request: { ...pullRequestRest, number: 999999999 },
  });
  const marker = '999999999}}';
  if (!text.endsWith(marker)) throw new Error('the PR number is not the last member');
  return { head: text.slice(0, -marker.length), tail: (n) => `${n}}}` };
}

/**
 * HMAC-SHA256 of `head + tail` with the head hashed once: the load generator signs every
 * request afresh without hashing 21 KB each time. Left to autocannon's one thread, that
 * hashing (~90 µs a request) made the load generator itself the bottleneck on two cores:
 * the faster server then showed the longer latencies, as its responses waited on the client.
 */
function headSigner(secret: string, head: string): (tail: string) => string {
  const blockSize = 64;
  if (Buffer.byteLength(secret) > blockSize) throw new Error('bench secret longer than a block');
  const key = Buffer.alloc(blockSize);
  Buffer.from(secret, 'utf8').copy(key);
  const pad = (byte: number) => Buffer.from(key.map((b) => b ^ byte));
  const inner = createHash('sha256').update(pad(0x36)).update(head);
  const outerPad = pad(0x5c);
  const sign = (tail: string) => {
    const innerDigest = inner.copy().update(tail).digest();
    return createHash('sha256').update(outerPad).update(innerDigest).digest('hex');
  };
  if (sign('7}}') !== createHmac('sha256', secret).update(`${head}7}}`).digest('hex'))
    throw new Error('the incremental HMAC does not match node:crypto');
  return sign;
}

async function serveOurs(): Promise<void> {
  const { buildServer } = await import('@testgate/server');
  const { createGateQueue, createIntakeMover } = await import('@testgate/queue');
  const prefix = `bench-ingest-${process.pid}`;
  const queue = createGateQueue({ redisUrl: REDIS_URL, prefix });
  await queue.waitUntilReady();
  const app = buildServer({ appId: '1', webhookSecret: SECRET, queue, logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const cpuAtListen = process.cpuUsage();
  process.send?.({ url });
  process.on('message', async () => {
    const cpu = process.cpuUsage(cpuAtListen);
    await app.close();
    // After the load, as a worker would: move every stored delivery into its BullMQ gate
    // job, and count the jobs. This is worker work, off the measured window.
    const movedAt = performance.now();
    const mover = createIntakeMover({ redisUrl: REDIS_URL, prefix, batchSize: 1000 });
    while ((await mover.moveOnce()) > 0);
    const moveSeconds = (performance.now() - movedAt) / 1000;
    await mover.close();
    const counts = await queue.queue.getJobCounts('waiting');
    const backlog = await queue.intakeBacklog();
    await queue.queue.obliterate({ force: true });
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    await queue.close();
    process.send?.({
      jobs: counts.waiting ?? 0,
      cpuMicros: cpu.user + cpu.system,
      moveSeconds,
      backlog,
    });
    process.exit(0);
  });
}

async function serveProbot(): Promise<void> {
  const { Probot, createNodeMiddleware } = await import('probot');
  const { pino } = await import('pino');
  const privateKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  const probot = new Probot({
    appId: 1,
    privateKey,
    secret: SECRET,
    log: pino({ level: 'silent' }),
  });
  let handled = 0;
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on('pull_request.opened', async () => {
        handled += 1;
      });
    },
    { probot, webhooksPath: PATH },
  );
  const server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cpuAtListen = process.cpuUsage();
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  process.on('message', () => {
    const cpu = process.cpuUsage(cpuAtListen);
    server.close();
    process.send?.({ jobs: handled, cpuMicros: cpu.user + cpu.system });
    process.exit(0);
  });
}

interface Result {
  rps: number;
  p99: number;
  p50: number;
  requests: number;
  non2xx: number;
  errors: number;
  jobs: number;
  /** Ours: seconds a mover took, after the load, to turn the stored deliveries into gate jobs. */
  moveSeconds?: number;
  /** Ours: deliveries left in the intake after that (0 when every one became a job). */
  backlog?: number;
  /** CPU time of the server process per request, in µs. */
  serverCpuPerRequest: number;
  /** CPU time of Redis per request, in µs (the whole Redis server: keep the machine quiet). */
  redisCpuPerRequest: number;
}

/** What a server child reports when told to stop. */
interface Stopped {
  jobs: number;
  cpuMicros: number;
  moveSeconds?: number;
  backlog?: number;
}

/** Redis' own CPU seconds (user + system) from INFO, to show what the durable write costs there. */
async function redisCpuSeconds(): Promise<number> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL);
  try {
    const info = await redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
    return field('used_cpu_user') + field('used_cpu_sys');
  } finally {
    redis.disconnect();
  }
}

async function measure(
  which: 'ours' | 'probot',
  options: { duration: number; connections: number },
): Promise<Result> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', which], {
    // BENCH_CPU_PROF_DIR=/some/dir writes a V8 CPU profile of each server process there.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`${which} server exited (${code})`)));
  });
  const template = payloadTemplate();
  const sign = headSigner(SECRET, template.head);
  const redisCpuBefore = await redisCpuSeconds();
  let n = 0;
  const run = autocannon({
    url: `${url}${PATH}`,
    connections: options.connections,
    duration: options.duration,
    requests: [
      {
        method: 'POST',
        setupRequest(req) {
          n += 1;
          const tail = template.tail(n);
          return {
            ...req,
            body: `${template.head}${tail}`,
            headers: {
              'content-type': 'application/json',
              'x-github-event': 'pull_request',
              'x-github-delivery': randomUUID(),
              'x-hub-signature-256': `sha256=${sign(tail)}`,
            },
          };
        },
      },
    ],
  });
  const result = await run;
  const redisCpu = (await redisCpuSeconds()) - redisCpuBefore;
  child.send('stop');
  const stopped = await new Promise<Stopped>((resolve) => child.once('message', resolve));
  await new Promise((r) => child.once('exit', r));
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    jobs: stopped.jobs,
    ...(stopped.moveSeconds === undefined ? {} : { moveSeconds: stopped.moveSeconds }),
    ...(stopped.backlog === undefined ? {} : { backlog: stopped.backlog }),
    serverCpuPerRequest: stopped.cpuMicros / result.requests.total,
    redisCpuPerRequest: (redisCpu * 1e6) / result.requests.total,
  };
}

const args = parseArgs({
  options: {
    serve: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    rounds: { type: 'string' },
  },
  strict: true,
});

if (args.values.serve === 'ours') await serveOurs();
else if (args.values.serve === 'probot') await serveProbot();
else {
  const options = {
    duration: Number(args.values.duration ?? 10),
    connections: Number(args.values.connections ?? 20),
  };
  const template = payloadTemplate();
  const size = Buffer.byteLength(`${template.head}${template.tail(1)}`);
  console.log(
    `webhook-ingest: pull_request.opened ${(size / 1024).toFixed(1)} KB, ${options.connections} connections, ${options.duration} s each`,
  );
  // Warm-up: JIT, connection pools, Redis scripts.
  await measure('ours', { duration: 2, connections: options.connections });
  await measure('probot', { duration: 2, connections: options.connections });
  // Alternating rounds, median of each: the machine is shared, and a burst of load from
  // elsewhere should hit both sides alike rather than one whole side.
  const rounds = Number(args.values.rounds ?? 5);
  const oursRuns: Result[] = [];
  const probotRuns: Result[] = [];
  for (let i = 0; i < rounds; i += 1) {
    oursRuns.push(await measure('ours', options));
    probotRuns.push(await measure('probot', options));
  }
  for (let i = 0; i < rounds; i += 1) {
    console.log(
      `round ${i + 1}: ours ${oursRuns[i]?.rps.toFixed(0)} req/s p99 ${oursRuns[i]?.p99} ms | probot ${probotRuns[i]?.rps.toFixed(0)} req/s p99 ${probotRuns[i]?.p99} ms`,
    );
  }
  // Each figure is the median over the rounds on its own: the round with the median
  // throughput need not be the one with the median tail.
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const summary = (runs: Result[]) => ({
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    serverCpu: median(runs.map((r) => r.serverCpuPerRequest)),
    redisCpu: median(runs.map((r) => r.redisCpuPerRequest)),
  });
  const ours = summary(oursRuns);
  const probot = summary(probotRuns);
  const line = (name: string, r: ReturnType<typeof summary>) =>
    `${name.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  CPU per request: server ${r.serverCpu.toFixed(0)} µs, Redis ${r.redisCpu.toFixed(0)} µs`;
  console.log(`medians over ${rounds} rounds:`);
  console.log(line('ours', ours));
  console.log(line('probot', probot));
  const stored = oursRuns.reduce((n, r) => n + r.requests, 0);
  const jobs = oursRuns.reduce((n, r) => n + r.jobs, 0);
  const left = oursRuns.reduce((n, r) => n + (r.backlog ?? 0), 0);
  const errors = [...oursRuns, ...probotRuns].reduce((n, r) => n + r.non2xx + r.errors, 0);
  const moveSeconds = median(oursRuns.map((r) => r.moveSeconds ?? 0));
  console.log(
    `ours: ${stored} requests over the rounds; a mover then turned the stored deliveries into ${jobs} BullMQ gate jobs (${left} left in the intake; the jobs also count each round's last in-flight requests), ${moveSeconds.toFixed(1)} s per round; ${errors} non-2xx or errors on either side`,
  );
  console.log(
    `p99: ours ${ours.p99} ms vs probot ${probot.p99} ms (${ours.p99 <= probot.p99 ? 'no worse' : 'WORSE'})`,
  );
  console.log(`ratio: ${(ours.rps / probot.rps).toFixed(2)}`);
}
