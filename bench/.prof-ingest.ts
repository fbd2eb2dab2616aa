import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
// temp profiling driver (not committed): forks bench child "ours" with --cpu-prof, runs autocannon, reports redis CPU
import { fork } from 'node:child_process';
import { randomUUID, createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
const here = path.dirname(fileURLToPath(import.meta.url));
const prof = process.env.PROF === '1';
const which = process.env.WHICH ?? 'ours';
const child = fork(path.join(here, 'webhook-ingest.ts'), ['--serve', which], {
  execArgv: ['--import', 'tsx', ...(prof ? ['--cpu-prof', '--cpu-prof-dir=/tmp/qprof'] : [])],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const url = await new Promise<string>((r) => child.once('message', (m: any) => r(m.url)));
const examples = (await import('@octokit/webhooks-examples')).default as any;
const src = structuredClone(examples.find((e: any) => e.name === 'pull_request').examples.find((e: any) => e.action === 'opened'));
src.installation = { id: 1, node_id: 'x' }; src.pull_request.number = 999999999; src.number = 1;
const text = JSON.stringify(src); const at = text.indexOf('"number":999999999');
const before = text.slice(0, at) + '"number":'; const after = text.slice(at + '"number":999999999'.length);
const redis = new Redis('redis://127.0.0.1:6379');
const cpu = async () => { const info = await redis.info('cpu'); const m = /used_cpu_sys:([\d.]+)[\s\S]*used_cpu_user:([\d.]+)/.exec(info)!; return Number(m[1]) + Number(m[2]); };
const pcpu = () => { const f = require('node:fs').readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10000; };
const c0 = await cpu(); const p0 = pcpu();
let n = 0;
const res = await autocannon({ url: `${url}/api/github/webhooks`, connections: 20, duration: Number(process.env.DUR ?? 10), requests: [{ method: 'POST', setupRequest(req: any) { n++; const body = `${before}${n}${after}`; return { ...req, body, headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${createHmac('sha256', 'bench-webhook-secret').update(body).digest('hex')}` } }; } }] });
const c1 = await cpu(); const p1 = pcpu();
child.send('stop');
const jobs = await new Promise<number>((r) => child.once('message', (m: any) => r(m.jobs)));
console.log(`rps ${res.requests.average} p99 ${res.latency.p99} non2xx ${res.non2xx} errors ${res.errors} jobs ${jobs} total ${res.requests.total} serverCPU/req ${((p1 - p0) / res.requests.total).toFixed(0)} us redisCPU/req ${(((c1 - c0) / res.requests.total) * 1e6).toFixed(1)} us`);
redis.disconnect();
