/**
 * The harness's Python unit tests (docker/sandbox/harness/tests: diff, selection, AST rules,
 * Bandit mapping, project detection, analyze contexts), run inside the REAL sandbox image
 * with its Python 3.11, pytest and Bandit 1.6.2, so the rules are checked against the same
 * interpreter and Bandit version that judge pull requests. The image carries the harness
 * dir (tests included), so nothing is mounted.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerRunner, ensureSandboxImage, runHarness } from '../src/index.ts';

// The analysis modules' test files. Other owners keep their own tests in the same directory
// (tg_generate's) and run them from their own suites.
const ANALYSIS_TEST_FILES = [
  'test_project.py',
  'test_diff.py',
  'test_select.py',
  'test_rules.py',
  'test_config_tampering.py',
  'test_bandit.py',
  'test_context.py',
  'test_change_scope.py',
  'test_contradictions.py',
  'test_generate_units.py',
];
const TEST_LABEL = 'testgate.test';
const testRun = `harness-python-units-${randomBytes(4).toString('hex')}`;
const dockerApi = new Docker();
const containerName = `testgate-pyunits-${randomBytes(4).toString('hex')}`;
let image = '';

interface DockerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function docker(args: string[], timeoutMs: number): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  image = await ensureSandboxImage();
}, 20 * 60_000);

afterAll(async () => {
  // --rm removes it on exit; this catches a run killed by the timeout.
  await docker(['rm', '-f', containerName], 30_000).catch(() => undefined);
  const left = await dockerApi.listContainers({
    all: true,
    filters: { label: [`${TEST_LABEL}=${testRun}`] },
  });
  expect(left.map((container) => container.Names)).toEqual([]);
});

describe('harness python unit tests', () => {
  it('pass inside the sandbox image (diff, selection, AST rules, Bandit, project, analyze)', async () => {
    const result = await docker(
      [
        'run',
        '--rm',
        '--name',
        containerName,
        '--label',
        `${TEST_LABEL}=${testRun}`,
        '--network',
        'none',
        '--read-only',
        '--tmpfs',
        '/tmp:rw,exec,size=256m,mode=1777',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
        '--pids-limit',
        '256',
        '--memory',
        '1g',
        '--user',
        '10001:10001',
        '--workdir',
        '/opt/testgate/harness/tests',
        image,
        'python3',
        '-m',
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        ...ANALYSIS_TEST_FILES,
      ],
      240_000,
    );
    const output = `${result.stdout}\n${result.stderr}`;
    // pytest's closing line, e.g. "231 passed in 3.10s"; a failure names the test above it.
    expect(result.code, output.slice(-6000)).toBe(0);
    const summary = /(\d+) passed/.exec(result.stdout);
    expect(summary, output.slice(-2000)).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThan(200);
    expect(result.stdout).not.toMatch(/\d+ (failed|error)/);
    // Bandit is in the image, so its tests ran rather than skipped.
    expect(result.stdout).not.toMatch(/\d+ skipped/);
  }, 300_000);
});

const SHOP_BASE = `TAX = 0.2


def _round(x):
    return int(x * 100) / 100


class Cart:
    currency = "EUR"

    def __init__(self, items=None):
        self.items = items or []

    def total(self):
        return sum(self.items)
`;

const SHOP_HEAD = SHOP_BASE.replace(
  '        return sum(self.items)\n',
  "        if not self.items:\n            raise ValueError('empty cart')\n        return _round(sum(self.items) * (1 + TAX))\n",
);

describe('harness analyze mode', () => {
  it('reports the changed method with its raise line and a model-ready context', async () => {
    const report = await runHarness(createDockerRunner({ docker: dockerApi }), {
      mode: 'analyze',
      image,
      labels: { [TEST_LABEL]: testRun },
      base: {
        kind: 'files',
        files: {
          'src/shop/__init__.py': '',
          'src/shop/cart.py': SHOP_BASE,
          'tests/test_cart.py': 'from shop.cart import Cart\n',
        },
      },
      head: {
        kind: 'files',
        files: {
          'src/shop/__init__.py': '',
          'src/shop/cart.py': SHOP_HEAD,
          'tests/test_cart.py': 'from shop.cart import Cart\n',
        },
      },
    });
    // runHarness already validated the report against analysisSchema.
    expect(report.project).toEqual({ layout: 'src', packages: ['shop'], importable: true });
    expect(report.changedLines).toEqual({ 'src/shop/cart.py': [15, 16, 17] });
    expect(report.functions).toEqual([
      {
        file: 'src/shop/cart.py',
        qualname: 'Cart.total',
        startLine: 14,
        endLine: 17,
        changedLines: [15, 16, 17],
        raiseLines: [16],
        exceptLines: [],
      },
    ]);
    const [context] = report.contexts;
    expect(context?.module).toBe('shop.cart');
    expect(context?.classHeader).toContain('class Cart:');
    expect(context?.uses.map((use) => use.name)).toEqual(['_round', 'TAX']);
    expect(context?.testStyle?.path).toBe('tests/test_cart.py');
  }, 120_000);
});
