// Lint config: typescript-eslint's recommended rules plus the package boundaries of
// DESIGN.md ("one seam per side effect"), checked by tooling rather than by review.
import tseslint from 'typescript-eslint';

/** Which source trees may import which side-effect libraries. */
const seams = [
  {
    modules: ['dockerode'],
    owner: 'packages/sandbox',
    why: 'Only packages/sandbox talks to Docker.',
  },
  {
    modules: [
      '@octokit/rest',
      '@octokit/auth-app',
      '@octokit/plugin-retry',
      '@octokit/plugin-throttling',
    ],
    owner: 'packages/github',
    why: 'Only packages/github calls GitHub.',
  },
  {
    modules: ['ioredis', 'bullmq'],
    owner: 'packages/queue',
    why: 'Only packages/queue opens Redis connections.',
  },
];
const sourceTrees = [
  'apps/server',
  'apps/worker',
  'apps/cli',
  ...['core', 'sandbox', 'environment', 'generator', 'github', 'report', 'queue', 'pipeline'].map(
    (p) => `packages/${p}`,
  ),
];

const boundaryBlocks = sourceTrees.map((tree) => {
  const forbidden = seams.filter((s) => s.owner !== tree);
  const patterns = forbidden.map((s) => ({ group: s.modules, message: s.why }));
  if (tree === 'packages/core') {
    patterns.push({
      group: ['node:*', 'fs', 'child_process', 'net', 'http'],
      message: 'packages/core is pure: no I/O.',
    });
  }
  return {
    files: [`${tree}/src/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.cache/**',
      'examples/**',
      'docker/sandbox/harness/**',
      'bench/data/**',
      // The CLI package's build output (apps/cli/scripts/build.ts).
      '**/dist/**',
      'apps/cli/assets/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  ...boundaryBlocks,
);
