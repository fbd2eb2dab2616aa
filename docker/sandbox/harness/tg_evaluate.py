"""`evaluate` mode: run each candidate test alone, several times, under limits and audit hooks.

Output matches `evaluationEvidenceSchema` (packages/core/src/evidence.ts). Flow:
  diff + PR test selection (analysis modules) -> generated candidates copied into head ->
  import probe of the project's packages -> collection per file -> static findings ->
  runs (first run with coverage) -> evidence.
Every child runs with a fresh temp dir as TMPDIR/HOME, in its own session, killed as a group
when it ends. The runs of a test file's tests are forked from that file's server, which
collected it once in its own copy of the head tree (/work/runs/N/head; no run can write to
it); a file whose server refused runs each test in a fresh copy of its own.
"""

from __future__ import annotations

import ast
import concurrent.futures
import errno
import importlib
import importlib.util
import itertools
import json
import os
import platform
import queue
import re
import shutil
import signal
import sys
import threading
import time

import tg_budget
import tg_child
import tg_coverage
import tg_naming
import tg_oracles
import tg_strength

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
# CPU and wall time a child may spend before its test starts (interpreter, pytest, coverage, collection).
STARTUP_CPU_SECONDS = 10
STARTUP_WALL_SECONDS = 20
MAX_OUTPUT_BYTES = 2 * 1024 * 1024
FSIZE_BYTES = 64 * 1024 * 1024
NOFILE = 256
NPROC = 1024
MESSAGE_TAIL = 4000
# Unchanged test files collected to find tests that run changed code (base classes, helpers,
# fixtures), and how many tests running a changed fixture are judged: bounded so that a
# one-line change to a popular fixture does not run the whole suite.
MAX_CONTEXT_FILES = 8
MAX_FIXTURE_USERS = 20
# Kept from the container's deadline for Bandit, coverage assembly and the report.
BUDGET_RESERVE_SECONDS = 20
# The time budget of an evaluation, sized to its runs once they are known: the start
# (extraction, project detection, collection, Bandit, evidence) plus each run at its own
# limit and start-up, never less than the minimum, within the container's deadline.
START_ALLOWANCE_SECONDS = 90
RUN_ALLOWANCE_SECONDS = 2
MIN_BUDGET_SECONDS = 120
NO_NETWORK_HINT = (
    ' - the sandbox has no network and installs nothing, so third-party dependencies must be '
    'vendored in the repository or present in the sandbox image'
)


# How far (in lines) a reformatted line may have moved from its base position.
REFORMAT_WINDOW = 30


def _analysis(name: str):
    return importlib.import_module(name)


def _tail(text: str, n: int = MESSAGE_TAIL) -> str:
    text = text or ''
    return text if len(text) <= n else '...' + text[-n:]


DISK_FULL_MESSAGE = (
    "the sandbox's disk was full when this test was to start: a test of this pull request "
    "filled it (every test's files are removed when it ends); write less, and only under tmp_path"
)


class _ServerGone(RuntimeError):
    """A test file's server could not start a run (it died): the run goes to the zygote."""


class SandboxUnavailable(RuntimeError):
    """The gate's own sandbox cannot run tests safely here: never the PR's fault."""


# Branch coverage's tracer makes tight Python loops about three times slower: the first run,
# the one measured, gets that much more CPU, so a test well within its limit is not judged a
# timeout for the gate's own measuring (seen on more-itertools: a prime test using 0.7 s
# bare took 2.0 s traced, at a 2 s limit). `slow` is the median run, an untraced one.
COVERAGE_CPU_FACTOR = 3
# A file server's own CPU after collection: a fork per run (a few ms each), for every run of its file.
FILE_SERVER_CPU_SECONDS = 600

# Outcomes that settle a test's verdict on the first run: no rerun can undo a kill at a limit.
NO_RERUN_AFTER = ('timeout', 'resource-limit')


# Files at least this large that are not Python are shared between the runs' head copies by
# hard link instead of copied: /work is a tmpfs of the container's memory, and a data file of
# a few hundred MiB copied once per run would fill it. Sharing is safe because a child cannot
# write into its head copy (Landlock and the audit hook allow writes only under its temp and
# coverage dirs, tg_kernel_guard). Python files are always copied: the harness itself may
# rewrite one in a run's copy, which must never reach the shared original.
SHARE_FILES_FROM_BYTES = 1024 * 1024


# A file server started ahead of its runs holds a copy of the tree in /work from then on:
# only trees whose copy is small get one.
PRESTART_MAX_COPY_BYTES = 16 * 1024 * 1024


