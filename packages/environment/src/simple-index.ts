/**
 * A small PEP 503 client for the two things pip does not tell us plainly: why a package has
 * no usable wheel (the index refused us, has no such project, has only an sdist, or only
 * wheels for another Python or platform), and where an sdist is, to fetch it as a file when
 * `allowSdist` is on (pip would build its metadata on the host to download it).
 */
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { normalizeName } from './discover.ts';

export interface IndexFile {
  filename: string;
  url: string;
  requiresPython?: string;
  sha256?: string;
  kind: 'wheel' | 'sdist' | 'other';
  version?: string;
}

type ProjectPage =
  | { status: 'ok'; files: IndexFile[] }
  | { status: 'auth'; httpStatus: number }
  | { status: 'missing' }
  | { status: 'unreachable'; message: string };

/** `https://user:pass@host/simple` -> a fetchable URL and its Authorization header. */
function splitCredentials(url: string): { url: string; authorization?: string } {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return { url };
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    parsed.username = '';
    parsed.password = '';
    return {
      url: parsed.toString(),
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    };
  } catch {
    return { url };
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Version of a file of `project`: `name-1.2.tar.gz`, `name-1.2-py3-none-any.whl`. */
function fileVersion(
  filename: string,
  project: string,
): { kind: IndexFile['kind']; version?: string } {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    return parts.length >= 5 ? { kind: 'wheel', version: parts[1]! } : { kind: 'other' };
  }
  const sdist = /^(.*)-([0-9][^-]*?)\.(tar\.gz|zip|tar\.bz2|tgz)$/.exec(filename);
  if (sdist && normalizeName(sdist[1]!) === normalizeName(project))
    return { kind: 'sdist', version: sdist[2]! };
  return { kind: 'other' };
}

/** Parses a PEP 503 project page. */
function parseProjectPage(html: string, pageUrl: string, project: string): IndexFile[] {
  const files: IndexFile[] = [];
  for (const match of html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/gi)) {
    const attrs = match[1]!;
    const href = /href\s*=\s*"([^"]*)"|href\s*=\s*'([^']*)'/i.exec(attrs);
    if (!href) continue;
    const raw = decodeEntities(href[1] ?? href[2] ?? '');
    const url = new URL(raw, pageUrl);
    const sha256 = /^sha256=([0-9a-f]{64})$/i.exec(url.hash.slice(1))?.[1]?.toLowerCase();
    url.hash = '';
    const filename = decodeURIComponent(url.pathname.split('/').at(-1) ?? match[2]!.trim());
    const requires = /data-requires-python\s*=\s*"([^"]*)"/i.exec(attrs)?.[1];
    files.push({
      filename,
      url: url.toString(),
      ...fileVersion(filename, project),
      ...(requires ? { requiresPython: decodeEntities(requires) } : {}),
      ...(sha256 ? { sha256 } : {}),
    });
  }
  return files;
}

/** Fetches `<index>/<project>/` with the index's credentials (never logged). */
export async function fetchProjectPage(
  indexUrl: string,
  project: string,
  options: { timeoutMs?: number } = {},
): Promise<ProjectPage & { pageUrl: string }> {
  const { url, authorization } = splitCredentials(
    indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`,
  );
  const pageUrl = new URL(`${normalizeName(project)}/`, url).toString();
  if (pageUrl.startsWith('file:')) return readFilePage(pageUrl, project);
  let response: Response;
  try {
    response = await fetch(pageUrl, {
      headers: {
        Accept: 'text/html',
        ...(authorization ? { Authorization: authorization } : {}),
      },
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'unreachable', message, pageUrl };
  }
  if (response.status === 401 || response.status === 403)
    return { status: 'auth', httpStatus: response.status, pageUrl };
  if (response.status === 404) return { status: 'missing', pageUrl };
  if (!response.ok) return { status: 'unreachable', message: `HTTP ${response.status}`, pageUrl };
  const html = await response.text();
  return { status: 'ok', files: parseProjectPage(html, response.url || pageUrl, project), pageUrl };
}

/** A file:// index: a directory per project holding index.html, or the files themselves. */
async function readFilePage(
  pageUrl: string,
  project: string,
): Promise<ProjectPage & { pageUrl: string }> {
  const dir = fileURLToPath(pageUrl);
  try {
    const html = await readFile(`${dir}/index.html`, 'utf8').catch(async () =>
      (await readdir(dir)).map((name) => `<a href="${name}">${name}</a>`).join('\n'),
    );
    return { status: 'ok', files: parseProjectPage(html, pageUrl, project), pageUrl };
  } catch {
    return { status: 'missing', pageUrl };
  }
}

/** Downloads one file of the index (an sdist) with the index's credentials. */
export async function downloadIndexFile(
  indexUrl: string,
  fileUrl: string,
  options: { timeoutMs?: number; maxBytes: number },
): Promise<Buffer> {
  if (fileUrl.startsWith('file:')) {
    const body = await readFile(fileURLToPath(fileUrl));
    if (body.length > options.maxBytes)
      throw new Error(`${fileUrl} is larger than ${options.maxBytes} bytes`);
    return body;
  }
  const index = splitCredentials(indexUrl);
  const sameHost = new URL(fileUrl).host === new URL(index.url).host;
  const response = await fetch(fileUrl, {
    // Credentials go only to the index's own host, never to a file host it points at.
    headers: sameHost && index.authorization ? { Authorization: index.authorization } : {},
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${new URL(fileUrl).pathname}`);
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > options.maxBytes)
    throw new Error(`${new URL(fileUrl).pathname} is larger than ${options.maxBytes} bytes`);
  return body;
}
