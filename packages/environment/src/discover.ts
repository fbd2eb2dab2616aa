/**
 * What a project needs installed, read statically from its files: lock files, requirements
 * files, pyproject.toml and setup.cfg. Nothing of the project runs (a setup.py is never
 * executed), and nothing here decides the index: pip options in requirement files and
 * direct URL references are dropped with a note, because the PR must not pick where the
 * trusted side downloads from.
 */
import { parse as parseToml } from 'smol-toml';
import type { GateConfig } from '@testgate/core';

/** A version a lock file fixes, with the hashes it allows (sha256 hex). */
export interface Pin {
  name: string;
  version: string;
  hashes: string[];
  /** The file that fixes it (`uv.lock`, `requirements.txt`). */
  source?: string;
}

export interface RequirementSet {
  /** PEP 508 requirement strings for pip: the project itself and the gate's tools left out. */
  requirements: string[];
  /** Versions a lock fixes: pip gets them as constraints, the hashes are checked after download. */
  pins: Pin[];
  /** Files read, in order. */
  sources: string[];
  /** Requirements naming the gate's own tools: never installed, checked against the sandbox's versions. */
  gateTools: string[];
  /** What was left out, and why. */
  notes: string[];
  /** The project's `requires-python`, with the file that says it. */
  requiresPython?: { specifier: string; source: string };
  /** Every requirement is fixed to one version: resolving again cannot give anything else. */
  pinned: boolean;
  /** The project's own distribution name (normalised), when it declares one. */
  project?: string;
}

/** Reads the head tree: file text by repository-relative path, and the list of paths. */
interface TreeReader {
  read(path: string): string | undefined;
  paths(): readonly string[];
}

/** What a setup.py says, read from its syntax tree (python/read_setup_py.py), never run. */
export interface SetupPyInfo {
  /** null: setup.py has no literal install_requires (computed, or read from a file). */
  installRequires: string[] | null;
  extras: Record<string, string[]>;
  pythonRequires: string | null;
}

/** pytest, pytest-cov, coverage and hypothesis are the gate's: the image's versions run every test. */
export const GATE_TOOLS = ['pytest', 'pytest-cov', 'coverage', 'hypothesis'] as const;
const DEFAULT_EXTRAS = ['test', 'tests', 'testing', 'dev'];
const DEFAULT_GROUPS = ['test', 'tests', 'dev'];
const MAX_INCLUDE_DEPTH = 10;

/** PEP 503 normalised name: `Foo_Bar.baz` -> `foo-bar-baz`. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The distribution name a requirement string starts with, normalised, or undefined. */
export function requirementName(requirement: string): string | undefined {
  const match = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return match ? normalizeName(match[1]!) : undefined;
}

/** A version as lock files and pins write it: nothing that could break pip's input apart. */
const SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/;

/** Pins by name, refusing versions that are not plain version strings. */
class Pins extends Map<string, Pin> {
  override set(name: string, pin: Pin): this {
    return SAFE_VERSION.test(pin.version) ? super.set(name, pin) : this;
  }
}

/** The version range of a requirement string (`>=1,<2` of `pkg[x] >=1,<2 ; marker`), or ''. */
export function requirementSpecifier(requirement: string): string {
  return (/^[^;<>=!~]*(?:\[[^\]]*\])?\s*\(?([<>=!~][^;)]*)\)?/.exec(requirement)?.[1] ?? '').trim();
}

class Collector {
  readonly requirements: string[] = [];
  readonly pins = new Pins();
  readonly sources: string[] = [];
  readonly gateTools: string[] = [];
  readonly notes: string[] = [];
  requiresPython?: { specifier: string; source: string };
  projectName?: string;

