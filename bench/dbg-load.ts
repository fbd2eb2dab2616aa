import autocannon from 'autocannon';
import { createHmac, randomUUID } from 'node:crypto';
import examples from '@octokit/webhooks-examples';
const pr = (examples as any).find((e: any) => e.name === 'pull_request').examples.find((e: any) => e.action === 'opened');
pr.installation = { id: 1 }; 
let n = 0;
const r = await autocannon({ url: 'http://127.0.0.1:39123/api/github/webhooks', connections: 20, duration: 5, requests: [{ method: 'POST', setupRequest(req) { n++; pr.pull_request.number = n; const body = JSON.stringify(pr); return { ...req, body, headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': 'sha256=' + createHmac('sha256', 'bench-webhook-secret').update(body).digest('hex') } }; } }] });
console.log(r.requests.average, r.latency.p99, r.non2xx);
