/**
 * A setup.py's dependencies without running it: python/read_setup_py.py parses the file on
 * the trusted side and takes literal values only (ast.literal_eval), nothing else.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SetupPyInfo } from './discover.ts';

// packages/environment/python in the monorepo; assets/python beside dist/ in the published CLI.
const PACKAGED_SETUP_PY = fileURLToPath(
  new URL('../assets/python/read_setup_py.py', import.meta.url),
);
const READ_SETUP_PY = existsSync(PACKAGED_SETUP_PY)
  ? PACKAGED_SETUP_PY
  : fileURLToPath(new URL('../python/read_setup_py.py', import.meta.url));
/** A setup.py larger than this is not read (its syntax tree is parsed on the trusted side). */
const MAX_SETUP_PY_BYTES = 512 * 1024;

/** install_requires and friends from a setup.py's syntax tree; undefined when there is none or it cannot be read. */
export async function readSetupPy(
  text: string | undefined,
  python = 'python3',
): Promise<SetupPyInfo | undefined> {
  if (text === undefined || Buffer.byteLength(text) > MAX_SETUP_PY_BYTES) return undefined;
  return new Promise((resolve) => {
    // -I: no site, no cwd on the path; the script parses, it never runs the file.
    const child = spawn(python, ['-I', READ_SETUP_PY], {
      stdio: ['pipe', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', () => resolve(undefined));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as SetupPyInfo);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}
