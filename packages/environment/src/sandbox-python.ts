/**
 * The interpreter, platform and test tools of the sandbox image, read from the one place
 * that pins them: docker/sandbox/packages.txt (Debian bookworm's python3, glibc 2.36).
 * pip resolves for this interpreter, not for the host's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSandboxDir } from '@testgate/sandbox';

const GLIBC_MINOR = 36;

function machine(): string {
  switch (process.arch) {
    case 'arm64':
      return 'aarch64';
    case 'x64':
      return 'x86_64';
    default:
      return process.arch;
  }
}

/** Debian package -> the Python distribution it is. */
const TOOL_PACKAGES: Record<string, string> = {
  'python3-pytest': 'pytest',
  'python3-pytest-cov': 'pytest-cov',
  'python3-coverage': 'coverage',
  'python3-hypothesis': 'hypothesis',
};

/** `3.11.2-1+b1` -> `3.11.2`; `6.5.0+dfsg1-2+b1` -> `6.5.0` (Debian revision and repack suffixes off). */
function upstreamVersion(debian: string): string {
  return debian
    .replace(/^\d+:/, '')
    .replace(/-[^-]*$/, '')
    .replace(/[+~].*$/, '');
}

function pinnedPackages(): Map<string, string> {
  const text = readFileSync(path.join(defaultSandboxDir(), 'packages.txt'), 'utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([a-z0-9.+-]+)=(\S+)\s*$/.exec(line.trim());
    if (match) out.set(match[1]!, upstreamVersion(match[2]!));
  }
  return out;
}

const pinned = pinnedPackages();
const pythonVersion = pinned.get('python3');
if (!pythonVersion) throw new Error('docker/sandbox/packages.txt pins no python3');

export const SANDBOX_PYTHON = Object.freeze({
  /** e.g. `3.11.2` */
  version: pythonVersion,
  /** e.g. `3.11`, for pip's --python-version */
  pythonVersion: pythonVersion.split('.').slice(0, 2).join('.'),
  implementation: 'cp',
  abis: [`cp${pythonVersion.split('.').slice(0, 2).join('')}`, 'abi3', 'none'] as readonly string[],
  glibc: `2.${GLIBC_MINOR}`,
  arch: machine,
  /** Every manylinux tag glibc 2.36 accepts, newest first (pip does not widen a given tag). */
  platforms(): string[] {
    const arch = machine();
    const tags: string[] = [];
    for (let minor = GLIBC_MINOR; minor >= 17; minor--) tags.push(`manylinux_2_${minor}_${arch}`);
    tags.push(`manylinux2014_${arch}`);
    if (arch === 'x86_64' || arch === 'i686') {
      tags.push(
        `manylinux_2_12_${arch}`,
        `manylinux2010_${arch}`,
        `manylinux_2_5_${arch}`,
        `manylinux1_${arch}`,
      );
    }
    return tags;
  },
  /** The gate's own tools and their versions in the image: pytest, pytest-cov, coverage, hypothesis. */
  tools: Object.freeze(
    Object.fromEntries(
      Object.entries(TOOL_PACKAGES)
        .filter(([debian]) => pinned.has(debian))
        .map(([debian, dist]) => [dist, pinned.get(debian)!]),
    ),
  ) as Readonly<Record<string, string>>,
});