def _copied_bytes(head: str) -> int:
    """What a copy of the tree writes to /work (the files _copy_or_share copies)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(head):
        dirnames[:] = [d for d in dirnames if d not in ('.git', '__pycache__')]
        for name in filenames:
            try:
                size = os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
            if name.endswith('.py') or size < SHARE_FILES_FROM_BYTES:
                total += size
    return total


def _copy_or_share(src: str, dst: str) -> str:
    if not src.endswith('.py') and os.path.getsize(src) >= SHARE_FILES_FROM_BYTES:
        try:
            os.link(src, dst)
            return dst
        except OSError:
            pass
    return shutil.copy2(src, dst)


class _Runs:
    """Allocates /work/runs/N: a fresh head copy and a fresh temp dir per child."""

    def __init__(self, workdir: str, head: str, name: str = 'runs') -> None:
        self.root = os.path.join(workdir, name)
        self.head = head
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        os.makedirs(self.root, exist_ok=True)
        self.ini = os.path.join(workdir, '.tg', 'pytest.ini')
        os.makedirs(os.path.dirname(self.ini), exist_ok=True)
        # Harness-owned ini: the repo's pytest.ini/tox.ini/setup.cfg/pyproject (addopts,
        # plugins, filterwarnings...) are never read. Tampering there is reported by tg_rules.
        with open(self.ini, 'w') as f:
            f.write('[pytest]\n')

    def new(self) -> dict:
        with self.lock:
            n = next(self.counter)
        base = os.path.join(self.root, str(n))
        run_head = os.path.join(base, 'head')
        tmp = os.path.join(base, 'tmp')
        covdir = os.path.join(base, 'cov')
        shutil.copytree(
            self.head,
            run_head,
            symlinks=True,
            ignore=shutil.ignore_patterns('.git', '__pycache__'),
            copy_function=_copy_or_share,
        )
        os.makedirs(tmp)
        os.makedirs(covdir)
        return {'base': base, 'head': run_head, 'tmp': os.path.realpath(tmp), 'cov': covdir}

    @staticmethod
    def drop(run: dict) -> None:
        def onerror(func, path, exc):
            try:
                os.chmod(os.path.dirname(path), 0o700)
                os.chmod(path, 0o700)
                func(path)
            except OSError:
                pass

        shutil.rmtree(run['base'], onerror=onerror)


class Evaluator:
    def __init__(self, workdir: str, request: dict, progress) -> None:
        self.workdir = workdir
        self.base = os.path.join(workdir, 'base')
        self.head = os.path.join(workdir, 'head')
        self.settings = request['settings']
        self.request = request
        self._report_progress = progress
        # Wall seconds per phase, and the CPU its children used: the `timings` event at the
        # end (the CLI prints it with DEBUG=1; the suite-scale benchmark reads it).
        self.phase_wall: dict = {}
        self.phase_child_cpu_ms: dict = {}
        self.phase = 'start'
        self.phase_started = time.monotonic()
        self.runs = _Runs(workdir, self.head)
        # The strength step (tg_strength): the base code under the head's tests, its runs,
        # and the changed code files (mutants are swapped into the live functions of these).
        self.base_runs = None
        self.code_rels: list = []
        self.mutable_rels: list = []
        self.strength = None
        # Children are forked from a zygote that imported pytest and coverage once (the
        # `forkServer: false` setting starts each from a fresh interpreter instead).
        self.fork_server = bool(self.settings.get('forkServer', True))
        self.zygotes: dict = {}
        # File servers (one per test file, forked from the zygote): the runs of that file's
        # tests are forked from its collected state. At most `parallel + 1` live at once (the
        # idle one used longest ago stops for a new one); files whose server refused run each
        # test from the zygote.
        self.servers: dict = {}
        self.server_starting: dict = {}
        self.no_server: set = set()
        self.uncollectable: dict = {}  # 'base:' + test file -> its collection error there
        self.server_lock = threading.Lock()
        self.server_starts: list = []  # threads starting servers ahead of the runs
        self.server_counts = {'started': 0, 'refused': 0, 'runs': 0, 'cpu_ms': 0.0}
        self.warm_files: list = []
        # As many children at once as the container has cores, each with its share of the
        # memory left once the trees are in /work: together they cannot exhaust it.
        self.parallel, self.child_bytes, self.budget_basis = tg_budget.for_this_container(workdir)
        self.import_roots: list = []
        self._root_rels = None
        self._test_rel_answers: dict = {}  # test_file_rels and naming are fixed before any run
        self.env_paths = _analysis('tg_project').environment_paths(request)
        self.env_plugins = _analysis('tg_project').environment_plugins(self.env_paths)
        self.hypothesis_plugin = importlib.util.find_spec('_hypothesis_pytestplugin') is not None
        self.uses_hypothesis = False
        self.naming = None
        self.helper_targets: set = set()
        self.submodules: list = []
        self.fixtures_changed: dict = {}
        # The container's deadline, less room to write the report: children still running
        # then are stopped and reported as timeouts (the PR's code was running), and none
        # starts after it, so the gate always answers instead of being killed mid-run.
        deadline_ms = self.settings.get('deadlineMs')
        self.budget_seconds = float(deadline_ms) / 1000 if deadline_ms else None
        self.started = time.monotonic()
        self.not_after = (self.started + self.budget_seconds - BUDGET_RESERVE_SECONDS) if deadline_ms else None

    def progress(self, phase, message, done=None, total=None) -> None:
        now = time.monotonic()
        if phase != self.phase:
            self.phase_wall[self.phase] = self.phase_wall.get(self.phase, 0.0) + now - self.phase_started
            self.phase, self.phase_started = phase, now
        self._report_progress(phase, message, done, total)

    def timings(self) -> str:
        """One line: wall and children's CPU per phase, and the harness's own CPU."""
        import resource

        wall = dict(self.phase_wall)
        wall[self.phase] = wall.get(self.phase, 0.0) + time.monotonic() - self.phase_started
        parts = [
            '%s %.2f s (children cpu %.2f s)' % (name, seconds, self.phase_child_cpu_ms.get(name, 0) / 1000)
            for name, seconds in wall.items()
            if seconds >= 0.005 or name in self.phase_child_cpu_ms
        ]
        own = resource.getrusage(resource.RUSAGE_SELF)
        parts.append('harness cpu %.2f s' % (own.ru_utime + own.ru_stime))
        parts.append(
            '%d at a time, %d MiB each (%s), %s'
            % (
                self.parallel,
                self.child_bytes // (1024 * 1024),
                self.budget_basis,
                (
                    'forked from the fork server; %d run(s) from %d file server(s) (their own cpu %.2f s), %d refused'
                    % (
                        self.server_counts['runs'],
                        self.server_counts['started'],
                        self.server_counts['cpu_ms'] / 1000,
                        self.server_counts['refused'],
                    )
                )
                if self.fork_server
                else 'fresh interpreters',
            )
        )
        return '; '.join(parts)

    # ---------- children ----------

    def _zygote(self, pytest_args):
        """The fork server for children that preload these plugins; None when not in use."""
        if not self.fork_server:
            return None
        preload = tuple(p for p in ('_hypothesis_pytestplugin',) if p in pytest_args)
        with self.runs.lock:
            zygote = self.zygotes.get(preload)
            if zygote is None:
                try:
                    zygote = tg_child.Zygote(
                        [sys.executable, '-I', '-B', '-c', zygote_code()],
                        {'PATH': '/usr/local/bin:/usr/bin:/bin', 'LANG': 'C.UTF-8'},
                        (json.dumps(list(preload)),),
                    )
                except OSError as e:
                    print('harness: fork server could not start (%s); starting each child fresh' % e, file=sys.stderr)
                    self.fork_server = False
                    return None
                self.zygotes[preload] = zygote
                self._warm_zygote(zygote)
            return zygote

    def warm(self, rels) -> None:
        """Test files the children will import: the zygotes rewrite their asserts once, up front."""
        self.warm_files = [[os.path.join(self.head, r), r] for r in rels]
        for zygote in list(self.zygotes.values()):
            self._warm_zygote(zygote)

    def _warm_zygote(self, zygote) -> None:
        if not self.warm_files:
            return
        try:
            zygote.warm(self.warm_files)
        except tg_child.ZygoteError as e:
            print('harness: fork server could not rewrite the test files (%s)' % e, file=sys.stderr)

    def close(self) -> None:
        self._stop_servers()
        for zygote in self.zygotes.values():
            zygote.close()
        self.zygotes.clear()

    # ---------- file servers ----------

    def _file_server(self, rel: str, tree: str = 'head'):
        """The live file server of test file rel in `tree` ('head', or 'base': the base
        code under the head's tests) (started on first use, its `users` count taken), or
        None when this run goes to the zygote (fork server off, the server refused or died,
        no room for another one)."""
        if not self.fork_server:
            return None
        key = rel if tree == 'head' else tree + ':' + rel
        with self.server_lock:
            if key in self.no_server:
                return None
            starting = self.server_starting.setdefault(key, threading.Lock())
        with starting:  # one start per file; the others wait for it
            with self.server_lock:
                handle = self.servers.get(key)
                if handle is not None or key in self.no_server:
                    if handle is not None:
                        handle['users'] += 1
                    return handle
                idle = [h for h in self.servers.values() if h['users'] == 0]
                if len(self.servers) >= self.parallel + 1:
                    if not idle:
                        return None
                    evicted = min(idle, key=lambda h: h['last'])
                    del self.servers[evicted['key']]
                else:
                    evicted = None
            if evicted is not None:
                self._stop_server(evicted)
            handle = self._start_server(rel, tree)
            with self.server_lock:
                self.server_counts['refused' if handle is None else 'started'] += 1
                if handle is None:
                    self.no_server.add(key)
                    return None
                handle['users'] = 1
                handle['key'] = key
                self.servers[key] = handle
                return handle

    def _runs_of(self, tree: str) -> _Runs:
        return self.runs if tree == 'head' else self.base_runs

    def _start_server(self, rel: str, tree: str = 'head'):
        runs = self._runs_of(tree)
        try:
            run = runs.new()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
            return None
        cfg = {
            'mode': 'run',
            'serve': True,
            'nodeid': None,
            'pytest_args': self._pytest_args(run, rel, False),
            'test_files': self._test_files_map(run, self.test_file_rels),
            'coverage': self._coverage_cfg(run) if tree == 'head' else None,
            # The live functions of the changed code, indexed for the mutant runs (tg_mutate).
            'mutable_files': self.mutable_rels if tree == 'head' else [],
        }
        zygote = self._zygote(cfg['pytest_args'])
        if zygote is None:
            runs.drop(run)
            return None
        cpu_seconds = float(self.settings['cpuSecondsPerTest']) * COVERAGE_CPU_FACTOR
        env, cfg = self._child_setup(run, cfg, cpu_seconds)
        # Its own CPU is collection plus a fork per run; each run's limits are the run's own.
        limits = tg_child.rlimits(
            cpu_seconds=cpu_seconds + STARTUP_CPU_SECONDS + FILE_SERVER_CPU_SECONDS,
            as_bytes=self.child_bytes,
            fsize_bytes=FSIZE_BYTES,
            nofile=NOFILE,
            nproc=NPROC,
        )
        log = os.path.join(run['base'], 'server.log')
        try:
            client = tg_child.FileServer(
                zygote,
                run['head'],
                env,
                limits,
                json.dumps(cfg).encode() + b'\n',
                log,
                STARTUP_WALL_SECONDS + float(self.settings['wallSecondsPerTest']),
            )
        except (tg_child.FileServerRefused, tg_child.ZygoteError) as e:
            errors = getattr(e, 'collect_errors', None)
            if tree != 'head' and errors:
                # Every test of the file errors the same way over the base code: its runs
                # there need not start a session each to say so (tg_strength).
                with self.server_lock:
                    self.uncollectable[tree + ':' + rel] = str(errors[0].get('message') or '')
            print(
                'harness: no file server for %s (%s): one fresh child per run\n%s'
                % (rel, e, _tail(_read_tail(log), 2000)),
                file=sys.stderr,
            )
            runs.drop(run)
            return None
        return {
            'rel': rel,
            'client': client,
            'run': run,
            'users': 0,
            'last': time.monotonic(),
            'runs_cpu_ms': 0.0,
            'audits': [r for r in client.records if r.get('ev') == 'audit'],
        }

    def _prestart_servers(self, rels: list, tree: str = 'head') -> None:
        """Starts the servers of the first files of rels in the background, as many as run at
        once; a run that needs one meanwhile waits for its start. Not when a copy of the tree
        is large: each server holds one in /work (memory), and the budget of the children
        (tg_budget) counts only what /work held before the runs."""
        if not self.fork_server or not rels or _copied_bytes(self.head) > PRESTART_MAX_COPY_BYTES:
            return

        def start(rel: str) -> None:
            try:
                handle = self._file_server(rel, tree)
            except Exception as e:  # noqa: BLE001 -- the file's runs start it again, or go to the zygote
                print('harness: starting the file server of %s early failed: %r' % (rel, e), file=sys.stderr)
                return
            if handle is not None:
                self._release_server(handle, False)

        for rel in rels[: self.parallel]:
            thread = threading.Thread(target=start, args=(rel,), name='file-server-start', daemon=True)
            thread.start()
            self.server_starts.append(thread)

    def _release_server(self, handle, gone: bool) -> None:
        with self.server_lock:
            handle['users'] -= 1
            handle['last'] = time.monotonic()
            if gone:
                self.no_server.add(handle['key'])
                if self.servers.get(handle['key']) is handle:
                    del self.servers[handle['key']]
            stop = gone and handle['users'] == 0
        if stop:
            self._stop_server(handle)

    def _stop_servers(self) -> None:
        for thread in self.server_starts:
            thread.join()  # bounded by the server's startup deadline
        self.server_starts.clear()
        with self.server_lock:
            handles = list(self.servers.values())
            self.servers.clear()
        for handle in handles:
            self._stop_server(handle)

    def _stop_server(self, handle) -> None:
        handle['client'].close()
        with self.server_lock:
            # wait4 counts a process's reaped children in its own usage: the runs are theirs.
            self.server_counts['cpu_ms'] += max(0.0, handle['client'].cpu_ms - handle['runs_cpu_ms'])
        self.runs.drop(handle['run'])

    def _served_run(self, handle, with_coverage: bool) -> dict:
        """A run's own temp (and coverage) dir inside its server's (the server may write
        only there, the run only in its own), over the server's copy of the tree."""
        import secrets

        server_run = handle['run']
        name = 'run-' + secrets.token_hex(8)
        # The server's temp dir is resolved already (_Runs.new): no realpath per run.
        tmp = os.path.join(server_run['tmp'], name)
        os.mkdir(tmp, 0o700)
        run = {'base': None, 'head': server_run['head'], 'tmp': tmp, 'cov': None}
        if with_coverage:
            run['cov'] = os.path.join(server_run['cov'], name)
            try:
                os.mkdir(run['cov'], 0o700)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        return run

    @staticmethod
    def _drop_served(run: dict) -> None:
        for path in (run['tmp'], run['cov']):
            if path is not None:
                _Runs.drop({'base': path})

    def _map_roots(self, run_head: str) -> list:
        # The roots relative to the tree, resolved once: every run asks (realpath is most of
        # the harness's own time per run otherwise).
        key = tuple(self.import_roots)
        if self._root_rels is None or self._root_rels[0] != key:
            head = os.path.realpath(self.head)
            rels = [os.path.relpath(os.path.realpath(root), head) for root in self.import_roots]
            self._root_rels = (key, [r for r in rels if not r.startswith('..')])
        return [os.path.normpath(os.path.join(run_head, rel)) for rel in self._root_rels[1]] or [run_head]

    def _child_setup(self, run: dict, cfg: dict, cpu_seconds: float):
        """The environment and the bootstrap's config of a child that runs in `run`."""
        tmp = run['tmp']
        env = {
            'PATH': '/usr/local/bin:/usr/bin:/bin',
            'LANG': 'C.UTF-8',
            'HOME': tmp,
            'TMPDIR': tmp,
            'PYTHONDONTWRITEBYTECODE': '1',
            'PYTHONHASHSEED': '0',
            # Only the plugins we name with -p load: nothing a repo could add through entry points.
            'PYTEST_DISABLE_PLUGIN_AUTOLOAD': '1',
            'HYPOTHESIS_STORAGE_DIRECTORY': os.path.join(tmp, '.hypothesis'),
            'PYTHONPATH': os.pathsep.join(self._map_roots(run['head'])),
        }
        cfg = dict(cfg)
        cfg.setdefault('cwd', run['head'])
        cfg['allowed'] = [tmp]
        cfg['tmp'] = tmp
        cfg['import_roots'] = self._map_roots(run['head'])
        cfg['env_paths'] = self.env_paths
        cfg['cpu_seconds'] = cpu_seconds
        cfg['harness_dir'] = HARNESS_DIR
        # A failure raised inside these is the code's, not a check of the test's (_failure_kind).
        cfg['code_files'] = self.code_rels
        return env, cfg

    def _child(self, run: dict, cfg: dict, *, cpu_seconds: float, wall_seconds: float, server=None):
        """Runs one child: exec'd, forked by the zygote, or (server) by its test file's server.
        Raises _ServerGone when that server could not start it."""
        env, cfg = self._child_setup(run, cfg, cpu_seconds)
        argv = [sys.executable, '-I', '-B', '-c', child_code()]
        limits = tg_child.rlimits(
            cpu_seconds=cpu_seconds + STARTUP_CPU_SECONDS,
            as_bytes=self.child_bytes,
            fsize_bytes=FSIZE_BYTES,
            nofile=NOFILE,
            nproc=NPROC,
        )

        def start(zygote, extra=None):
            return tg_child.run_child(
                argv,
                run['head'],
                env,
                cpu_seconds,
                wall_seconds,
                MAX_OUTPUT_BYTES,
                stdin_data=json.dumps(cfg).encode() + b'\n',
                channel=True,
                startup_seconds=STARTUP_WALL_SECONDS,
                limits=limits,
                test_cpu_seconds=cpu_seconds if cfg['mode'] == 'run' else None,
                not_after=self.not_after,
                zygote=zygote,
                spawn_extra=extra,
            )

        try:
            if server is not None:
                try:
                    res = start(server['client'], {'nodeid': cfg['nodeid']})
                except tg_child.ZygoteError as e:
                    raise _ServerGone(str(e)) from e
            else:
                res = start(self._zygote(cfg.get('pytest_args', ())))
        except tg_child.ZygoteError as e:
            # The gate's own machinery failed, not the test: run this and later children exec'd.
            print('harness: fork server unavailable (%s); starting each child fresh' % e, file=sys.stderr)
            self.fork_server = False
            res = start(None)
        self.phase_child_cpu_ms[self.phase] = self.phase_child_cpu_ms.get(self.phase, 0.0) + res.cpu_ms
        if server is not None:
            with self.server_lock:
                server['runs_cpu_ms'] += res.cpu_ms
        guard_error = next((r for r in res.records if r.get('ev') == 'guard-error'), None)
        if guard_error is not None:
            raise SandboxUnavailable(
                'the sandbox could not install its kernel restrictions (seccomp/Landlock): %s'
                % guard_error.get('message')
            )
        guard = next((r for r in res.records if r.get('ev') == 'guard'), None)
        if guard is not None and not guard.get('landlock') and not getattr(self, '_said_no_landlock', False):
            self._said_no_landlock = True
            print('harness: Landlock is not available here; the audit hook alone guards file writes', file=sys.stderr)
        print(
            'harness: child %s %s: exit=%s signal=%s limit=%s cpu=%dms wall=%dms out=%dB swept=%d'
            % (
                cfg['mode'],
                cfg.get('nodeid') or cfg.get('pytest_args', [''])[0] if cfg['mode'] != 'probe' else '',
                res.exit_code,
                res.signal,
                res.limit,
                res.cpu_ms,
                res.wall_ms,
                res.output_bytes,
                res.swept,
            ),
            file=sys.stderr,
        )
        return res

    def _pytest_args(self, run: dict, rel_file: str, collect: bool) -> list:
        args = [
            rel_file,
            '-c',
            self.runs.ini,
            '--rootdir',
            run['head'],
            '--confcutdir',
            run['head'],
            '-p',
            'no:cacheprovider',
            '-p',
            'no:stepwise',
            '-q',
            '-s',
            '--tb=short',
            '--no-header',
            '--color=no',
            '-o',
            'console_output_style=classic',
            '-o',
            'xfail_strict=false',
        ]
        # The project's test naming (python_files/classes/functions), so pytest collects what its CI does.
        args += self.naming.pytest_overrides()
        # Importing hypothesis costs more than pytest itself: load its plugin only for
        # repos that use it (the @given decorator works without the plugin anyway).
        if self.hypothesis_plugin and self.uses_hypothesis:
            args += ['-p', '_hypothesis_pytestplugin']
        # The project's own pytest plugins (pytest-mock's `mocker`, ...), from its installed
        # dependencies; ones that decide outcomes are dropped again at session start.
        for module in self.env_plugins:
            args += ['-p', module]
        if collect:
            args.append('--collect-only')
        return args

    def _test_files_map(self, run: dict, rels) -> dict:
        return {os.path.join(run['head'], r): r for r in rels}

    # ---------- phases ----------

    def probe(self, packages: list):
        """None when every package imports; else {'text', 'blame', 'file', 'line', 'findings'}.

        blame: 'dependency' (the import system found no such third-party module: not the
        PR's fault, neutral), 'gate' (a package the gate's own tools shadow, or a module the
        build would generate: the gate cannot judge it, neutral) or 'pr' (the PR's code
        raised, hung, crashed or was killed while importing: a failure of the PR).
        """
        if not packages:
            return None
        run = self.runs.new()
        try:
            plugins = ['-p', '_hypothesis_pytestplugin'] if self.hypothesis_plugin and self.uses_hypothesis else []
            res = self._child(
                run,
                {'mode': 'probe', 'packages': packages, 'pytest_args': plugins},
                cpu_seconds=float(self.settings['cpuSecondsPerTest']) + 10,
                wall_seconds=float(self.settings['wallSecondsPerTest']) + 10,
            )
        finally:
            self.runs.drop(run)
        rec = next((r for r in res.records if r.get('ev') == 'probe'), None)
        default_file = self._package_file(packages[0])
        if rec is None:
            findings = []
            if res.signal == signal.SIGSYS:
                what = KERNEL_BLOCK_MESSAGE.replace('the test process', 'the import')
                findings.append(_audit_finding(_kernel_audit(default_file, 0, 'collect'), default_file, 0))
            elif res.timed_out or res.limit:
                what = 'stopped at the %s limit (%s)' % (
                    res.limit or 'wall',
                    'the import hangs or loops' if res.timed_out else 'the import exhausts a resource',
                )
            else:
                what = 'crashed (exit code %s, signal %s)' % (res.exit_code, res.signal)
            text = 'importing %s %s\n%s' % (', '.join(packages), what, _tail(res.stderr_tail, 2000))
            audits = [a for a in res.records if a.get('ev') == 'audit']
            findings += [_audit_finding(a, default_file, 0) for a in audits]
            return {'text': text, 'blame': 'pr', 'file': default_file, 'line': 0, 'findings': findings}
        errors = rec.get('errors') or {}
        # A package the gate's tools shadow makes the project unjudgeable only when the base
        # tree has it too: a PR must not turn the gate neutral by adding a `pluggy/` of its own.
        errors = {
            name: err for name, err in errors.items() if err.get('type') != 'TestgateShadowed' or self._in_base(name)
        }
        if not errors:
            return None
        parts = []
        blames = []
        where_file, where_line = default_file, 0
        for name, err in errors.items():
            text = err.get('text', '')
            last = text.strip().splitlines()[-1] if text.strip() else err.get('type', 'error')
            hint = ''
            real_missing = err.get('importMissing')
            if err.get('type') == 'TestgateShadowed':
                blames.append('gate')
            elif err.get('blockedModule'):
                # The package needs native code the sandbox refuses: the gate cannot judge it.
                blames.append('gate')
                hint = ' - the sandbox does not let tests load native code (%s)' % err['blockedModule']
            elif real_missing and not self._in_repo(real_missing):
                blames.append('dependency')
                hint = NO_NETWORK_HINT
            elif real_missing:
                blames.append('gate')  # a module of the repo the build writes (a version file)
            else:
                blames.append('pr')
                if err.get('where'):
                    rel, _, line = str(err['where']).rpartition(':')
                    if rel and line.isdigit() and where_line == 0:
                        where_file, where_line = rel, int(line)
            where = ' (imported at %s)' % err['where'] if err.get('where') else ''
            parts.append('import %s failed: %s%s%s\n%s' % (name, last, where, hint, _tail(text, 3000)))
        blame = 'pr' if 'pr' in blames else ('dependency' if 'dependency' in blames else 'gate')
        return {'text': '\n\n'.join(parts), 'blame': blame, 'file': where_file, 'line': where_line, 'findings': []}

    def _package_file(self, package: str) -> str:
        """Repo-relative path of a top-level package's __init__.py (or module), for blame."""
        for root in self.import_roots or [self.head]:
            for candidate in (os.path.join(root, package, '__init__.py'), os.path.join(root, package + '.py')):
                if os.path.isfile(candidate):
                    return os.path.relpath(candidate, self.head)
        return package

    def _in_repo(self, module: str, *also: str) -> bool:
        """Whether the repository holds `module` (its top level) where it could be imported from."""
        top = module.split('.')[0]
        places = list(self.import_roots) + [self.head, *also]
        return any(os.path.exists(os.path.join(p, top)) or os.path.exists(os.path.join(p, top + '.py')) for p in places)

    def _size_budget(self, tests: int) -> None:
        """The budget for these tests' runs, counted from the harness's start (the caller
        only caps it: what pytest collected is known here, not where the request is made)."""
        settings = self.settings
        per_run = (
            max(float(settings['wallSecondsPerTest']), float(settings['cpuSecondsPerTest'])) + RUN_ALLOWANCE_SECONDS
        )
        runs = int(settings['reruns']) + (1 if self.strength is not None and self.strength.base_runs else 0)
        mutation = self.strength.mutation if self.strength is not None else {'enabled': False}
        # The mutant runs stop at their own budget; the allowance keeps them inside this one.
        mutation_seconds = float(mutation['seconds']) if mutation['enabled'] and self.strength.mutants else 0.0
        seconds = max(MIN_BUDGET_SECONDS, START_ALLOWANCE_SECONDS + tests * runs * per_run + mutation_seconds)
        not_after = self.started + seconds - BUDGET_RESERVE_SECONDS
        self.not_after = not_after if self.not_after is None else min(self.not_after, not_after)
        self.budget_seconds = self.not_after + BUDGET_RESERVE_SECONDS - self.started  # as budget_message says it

    def budget_spent(self) -> bool:
        return self.not_after is not None and time.monotonic() >= self.not_after

    def budget_message(self) -> str:
        return (
            "the sandbox's time budget for this pull request (%d s) ran out while its code ran: earlier "
            "tests or imports took that long (see their times); make them faster" % (self.budget_seconds or 0)
        )

    def collect(self, rel_file: str, twin_of: str | None = None) -> dict:
        """Collect one test file in a fresh tree. twin_of: collect instead a copy of that
        file holding only its module-level import statements, placed beside it (same
        conftests, same package), to time what importing its dependencies costs."""
        if self.budget_spent():
            return {'items': [], 'error': 'not collected: ' + self.budget_message(), 'audits': [], 'collectMs': None}
        try:
            run = self.runs.new()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
            return {'items': [], 'error': 'not collected: ' + DISK_FULL_MESSAGE, 'audits': [], 'collectMs': None}
        try:
            if twin_of is not None:
                with open(os.path.join(run['head'], rel_file), 'w', encoding='utf-8') as f:
                    f.write(_imports_only(os.path.join(self.head, twin_of)))
            res = self._child(
                run,
                {
                    'mode': 'collect',
                    'pytest_args': self._pytest_args(run, rel_file, True),
                    'test_files': self._test_files_map(run, [rel_file]),
                },
                cpu_seconds=float(self.settings['cpuSecondsPerTest']) + 10,
                wall_seconds=float(self.settings['wallSecondsPerTest']),
            )
        finally:
            self.runs.drop(run)
        ready = next((r for r in res.records if r.get('ev') == 'ready'), None)
        done = next((r for r in res.records if r.get('ev') == 'collected'), None)
        collect_ms = (float(done['atMs']) - float(ready['atMs'])) if ready and done else None
        items = []
        errors = []
        audits = []
        for r in res.records:
            ev = r.get('ev')
            if ev == 'collected':
                items = r.get('items') or []
            elif ev == 'collect-error':
                errors.append(r.get('message') or '')
            elif ev == 'audit':
                audits.append(r)
        error = None
        if res.signal == signal.SIGSYS:
            audits.append(_kernel_audit(rel_file, 0, 'collect'))
            error = 'collecting %s: %s' % (rel_file, KERNEL_BLOCK_MESSAGE.replace('the test process', 'the collection'))
        elif errors:
            error = _tail('\n'.join(errors))
        elif res.budget_exhausted:
            error = 'collection stopped: ' + self.budget_message()
        elif res.timed_out or res.limit:
            error = 'collection stopped: %s limit (%s)' % (res.limit, 'timeout' if res.timed_out else 'resource')
        elif not any(r.get('ev') == 'exit' for r in res.records):
            error = 'collection crashed (exit %s, signal %s): %s' % (
                res.exit_code,
                res.signal,
                _tail(res.stderr_tail + res.stdout_tail, 3000),
            )
        elif not items and next((r.get('code') for r in res.records if r.get('ev') == 'exit'), 0) not in (0, 5):
            # pytest's exit 4 (usage error) is how an ImportError in a conftest.py or a bad
            # option ends: no collect report, only the text on stderr. Never a silent pass.
            code = next(r.get('code') for r in res.records if r.get('ev') == 'exit')
            error = 'pytest could not collect %s (exit code %s):\n%s' % (
                rel_file,
                code,
                _tail(res.stderr_tail + res.stdout_tail, 3000),
            )
        items = [it for it in items if it.get('file') == rel_file or it['nodeid'].startswith(rel_file + '::')]
        return {'items': items, 'error': error, 'audits': audits, 'collectMs': collect_ms}

    def import_work_ms(self, rel: str, collect_ms: float | None) -> float:
        """Milliseconds `rel` spends at import beyond its own import statements (0 when under the
        slow budget): module-level work delays every test of the file however pytest times it."""
        slow_ms = float(self.settings.get('slowMs') or 500)
        if collect_ms is None or collect_ms <= slow_ms:
            return 0.0
        directory, name = os.path.split(rel)
        twin = os.path.join(directory, '_testgate_imports_of_' + name)
        base = self.collect(twin, twin_of=rel).get('collectMs')
        if base is None:
            return 0.0
        extra = collect_ms - base
        return extra if extra > slow_ms else 0.0

    def run_test(self, test: dict, index: int, with_coverage: bool, tree: str = 'head', mutant=None, limits=None):
        """One run of a test: in the head tree, or in `tree` 'base' (the base code under the
        head's tests), or (mutant) against a mutant of the changed code, which only a file
        server's child can patch in: None then when the test's file has no server.
        limits: (cpu seconds, wall seconds) instead of the settings'."""
        if self.budget_spent():
            return {
                'run': {
                    'outcome': 'timeout',
                    'limit': 'wall',
                    'durationMs': 0.0,
                    'cpuMs': 0.0,
                    'message': 'not run: ' + self.budget_message(),
                },
                'coverage': None,
                'audits': [],
            }
        server = self._file_server(test['file'], tree)
        if server is None and mutant is not None:
            return None
        if server is not None:
            gone = False
            try:
                run = self._served_run(server, with_coverage)
            except OSError as e:
                self._release_server(server, False)
                if e.errno != errno.ENOSPC:
                    raise
                return self._disk_full()
            try:
                result = self._run_in(run, test, with_coverage, server, mutant, limits)
                with self.server_lock:
                    self.server_counts['runs'] += 1
                return result
            except _ServerGone as e:
                gone = True
                print(
                    'harness: the file server of %s is gone (%s): its runs go to the zygote' % (test['file'], e),
                    file=sys.stderr,
                )
            finally:
                self._drop_served(run)
                self._release_server(server, gone)
            if mutant is not None:
                return None
        runs = self._runs_of(tree)
        try:
            run = runs.new()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
            return self._disk_full()
        try:
            return self._run_in(run, test, with_coverage, None, None, limits)
        finally:
            runs.drop(run)

    @staticmethod
    def _disk_full() -> dict:
        # Only the PR's code fills the sandbox's disk (each test's files go when it ends).
        return {
            'run': {
                'outcome': 'resource-limit',
                'limit': 'disk',
                'durationMs': 0.0,
                'cpuMs': 0.0,
                'message': DISK_FULL_MESSAGE,
            },
            'coverage': None,
            'audits': [],
        }

    def _coverage_cfg(self, run: dict) -> dict:
        roots = self._map_roots(run['head'])
        omit = ['*/conftest.py', '*/test_*.py', '*/*_test.py']
        omit += [os.path.join(run['head'], g) for g in self.settings['testGlobs']]
        omit += [os.path.join(run['head'], r) for r in self.test_file_rels]
        return {'data_file': os.path.join(run['cov'], '.coverage'), 'source': roots, 'omit': omit}

    def _run_in(self, run: dict, test: dict, with_coverage: bool, server, mutant=None, limits=None) -> dict:
        """One run of a test in `run` (its own dirs), from the zygote or from its file's server."""
        if server is not None:
            # Its server holds the session, the pytest arguments and coverage's settings.
            cfg = {'mode': 'run', 'nodeid': test['nodeid']}
            if with_coverage:
                cfg['coverage'] = {'data_file': os.path.join(run['cov'], '.coverage')}
            if mutant is not None:
                cfg['mutant'] = {k: mutant[k] for k in ('file', 'qualname', 'firstLine', 'code')}
        else:
            cfg = {
                'mode': 'run',
                'nodeid': test['nodeid'],
                'pytest_args': self._pytest_args(run, test['file'], False),
                'test_files': self._test_files_map(run, self.test_file_rels),
            }
            if with_coverage:
                cfg['coverage'] = self._coverage_cfg(run)
        cpu_seconds = float(self.settings['cpuSecondsPerTest'])
        wall_seconds = float(self.settings['wallSecondsPerTest'])
        if limits is not None:
            cpu_seconds, wall_seconds = limits
        if with_coverage:
            cpu_seconds *= COVERAGE_CPU_FACTOR
        res = self._child(run, cfg, cpu_seconds=cpu_seconds, wall_seconds=wall_seconds, server=server)
        if mutant is not None and any(r.get('ev') == 'mutant' and not r.get('patched') for r in res.records):
            return {'run': None, 'coverage': None, 'audits': []}  # the function was never imported here
        outcome = self._outcome(res)
        cov = None
        if with_coverage:
            try:
                cov = tg_coverage.summarize(
                    os.path.join(run['cov'], '.coverage'),
                    run['head'],
                    self.head,
                    self.changed_lines,
                    self.error_lines,
                    self._is_test_rel,
                    names=test.get('names') or set(),
                )
            except Exception as e:  # noqa: BLE001 -- coverage is evidence; a broken data file means none
                print('harness: coverage of %s: %r' % (test['nodeid'], e), file=sys.stderr)
                cov = tg_coverage.empty()
        # A served run's collection happened in its server: what was seen there is this run's too.
        audits = list(server['audits']) if server is not None else []
        audits += [r for r in res.records if r.get('ev') == 'audit']
        if res.signal == signal.SIGSYS:
            audits.append(_kernel_audit(test['file'], test['startLine'], 'test'))
        if res.forged_lines:
            audits.append(
                {
                    'ev': 'audit',
                    'event': 'channel-forgery',
                    'reason': 'tampering',
                    'severity': 'high',
                    'detail': '%d line(s) on the harness channel without the run token' % res.forged_lines,
                    'file': test['file'],
                    'line': test['startLine'],
                    'phase': 'test',
                }
            )
        return {'run': outcome, 'coverage': cov, 'audits': audits}

    def _outcome(self, res) -> dict:
        """A run's outcome from what this process saw of it: the limit or signal that
        stopped it, else what pytest reported, cross-checked with the exit status."""
        result = next((r for r in res.records if r.get('ev') == 'result'), None)
        early = next((r.get('limit') for r in res.records if r.get('ev') == 'limit'), None)
        start = next((r for r in res.records if r.get('ev') == 'start'), None)
        exited = next((r for r in res.records if r.get('ev') == 'exit'), None)
        # Time and CPU as this process measured them (record arrival on our clock, the
        # child's CPU from /proc and rusage), never pytest's own numbers: a test that
        # freezes pytest's clock still takes the time it takes.
        if start is not None and result is not None:
            dur = max(0.0, float(result['atMs']) - float(start['atMs']))
        else:
            dur = res.test_wall_ms if res.test_wall_ms is not None else res.wall_ms
        cpu = max(0.0, res.cpu_ms - (res.start_cpu_ms if res.start_cpu_ms is not None else 0.0))
        stopped = self._stopped(res, start is not None, cpu)
        if stopped is None and result is None:
            stopped = _unreported(res, start is not None, early)
        if stopped is not None:
            outcome, limit, message = stopped
            run = {'outcome': outcome}
            if limit is not None:
                run['limit'] = limit
            run.update({'durationMs': dur, 'cpuMs': cpu, 'message': message})
            return run
        return _reported(res, result, early, exited is not None, dur, cpu)

    def _stopped(self, res, started: bool, cpu: float):
        """(outcome, limit, message) when a limit, the budget or a signal ended the run."""
        cpu_s = float(self.settings['cpuSecondsPerTest'])
        wall_s = float(self.settings['wallSecondsPerTest'])
        cpu_message = 'the test used more than %g CPU-seconds and was killed' % cpu_s
        if res.limit == 'output':
            return (
                'resource-limit',
                'output',
                'the test wrote more than %d bytes of output and was killed' % MAX_OUTPUT_BYTES,
            )
        if res.budget_exhausted:
            return 'timeout', 'wall', 'stopped: ' + self.budget_message()
        if res.timed_out:
            if res.limit == 'cpu':
                return 'timeout', 'cpu', cpu_message
            return 'timeout', res.limit or 'wall', 'the test ran past the wall deadline of %g s and was killed' % wall_s
        if res.limit == 'disk':
            return 'resource-limit', 'disk', 'the test wrote a file larger than %d bytes' % FSIZE_BYTES
        if res.signal is None:
            return None
        if res.signal == signal.SIGSYS:
            return 'error', None, KERNEL_BLOCK_MESSAGE
        if res.signal == signal.SIGKILL:
            if started and cpu >= cpu_s * 1000 - 50:
                return 'timeout', 'cpu', cpu_message
            return 'resource-limit', 'memory', 'the test process was killed (SIGKILL), most likely out of memory'
        name = signal.Signals(res.signal).name if res.signal in signal.Signals._value2member_map_ else '?'
        return 'error', None, _tail('the test process died of signal %d (%s)\n%s' % (res.signal, name, res.stderr_tail))

    # ---------- orchestration ----------

    def _in_base(self, package: str) -> bool:
        roots = [self.base] + [os.path.join(self.base, os.path.relpath(r, self.head)) for r in self.import_roots]
        return any(
            os.path.exists(os.path.join(r, package)) or os.path.exists(os.path.join(r, package + '.py')) for r in roots
        )

    def _missing_dependency(self, rel: str, error: str) -> str | None:
        """The module a test file's collection error says is missing, when the repository has
        no such module anywhere it could import from: a third-party dependency."""
        match = None
        lines = error.splitlines()
        for i, line in enumerate(lines):
            found = re.match(r"E\s+ModuleNotFoundError: No module named '([\w.]+)'", line.strip())
            if not found:
                continue
            # pytest shows the statement that failed just above its E lines: only an import
            # statement is a missing module; `raise ModuleNotFoundError(...)` is code failing.
            code = next((c for c in reversed(lines[:i]) if c.strip() and not c.lstrip().startswith('E ')), '')
            if re.match(r'\s*(import|from)\s', code):
                match = found
        if not match:
            return None
        if self._in_repo(match.group(1), os.path.dirname(os.path.join(self.head, rel))):
            return None
        return match.group(1)

    def _context_files(self, changed_files: list, files: dict) -> list:
        """Unchanged test files that import a module whose tests the PR changed (a base class
        other test modules inherit, a helper under the test paths) or mention a fixture it
        changed. Capped: they are collected only to find the affected tests."""
        tg_select = _analysis('tg_select')
        targets: set = set()
        for change in changed_files:
            rel = change['path']
            if change['status'] == 'deleted' or not rel.endswith('.py') or rel.rsplit('/', 1)[-1] == 'conftest.py':
                continue
            if files.get(rel, {}).get('kind') == 'tests':
                continue
            helper = change['isTest'] and not self.naming.is_test_file(rel)
            if helper or tg_select.defines_changed_tests(
                self.head, rel, self.tree_diff.raw_lines.get(rel, []), self.naming
            ):
                targets |= tg_select.module_names(rel)
        self.helper_targets = targets
        if not targets and not self.fixtures_changed:
            return []
        candidates = []
        for d, dirs, names in os.walk(self.head):
            dirs[:] = sorted(x for x in dirs if x not in ('.git', '__pycache__', 'node_modules', '.tox', '.venv'))
            for n in sorted(names):
                rel = os.path.relpath(os.path.join(d, n), self.head)
                if rel not in files and rel.endswith('.py') and self.naming.is_test_file(rel):
                    candidates.append(rel)
        out = tg_select.importers(self.head, candidates, targets, MAX_CONTEXT_FILES) if targets else []
        if self.fixtures_changed:
            words = re.compile(r'\b(%s)\b' % '|'.join(re.escape(n) for n in self.fixtures_changed))
            for rel in candidates:
                if len(out) >= MAX_CONTEXT_FILES:
                    break
                if rel in out:
                    continue
                text = _analysis('tg_diff').read_source(os.path.join(self.head, rel)) or ''
                if words.search(text):
                    out.append(rel)
        return out

    def _select_from_collection(self, rel: str, items: list, tests: list) -> None:
        """Add the collected items of `rel` the AST selection missed but the change touches:
        tests bound by assignment on a changed line, tests whose code (inherited, made by a
        factory) lies on changed lines, and tests that run a changed fixture (`uses`)."""
        tg_select = _analysis('tg_select')
        chosen = {t['nodeid'] for t in tests}
        assigned = tg_select.assigned_names(os.path.join(self.head, rel))
        base_path = os.path.join(self.base, rel)
        base_assigned = tg_select.assigned_names(base_path) if os.path.isfile(base_path) else {}
        raw = self.raw_line_sets

        def touched(file: str, start: int, end: int) -> bool:
            if file in self.tree_diff.added:
                return True
            return any(start <= n <= end for n in raw.get(file, ()))

        uses = sum(1 for t in tests if t.get('change') == 'uses')
        class_lines = _class_lines(os.path.join(self.head, rel))
        # A test module importing a helper (or base class) the PR changed: its tests run it.
        helper_user = bool(self.helper_targets) and bool(tg_select.importers(self.head, [rel], self.helper_targets, 1))
        # Functions the AST selection already decided on (all their cases, or only the new
        # parametrize cases): their other items are unchanged cases, not missed tests.
        decided = {t['function'] for t in tests if t['file'] == rel}
        for it in items:
            if it['nodeid'] in chosen or it['function'] in decided:
                continue
            code_file, code_line = it.get('codeFile') or '', int(it.get('codeLine') or 0)
            code_end = max(code_line, int(it.get('codeEnd') or 0))
            start, end, change = int(it.get('line') or 0), int(it.get('line') or 0), None
            bound = assigned.get(it['function']) if not it.get('cls') else None
            if bound and touched(rel, bound[0], bound[1]):
                start, end = bound
                change = 'modified' if it['function'] in base_assigned else 'added'
            elif (
                code_line
                and code_file
                and (code_file != rel or '<locals>' in (it.get('codeName') or ''))
                and (code_file in self.tree_diff.added or code_file in raw)
            ):
                # Code pytest found elsewhere than a plain def of this file (those are the AST
                # selection's): an inherited method, a factory's inner function.
                change = tg_select.code_change(self.base, self.head, code_file, code_line)
                if code_file == rel:
                    start, end = code_line, code_end
                else:
                    # Inherited: point at the class in this file that pulls the test in.
                    start = end = class_lines.get(it.get('cls') or '', start or 1)
            if (
                change is None
                and (helper_user or set(it.get('fixtures') or ()) & set(self.fixtures_changed))
                and uses < MAX_FIXTURE_USERS
            ):
                change = 'uses'
                uses += 1
            if change is None:
                continue
            chosen.add(it['nodeid'])
            tests.append(
                {
                    'nodeid': it['nodeid'],
                    'file': rel,
                    'function': it['function'],
                    'cls': it.get('cls'),
                    'startLine': start,
                    'endLine': end,
                    'origin': 'pr',
                    'change': change,
                    'codeFile': code_file,
                    'codeLine': code_line,
                }
            )

    def _reformatted(self, rel: str, line: int) -> bool:
        """The changed line is only a re-layout of a base line near it (black, ruff format:
        spacing, quotes, a trailing comma): its finding was in the base already."""

        def lines(root):
            try:
                with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as fh:
                    return fh.read().splitlines()
            except OSError:
                return []

        def layout_free(text):
            return re.sub(r'\s+', '', text).replace("'", '"').rstrip(',')

        head, base = lines(self.head), lines(self.base)
        if not (0 < line <= len(head)) or not base:
            return False
        target = layout_free(head[line - 1])
        if not target:
            return False
        window = base[max(0, line - 1 - REFORMAT_WINDOW) : line + REFORMAT_WINDOW]
        return any(layout_free(text) == target for text in window)

    def _is_test_rel(self, rel: str) -> bool:
        known = self._test_rel_answers.get(rel)
        if known is None:
            known = self._test_rel_answers[rel] = rel in self.test_file_rels or self.naming.is_test_code(rel)
        return known

    def evaluate(self) -> dict:
        """Judges the PR's tests and the candidates: the phases below, in this order."""
        t0 = time.monotonic()
        # Started now, the fork server imports pytest and coverage while the trees are diffed
        # and read; the probe and the first collections wait for it otherwise.
        self._zygote(())
        functions, pr_tests = self._diff_trees()
        changed_files = self.tree_diff.files
        files = self._files_to_judge(changed_files)
        evidence = self._describe_project(changed_files, functions)
        if not self._project_imports(evidence):
            evidence['durationMs'] = (time.monotonic() - t0) * 1000
            return evidence
        self._plan_strength(changed_files, files)
        rels = [r for r in sorted(files) if 'error' not in files[r] and files[r]['kind'] == 'tests']
        scanned = [r for r in sorted(files) if 'error' not in files[r]]
        context_rels, collected = self._collect_files(files, changed_files, rels)
        import_ms = self._import_work(rels, collected)
        # A file server collects its file again before its first run; started now, that
        # happens while the static rules and Bandit keep the harness's own core busy.
        served = sorted(
            (r for r in rels if collected[r]['items'] and not collected[r]['error']),
            key=lambda r: -len(collected[r]['items']),
        )
        self._prestart_servers(served)
        if self.base_runs is not None and len(served) * 2 <= self.parallel + 1:
            # Room for the base code's servers too (none evicts a head one): their
            # collection then happens while the head's tests run, not after them.
            self._prestart_servers(served, 'base')
        static = self._static_findings(files, scanned, changed_files, evidence['tools'])
        tests = self._tests_to_run(files, scanned, collected, context_rels, pr_tests, static)
        self._size_budget(len(tests))
        self._scope_findings(files, tests)
        results = self._run_tests(tests)
        strength = self.strength.run(tests, results)
        self._stop_servers()  # every run is done: their memory is the container's again
        self._assemble(evidence, files, tests, results, import_ms, strength)
        evidence['durationMs'] = (time.monotonic() - t0) * 1000
        self.progress('coverage', 'evaluated %d test(s) in %d ms' % (len(tests), evidence['durationMs']))
        return evidence

    def _diff_trees(self):
        """What the PR changed: its lines and functions (self.tree_diff, changed_lines,
        error_lines), and the PR's tests the AST finds edited. Returns (functions, pr_tests)."""
        tg_diff = _analysis('tg_diff')
        tg_select = _analysis('tg_select')
        settings = self.settings
        self.progress('collect', 'diffing base and head')
        self.naming = tg_naming.load(self.head, globs=settings['testGlobs'], exclude=settings.get('excludeGlobs') or ())
        tree_diff = self.tree_diff = tg_diff.diff(self.base, self.head, self.naming)
        changed_files = tree_diff.files
        self.changed_lines = {k: sorted(set(v)) for k, v in tree_diff.lines.items()}
        functions = tg_diff.changed_functions(self.head, self.changed_lines)
        self.error_lines = {}
        for fn in functions:
            e = self.error_lines.setdefault(fn['file'], {'raise': set(), 'except': set()})
            e['raise'].update(fn.get('raiseLines') or [])
            e['except'].update(fn.get('exceptLines') or [])

        pr_tests = []
        if settings.get('includePrTests', True):
            pr_tests = tg_select.select_pr_tests(self.base, self.head, changed_files, self.naming)
        return functions, pr_tests

    def _files_to_judge(self, changed_files: list) -> dict:
        """The candidates (copied into head) and every test-code file the PR added or changed."""
        settings = self.settings
        # Generated candidates go into head AFTER the diff: they are not part of the PR.
        files: dict = {}
        for c in self.request.get('candidates', []):
            src = os.path.join(self.workdir, 'candidates', c['path'])
            origin = c.get('origin') if c.get('origin') in ('pr', 'generated') else 'generated'
            entry = {
                'path': c['path'],
                'origin': origin,
                'collected': 0,
                'findings': [],
                'all': True,
                'generator': c.get('generator'),
                'kind': 'tests',
            }
            files[c['path']] = entry
            if not os.path.isfile(src):
                entry['error'] = 'candidate file %s is missing from the input' % c['path']
                continue
            dst = os.path.join(self.head, c['path'])
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
        if settings.get('includePrTests', True):
            # Every test-code file the PR adds or changes is judged, whether or not it holds a
            # test the PR edited: a helper, a conftest or a test module's import-time code runs
            # with every test.
            for change in changed_files:
                rel = change['path']
                if change['status'] == 'deleted' or not change['isTest'] or not rel.endswith('.py') or rel in files:
                    continue
                kind = 'tests' if self.naming.is_test_file(rel) else 'support'
                files[rel] = {'path': rel, 'origin': 'pr', 'collected': 0, 'findings': [], 'kind': kind}
            for link in self.request.get('refusedLinks') or []:
                rel = str(link.get('path') or '')
                if rel and self.naming.is_test_code(rel) and rel.endswith('.py'):
                    files[rel] = {
                        'path': rel,
                        'origin': 'pr',
                        'collected': 0,
                        'findings': [],
                        'kind': 'support',
                        'error': 'testgate: ' + _link_error(link),
                    }
        self.test_file_rels = sorted(files)
        self.uses_hypothesis = _tree_mentions(self.head, 'hypothesis')
        return files

    def _describe_project(self, changed_files: list, functions: list) -> dict:
        """The project's layout, import roots and tools: the evidence every outcome starts from."""
        tg_project = _analysis('tg_project')
        project_info = tg_project.detect_project(self.head)
        # Only submodules the base declared: a PR must not make its own tests unjudgeable by
        # adding a `.gitmodules` entry.
        base_modules = set(tg_project.missing_submodules(self.base))
        self.submodules = [m for m in tg_project.missing_submodules(self.head) if m in base_modules]
        self.import_roots = list(project_info.get('import_roots') or [self.head])
        provided = tg_project.provide_build_metadata(self.head)
        if provided['root']:
            self.import_roots.append(provided['root'])
        for note in provided['notes']:
            self.progress('collect', note)
        project = {
            'layout': project_info.get('layout', 'unknown'),
            'packages': list(project_info.get('packages') or []),
            'importable': True,
        }

        tools = {
            'python': platform.python_version(),
            'pytest': _version('pytest'),
            'coverage': _version('coverage'),
            'bandit': 'unknown',
        }
        evidence = {
            'protocol': 1,
            'mode': 'evaluate',
            'project': project,
            'changedFiles': changed_files,
            'naming': self.naming.describe(),
            'changedLines': self.changed_lines,
            'functions': functions,
            'files': [],
            'tests': [],
            'tools': tools,
            'durationMs': 0,
        }
        return evidence

    def _project_imports(self, evidence: dict) -> bool:
        """Whether the project's packages import; when not, evidence says why (and whose fault)."""
        project = evidence['project']
        self.progress('collect', 'probing the import of %s' % (', '.join(project['packages']) or 'no package'))
        failure = self.probe(project['packages'])
        if failure is not None:
            err = _name_refused_links(failure['text'], self.request.get('refusedLinks') or [])
            project['importable'] = False
            project['importError'] = _tail(err, 19_000)
            project['importBlame'] = failure['blame']
            if failure['blame'] == 'pr':
                # The PR's own code stops every test before it starts: a rejection, shown on
                # the file where the import failed, never a neutral "could not judge".
                evidence['files'].append(
                    {
                        'path': failure['file'],
                        'origin': 'pr',
                        'collected': 0,
                        'kind': 'source',
                        'findings': failure['findings'],
                        'error': _tail(err, 19_000),
                    }
                )
            self.progress('collect', 'the project does not import; tests are not run')
            return False
        return True

    def _collect_files(self, files: dict, changed_files: list, rels: list):
        """Collects each test file (and the unchanged ones whose tests run the change) in a
        child of its own. Returns (those context files, {file: collection})."""
        tg_select = _analysis('tg_select')
        settings = self.settings
        tree_diff = self.tree_diff
        self.raw_line_sets = {f: set(v) for f, v in tree_diff.raw_lines.items()}
        self.fixtures_changed = (
            tg_select.changed_fixtures(self.head, tree_diff.raw_lines) if settings.get('includePrTests', True) else {}
        )
        # Unchanged test files whose tests run code the PR changed (a base class, a helper, a
        # fixture): collected too, so the tests they hold are judged by what pytest collects.
        context_rels = self._context_files(changed_files, files) if settings.get('includePrTests', True) else []
        for r in context_rels:
            files[r] = {'path': r, 'origin': 'pr', 'collected': 0, 'findings': [], 'kind': 'tests', 'context': True}
        collected: dict = {}
        with concurrent.futures.ThreadPoolExecutor(self.parallel) as pool:
            self.warm(rels + context_rels)
            futs = {pool.submit(self.collect, r): r for r in rels + context_rels}
            for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
                r = futs[fut]
                collected[r] = fut.result()
                self.progress('collect', 'collected %s: %d test(s)' % (r, len(collected[r]['items'])), i, len(futs))
        return context_rels, collected

    def _import_work(self, rels: list, collected: dict) -> dict:
        # Module-level work at import (a sleep, a computation) is time every test of the file
        # waits; pytest's clock does not see it, the parent's does.
        import_ms = {}
        for r in rels:
            extra = self.import_work_ms(r, collected[r].get('collectMs'))
            if extra:
                import_ms[r] = extra
                self.progress('collect', '%s spends %d ms at import beyond its imports' % (r, extra))
        return import_ms

    def _static_findings(self, files: dict, scanned: list, changed_files: list, tools: dict) -> dict:
        """Our static rules and Bandit on every file to judge, and the PR's config tampering."""
        tg_rules = _analysis('tg_rules')
        tg_bandit = _analysis('tg_bandit')
        self.progress('bandit', 'static rules and Bandit on %d file(s)' % len(scanned))
        scans = {}
        helpers = tg_rules.asserting_helpers(self.head, self.naming)
        for r in scanned:
            try:
                scans[r] = tg_rules.scan_test_file(os.path.join(self.head, r), r, self.naming, helpers)
            except Exception as e:  # noqa: BLE001 -- a file that does not parse is reported by collection
                print('harness: scan_test_file %s: %r' % (r, e), file=sys.stderr)
                scans[r] = {'functions': {}, 'module': []}
            if scans[r].get('error') and files[r]['kind'] == 'support':
                # A test file that does not parse shows as a collection error; a helper is not collected.
                files[r]['error'] = '%s does not parse: %s' % (r, scans[r]['error'])
        bandit_findings, bandit_version, bandit_error = tg_bandit.run_bandit(
            [os.path.join(self.head, r) for r in scanned], self.head
        )
        tools['bandit'] = bandit_version or 'unknown'
        if bandit_error:
            tools['banditError'] = _tail(str(bandit_error), 19_000)
        tamper = tg_rules.scan_config_tampering(self.base, self.head, changed_files) or []
        for f in tamper:
            f['baseline'] = 'new'  # found by comparing base and head: the PR's by construction
        return {'scans': scans, 'helpers': helpers, 'bandit': bandit_findings, 'tamper': tamper}

    def _tests_to_run(
        self, files: dict, scanned: list, collected: dict, context_rels: list, pr_tests: list, static: dict
    ) -> list:
        """The tests to judge, from what pytest collected, each with its static findings."""
        tests = []
        for r in scanned:
            entry = files[r]
            col = collected.get(r) or {'items': [], 'error': None, 'audits': []}
            items = col['items']
            entry['items'] = len(items)
            self._note_collection(r, entry, col, static['scans'])
            if entry.get('all'):
                tests.extend(self._all_tests(r, entry, items))
            else:
                tests.extend(_selected_tests(r, items, pr_tests))
                self._select_from_collection(r, items, tests)
            entry['collected'] = sum(1 for t in tests if t['file'] == r)
        for r in context_rels:
            col = collected.get(r) or {'items': [], 'error': None}
            if not col['error']:
                self._select_from_collection(r, col['items'], tests)
        self._attach_static(files, tests, static)
        return tests

    def _note_collection(self, r: str, entry: dict, col: dict, scans: dict) -> None:
        """A file's collection error (and the missing dependency or submodule that explains
        it), and its collection-time and module-level findings."""
        if col['error']:
            entry['error'] = _name_refused_links(col['error'], self.request.get('refusedLinks') or [])
            missing = self._missing_dependency(r, col['error'])
            if missing:
                entry['missingDependency'] = missing
            submodule = next(
                (m for m in self.submodules if re.search(r'(^|[/\s\'"])%s(/|\b)' % re.escape(m), col['error'])),
                None,
            )
            if submodule:
                entry['missingSubmodule'] = submodule
        for a in col['audits']:
            entry['findings'].append(_audit_finding(a, r, 0))
        entry['findings'].extend(scans[r].get('module') or [])

    def _all_tests(self, r: str, entry: dict, items: list) -> list:
        """Every collected test of a file judged whole (a candidate file), with its lines
        and, for a generated one, what its asserts compare against (tg_oracles)."""
        functions = _file_functions(os.path.join(self.head, r))
        tests = []
        for it in items:
            node = functions.get((it.get('cls'), it['function']))
            test = {
                'nodeid': it['nodeid'],
                'file': r,
                'function': it['function'],
                'cls': it.get('cls'),
                'startLine': it.get('line', 0),
                'endLine': it.get('line', 0),
                'origin': entry['origin'],
                'generator': entry.get('generator'),
            }
            if node is not None:
                test['startLine'] = min([node.lineno] + [d.lineno for d in node.decorator_list])
                test['endLine'] = node.end_lineno or node.lineno
                if entry['origin'] == 'generated':
                    test['expected'] = tg_oracles.expected_values(node)
            tests.append(test)
        return tests

    def _attach_static(self, files: dict, tests: list, static: dict) -> None:
        """Each test's assert counts and static findings, Bandit's findings on the test or
        file they lie in, and the PR's config tampering on every PR test."""
        tg_rules = _analysis('tg_rules')
        scans, helpers, bandit_findings, tamper = static['scans'], static['helpers'], static['bandit'], static['tamper']
        for t in tests:
            scan = scans.get(t['file'], {}).get('functions') or {}
            info = scan.get('%s.%s' % (t['cls'], t['function'])) if t['cls'] else None
            info = info or scan.get(t['function']) or {}
            if not info and t.get('codeFile'):
                # Code pytest found elsewhere (an inherited method, a factory's inner function).
                info = tg_rules.function_info(os.path.join(self.head, t['codeFile']), t['codeLine'], helpers) or {}
            t['names'] = tg_coverage.test_names(os.path.join(self.head, t['file']), t['cls'], t['function'])
            t['asserts'] = int(info.get('asserts') or 0)
            t['trivialAsserts'] = int(info.get('trivialAsserts') or 0)
            t['findings'] = list(info.get('findings') or [])
            if info.get('startLine') and files[t['file']].get('all'):
                t['startLine'], t['endLine'] = int(info['startLine']), int(info['endLine'])
        for f in bandit_findings:
            owner = next(
                (
                    t
                    for t in tests
                    if t['file'] == f.get('file') and t['startLine'] <= f.get('line', -1) <= t['endLine']
                ),
                None,
            )
            if owner is not None:
                owner['findings'].append(f)
            elif f.get('file') in files:
                files[f['file']]['findings'].append(f)
        # PR config tampering (conftest hooks, pytest/coverage config...) changes how every
        # PR test runs, so it counts against each of them.
        for t in tests:
            if t['origin'] == 'pr':
                t['findings'].extend(tamper)
        if tamper and not any(t['origin'] == 'pr' for t in tests):
            for entry in files.values():
                if entry['origin'] == 'pr':
                    entry['findings'].extend(tamper)

    def _scope_findings(self, files: dict, tests: list) -> None:
        tree_diff = self.tree_diff
        # Static findings are the PR's when they lie on a line it added or changed (or in a
        # file it added); the rest were in the base tree already and are reported as existing.
        generated = {p for p, e in files.items() if e['origin'] == 'generated'}
        marked = set()
        for holder in [e['findings'] for e in files.values()] + [t['findings'] for t in tests]:
            for f in holder:
                if id(f) in marked or f.get('source') == 'audit':
                    continue
                marked.add(id(f))
                if 'baseline' not in f:
                    line = int(f.get('line') or 0)
                    new = f['file'] in generated or (
                        tree_diff.is_changed(f['file'], line) and not self._reformatted(f['file'], line)
                    )
                    f['baseline'] = 'new' if new else 'existing'

    def _run_tests(self, tests: list) -> dict:
        """Every test's runs (the first with coverage, then the reruns): {test index: [run]}."""
        settings = self.settings
        reruns = int(settings['reruns'])
        total = len(tests) * reruns
        self.progress(
            'run', 'running %d test(s) x %d run(s), %d at a time' % (len(tests), reruns, self.parallel), 0, total
        )
        results = {i: [None] * reruns for i in range(len(tests))}
        done = 0
        said_at = 0.0
        with concurrent.futures.ThreadPoolExecutor(self.parallel) as pool:
            # Runs report here as they end (waiting on every pending future instead costs the
            # harness time per run that grows with the number of runs).
            ended: queue.SimpleQueue = queue.SimpleQueue()

            def submit(i: int, k: int) -> None:
                fut = pool.submit(self.run_test, tests[i], k, k == 0)
                fut.add_done_callback(lambda f: ended.put((f, i, k)))

            # First runs (with coverage) before reruns: every test gets its evidence early.
            for i in range(len(tests)):
                submit(i, 0)
            pending = len(tests)
            while pending:
                fut, i, k = ended.get()
                pending -= 1
                results[i][k] = fut.result()
                done += 1
                r = results[i][k]['run']
                if k == 0 and reruns > 1:
                    if r['outcome'] in NO_RERUN_AFTER:
                        # Killed at a limit: the verdict is settled, and rerunning a test
                        # that hangs would only spend (reruns - 1) more deadlines.
                        total -= reruns - 1
                    else:
                        for again in range(1, reruns):
                            submit(i, again)
                            pending += 1
                # A line per test's first run and per run that did not pass; reruns that
                # pass at most ten times a second.
                now = time.monotonic()
                if k == 0 or r['outcome'] != 'passed' or done == total or now - said_at >= 0.1:
                    said_at = now
                    self.progress(
                        'run',
                        '%s run %d/%d: %s%s in %d ms'
                        % (
                            tests[i]['nodeid'],
                            k + 1,
                            reruns,
                            r['outcome'],
                            ('/' + r['limit']) if r.get('limit') else '',
                            r['durationMs'],
                        ),
                        done,
                        total,
                    )
        for i in results:
            results[i] = [r for r in results[i] if r is not None]
        return results

    def _plan_strength(self, changed_files: list, files: dict) -> None:
        """The strength step's inputs, before any test child starts: the changed code files,
        the mutants of their changed lines (the file servers index the functions those
        patch), and the base code under the head's tests (with the candidates)."""
        self.code_rels = tg_strength.code_files(changed_files, self.naming)
        base_on, mutation = tg_strength.settings_of(self.settings)
        self.strength = tg_strength.StrengthStep(self, base_on, mutation)
        self.strength.plan_mutants(self.code_rels, self.changed_lines)
        self.mutable_rels = sorted({m['file'] for m in self.strength.mutants})
        if base_on:
            tree = os.path.join(self.workdir, 'basecode')
            try:
                tg_strength.build_base_code_tree(self.base, self.head, tree, self.naming, list(files))
            except OSError as e:
                # A layout the two trees cannot share (a file in the base where the head has a
                # directory of tests): no labels, the rest of the evaluation as always.
                print('harness: no base runs: the base code tree could not be built (%s)' % e, file=sys.stderr)
                shutil.rmtree(tree, ignore_errors=True)
                self.strength.base_runs = False
                return
            self.base_runs = _Runs(self.workdir, tree, 'runs-base')

    def _assemble(
        self, evidence: dict, files: dict, tests: list, results: dict, import_ms: dict, strength: dict
    ) -> None:
        """Each test's and each file's evidence, its run-time findings attributed."""
        self.progress('coverage', 'assembling evidence')
        for i, t in enumerate(tests):
            runs = results[i]
            seen = set()
            for run in runs:
                for a in run['audits']:
                    if a.get('phase') == 'collect':
                        f = _audit_finding(a, t['file'], 0)
                        key = (f['rule'], f['line'], f['file'])
                        if key not in {(x['rule'], x['line'], x['file']) for x in files[t['file']]['findings']}:
                            files[t['file']]['findings'].append(f)
                        continue
                    f = _audit_finding(a, t['file'], t['startLine'])
                    key = (f['rule'], f['line'], f['file'])
                    if key in seen:
                        continue
                    seen.add(key)
                    t['findings'].append(f)
            ev = {
                'nodeid': t['nodeid'],
                'file': t['file'],
                'function': t['function'],
                'startLine': int(t['startLine']),
                'endLine': int(t['endLine']),
                'origin': t['origin'],
                'runs': [r['run'] for r in runs],
                'coverage': runs[0]['coverage'] or tg_coverage.empty(),
                'findings': t['findings'][:1000],
                'asserts': t['asserts'],
                'trivialAsserts': t['trivialAsserts'],
            }
            if t['origin'] == 'generated' and t.get('generator'):
                ev['generator'] = str(t['generator'])[:200]
            if t.get('expected'):
                ev['expected'] = t['expected']
            if t['origin'] == 'pr' and t.get('change') in ('added', 'modified', 'uses'):
                ev['change'] = t['change']
            if import_ms.get(t['file']):
                ev['importMs'] = round(import_ms[t['file']], 1)
            ev.update(strength['tests'].get(i) or {})
            evidence['tests'].append(ev)
        for entry in files.values():
            if entry.get('context') and not entry['findings']:
                continue  # collected only to find the tests that run the change; not PR code
            fe = {
                'path': entry['path'],
                'origin': entry['origin'],
                'collected': entry['collected'],
                'findings': entry['findings'][:1000],
                'kind': entry.get('kind', 'tests'),
            }
            if 'items' in entry:
                fe['items'] = entry['items']
            if entry.get('error'):
                fe['error'] = _tail(entry['error'], 19_000)
            if entry.get('missingDependency'):
                fe['missingDependency'] = str(entry['missingDependency'])[:500]
            if entry.get('missingSubmodule'):
                fe['missingSubmodule'] = str(entry['missingSubmodule'])[:4096]
            evidence['files'].append(fe)
        if strength['mutation'] is not None:
            evidence['mutation'] = strength['mutation']


KERNEL_BLOCK_MESSAGE = (
    'the kernel killed the test process (SIGSYS) for a system call the sandbox forbids: '
    'starting a program or process, signalling or tracing another process, or a network socket'
)


def _selected_tests(r: str, items: list, pr_tests: list) -> list:
    """The collected items of the PR's edited tests in file r (tg_select's selection)."""
    tests = []
    for sel in (t for t in pr_tests if t['file'] == r):
        if sel.get('mixin'):
            group = [
                it
                for it in items
                if it['function'] == sel['function']
                and sel['startLine'] <= int(it.get('codeLine') or 0) <= sel['defLine']
            ]
        else:
            group = [it for it in items if it['function'] == sel['function'] and it.get('cls') == sel.get('cls')]
        if sel.get('newCases') is not None:
            group = [group[i] for i in sel['newCases'] if 0 <= i < len(group)]
        for it in group:
            tests.append(
                {
                    'nodeid': it['nodeid'],
                    'file': r,
                    'function': sel['function'],
                    'cls': sel.get('cls'),
                    'startLine': sel['startLine'],
                    'endLine': sel['endLine'],
                    'origin': 'pr',
                    'change': sel.get('change'),
                }
            )
    return tests


def _unreported(res, started: bool, early):
    """(outcome, limit, message) of a run that ended without pytest's report."""
    if early in ('memory', 'pids', 'files', 'disk'):
        return 'resource-limit', early, _tail('the test exhausted a resource limit (%s)\n%s' % (early, res.stderr_tail))
    if not started:
        msg = 'the test never started (exit code %s)' % res.exit_code
    else:
        msg = (
            'the test process ended before pytest reported a result (exit code %s): did it call os._exit?'
            % res.exit_code
        )
    return 'error', None, _tail(msg + '\n' + res.stderr_tail + res.stdout_tail)


def _reported(res, result: dict, early, exited: bool, dur: float, cpu: float) -> dict:
    """The run as pytest reported it, unless the exit status (which the test cannot
    rewrite from inside pytest's report) says otherwise."""
    outcome = result.get('outcome')
    run = {'outcome': outcome, 'durationMs': dur, 'cpuMs': cpu}
    if result.get('message'):
        run['message'] = _tail(str(result['message']))
    lim = result.get('limit') or early
    if lim in ('memory', 'pids', 'files', 'disk') and outcome in ('failed', 'error'):
        run['outcome'] = 'resource-limit'
        run['limit'] = lim
    if outcome == 'error' and run.get('message') == 'the test did not run':
        run['message'] = _tail('the test did not run\n' + res.stderr_tail)
    code = res.exit_code
    if run['outcome'] in ('passed', 'skipped', 'xfailed', 'xpassed') and code not in (0, None):
        run['outcome'] = 'error'
        run['message'] = _tail('pytest reported %s but exited with code %s\n%s' % (outcome, code, res.stderr_tail))
    elif run['outcome'] in ('failed', 'error') and code == 0 and exited:
        run['outcome'] = 'error'
        run['message'] = _tail('pytest reported %s but exited with code 0\n%s' % (outcome, run.get('message', '')))
    if outcome not in ('passed', 'failed', 'error', 'skipped', 'xfailed', 'xpassed'):
        run['outcome'] = 'error'
    if run['outcome'] in ('failed', 'error') and result.get('failedAt') in ('check', 'missing', 'error'):
        run['failedAt'] = result['failedAt']
    return run


def _read_tail(path: str, n: int = 4000) -> str:
    try:
        with open(path, 'rb') as f:
            f.seek(max(0, os.path.getsize(path) - n))
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


def _kernel_audit(file: str, line: int, phase: str) -> dict:
    """The finding for a child the seccomp filter killed: seen from outside, the test cannot erase it."""
    return {
        'ev': 'audit',
        'event': 'kernel-blocked',
        'reason': 'unsafe',
        'severity': 'high',
        'detail': KERNEL_BLOCK_MESSAGE,
        'file': file,
        'line': line,
        'phase': phase,
    }


def _link_error(link: dict) -> str:
    return (
        '%s is a symbolic link to %s, outside the repository: Testgate does not follow links out of '
        'the tree; commit the file itself or link to a file inside the repository'
        % (link.get('path'), link.get('target'))
    )


def _name_refused_links(error: str, links: list) -> str:
    """An import or collection error that a refused link explains says so, by name."""
    notes = []
    for link in links:
        rel = str(link.get('path') or '')
        stem = rel.rsplit('/', 1)[-1]
        stem = stem[:-3] if stem.endswith('.py') else stem
        if stem and (stem in error or rel in error):
            notes.append('testgate: ' + _link_error(link))
    return error if not notes else error.rstrip('\n') + '\n' + '\n'.join(notes)


# Run-time findings that record what happened rather than a call the hook refused.
_SEEN_EVENTS = frozenset(
    {'kernel-blocked', 'introspection', 'plugin-registered', 'runner-tampering', 'channel-forgery'}
)


def _audit_finding(a: dict, default_file: str, default_line: int) -> dict:
    event = str(a.get('event') or 'unknown')
    return {
        'rule': ('AUDIT-' + event)[:200],
        'source': 'audit',
        'reason': a.get('reason') if a.get('reason') in ('unsafe', 'tampering') else 'unsafe',
        'severity': a.get('severity') if a.get('severity') in ('low', 'medium', 'high') else 'high',
        'file': str(a.get('file') or default_file)[:4096],
        'line': int(a.get('line') or default_line or 0),
        'message': (
            '%s: %s'
            % ('seen at run time' if event in _SEEN_EVENTS else 'blocked at run time', a.get('detail') or event)
        )[:2000],
    }


def _class_lines(path: str) -> dict:
    try:
        with open(path, 'rb') as f:
            tree = ast.parse(f.read())
    except (SyntaxError, ValueError, OSError):
        return {}
    return {n.name: n.lineno for n in tree.body if isinstance(n, ast.ClassDef)}


def _imports_only(path: str) -> str:
    """The module-level import statements of a Python file, as source (nothing else runs)."""
    try:
        with open(path, 'rb') as f:
            source = f.read()
        tree = ast.parse(source)
    except (SyntaxError, ValueError, OSError):
        return ''
    lines = source.decode('utf-8', 'replace').splitlines()
    out = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.extend(lines[node.lineno - 1 : node.end_lineno])
    return '\n'.join(out) + '\n'


def _file_functions(path: str) -> dict:
    """(class or None, function) -> its node, for a module's functions and methods ({} when
    the file does not parse)."""
    try:
        with open(path, 'rb') as f:
            tree = ast.parse(f.read())
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        return {}
    out: dict = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[(None, node.name)] = node
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[(node.name, sub.name)] = sub
    return out


def _tree_mentions(root: str, word: str) -> bool:
    needle = word.encode()
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if x not in ('.git', '__pycache__', 'node_modules')]
        for n in names:
            if n.endswith('.py') or n in ('pyproject.toml', 'setup.cfg'):
                try:
                    with open(os.path.join(d, n), 'rb') as f:
                        if needle in f.read(2_000_000):
                            return True
                except OSError:
                    continue
    return False


