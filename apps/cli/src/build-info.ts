/**
 * Which build of the CLI this is: the published package (one bundle, built by
 * apps/cli/scripts/build.ts, which defines `__TESTGATE_BUILD__`) or a checkout of the
 * monorepo run through tsx. Advice differs: a checkout has scripts/ensure-docker.sh and
 * friends, an installed package does not.
 */
import { readFileSync } from 'node:fs';

declare const __TESTGATE_BUILD__: { version: string } | undefined;

const build = typeof __TESTGATE_BUILD__ === 'undefined' ? undefined : __TESTGATE_BUILD__;

/** True in the published package (bundled), false in a checkout run through tsx. */
export const BUNDLED = build !== undefined;

/** The package's version (apps/cli/package.json). */
export const VERSION: string =
  build?.version ??
  (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
