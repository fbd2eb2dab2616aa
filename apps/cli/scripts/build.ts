/**
 * Builds the publishable `testgate` package in apps/cli: plain JavaScript in dist/ (esbuild,
 * every workspace package and npm dependency bundled in, so installing the tarball needs no
 * dependency and no tsx), and assets/ beside it with the files read at run time:
 *
 * - assets/sandbox: docker/sandbox (image build files and the Python harness). The image
 *   tag is a content hash of these files, so a package and the checkout it was built from
 *   run the same image.
 * - assets/python: packages/environment/python (setup.py reader, trusted side).
 * - assets/testgate.default.yml: the default configuration, as a starting point for
 *   `.github/testgate.yml`.
 *
 * `tsx apps/cli/scripts/build.ts [--force]` (also `pnpm --filter testgate build`, and
 * `prepack`). Idempotent and safe to run from several processes: a lock serialises builds,
 * and a stamp of every input skips a build whose inputs have not changed.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { stringify } from 'yaml';
import { defaultConfig } from '@testgate/core';

const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(CLI_DIR, '..', '..');
const DIST = join(CLI_DIR, 'dist');
const ASSETS = join(CLI_DIR, 'assets');
// Beside dist/, not in it: the package does not need it.
const STAMP = join(CLI_DIR, '.build-stamp');
const LOCK = join(CLI_DIR, '.build-lock');

/** Names never copied or hashed: caches a local Python or test run leaves behind. */
const SKIPPED = new Set(['__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache']);
const skipped = (name: string): boolean => SKIPPED.has(name) || name.endsWith('.pyc');

/** Directories (and files) whose content makes the package. */
const INPUTS = [
  'apps/cli/src',
  'apps/cli/scripts',
  'apps/cli/package.json',
  'apps/server/src',
  'apps/worker/src',
  'packages',
  'docker/sandbox',
  'pnpm-lock.yaml',
];

/**
 * Optional native add-ons of dependencies, each loaded in a try/catch with a pure-JS
 * fallback: ssh2's crypto binding and cpu-features (dockerode's ssh transport),
 * msgpackr-extract (BullMQ's msgpackr). Left out, the fallback runs.
 */
const EXTERNAL = ['cpu-features', 'msgpackr-extract', '*.node'];

async function walk(path: string, out: string[]): Promise<void> {
  const info = await stat(path);
  if (info.isFile()) {
    out.push(path);
    return;
  }
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (skipped(entry.name) || entry.name === 'node_modules' || entry.name === 'test') continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) await walk(child, out);
    else if (entry.isFile()) out.push(child);
  }
}

async function inputHash(): Promise<string> {
  const hash = createHash('sha256').update('testgate-cli-build/1\n');
  for (const input of INPUTS) {
    const files: string[] = [];
    await walk(join(REPO_ROOT, input), files);
    for (const file of files) {
      hash
        .update(relative(REPO_ROOT, file))
        .update('\0')
        .update(await readFile(file))
        .update('\0');
    }
  }
  return hash.digest('hex');
}

/** One build at a time (test files build in parallel); a dead owner's lock is taken over. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => 'NaN'));
      const age = Date.now() - ((await stat(LOCK).catch(() => undefined))?.mtimeMs ?? Date.now());
      let alive = Number.isInteger(owner);
      if (alive) {
        try {
          process.kill(owner, 0);
        } catch (killError) {
          alive = (killError as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if ((!alive && Number.isInteger(owner)) || (!Number.isInteger(owner) && age > 10_000)) {
        await rm(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${LOCK}`);
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  try {
    await writeFile(join(LOCK, 'pid'), String(process.pid));
    return await fn();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

async function copyTree(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    filter: (src) => !src.split(sep).some((part) => skipped(part)),
  });
}

/** The licence texts of every npm package the bundle contains, for THIRD-PARTY-LICENSES. */
async function thirdPartyLicenses(metafile: Metafile): Promise<string> {
  const roots = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const abs = resolve(REPO_ROOT, input);
    const at = abs.lastIndexOf(`${sep}node_modules${sep}`);
    if (at < 0) continue;
    const rest = abs.slice(at + '/node_modules/'.length).split(sep);
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name) roots.add(join(abs.slice(0, at), 'node_modules', name));
  }
  const sections: string[] = [];
  for (const root of [...roots].sort()) {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const file = (await readdir(root)).find((name) => /^(licen[cs]e|copying)(\..*)?$/i.test(name));
    const text = file ? (await readFile(join(root, file), 'utf8')).trim() : '(no licence file)';
    sections.push(`${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}`);
  }
  return `The testgate bundle (dist/) contains these npm packages.\n\n${sections.join(`\n\n${'-'.repeat(78)}\n\n`)}\n`;
}

export async function buildCli(options: { force?: boolean; log?: (line: string) => void } = {}) {
  const log = options.log ?? ((line: string) => process.stderr.write(`build: ${line}\n`));
  return withLock(async () => {
    const stamp = await inputHash();
    if (
      !options.force &&
      existsSync(STAMP) &&
      existsSync(join(DIST, 'testgate.js')) &&
      existsSync(join(ASSETS, 'sandbox')) &&
      (await readFile(STAMP, 'utf8')) === stamp
    ) {
      log('dist/ is up to date');
      return { rebuilt: false };
    }
    const started = performance.now();
    const pkg = JSON.parse(await readFile(join(CLI_DIR, 'package.json'), 'utf8')) as {
      version: string;
    };
    await rm(STAMP, { force: true });
    await rm(DIST, { recursive: true, force: true });
    await rm(ASSETS, { recursive: true, force: true });
    const result = await build({
      absWorkingDir: REPO_ROOT,
      entryPoints: {
        testgate: join(CLI_DIR, 'src', 'main.ts'),
        action: join(CLI_DIR, 'src', 'action', 'main.ts'),
      },
      outdir: DIST,
      // Every chunk sits in dist/ itself: runtime lookups resolve ../assets from there.
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      define: { __TESTGATE_BUILD__: JSON.stringify({ version: pkg.version }) },
      // Bundled CommonJS modules call require() for Node's built-ins and read __dirname
      // (ssh2 locates a Windows helper with it); ESM has neither.
      banner: {
        js: [
          "import { createRequire as __testgateCreateRequire } from 'node:module';",
          "import { fileURLToPath as __testgateFileURLToPath } from 'node:url';",
          'const require = __testgateCreateRequire(import.meta.url);',
          'const __filename = __testgateFileURLToPath(import.meta.url);',
          "const __dirname = __testgateFileURLToPath(new URL('.', import.meta.url));",
        ].join('\n'),
      },
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });
    await mkdir(ASSETS, { recursive: true });
    await copyTree(join(REPO_ROOT, 'docker', 'sandbox'), join(ASSETS, 'sandbox'));
    await copyTree(join(REPO_ROOT, 'packages', 'environment', 'python'), join(ASSETS, 'python'));
    await writeFile(
      join(ASSETS, 'testgate.default.yml'),
      `# Testgate's defaults (testgate ${pkg.version}). Copy to .github/testgate.yml and keep only\n# the keys you change; every key is optional.\n${stringify(defaultConfig)}`,
    );
    await writeFile(
      join(DIST, 'THIRD-PARTY-LICENSES.txt'),
      await thirdPartyLicenses(result.metafile),
    );
    await writeFile(STAMP, stamp);
    const bytes = Object.values(result.metafile.outputs).reduce((sum, out) => sum + out.bytes, 0);
    log(
      `dist/ built in ${Math.round(performance.now() - started)} ms (${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB)`,
    );
    return { rebuilt: true };
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli({ force: process.argv.includes('--force') });
}
