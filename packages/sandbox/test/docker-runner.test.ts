/**
 * Containment of the raw Docker runner against the real engine and the real sandbox image.
 * Each case runs hostile Python and asserts what the caller is told, and that no container
 * is left behind (every container carries this file's own label).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildContainerSpec,
  createDockerRunner,
  DEFAULT_LIMITS,
  ensureSandboxImage,
  isSandboxError,
  reapSandboxes,
  sandboxResultError,
  SANDBOX_LABEL_APP,
  SANDBOX_LABEL_CREATED_AT,
  SANDBOX_LABEL_EXPIRES_AT,
  SANDBOX_LABEL_JOB,
} from '../src/index.ts';
import type { SandboxRunRequest, SandboxRunResult } from '../src/index.ts';

const docker = new Docker();
const runner = createDockerRunner({ docker });
const TEST_LABEL = 'testgate.test';
const testRun = `docker-runner-${randomBytes(4).toString('hex')}`;
let image = '';

beforeAll(async () => {
  image = await ensureSandboxImage({ docker });
});

afterEach(async () => {
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`${TEST_LABEL}=${testRun}`] },
  });
  expect(left.map((container) => container.Names)).toEqual([]);
});

function python(code: string, extra: Partial<SandboxRunRequest> = {}): Promise<SandboxRunResult> {
  return runner.run({
    image,
    cmd: ['python3', '-I', '-c', code],
    jobId: 'sandbox-test',
    labels: { [TEST_LABEL]: testRun },
    ...extra,
  });
}

describe('container spec', () => {
  it('mounts the environment volume at /env and nothing else, read-only unless asked', () => {
    const spec = (readOnly: boolean) =>
      buildContainerSpec({
        image: 'x',
        cmd: ['true'],
        limits: DEFAULT_LIMITS,
        labels: { app: 'testgate' },
        name: 'n',
        environment: { volume: 'testgate-env-abc', readOnly },
      }).HostConfig ?? {};
    expect(spec(true).Mounts).toEqual([
      { Type: 'volume', Source: 'testgate-env-abc', Target: '/env', ReadOnly: true },
    ]);
    expect(spec(false).Mounts?.[0]?.ReadOnly).toBe(false);
    expect(spec(true).Binds).toEqual([]);
    expect(spec(true).ReadonlyRootfs).toBe(true);
    expect(spec(true).NetworkMode).toBe('none');
  });

  it('applies every sandbox invariant', () => {
    const spec = buildContainerSpec({
      image: 'x',
      cmd: ['true'],
      limits: DEFAULT_LIMITS,
      labels: { app: 'testgate' },
      name: 'n',
    });
    const host = spec.HostConfig ?? {};
    expect(host.NetworkMode).toBe('none');
    expect(spec.NetworkDisabled).toBe(true);
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toContain('no-new-privileges');
    expect(spec.User).toBe('10001:10001');
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Memory).toBe(host.MemorySwap);
    expect(host.PidsLimit).toBe(256);
    expect(host.NanoCpus).toBe(1.5e9);
    expect(host.Init).toBe(true);
    expect(host.Binds).toEqual([]);
    expect(host.Mounts).toEqual([]);
    expect(host.Privileged).toBe(false);
    expect(host.ShmSize).toBe(64 * 2 ** 20);
    expect(host.LogConfig?.Type).toBe('none');
    expect(Object.keys(host.Tmpfs ?? {}).sort()).toEqual(['/tmp', '/work']);
    expect(host.Ulimits?.map((u) => u.Name).sort()).toEqual(['core', 'fsize', 'nofile', 'nproc']);
    expect(JSON.stringify(spec)).not.toContain('docker.sock');
  });
});

describe('docker runner', () => {
  it('runs as uid 10001 with no capabilities, no new privileges and the limits in force', async () => {
    const result = await python(
      [
        'import os, json, resource',
        'st = dict(l.split(":\\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\\t" in l)',
        'cg = lambda p: open("/sys/fs/cgroup/" + p).read().strip()',
        'print(json.dumps({"uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(),',
        '  "capEff": st["CapEff"], "capBnd": st["CapBnd"], "nnp": st["NoNewPrivs"],',
        '  "mem": cg("memory/memory.limit_in_bytes"), "memsw": cg("memory/memory.memsw.limit_in_bytes"),',
        '  "pids": cg("pids/pids.max"), "quota": cg("cpu/cpu.cfs_quota_us"),',
        '  "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0], "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)[0],',
        '  "init": open("/proc/1/cmdline").read().split("\\0")[0]}))',
      ].join('\n'),
      { limits: { memoryBytes: 256 * 2 ** 20, pids: 100 } },
    );
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      uid: 10001,
      gid: 10001,
      euid: 10001,
      capEff: '0000000000000000',
      capBnd: '0000000000000000',
      nnp: '1',
      mem: String(256 * 2 ** 20),
      memsw: String(256 * 2 ** 20),
      pids: '100',
      quota: '150000',
      nofile: 1024,
      fsize: 256 * 2 ** 20,
      init: '/sbin/docker-init',
    });
  });

  it('passes stdin through and streams stdout lines', async () => {
    const lines: string[] = [];
    const result = await python(
      'import sys\ndata = sys.stdin.buffer.read()\nprint("got", len(data))\nprint("done")',
      {
        stdin: Buffer.alloc(3 * 2 ** 20, 7),
        onStdoutLine: (line) => lines.push(line),
      },
    );
    expect(result.exitCode).toBe(0);
    expect(lines).toEqual([`got ${3 * 2 ** 20}`, 'done']);
    expect(sandboxResultError(result)).toBeUndefined();
  });

  it('reports a non-zero exit with the stderr tail', async () => {
    const result = await python('import sys\nsys.stderr.write("boom happened\\n")\nsys.exit(3)');
    const error = sandboxResultError(result);
    expect(result.exitCode).toBe(3);
    expect(error?.code).toBe('SANDBOX_EXIT');
    expect(error?.message).toContain('boom happened');
    expect(error?.evidence?.exitCode).toBe(3);
  });

  it('contains a fork bomb at the pids limit, then kills it at the deadline', async () => {
    const result = await python(
      [
        'import os, time',
        'me = os.getpid()',
        't = time.time()',
        'while time.time() - t < 2:',
        '    try: os.fork()',
        '    except OSError: pass',
        'if os.getpid() == me:',
        '    print("procs", len([p for p in os.listdir("/proc") if p.isdigit()]), flush=True)',
        'time.sleep(60)',
      ].join('\n'),
      { limits: { pids: 48, deadlineMs: 5_000 } },
    );
    const procs = Number(/procs (\d+)/.exec(result.stdout)?.[1]);
    expect(procs).toBeGreaterThan(10);
    expect(procs).toBeLessThanOrEqual(48);
    expect(result.timedOut).toBe(true);
    expect(sandboxResultError(result)?.code).toBe('SANDBOX_DEADLINE');
  });

  it('OOM-kills a memory bomb and says so', async () => {
    const result = await python('a = []\nwhile True: a.append(bytearray(16 * 2**20))', {
      limits: { memoryBytes: 128 * 2 ** 20, deadlineMs: 30_000 },
    });
    expect(result.oomKilled).toBe(true);
    expect(result.exitCode).toBe(137);
    expect(result.timedOut).toBe(false);
    expect(sandboxResultError(result)?.code).toBe('SANDBOX_OOM');
  });

  it('kills a CPU loop at the wall-clock deadline', async () => {
    const result = await python('while True: pass', { limits: { deadlineMs: 2_000 } });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(137);
    expect(result.durationMs).toBeGreaterThanOrEqual(2_000);
    expect(result.durationMs).toBeLessThan(8_000);
    expect(sandboxResultError(result)?.code).toBe('SANDBOX_DEADLINE');
  });

  it('kills a plain sleep at the deadline, close to it', async () => {
    const result = await python('import time\ntime.sleep(120)', { limits: { deadlineMs: 1_500 } });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(137);
    expect(result.durationMs).toBeGreaterThanOrEqual(1_500);
    expect(result.durationMs).toBeLessThan(6_000);
  });

  it('kills a sleeper that ignores SIGTERM, from outside, at the deadline', async () => {
    const result = await python(
      'import signal, time\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP): signal.signal(s, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(120)',
      { limits: { deadlineMs: 2_000 } },
    );
    expect(result.stdout).toBe('ready\n');
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(8_000);
  });

  it('stops a tmpfs disk fill at the tmpfs size and a big file at RLIMIT_FSIZE', async () => {
    const result = await python(
      [
        'import errno',
        'def fill(path, chunk=2**20):',
        '    n = 0',
        '    try:',
        '        with open(path, "wb") as f:',
        '            while True:',
        '                f.write(b"x" * chunk); f.flush(); n += chunk',
        '    except OSError as e:',
        '        return n, errno.errorcode[e.errno]',
        'print("work", *fill("/work/big"))',
        'print("tmp", *fill("/tmp/big"))',
      ].join('\n'),
      {
        limits: {
          workTmpfsBytes: 16 * 2 ** 20,
          tmpTmpfsBytes: 64 * 2 ** 20,
          fsizeBytes: 8 * 2 ** 20,
        },
      },
    );
    expect(result.exitCode, result.stderrTail).toBe(0);
    const work = /work (\d+) (\w+)/.exec(result.stdout);
    const tmp = /tmp (\d+) (\w+)/.exec(result.stdout);
    // /work: the 8 MiB file-size limit hits before the 16 MiB tmpfs is full.
    expect(work?.[2]).toBe('EFBIG');
    expect(Number(work?.[1])).toBeLessThanOrEqual(8 * 2 ** 20);
    expect(tmp?.[2]).toBe('EFBIG');
    const full = await python(
      'import errno, os\nn = 0\ntry:\n    for i in range(100):\n        with open(f"/work/f{i}", "wb") as f:\n            for _ in range(8): f.write(b"x" * 2**20); f.flush(); n += 2**20\nexcept OSError as e:\n    print("full", n, errno.errorcode[e.errno])',
      { limits: { workTmpfsBytes: 16 * 2 ** 20, fsizeBytes: 8 * 2 ** 20 } },
    );
    const fill = /full (\d+) (\w+)/.exec(full.stdout);
    expect(fill?.[2]).toBe('ENOSPC');
    expect(Number(fill?.[1])).toBeLessThanOrEqual(16 * 2 ** 20);
  });

  it('kills an output flood at the byte cap', async () => {
    const result = await python('import sys\nwhile True: sys.stdout.write("x" * 65536)', {
      limits: { maxStdoutBytes: 2 ** 20, deadlineMs: 60_000 },
    });
    expect(result.outputLimitHit).toBe('stdout');
    expect(result.timedOut).toBe(false);
    expect(result.stdout.length).toBeLessThanOrEqual(2 ** 20);
    expect(result.durationMs).toBeLessThan(20_000);
    expect(sandboxResultError(result)?.code).toBe('SANDBOX_OUTPUT_LIMIT');
  });

  it('kills a stderr flood too', async () => {
    const result = await python('import sys\nwhile True: sys.stderr.write("e" * 65536)', {
      limits: { maxStderrBytes: 2 ** 20, deadlineMs: 60_000 },
    });
    expect(result.outputLimitHit).toBe('stderr');
    expect(sandboxResultError(result)?.code).toBe('SANDBOX_OUTPUT_LIMIT');
  });

  it('has no network: only lo, no routes, and the host loopback is not reachable', async () => {
    let hostConnections = 0;
    const server = net.createServer((socket) => {
      hostConnections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const result = await python(
        [
          'import os, socket',
          'print("ifaces", sorted(os.listdir("/sys/class/net")))',
          'print("routes", len(open("/proc/net/route").read().splitlines()) - 1)',
          'try:',
          `    socket.create_connection(("127.0.0.1", ${port}), timeout=2)`,
          '    print("connect ok")',
          'except OSError as e:',
          '    print("connect", type(e).__name__)',
        ].join('\n'),
      );
      expect(result.stdout).toContain("ifaces ['lo']");
      expect(result.stdout).toContain('routes 0');
      expect(result.stdout).toContain('connect ConnectionRefusedError');
      expect(hostConnections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('does not leak the host environment', async () => {
    const secret = `sekrit-${randomBytes(8).toString('hex')}`;
    process.env.TESTGATE_TEST_SECRET = secret;
    try {
      const result = await python(
        'import os, json\nprint(json.dumps(dict(os.environ)))\nprint(open("/proc/1/environ").read())',
      );
      expect(result.exitCode).toBe(0);
      expect(result.stdout).not.toContain(secret);
      const env = JSON.parse(result.stdout.split('\n')[0] ?? '{}') as Record<string, string>;
      expect(Object.keys(env).sort()).toEqual([
        'HOME',
        'HOSTNAME',
        'LANG',
        'PATH',
        'PYTHONDONTWRITEBYTECODE',
        'PYTHONHASHSEED',
      ]);
    } finally {
      delete process.env.TESTGATE_TEST_SECRET;
    }
  });

  it('refuses writes outside the tmpfs mounts (read-only root, root-owned harness)', async () => {
    const result = await python(
      [
        'import errno',
        'for p in ["/etc/evil", "/usr/lib/python3/dist-packages/evil.py", "/opt/testgate/harness/evil.py", "/evil"]:',
        '    try:',
        '        open(p, "w").write("x"); print(p, "WROTE")',
        '    except OSError as e:',
        '        print(p, errno.errorcode[e.errno])',
        'open("/work/ok", "w").write("x"); open("/tmp/ok", "w").write("x"); print("tmpfs ok")',
      ].join('\n'),
    );
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(result.stdout).not.toContain('WROTE');
    expect(result.stdout.match(/EROFS/g)).toHaveLength(4);
    expect(result.stdout).toContain('tmpfs ok');
  });

  it('aborts through an AbortSignal: kills, removes, rejects with SANDBOX_ABORTED', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = python('import time\nprint("ready", flush=True)\ntime.sleep(120)', {
      signal: controller.signal,
      onStdoutLine: (line) => {
        if (line === 'ready') controller.abort(new Error('user cancelled'));
      },
    });
    await expect(run).rejects.toSatisfy((error: unknown) =>
      isSandboxError(error, 'SANDBOX_ABORTED'),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses to start when the signal is already aborted', async () => {
    await expect(python('print(1)', { signal: AbortSignal.abort() })).rejects.toSatisfy(
      (error: unknown) => isSandboxError(error, 'SANDBOX_ABORTED'),
    );
  });

  it('says IMAGE_MISSING with the fix for an unknown image', async () => {
    const error = await runner
      .run({
        image: 'testgate-sandbox:does-not-exist',
        cmd: ['true'],
        labels: { [TEST_LABEL]: testRun },
      })
      .catch((e: unknown) => e);
    expect(isSandboxError(error, 'IMAGE_MISSING')).toBe(true);
    expect((error as Error).message).toContain('scripts/ensure-image.sh');
  });

  it('says DOCKER_UNAVAILABLE with the fix when the engine does not answer', async () => {
    const dead = createDockerRunner({
      docker: new Docker({ socketPath: '/nonexistent/docker.sock' }),
    });
    const error = await dead.run({ image, cmd: ['true'] }).catch((e: unknown) => e);
    expect(isSandboxError(error, 'DOCKER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('scripts/ensure-docker.sh');
  });
});

describe('reapSandboxes', () => {
  async function leftover(labels: Record<string, string>): Promise<string> {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['true'],
      Labels: {
        [SANDBOX_LABEL_APP]: 'testgate',
        [SANDBOX_LABEL_JOB]: 'leftover',
        [TEST_LABEL]: testRun,
        ...labels,
      },
      HostConfig: { NetworkMode: 'none' },
    });
    return container.id;
  }

  it('removes leftovers past their deadline and keeps live ones unless told otherwise', async () => {
    const now = Date.now();
    const expired = await leftover({
      [SANDBOX_LABEL_CREATED_AT]: String(now - 3_600_000),
      [SANDBOX_LABEL_EXPIRES_AT]: String(now - 1_000),
    });
    const live = await leftover({
      [SANDBOX_LABEL_CREATED_AT]: String(now),
      [SANDBOX_LABEL_EXPIRES_AT]: String(now + 600_000),
    });
    const first = await reapSandboxes({ docker, match: { [TEST_LABEL]: testRun } });
    expect(first.removed).toEqual([expired]);
    const second = await reapSandboxes({
      docker,
      match: { [TEST_LABEL]: testRun },
      olderThanMs: 0,
    });
    expect(second.removed).toEqual([live]);
  });
});

describe('overhead', () => {
  it('measures per-run container overhead', async () => {
    const durations: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = await runner.run({ image, cmd: ['true'], labels: { [TEST_LABEL]: testRun } });
      expect(result.exitCode).toBe(0);
      durations.push(result.durationMs);
    }
    durations.sort((a, b) => a - b);
    console.log(
      `sandbox per-run overhead (create+attach+start+wait+remove of \`true\`): median ${durations[2]} ms, all ${durations.join(', ')}`,
    );
    expect(durations[2]).toBeLessThan(5_000);
  });
});
