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

/**
 * The worker's steps talk to the host port (CodeHost, @testgate/core), never to GitHub:
 * only the files that wire the GitHub adapter in may import it.
 */
const hostPort = {
  tree: 'apps/worker',
  wiring: ['apps/worker/src/start-worker.ts', 'apps/worker/src/config.ts'],
  pattern: {
    group: ['@testgate/github'],
    message:
      'The worker talks to CodeHost (@testgate/core); start-worker.ts wires the GitHub adapter.',
  },
};

const boundaryBlocks = sourceTrees.flatMap((tree) => {
  const forbidden = seams.filter((s) => s.owner !== tree);
  const patterns = forbidden.map((s) => ({ group: s.modules, message: s.why }));
  if (tree === 'packages/core') {
    patterns.push({
      group: ['node:*', 'fs', 'child_process', 'net', 'http'],
      message: 'packages/core is pure: no I/O.',
    });
  }
  const block = {
    files: [`${tree}/src/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
  if (tree !== hostPort.tree) return [block];
  return [
    {
      ...block,
      ignores: hostPort.wiring,
      rules: {
        'no-restricted-imports': ['error', { patterns: [...patterns, hostPort.pattern] }],
      },
    },
    { ...block, files: hostPort.wiring },
  ];
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