  source(path: string): void {
    if (!this.sources.includes(path)) this.sources.push(path);
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** Adds one requirement string, unless it is a direct reference, the project itself or a gate tool. */
  add(requirement: string, from: string): void {
    const text = requirement.trim();
    if (!text) return;
    // One requirement is one line of pip's input: a line break or an option in it would
    // smuggle pip options (another index) in from the repository.
    if (/[\r\n\0]/.test(text) || /(^|\s)--?[A-Za-z]/.test(text)) {
      this.note(
        `${from}: "${clip(JSON.stringify(text))}" holds pip options or line breaks; skipped`,
      );
      return;
    }
    const name = requirementName(text);
    if (name === undefined) {
      this.note(
        `${from}: "${clip(text)}" is not a requirement Testgate installs (only names from the index)`,
      );
      return;
    }
    if (/^[^;]*@/.test(text) || /:\/\//.test(text)) {
      this.note(
        `${from}: ${name} is a direct reference (a URL or path); only packages from the configured index are installed`,
      );
      return;
    }
    if (this.projectName !== undefined && name === this.projectName) return;
    if ((GATE_TOOLS as readonly string[]).includes(name)) {
      if (!this.gateTools.includes(text)) this.gateTools.push(text);
      return;
    }
    if (!this.requirements.includes(text)) this.requirements.push(text);
  }
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function parentDir(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

/** `a/b/../c.txt` -> `a/c.txt`; undefined when it leaves the repository. */
function joinInside(dir: string, relative: string): string | undefined {
  if (relative.startsWith('/')) return undefined;
  const parts: string[] = dir ? dir.split('/') : [];
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

// --- requirements files ---------------------------------------------------------------------

/** Logical lines: comments dropped, backslash continuations joined. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole) out.push(whole);
  }
  if (pending.trim()) out.push(pending.trim());
  return out;
}

const INCLUDE = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)$/;

function readRequirementsFile(
  path: string,
  tree: TreeReader,
  into: Collector,
  depth = 0,
  seen = new Set<string>(),
): void {
  if (seen.has(path)) return;
  seen.add(path);
  const text = tree.read(path);
  if (text === undefined) {
    into.note(`${path} is named but not in the repository`);
    return;
  }
  into.source(path);
  for (const line of logicalLines(text)) {
    const include = INCLUDE.exec(line);
    if (include) {
      const target = joinInside(parentDir(path), include[2]!);
      if (target === undefined || depth >= MAX_INCLUDE_DEPTH) {
        into.note(`${path}: "${clip(line)}" points outside the repository or too deep; skipped`);
      } else if (include[1] === '-c' || include[1] === '--constraint') {
        readConstraintsFile(target, tree, into);
      } else if (isToolingRequirements(target)) {
        // A development file that also pulls in the docs theme or the linters: the tests
        // need none of it, and a package missing from the index must not stop the gate.
        into.note(`${path}: ${target} is for docs or tooling, not the tests; skipped`);
      } else readRequirementsFile(target, tree, into, depth + 1, seen);
      continue;
    }
    if (/^(-e|--editable)\b/.test(line)) {
      into.note(
        `${path}: "${clip(line)}": editable installs are skipped (the project's own code is on the path already)`,
      );
      continue;
    }
    if (line.startsWith('-')) {
      into.note(
        `${path}: pip option "${clip(line.split(/\s+/)[0] ?? line)}" ignored: the index and pip's options are the operator's settings, not the repository's`,
      );
      continue;
    }
    const { requirement, hashes } = splitHashes(line);
    into.add(requirement, path);
    const pinned =
      /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;,*]+)\s*(?:;.*)?$/.exec(
        requirement,
      );
    if (pinned && hashes.length > 0) {
      const name = normalizeName(pinned[1]!);
      into.pins.set(name, { name, version: pinned[2]!, hashes, source: path });
    }
  }
}

/** Constraints files only narrow versions: their pinned lines become pins, nothing is installed from them. */
function readConstraintsFile(path: string, tree: TreeReader, into: Collector): void {
  const text = tree.read(path);
  if (text === undefined) {
    into.note(`${path} is named as constraints but not in the repository`);
    return;
  }
  into.source(path);
  for (const line of logicalLines(text)) {
    if (line.startsWith('-')) continue;
    const { requirement, hashes } = splitHashes(line);
    const pinned = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*([^\s;,*]+)\s*(?:;.*)?$/.exec(
      requirement,
    );
    if (!pinned) continue;
    const name = normalizeName(pinned[1]!);
    into.pins.set(name, { name, version: pinned[2]!, hashes, source: path });
  }
}

function splitHashes(line: string): { requirement: string; hashes: string[] } {
  const hashes: string[] = [];
  const requirement = line
    .replace(/\s--hash[=\s]+sha256:([0-9a-fA-F]{64})/g, (_, hex: string) => {
      hashes.push(hex.toLowerCase());
      return '';
    })
    .replace(/\s--hash[=\s]+\S+/g, '')
    .trim();
  return { requirement, hashes };
}

/** Requirement files of docs, linters, type checks or releases (by name or a docs/ directory). */
function isToolingRequirements(path: string): boolean {
  const parts = path.toLowerCase().split('/');
  const stem = parts.at(-1)!.replace(/\.(txt|in)$/, '');
  return (
    /doc|lint|typ|mypy|format|release|publish|packag|build|bench/.test(stem) ||
    parts.slice(0, -1).some((dir) => /^docs?$/.test(dir))
  );
}

/** The requirement files Testgate reads on its own: install and test ones, not docs or lint. */
function detectedRequirementFiles(paths: readonly string[]): string[] {
  return paths
    .filter((path) => {
      const parts = path.split('/');
      const name = parts.at(-1)!.toLowerCase();
      if (!name.endsWith('.txt') && !name.endsWith('.in')) return false;
      if (name.endsWith('.in') && paths.includes(path.replace(/\.in$/, '.txt'))) return false;
      const stem = name.replace(/\.(txt|in)$/, '');
      if (isToolingRequirements(path)) return false;
      if (parts.length === 1)
        return (
          /^requirements$/.test(stem) || (/requirements/.test(stem) && /test|dev|ci/.test(stem))
        );
      if (parts.length === 2 && parts[0]!.toLowerCase() === 'requirements')
        return (
          /^(base|main|common|requirements|install|runtime|prod|default)$/.test(stem) ||
          /test|dev|ci/.test(stem)
        );
      return false;
    })
    .sort();
}

// --- pyproject.toml ---------------------------------------------------------------------------

type Table = Record<string, unknown>;

function table(value: unknown): Table | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Table)
    : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readToml(path: string, tree: TreeReader, into: Collector): Table | undefined {
  const text = tree.read(path);
  if (text === undefined) return undefined;
  try {
    return parseToml(text) as Table;
  } catch (error) {
    const why = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    into.note(`${path} is not valid TOML (${clip(why, 120)}); its dependencies were not read`);
    return undefined;
  }
}

function readPyproject(
  doc: Table,
  into: Collector,
  wanted: { extras: string[]; groups: string[]; projectDependencies: boolean },
): void {
  const path = 'pyproject.toml';
  const project = table(doc.project);
  const extras = table(project?.['optional-dependencies']) ?? {};
  const addExtra = (extra: string, seen: Set<string>): void => {
    const key = Object.keys(extras).find((k) => normalizeName(k) === normalizeName(extra));
    if (key === undefined || seen.has(key)) return;
    seen.add(key);
    into.source(path);
    for (const requirement of strings(extras[key])) {
      // `myproject[other]` in an extra names other extras of the project itself.
      const self = /^\s*([A-Za-z0-9._-]+)\s*\[([^\]]+)\]/.exec(requirement);
      if (self && into.projectName !== undefined && normalizeName(self[1]!) === into.projectName) {
        for (const inner of self[2]!.split(',')) addExtra(inner.trim(), seen);
        continue;
      }
      into.add(requirement, `${path} [project.optional-dependencies] ${key}`);
    }
  };
  if (project) {
    if (typeof project['requires-python'] === 'string')
      into.requiresPython = { specifier: project['requires-python'], source: path };
    if (wanted.projectDependencies) {
      const deps = strings(project.dependencies);
      if (deps.length > 0) into.source(path);
      for (const requirement of deps) into.add(requirement, `${path} [project] dependencies`);
    }
    const seen = new Set<string>();
    for (const extra of wanted.extras) addExtra(extra, seen);
  }
  const groups = table(doc['dependency-groups']) ?? {};
  const addGroup = (group: string, seen: Set<string>): void => {
    const key = Object.keys(groups).find((k) => normalizeName(k) === normalizeName(group));
    if (key === undefined || seen.has(key)) return;
    seen.add(key);
    into.source(path);
    const entries = Array.isArray(groups[key]) ? (groups[key] as unknown[]) : [];
    for (const entry of entries) {
      if (typeof entry === 'string') into.add(entry, `${path} [dependency-groups] ${key}`);
      else {
        const include = table(entry)?.['include-group'];
        if (typeof include === 'string') addGroup(include, seen);
      }
    }
  };
  const seenGroups = new Set<string>();
  for (const group of wanted.groups) addGroup(group, seenGroups);
  readPoetry(doc, into, wanted);
}

function readPoetry(
  doc: Table,
  into: Collector,
  wanted: { extras: string[]; groups: string[]; projectDependencies: boolean },
): void {
  const poetry = table(table(doc.tool)?.poetry);
  if (!poetry) return;
  const path = 'pyproject.toml';
  const extras = table(poetry.extras) ?? {};
  const inExtras = new Set(
    wanted.extras.flatMap((extra) => strings(extras[extra]).map((name) => normalizeName(name))),
  );
  const addTable = (deps: Table | undefined, where: string, optionalAllowed: boolean): void => {
    if (!deps) return;
    into.source(path);
    for (const [name, value] of Object.entries(deps)) {
      if (normalizeName(name) === 'python') {
        if (typeof value === 'string' && into.requiresPython === undefined) {
          const specifier = poetryConstraint(value);
          if (specifier !== undefined) into.requiresPython = { specifier, source: path };
        }
        continue;
      }
      const spec = table(value) ?? { version: value };
      if (spec.optional === true && !optionalAllowed && !inExtras.has(normalizeName(name)))
        continue;
      if (['git', 'path', 'url'].some((key) => key in spec)) {
        into.note(
          `${path} ${where}: ${name} is a git, path or URL dependency; only packages from the configured index are installed`,
        );
        continue;
      }
      const version = typeof spec.version === 'string' ? poetryConstraint(spec.version) : '';
      if (version === undefined) {
        into.note(
          `${path} ${where}: the constraint of ${name} ("${String(spec.version)}") has no PEP 440 form; installing any version`,
        );
      }
      const extrasList = strings(spec.extras);
      const marker = typeof spec.markers === 'string' ? ` ; ${spec.markers}` : '';
      into.add(
        `${name}${extrasList.length ? `[${extrasList.join(',')}]` : ''}${version ?? ''}${marker}`,
        `${path} ${where}`,
      );
    }
  };
  if (wanted.projectDependencies)
    addTable(table(poetry.dependencies), '[tool.poetry.dependencies]', false);
  addTable(table(poetry['dev-dependencies']), '[tool.poetry.dev-dependencies]', true);
  const groups = table(poetry.group) ?? {};
  for (const group of wanted.groups) {
    addTable(
      table(table(groups[group])?.dependencies),
      `[tool.poetry.group.${group}.dependencies]`,
      true,
    );
  }
}

/** Poetry's `^1.2`, `~1.2.3`, `1.2.3`, `>=1,<2`, `*` as a PEP 440 specifier; undefined for `||`. */
export function poetryConstraint(text: string): string | undefined {
  const value = text.trim();
  if (value === '' || value === '*') return '';
  if (value.includes('||')) return undefined;
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const part of parts) {
    const caret = /^\^\s*(\d+(?:\.\d+)*)$/.exec(part);
    const tilde = /^~(?!=)\s*(\d+(?:\.\d+)*)$/.exec(part);
    if (caret) {
      const nums = caret[1]!.split('.').map(Number);
      const at = Math.max(
        0,
        nums.findIndex((n) => n !== 0) === -1 ? nums.length - 1 : nums.findIndex((n) => n !== 0),
      );
      out.push(`>=${caret[1]}`, `<${bump(nums, at)}`);
    } else if (tilde) {
      const nums = tilde[1]!.split('.').map(Number);
      out.push(`>=${tilde[1]}`, `<${bump(nums, nums.length === 1 ? 0 : 1)}`);
    } else if (/^\d/.test(part)) {
      out.push(part.includes('*') ? `==${part}` : `==${part}`);
    } else if (/^(===|==|!=|<=|>=|<|>|~=)\s*\S+$/.test(part)) {
      out.push(part.replace(/\s+/g, ''));
    } else return undefined;
  }
  return out.join(',');
}

function bump(nums: number[], at: number): string {
  const out = nums.slice(0, at + 1);
  out[at] = (out[at] ?? 0) + 1;
  return out.join('.');
}

// --- setup.cfg --------------------------------------------------------------------------------

/** configparser's shape: sections of keys whose values may go on over indented lines. */
function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let key: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw)) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      key = undefined;
      continue;
    }
    if (!current) continue;
    if (/^\s+\S/.test(raw) && key !== undefined) {
      current.set(key, `${current.get(key) ?? ''}\n${raw.trim()}`);
      continue;
    }
    const pair = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(raw);
    if (pair) {
      key = pair[1]!.trim().toLowerCase().replace(/-/g, '_');
      current.set(key, pair[2]!.trim());
    }
  }
  return sections;
}

