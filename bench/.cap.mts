import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { parseConfig } from '@testgate/core';
import { runGate } from '@testgate/pipeline';
import { createDockerRunner, ensureSandboxImage } from '@testgate/sandbox';
const dataDir = path.resolve('data/suite-scale');
const inner = createDockerRunner();
let n = 0;
const runner = {
  ...inner,
  async run(o: any) {
    const file = `/tmp/prof/input-${n++}.tar`;
    if (Buffer.isBuffer(o.stdin)) { const w = createWriteStream(file); w.end(o.stdin); }
    else if (o.stdin) { await pipeline(o.stdin, createWriteStream(file)); }
    console.log('captured', file, JSON.stringify(o.cmd), JSON.stringify({ ...o, stdin: undefined }).slice(0, 800));
    throw new Error('captured');
  },
};
const image = await ensureSandboxImage();
try {
  await runGate({ runner: runner as any, image, base: { kind: 'dir', path: path.join(dataDir, 'base') }, head: { kind: 'dir', path: path.join(dataDir, 'head') }, config: parseConfig(''), generate: 'off' });
} catch (e) { console.log(String(e).slice(0, 200)); }
