/**
 * A PEP 503 simple index on 127.0.0.1 over a directory of distribution files, for the
 * environment tests: real pip (and our own index client) talk to it over HTTP. It can ask
 * for basic auth, and it records every request, so a test can prove which index served a
 * wheel and that a cached run downloaded nothing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

interface FixturePackage {
  name: string;
  version: string;
  modules?: Record<string, string>;
  requires?: string[];
  extras?: Record<string, string[]>;
  requiresPython?: string;
  kind?: 'wheel' | 'sdist' | 'backend';
  /** A wheel's compatibility tag. @defaultValue 'py3-none-any' */
  tag?: string;
  /** entry_points.txt of a wheel: group -> name -> `module[:attr]`. */
  entryPoints?: Record<string, Record<string, string>>;
}

/** Builds the packages' files into `dir` (test/fakes/make_dists.py); returns their names. */
export function buildDistributions(dir: string, packages: readonly FixturePackage[]): string[] {
  const out = execFileSync('python3', [path.join(here, 'make_dists.py'), dir], {
    input: JSON.stringify(packages),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

export interface PackageIndex {
  /** `http://127.0.0.1:PORT/simple` (with user:password@ when auth is on). */
  url: string;
  /** The same without credentials. */
  publicUrl: string;
  /** Request paths, in order (`/simple/tg-alpha/`, `/files/tg_alpha-1.0-py3-none-any.whl`). */
  requests: string[];
  /** Paths of distribution files served (downloads). */
  downloads(): string[];
  close(): Promise<void>;
}

function normalize(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function projectOf(filename: string): string {
  const stem = filename.replace(/\.(whl|tar\.gz)$/, '');
  return normalize(stem.split('-')[0]!);
}

export async function startPackageIndex(options: {
  dir: string;
  auth?: { user: string; password: string };
  /** Requires-Python per file name, served as data-requires-python. */
  requiresPython?: Record<string, string>;
}): Promise<PackageIndex> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    if (options.auth) {
      const expected = `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fixture index"' });
        res.end('unauthorized');
        return;
      }
    }
    const files = readdirSync(options.dir).sort();
    if (url.pathname === '/simple/' || url.pathname === '/simple') {
      const projects = [...new Set(files.map(projectOf))];
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(
        `<!DOCTYPE html><html><body>${projects.map((p) => `<a href="/simple/${p}/">${p}</a>`).join('\n')}</body></html>`,
      );
      return;
    }
    const project = /^\/simple\/([^/]+)\/?$/.exec(url.pathname)?.[1];
    if (project !== undefined) {
      const mine = files.filter((file) => projectOf(file) === normalize(project));
      if (mine.length === 0) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      const links = mine.map((file) => {
        const sha = createHash('sha256')
          .update(readFileSync(path.join(options.dir, file)))
          .digest('hex');
        const requires = options.requiresPython?.[file];
        const attr = requires
          ? ` data-requires-python="${requires.replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`
          : '';
        return `<a href="/files/${file}#sha256=${sha}"${attr}>${file}</a>`;
      });
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body>\n${links.join('<br/>\n')}\n</body></html>`);
      return;
    }
    const file = /^\/files\/([^/]+)$/.exec(url.pathname)?.[1];
    if (file !== undefined && files.includes(file)) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(readFileSync(path.join(options.dir, file)));
      return;
    }
    res.writeHead(404);
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const publicUrl = `http://127.0.0.1:${port}/simple`;
  const url = options.auth
    ? `http://${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@127.0.0.1:${port}/simple`
    : publicUrl;
  return {
    url,
    publicUrl,
    requests,
    downloads: () => requests.filter((p) => p.startsWith('/files/')),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The environment a pip the tests start must have: isolated from this machine's pip.conf
 * and its find-links (which hold real wheels), so only the test's index can serve a wheel.
 */
export function isolatedPipEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith('PIP_')) env[key] = value;
  }
  env.PIP_CONFIG_FILE = '/dev/null';
  env.PIP_NO_CACHE_DIR = '1';
  return env;
}