function readSetupCfg(
  tree: TreeReader,
  into: Collector,
  extras: string[],
  projectDependencies: boolean,
): void {
  const text = tree.read('setup.cfg');
  if (text === undefined) return;
  const ini = parseIni(text);
  const metadataName = ini.get('metadata')?.get('name');
  if (metadataName && into.projectName === undefined)
    into.projectName = normalizeName(metadataName);
  const options = ini.get('options');
  const lines = (value: string | undefined): string[] =>
    (value ?? '').split(/[\n;]/).length > 0
      ? (value ?? '')
          .split('\n')
          .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
          .filter(Boolean)
      : [];
  const python = options?.get('python_requires');
  if (python && into.requiresPython === undefined)
    into.requiresPython = { specifier: python, source: 'setup.cfg' };
  if (projectDependencies) {
    const deps = lines(options?.get('install_requires'));
    if (deps.length > 0) into.source('setup.cfg');
    for (const requirement of deps) into.add(requirement, 'setup.cfg install_requires');
  }
  const extrasSection = ini.get('options.extras_require');
  for (const extra of extras) {
    const deps = lines(extrasSection?.get(extra.toLowerCase()));
    if (deps.length > 0) into.source('setup.cfg');
    for (const requirement of deps) into.add(requirement, `setup.cfg extras_require ${extra}`);
  }
}

