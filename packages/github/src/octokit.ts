import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

export const GateOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof GateOctokit>;

interface GitHubLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

interface GitHubAppOptions {
  appId: number | string;
  /** PEM of the GitHub App's private key. */
  privateKey: string;
  /**
   * REST API root; GitHub Enterprise Server uses `https://HOST/api/v3`, tests a local fake.
   * @defaultValue 'https://api.github.com'
   */
  baseUrl?: string;
  /** Injected fetch (tests); the default is Node's global fetch. */
  fetch?: typeof fetch;
  /**
   * Retries of 5xx answers and network errors inside one call (plugin-retry).
   * @defaultValue 3
   */
  retries?: number;
  /**
   * Base of plugin-retry's quadratic back-off, in ms (attempt n waits n² × this).
   * @defaultValue 1000
   */
  retryBaseMs?: number;
  /**
   * Longest `retry-after` we wait out on a secondary rate limit before failing the call
   * (the job then retries later with back-off).
   * @defaultValue 120
   */
  maxRetryAfterSeconds?: number;
  log?: GitHubLogger;
}

export interface GitHubApp {
  readonly appId: string;
  /** An Octokit authenticated as the installation (tokens cached until near expiry). */
  installation(installationId: number): GitHubClient;
}

const silentLog: GitHubLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The only place Testgate builds Octokit clients. */
export function createGitHubApp(options: GitHubAppOptions): GitHubApp {
  const log = options.log ?? silentLog;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  // One token cache per process, shared by every installation client, so each job does
  // not mint a new installation token (GitHub caps token creation too).
  const tokens = new Map<string, string>();
  const cache = {
    get: (key: string) => tokens.get(key),
    set: (key: string, value: string) => {
      tokens.set(key, value);
    },
  };
  /** A throttling handler: log the limit, and wait it out `retries` times if not too long. */
  const waitOrGiveUp =
    (installationId: number, message: string, retries: number) =>
    (
      retryAfter: number,
      req: { method: string; url: string },
      _options: unknown,
      retryCount: number,
    ): boolean => {
      log.warn(
        { installationId, retryAfter, method: req.method, url: req.url, retryCount },
        message,
      );
      return retryCount < retries && retryAfter <= maxWait;
    };
  return {
    appId: String(options.appId),
    installation(installationId) {
      return new GateOctokit({
        authStrategy: createAppAuth,
        auth: { appId: options.appId, privateKey: options.privateKey, installationId, cache },
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl.replace(/\/+$/, '') }),
        // Not `request.retries`: plugin-retry would then retry every failure, 4xx included.
        ...(options.fetch === undefined ? {} : { request: { fetch: options.fetch } }),
        userAgent: 'testgate',
        log: {
          debug: () => {},
          info: () => {},
          warn: (message: string) => log.warn({ installationId }, message),
          // Failed calls are thrown and logged by the caller; a 404 for a missing config is normal.
          error: (message: string) => log.debug({ installationId }, message),
        },
        retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
        throttle: {
          onRateLimit: waitOrGiveUp(installationId, 'GitHub rate limit hit', 2),
          onSecondaryRateLimit: waitOrGiveUp(
            installationId,
            'GitHub secondary rate limit hit: waiting retry-after',
            3,
          ),
        },
      });
    },
  };
}

interface GitHubTokenClientOptions {
  /** A token GitHub gave the caller (a workflow's GITHUB_TOKEN, a personal access token). */
  token: string;
  /** @defaultValue 'https://api.github.com' */
  baseUrl?: string;
  /** Injected fetch (tests); the default is Node's global fetch. */
  fetch?: typeof fetch;
  /** @defaultValue 3 */
  retries?: number;
  /** @defaultValue 1000 */
  retryBaseMs?: number;
}

/**
 * An Octokit authenticated by a plain token, for the GitHub Action's steps (no App): the
 * same retry and throttling plugins as the App's clients, retry-after waited out twice.
 */
export function createGitHubTokenClient(options: GitHubTokenClientOptions): GitHubClient {
  return new GateOctokit({
    auth: options.token,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl.replace(/\/+$/, '') }),
    ...(options.fetch === undefined ? {} : { request: { fetch: options.fetch } }),
    userAgent: 'testgate-action',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    throttle: {
      onRateLimit: (retryAfter: number, _req: unknown, _o: unknown, count: number) =>
        count < 2 && retryAfter <= 120,
      onSecondaryRateLimit: (retryAfter: number, _req: unknown, _o: unknown, count: number) =>
        count < 2 && retryAfter <= 120,
    },
  });
}