def _version(module: str) -> str:
    try:
        return str(importlib.import_module(module).__version__)
    except Exception:  # noqa: BLE001
        return 'unknown'


_CHILD_CODE = None


def child_code() -> str:
    """The `-c` program of every test child: run the audit bootstrap's source in a namespace of its
    own. The harness dir never goes on sys.path (the repo's own `main.py` / `tg_*.py` are not
    shadowed) and the bootstrap is never a module a test could import and edit."""
    global _CHILD_CODE
    if _CHILD_CODE is None:
        path = os.path.join(HARNESS_DIR, 'tg_audit_bootstrap.py')
        _CHILD_CODE = "exec(compile(open(%r,'rb').read(),%r,'exec'),{'__name__':'__testgate_bootstrap__'})" % (
            path,
            path,
        )
    return _CHILD_CODE


def zygote_code() -> str:
    """The `-c` program of the fork server: the same bootstrap source, run as the zygote."""
    path = os.path.join(HARNESS_DIR, 'tg_audit_bootstrap.py')
    return (
        "exec(compile(open(%r,'rb').read(),%r,'exec'),"
        "{'__name__':'__testgate_bootstrap__','__testgate_role__':'zygote'})" % (path, path)
    )


def evaluate(workdir: str, request: dict, progress) -> dict:
    evaluator = Evaluator(workdir, request, progress)
    try:
        report = evaluator.evaluate()
        progress('timings', evaluator.timings())
        return report
    finally:
        evaluator.close()