function readSetupPy(info: SetupPyInfo, into: Collector, extras: string[]): void {
  if (info.pythonRequires && into.requiresPython === undefined)
    into.requiresPython = { specifier: info.pythonRequires, source: 'setup.py' };
  const deps = [
    ...(info.installRequires ?? []).map((r) => [r, 'setup.py install_requires'] as const),
    ...extras.flatMap((extra) =>
      (info.extras[extra] ?? []).map((r) => [r, `setup.py extras_require ${extra}`] as const),
    ),
  ];
  if (deps.length > 0) into.source('setup.py');
  for (const [requirement, from] of deps) into.add(requirement, from);
}

/**
 * tox.ini's `[testenv] deps`: where many projects keep what their tests need. `{[section]key}`
 * references are followed; factor-conditional lines (`py38: mock`) and substitutions
 * Testgate cannot resolve are skipped; `-r`/`-c` lines are requirement-file includes.
 */
function readToxDeps(tree: TreeReader, into: Collector): void {
  const text = tree.read('tox.ini');
  if (text === undefined) return;
  const ini = parseIni(text);
  const expand = (value: string, depth: number): string[] =>
    value
      .split('\n')
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter(Boolean)
      .flatMap((line) => {
        const ref = /^\{\[([^\]]+)\]([^}]+)\}$/.exec(line);
        if (ref) {
          const target = ini
            .get(ref[1]!.trim())
            ?.get(ref[2]!.trim().toLowerCase().replace(/-/g, '_'));
          return target !== undefined && depth < 5 ? expand(target, depth + 1) : [];
        }
        return [line];
      });
  const deps = ini.get('testenv')?.get('deps');
  if (deps === undefined) return;
  let used = false;
  for (const line of expand(deps, 0)) {
    const include = INCLUDE.exec(line);
    if (include) {
      const target = joinInside('', include[2]!.replace(/^\{toxinidir\}\//, ''));
      if (target !== undefined && !/[{}]/.test(target)) {
        if (include[1] === '-c' || include[1] === '--constraint')
          readConstraintsFile(target, tree, into);
        else readRequirementsFile(target, tree, into);
      }
      continue;
    }
    if (/^[\w.,!-]+:\s/.test(line) || /[{}]/.test(line) || line.startsWith('-')) continue;
    into.add(line, 'tox.ini [testenv] deps');
    used = true;
  }
  if (used) into.source('tox.ini');
}

// --- lock files -------------------------------------------------------------------------------

function sha256Of(hash: unknown): string | undefined {
  if (typeof hash !== 'string') return undefined;
  const match = /^sha256:([0-9a-fA-F]{64})$/.exec(hash);
  return match ? match[1]!.toLowerCase() : undefined;
}

/** uv.lock, poetry.lock, pylock.toml: the versions they fix and the hashes of their files. */
function readLock(tree: TreeReader, into: Collector): string | undefined {
  const uv = tree.read('uv.lock') === undefined ? undefined : readToml('uv.lock', tree, into);
  if (uv) {
    into.source('uv.lock');
    for (const entry of Array.isArray(uv.package) ? uv.package : []) {
      const pkg = table(entry);
      const source = table(pkg?.source);
      if (!pkg || typeof pkg.name !== 'string' || typeof pkg.version !== 'string') continue;
      if (source && !('registry' in source)) continue; // the project itself, a path or a git checkout
      const hashes = [
        ...(Array.isArray(pkg.wheels) ? pkg.wheels : []).map((w) => sha256Of(table(w)?.hash)),
        sha256Of(table(pkg.sdist)?.hash),
      ].filter((h): h is string => h !== undefined);
      const name = normalizeName(pkg.name);
      into.pins.set(name, { name, version: pkg.version, hashes, source: 'uv.lock' });
    }
    return 'uv.lock';
  }
  const poetry =
    tree.read('poetry.lock') === undefined ? undefined : readToml('poetry.lock', tree, into);
  if (poetry) {
    into.source('poetry.lock');
    for (const entry of Array.isArray(poetry.package) ? poetry.package : []) {
      const pkg = table(entry);
      if (!pkg || typeof pkg.name !== 'string' || typeof pkg.version !== 'string') continue;
      if (table(pkg.source) && table(pkg.source)?.type !== 'legacy') continue;
      const hashes = (Array.isArray(pkg.files) ? pkg.files : [])
        .map((f) => sha256Of(table(f)?.hash))
        .filter((h): h is string => h !== undefined);
      const name = normalizeName(pkg.name);
      into.pins.set(name, { name, version: pkg.version, hashes, source: 'poetry.lock' });
    }
    return 'poetry.lock';
  }
  const pylockPath = tree.paths().find((path) => /^pylock(\.[^/]+)?\.toml$/.test(path));
  const pylock = pylockPath ? readToml(pylockPath, tree, into) : undefined;
  if (pylock && pylockPath) {
    into.source(pylockPath);
    for (const entry of Array.isArray(pylock.packages) ? pylock.packages : []) {
      const pkg = table(entry);
      if (!pkg || typeof pkg.name !== 'string' || typeof pkg.version !== 'string') continue;
      const hashOf = (file: unknown): string | undefined => {
        const sha = table(table(file)?.hashes)?.sha256;
        return typeof sha === 'string' ? sha.toLowerCase() : undefined;
      };
      const hashes = [
        ...(Array.isArray(pkg.wheels) ? pkg.wheels : []).map(hashOf),
        hashOf(pkg.sdist),
      ].filter((h): h is string => h !== undefined);
      const name = normalizeName(pkg.name);
      into.pins.set(name, { name, version: pkg.version, hashes, source: pylockPath });
    }
    return pylockPath;
  }
  return undefined;
}

// --- all together -----------------------------------------------------------------------------

/** Reads what the project needs installed. Pure: the tree reader is the only input besides the config. */
export function discoverRequirements(
  tree: TreeReader,
  config: GateConfig['environment'],
  options: { setupPy?: SetupPyInfo } = {},
): RequirementSet {
  const into = new Collector();
  const pyproject =
    tree.read('pyproject.toml') === undefined ? undefined : readToml('pyproject.toml', tree, into);
  const name = table(pyproject?.project)?.name ?? table(table(pyproject?.tool)?.poetry)?.name;
  if (typeof name === 'string') into.projectName = normalizeName(name);
  const extras = [...new Set([...DEFAULT_EXTRAS, ...config.extras])];
  const groups = [...new Set([...DEFAULT_GROUPS, ...config.groups])];

  if (config.requirements.length > 0) {
    // The repository named its files: those, plus only the extras and groups it names.
    for (const file of config.requirements) readRequirementsFile(file, tree, into);
    if (pyproject)
      readPyproject(pyproject, into, {
        extras: config.extras,
        groups: config.groups,
        projectDependencies: false,
      });
  } else {
    const lock = readLock(tree, into);
    if (pyproject) readPyproject(pyproject, into, { extras, groups, projectDependencies: true });
    readSetupCfg(tree, into, extras, true);
    if (options.setupPy) readSetupPy(options.setupPy, into, extras);
    // With a lock the declared requirements are what to install and the lock fixes their
    // versions; without one, the requirement files say it.
    if (lock === undefined || into.requirements.length === 0) {
      for (const file of detectedRequirementFiles(tree.paths()))
        readRequirementsFile(file, tree, into);
      readToxDeps(tree, into);
    }
    if (
      into.requirements.length === 0 &&
      into.sources.length === 0 &&
      tree.read('setup.py') !== undefined &&
      options.setupPy?.installRequires == null
    ) {
      into.note(
        'setup.py is never run, and its install_requires is not a literal list Testgate can read: declare the dependencies in pyproject.toml, setup.cfg or a requirements file, or list them under environment.packages',
      );
    }
  }
  for (const requirement of config.packages) into.add(requirement, 'environment.packages');
  const pins = [...into.pins.values()];
  const pinnedNames = new Set(pins.map((pin) => pin.name));
  const pinned = into.requirements.every((requirement) => {
    const reqName = requirementName(requirement);
    return (
      (reqName !== undefined && pinnedNames.has(reqName)) ||
      /^[^;]*===?\s*[0-9][^\s,;*]*\s*(;.*)?$/.test(requirement)
    );
  });
  return {
    requirements: into.requirements,
    pins,
    sources: into.sources,
    gateTools: into.gateTools,
    notes: into.notes,
    ...(into.requiresPython === undefined ? {} : { requiresPython: into.requiresPython }),
    pinned,
    ...(into.projectName === undefined ? {} : { project: into.projectName }),
  };
}
