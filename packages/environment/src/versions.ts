/**
 * Enough of PEP 440 to answer two questions on the trusted side: does the sandbox's Python
 * meet a `requires-python`, and which sdist version fits a requirement. Release segments
 * only (pre-releases sort before their release); pip decides everything else.
 */

function release(version: string): { nums: number[]; pre: boolean } | undefined {
  const match = /^v?(\d+(?:\.\d+)*)(.*)$/i.exec(version.trim());
  if (!match) return undefined;
  return {
    nums: match[1]!.split('.').map(Number),
    pre: /^(a|b|c|rc|alpha|beta|pre|dev)/i.test(match[2]!.replace(/^[-_.]/, '')),
  };
}

/** -1, 0, 1 by release segments; a pre-release is below the same release. */
export function compareVersions(a: string, b: string): number {
  const x = release(a);
  const y = release(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  const length = Math.max(x.nums.length, y.nums.length);
  for (let i = 0; i < length; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (x.pre !== y.pre) return x.pre ? -1 : 1;
  return 0;
}

function matchesOne(version: string, clause: string): boolean {
  const match = /^(===|==|!=|<=|>=|<|>|~=)\s*(\S+)$/.exec(clause.trim());
  if (!match) return true;
  const [, op, target] = match as unknown as [string, string, string];
  if (target.endsWith('.*')) {
    const prefix = target.slice(0, -2).split('.').map(Number);
    const nums = release(version)?.nums ?? [];
    const same = prefix.every((n, i) => (nums[i] ?? 0) === n);
    return op === '!=' ? !same : same;
  }
  const c = compareVersions(version, target);
  switch (op) {
    case '==':
    case '===':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<=':
      return c <= 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '~=': {
      const nums = target.split('.');
      const upper = nums.slice(0, Math.max(1, nums.length - 1));
      upper[upper.length - 1] = String(Number(upper[upper.length - 1]) + 1);
      return c >= 0 && compareVersions(version, upper.join('.')) < 0;
    }
    default:
      return true;
  }
}

/** Whether `version` satisfies a comma-separated specifier set such as `>=3.8,!=3.9.*`. */
export function satisfies(version: string, specifier: string): boolean {
  return specifier
    .split(',')
    .map((clause) => clause.trim())
    .filter(Boolean)
    .every((clause) => matchesOne(version, clause));
}
