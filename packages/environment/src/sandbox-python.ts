/**
 * The interpreter and platform of the sandbox image (docker/sandbox/packages.txt: Debian
 * bookworm's python3 3.11.2, glibc 2.36). pip resolves for these, not for the host's Python.
 */
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

export const SANDBOX_PYTHON = Object.freeze({
  version: '3.11.2',
  pythonVersion: '3.11',
  implementation: 'cp',
  abis: ['cp311', 'abi3', 'none'] as readonly string[],
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
});
