/**
 * pingDocker against the real engine, a socket nobody listens on, and an "engine" that
 * accepts the connection but never answers (a hung dockerd).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { isSandboxError, pingDocker } from '../src/index.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'testgate-ping-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function pingError(options: Parameters<typeof pingDocker>[0]): Promise<unknown> {
  return pingDocker(options).then(
    () => new Error('pingDocker resolved'),
    (error: unknown) => error,
  );
}

describe('pingDocker', () => {
  it('resolves when the engine answers', async () => {
    await expect(pingDocker()).resolves.toBeUndefined();
    await expect(pingDocker({ docker: new Docker(), timeoutMs: 5000 })).resolves.toBeUndefined();
  });

  it('throws DOCKER_UNAVAILABLE, naming scripts/ensure-docker.sh, when the socket is missing', async () => {
    const docker = new Docker({ socketPath: join(tempDir(), 'no-such-docker.sock') });
    const error = await pingError({ docker });
    expect(isSandboxError(error, 'DOCKER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('run scripts/ensure-docker.sh');
    expect((error as Error).message).toContain('ENOENT');
  });

  it('gives up after timeoutMs when the engine accepts but never answers', async () => {
    const socketPath = join(tempDir(), 'hung-docker.sock');
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      // Reads the request, never writes a byte back.
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );

    const started = Date.now();
    const error = await pingError({ docker: new Docker({ socketPath }), timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(isSandboxError(error, 'DOCKER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('no answer within 300 ms');
    expect((error as Error).message).toContain('run scripts/ensure-docker.sh');
    expect(sockets.size).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
  });
});
