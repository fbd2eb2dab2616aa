/**
 * The environment cache: a Docker volume per installed environment (shared through the
 * engine by the CLI and the worker), and beside it on the host one small JSON entry per key
 * saying the volume is complete, what it holds and when it was last used. An entry is
 * written only after the setup container succeeded, so a volume without one (a setup that
 * was killed) is never used, and is removed by the next eviction.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { EnvironmentVolumes } from '@testgate/sandbox';

interface CachedEnvironment {
  key: string;
  volume: string;
  packages: { name: string; version: string }[];
  notes: string[];
  /** sdists built into wheels for it. */
  built: string[];
  sizeBytes: number;
  createdAt: number;
  lastUsedAt: number;
}

/** Default cap on all environment volumes together; TESTGATE_ENV_CACHE_MB overrides it. */
export const DEFAULT_CACHE_MB = 10_240;
/** A volume with no entry this long after its creation is a setup that never finished. */
const ORPHAN_AFTER_MS = 60 * 60_000;

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TESTGATE_CACHE_DIR
    ? path.join(env.TESTGATE_CACHE_DIR, 'environments')
    : path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'testgate', 'environments');
}

export class EnvironmentCache {
  constructor(
    private readonly volumes: EnvironmentVolumes,
    private readonly dir: string = defaultCacheDir(),
    private readonly now: () => number = Date.now,
  ) {}

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  private async read(key: string): Promise<CachedEnvironment | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.file(key), 'utf8')) as CachedEnvironment;
      return entry.key === key && typeof entry.volume === 'string' ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(entry: CachedEnvironment): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Write then rename: a reader never sees half an entry.
    const temp = `${this.file(entry.key)}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, this.file(entry.key));
  }

  /** The complete environment for this key, its last use moved to now; undefined on a miss. */
  async use(key: string): Promise<CachedEnvironment | undefined> {
    const entry = await this.read(key);
    if (!entry) return undefined;
    if (!(await this.volumes.exists(entry.volume))) {
      await rm(this.file(key), { force: true });
      return undefined;
    }
    const used = { ...entry, lastUsedAt: this.now() };
    await this.write(used);
    return used;
  }

  async save(
    entry: Omit<CachedEnvironment, 'createdAt' | 'lastUsedAt'>,
  ): Promise<CachedEnvironment> {
    const now = this.now();
    const saved = { ...entry, createdAt: now, lastUsedAt: now };
    await this.write(saved);
    return saved;
  }

  /**
   * Removes least recently used environments until all of them fit in `maxBytes`, never the
   * one named in `keep`, and every orphaned volume (no entry an hour after creation).
   * Volumes a live run still mounts are skipped by the engine and tried again next time.
   */
  async evict(options: { maxBytes: number; keep?: string }): Promise<string[]> {
    const volumes = await this.volumes.list({ withSizes: true });
    const entries = new Map<string, CachedEnvironment>();
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const entry = await this.read(name.slice(0, -5));
      if (entry) entries.set(entry.volume, entry);
    }
    const now = this.now();
    const removed: string[] = [];
    const live: { name: string; key?: string; lastUsedAt: number; sizeBytes: number }[] = [];
    for (const volume of volumes) {
      const entry = entries.get(volume.name);
      if (!entry) {
        if (volume.name !== options.keep && now - volume.createdAt > ORPHAN_AFTER_MS) {
          await this.volumes.remove(volume.name);
          removed.push(volume.name);
        }
        continue;
      }
      live.push({
        name: volume.name,
        key: entry.key,
        lastUsedAt: entry.lastUsedAt,
        sizeBytes: volume.sizeBytes ?? entry.sizeBytes,
      });
    }
    live.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
    let total = 0;
    for (const item of live) {
      total += item.sizeBytes;
      if (total <= options.maxBytes || item.name === options.keep) continue;
      await this.volumes.remove(item.name);
      if (item.key) await rm(this.file(item.key), { force: true });
      removed.push(item.name);
      total -= item.sizeBytes;
    }
    return removed;
  }
}
