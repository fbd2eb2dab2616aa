"""Run one untrusted child process under limits and collect what it did.

Each child gets its own session (so its whole process group can be killed), rlimits set
between fork and exec, a wall deadline enforced from here, an output cap, and optionally
a private "channel" pipe: records on it are lines `<token> <json>`, where the token is a
random string handed to the child on stdin (never in argv or the environment, which any
process of the same uid can read from /proc). Lines with a wrong token are counted as
forgeries. Python 3.11 stdlib only.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import secrets
import select
import selectors
import signal
import subprocess
import threading
import time
import types
from typing import Callable, Optional

MiB = 1024 * 1024
TAIL_BYTES = 8192
# Longest record line a child may send (a collection of thousands of tests is one record).
CHANNEL_LINE_BYTES = 16 * MiB

# Serialises fork+registration against the orphan sweep so a just-forked child is never
# mistaken for an orphan.
_spawn_lock = threading.Lock()
_active: set[int] = set()


@dataclasses.dataclass
class ChildResult:
    exit_code: Optional[int]
    signal: Optional[int]
    stdout_tail: str
    stderr_tail: str
    timed_out: bool
    # 'cpu' | 'wall' | 'output' | 'disk' | 'memory' | None: which limit stopped the child.
    limit: Optional[str]
    cpu_ms: float
    wall_ms: float
    output_bytes: int
    records: list = dataclasses.field(default_factory=list)
    forged_lines: int = 0
    # The child announced its test's start (`{"ev": "start"}`): wall time from then on.
    test_wall_ms: Optional[float] = None
    # Orphaned processes (escaped the group, reparented to us) killed after this child.
    swept: int = 0
    # This process's CPU time of the child when its test started, read from /proc by us.
    start_cpu_ms: Optional[float] = None
    # Killed because the caller's overall budget (not_after) ran out, not its own deadline.
    budget_exhausted: bool = False


def _preexec(limits: dict) -> Callable[[], None]:
    # Bound before fork: preexec_fn must not import or allocate much (threads exist).
    setrlimit = resource.setrlimit
    items = list(limits.items())

    def run() -> None:
        for res, value in items:
            try:
                setrlimit(res, value)
            except (ValueError, OSError):
                # A limit above the inherited hard limit: keep the inherited one.
                pass

    return run


def rlimits(
    *,
    cpu_seconds: float,
    as_bytes: int = 512 * MiB,
    fsize_bytes: int = 64 * MiB,
    nofile: int = 256,
    nproc: int = 1024,
) -> dict:
    soft_cpu = max(1, int(cpu_seconds + 0.999))
    return {
        resource.RLIMIT_CPU: (soft_cpu, soft_cpu + 1),
        resource.RLIMIT_AS: (as_bytes, as_bytes),
        resource.RLIMIT_FSIZE: (fsize_bytes, fsize_bytes),
        resource.RLIMIT_NOFILE: (nofile, nofile),
        # Counted per uid over the whole host: generous, the pids cgroup is the real bound.
        resource.RLIMIT_NPROC: (nproc, nproc),
        resource.RLIMIT_CORE: (0, 0),
    }


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_trusted(argv: list, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run for the gate's own tools (Bandit), registered as a live child: an
    orphan sweep in another thread meanwhile (a file server that refused, a run that ended)
    would otherwise take it for a test's escaped process and kill it."""
    with _spawn_lock:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
        _active.add(proc.pid)
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise subprocess.TimeoutExpired(argv, timeout, out, err) from None
    finally:
        with _spawn_lock:
            _active.discard(proc.pid)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def sweep_orphans() -> int:
    """Kill processes reparented to us (we are a child subreaper) that are not live children.

    A test that escaped its process group (setsid + double fork) ends up here once its
    parent dies; killing it before the next test starts keeps tests independent.
    """
    me = os.getpid()
    killed = 0
    with _spawn_lock:
        try:
            entries = os.listdir('/proc')
        except OSError:
            return 0
        for name in entries:
            if not name.isdigit():
                continue
            pid = int(name)
            if pid == me or pid in _active:
                continue
            try:
                with open(f'/proc/{pid}/stat', 'rb') as f:
                    stat = f.read().decode('ascii', 'replace')
            except OSError:
                continue
            # Field 4 (after the parenthesised comm, which may hold spaces) is the ppid.
            rest = stat.rsplit(')', 1)[-1].split()
            if len(rest) < 2 or int(rest[1]) != me:
                continue
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return killed


class _Tail:
    def __init__(self) -> None:
        self.buf = bytearray()

    def add(self, data: bytes) -> None:
        self.buf += data
        if len(self.buf) > 2 * TAIL_BYTES:
            del self.buf[: len(self.buf) - TAIL_BYTES]

    def text(self) -> str:
        return bytes(self.buf[-TAIL_BYTES:]).decode('utf-8', 'replace')


class ZygoteError(RuntimeError):
    """The fork server could not start a child: the gate's own fault, never the test's."""


class Zygote:
    """The harness's end of a fork server (tg_audit_bootstrap.serve).

    One process that imported pytest and coverage once forks a child per run, instead of a
    fresh interpreter importing them every time. The children are the zygote's, so it reaps
    them (wait4) and reports status and CPU time here; everything else (pipes, limits, the
    wall deadline, killing the group, the orphan sweep) stays with run_child.
    """

    def __init__(self, argv: list, env: dict, args: tuple = ()) -> None:
        """Starts `argv <socket fd> *args`; the program serves requests on that socket."""
        import socket

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with _spawn_lock:
            try:
                self.proc = subprocess.Popen(
                    [*argv, str(theirs.fileno()), *args],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    pass_fds=(theirs.fileno(),),
                    close_fds=True,
                    start_new_session=True,
                )
            finally:
                theirs.close()
            # Never mistaken for an orphan by the sweep.
            _active.add(self.proc.pid)
        self._attach(ours)

    def _attach(self, sock) -> None:
        import itertools

        self.sock = sock
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._replies: dict = {}
        self._exits: dict = {}
        self._dead = False
        threading.Thread(target=self._listen, name='zygote-listener', daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                msg = self.sock.recv(1 << 16)
            except OSError:
                msg = b''
            with self._cond:
                if not msg:
                    self._dead = True
                    self._cond.notify_all()
                    return
                rec = json.loads(msg)
                if 'exited' in rec:
                    self._exits[int(rec['exited'])] = rec
                else:
                    self._replies[rec.get('id')] = rec
                self._cond.notify_all()

    def _ask(self, req: dict, fds: list, timeout: float) -> dict:
        """Sends one request (with descriptors) and waits for the zygote's reply to it."""
        import socket

        req_id = req['id'] = next(self._ids)
        try:
            with self._send_lock:
                socket.send_fds(self.sock, [json.dumps(req).encode()], fds)
        except OSError as e:
            raise ZygoteError('the fork server is gone: %s' % e) from e
        with self._cond:
            if not self._cond.wait_for(lambda: req_id in self._replies or self._dead, timeout=timeout):
                raise ZygoteError('the fork server did not answer within %d s' % timeout)
            rep = self._replies.pop(req_id, None)
        if rep is None:
            raise ZygoteError('the fork server exited (code %s)' % self.proc.poll())
        return rep

    def spawn(self, fds: list, cwd: str, env: dict, limits: dict, **extra) -> int:
        rep = self._ask(
            {
                'cwd': cwd,
                'env': env,
                'rlimits': [[int(res), int(soft), int(hard)] for res, (soft, hard) in limits.items()],
                **extra,
            },
            fds,
            timeout=30,
        )
        if 'error' in rep:
            raise ZygoteError('the fork server could not fork: %s' % rep['error'])
        return int(rep['pid'])

    def warm(self, files: list) -> int:
        """Has the zygote rewrite these test files ([path, relative path]) for later children."""
        return int(self._ask({'op': 'warm', 'files': files}, [], timeout=120).get('warmed', 0))

    def wait(self, pid: int, timeout: Optional[float] = None):
        """(status, rusage-like) of a child, once the zygote reaped it (None past timeout)."""
        with self._cond:
            if not self._cond.wait_for(lambda: pid in self._exits or self._dead, timeout=timeout):
                return None
            rec = self._exits.pop(pid, None)
        if rec is None:
            # The zygote died first: its children were reparented to us (child subreaper).
            try:
                _, status, ru = os.wait4(pid, 0)
                return status, ru
            except ChildProcessError:
                return 0, None
        return int(rec['status']), types.SimpleNamespace(ru_utime=float(rec['utime']), ru_stime=float(rec['stime']))

    def close(self) -> None:
        import socket

        try:
            # shutdown, not only close: it wakes the listener blocked in recv, and the zygote
            # sees end-of-file at once (a closed fd another thread still reads from would not).
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        self._stop()

    def _stop(self) -> None:
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with _spawn_lock:
            _active.discard(self.proc.pid)


class FileServerRefused(RuntimeError):
    """A file server did not start serving; its file's tests run from the zygote instead."""


class FileServer(Zygote):
    """The harness's end of a file server (tg_audit_bootstrap._file_server_plugin).

    A child of the zygote that collected one test file forks a child per run of one of its
    tests; it reaps them and reports like the zygote, so run_child uses it the same way
    (spawn with the test's `nodeid`). Its own output goes to log_path, its channel is read
    until it says it serves (or refuses, or dies, or misses startup_seconds).
    """

    def __init__(
        self,
        zygote: Zygote,
        cwd: str,
        env: dict,
        limits: dict,
        stdin_data: bytes,
        log_path: str,
        startup_seconds: float,
    ) -> None:
        import socket

        self.zygote = zygote
        self.records: list = []
        self.cpu_ms = 0.0
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        in_r, in_w = os.pipe()
        ch_r, ch_w = os.pipe()
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        try:
            self.pid = zygote.spawn([in_r, log, log, ch_w, theirs.fileno()], cwd, env, limits)
        except BaseException:
            for fd in (in_w, ch_r):
                os.close(fd)
            ours.close()
            raise
        finally:
            for fd in (in_r, log, ch_w):
                os.close(fd)
            theirs.close()
        token = secrets.token_hex(16)
        try:
            os.write(in_w, json.dumps({'channel_fd': 3, 'token': token}).encode() + b'\n' + stdin_data)
        except OSError:
            pass
        os.close(in_w)
        status = self._read_until_serving(ch_r, token.encode(), time.monotonic() + startup_seconds)
        if status != 'serving':
            os.close(ch_r)
            ours.close()
            self._stop()
            refused = FileServerRefused(status)
            # Why the file did not collect, if that was it (pytest's collection errors).
            refused.collect_errors = [r for r in self.records if r.get('ev') == 'collect-error']
            raise refused
        self._attach(ours)
        # Whatever the server writes on its channel from now on is not read: drained, so it never blocks.
        threading.Thread(target=_drain, args=(ch_r,), name='file-server-channel', daemon=True).start()

    def _read_until_serving(self, ch_r: int, token: bytes, deadline: float) -> str:
        buf = b''
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return 'no answer before the startup deadline'
            ready, _, _ = select.select([ch_r], [], [], remaining)
            if not ready:
                continue
            data = os.read(ch_r, 65536)
            if not data:
                return 'exited while collecting'
            buf += data
            if len(buf) > CHANNEL_LINE_BYTES:
                return 'flooded its channel'
            while b'\n' in buf:
                line, _, buf = buf.partition(b'\n')
                tok, _, payload = line.partition(b' ')
                if not secrets.compare_digest(tok, token):
                    return 'a line without its token on its channel'
                try:
                    rec = json.loads(payload)
                except ValueError:
                    return 'an unreadable record on its channel'
                if not isinstance(rec, dict):
                    return 'an unreadable record on its channel'
                if rec.get('ev') == 'serving':
                    return 'serving'
                if rec.get('ev') in ('serve-refused', 'guard-error'):
                    return str(rec.get('why') or rec.get('message') or rec.get('ev'))[:500]
                self.records.append(rec)

    def _stop(self) -> None:
        """The server and anything left in its session go; the zygote reaps it. (What left
        the session is reparented to us once the server is gone: the orphan sweep's.)"""
        exited = self.zygote.wait(self.pid, timeout=2)
        _kill_group(self.pid)
        if exited is None:
            exited = self.zygote.wait(self.pid, timeout=10)
        sweep_orphans()  # anything of its session that left it, now reparented to us
        ru = exited[1] if exited is not None else None
        # Its own CPU (collection, and a fork per run): the harness's timings report it.
        self.cpu_ms = ((ru.ru_utime + ru.ru_stime) * 1000) if ru is not None else 0.0


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


class _ForkedProc:
    """What run_child uses of a Popen, for a child of the zygote."""

    def __init__(self, pid: int, stdin_w: int, stdout_r: int, stderr_r: int) -> None:
        self.pid = pid
        self.stdin = os.fdopen(stdin_w, 'wb')
        self.stdout = os.fdopen(stdout_r, 'rb', buffering=0)
        self.stderr = os.fdopen(stderr_r, 'rb', buffering=0)
        self.returncode = None


def _spawn_forked(zygote: Zygote, cwd: str, env: dict, lim: dict, ch_w: int, extra: dict) -> _ForkedProc:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid = zygote.spawn([in_r, out_w, err_w, ch_w], cwd, env, lim, **extra)
    except BaseException:
        for fd in (in_w, out_r, err_r):
            os.close(fd)
        raise
    finally:
        for fd in (in_r, out_w, err_w):
            os.close(fd)
    return _ForkedProc(pid, in_w, out_r, err_r)


def run_child(
    argv: list,
    cwd: str,
    env: dict,
    cpu_seconds: float,
    wall_seconds: float,
    max_output_bytes: int,
    *,
    stdin_data: bytes = b'',
    channel: bool = False,
    startup_seconds: float = 0.0,
    limits: Optional[dict] = None,
    on_record: Optional[Callable[[dict], None]] = None,
    test_cpu_seconds: Optional[float] = None,
    not_after: Optional[float] = None,
    zygote: Optional[Zygote] = None,
    spawn_extra: Optional[dict] = None,
) -> ChildResult:
    """Run argv in a new session with rlimits; return its evidence. Never raises for what the child did.

    channel=True opens a private pipe for records; its fd number is appended to stdin_data's
    JSON as `channel_fd` is the caller's business: the child finds the fd number and the
    token in the first stdin line `{"channel_fd": N, "token": "..."}` followed by stdin_data.
    The wall deadline is `startup_seconds + wall_seconds` from spawn, and once the child
    sends `{"ev": "start"}` it becomes `wall_seconds` from that moment. With test_cpu_seconds,
    the child's CPU time is polled from /proc after that start and the group is killed once
    the test itself used that much (RLIMIT_CPU only has whole-second granularity and also
    counts interpreter start-up; it stays as the backstop). not_after (time.monotonic()) is
    the caller's overall budget: the child is killed then whatever its own deadline, and
    the result says `budget_exhausted`. With a zygote, the child is forked by it instead of
    exec'd (argv is then unused: the zygote runs the bootstrap); it needs channel=True.
    A FileServer is a zygote too; spawn_extra (its test's `nodeid`) goes in the request.
    Raises ZygoteError when the zygote cannot start it.
    """
    lim = limits if limits is not None else rlimits(cpu_seconds=cpu_seconds)
    token = secrets.token_hex(16)
    t0 = time.monotonic()
    proc, ch_r = _start(argv, cwd, env, lim, stdin_data, channel, token, zygote, spawn_extra)
    watch = _Watch(
        proc, ch_r, token, t0, t0 + startup_seconds + wall_seconds, wall_seconds, max_output_bytes, on_record
    )
    watch.pump(test_cpu_seconds, not_after)
    # Reap with rusage (Popen.wait would not give us CPU time).
    _kill_group(proc.pid) if (watch.timed_out or watch.limit) else None
    if zygote is not None:
        status, ru = zygote.wait(proc.pid)
    else:
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except ChildProcessError:
            status, ru = 0, None
    proc.returncode = 0  # we reaped it ourselves; stop Popen from trying again
    wall_ms = (time.monotonic() - t0) * 1000
    # Whatever the child left in its group (a background process) dies now, before the next test.
    _kill_group(proc.pid)
    with _spawn_lock:
        _active.discard(proc.pid)
    # A process that left the group (setsid + double fork) was reparented to us: kill it too.
    # (A file server's run cannot start one: its seccomp filter kills fork. What its server
    # left is swept when the server ends.)
    swept = sweep_orphans() if not isinstance(zygote, FileServer) else 0
    watch.close()
    return watch.result(status, ru, lim, wall_ms, swept)


def _start(
    argv: list,
    cwd: str,
    env: dict,
    lim: dict,
    stdin_data: bytes,
    channel: bool,
    token: str,
    zygote: Optional[Zygote],
    spawn_extra: Optional[dict],
):
    """Starts the child (exec'd, or forked by the zygote) in a session of its own and writes
    its stdin. Returns (the process, the read end of its channel or -1)."""
    ch_r = ch_w = -1
    pass_fds: tuple = ()
    head = b''
    if channel:
        ch_r, ch_w = os.pipe()
        os.set_inheritable(ch_w, True)
        pass_fds = (ch_w,)
        head = json.dumps({'channel_fd': ch_w, 'token': token}).encode() + b'\n'
    with _spawn_lock:
        try:
            if zygote is not None:
                proc = _spawn_forked(zygote, cwd, env, lim, ch_w, spawn_extra or {})
            else:
                proc = subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    pass_fds=pass_fds,
                    close_fds=True,
                    start_new_session=True,
                    preexec_fn=_preexec(lim),
                )
        except BaseException:
            if ch_r >= 0:
                os.close(ch_r)
            raise
        finally:
            if ch_w >= 0:
                os.close(ch_w)
        _active.add(proc.pid)
    # stdin: small (config + token); write it whole, then EOF.
    try:
        proc.stdin.write(head + stdin_data)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    return proc, ch_r


class _Watch:
    """One running child as run_child watches it: its output and channel read as they come,
    its deadlines (wall, the test's CPU, the caller's budget) checked between reads."""

    def __init__(
        self,
        proc,
        ch_r: int,
        token: str,
        t0: float,
        deadline: float,
        wall_seconds: float,
        max_output_bytes: int,
        on_record: Optional[Callable[[dict], None]],
    ) -> None:
        self.proc = proc
        self.t0 = t0
        self.deadline = deadline
        self.wall_seconds = wall_seconds
        self.max_output_bytes = max_output_bytes
        self.on_record = on_record
        self.token = token.encode()
        self.sel = selectors.DefaultSelector()
        self.out_tail, self.err_tail = _Tail(), _Tail()
        self.sel.register(proc.stdout, selectors.EVENT_READ, 'out')
        self.sel.register(proc.stderr, selectors.EVENT_READ, 'err')
        self.ch_file = None
        self.ch_buf = bytearray()
        if ch_r >= 0:
            self.ch_file = os.fdopen(ch_r, 'rb', buffering=0)
            self.sel.register(self.ch_file, selectors.EVENT_READ, 'ch')
        self.records: list = []
        self.forged = 0
        self.total_out = 0
        self.limit: Optional[str] = None
        self.timed_out = False
        self.budget_exhausted = False
        self.test_start: Optional[float] = None
        self.cpu_at_start: Optional[float] = None
        self.delay_at_start: Optional[float] = None

    def handle_line(self, line: bytes) -> None:
        tok, _, payload = line.partition(b' ')
        if not secrets.compare_digest(tok, self.token):
            self.forged += 1
            return
        try:
            rec = json.loads(payload)
        except ValueError:
            self.forged += 1
            return
        if not isinstance(rec, dict):
            self.forged += 1
            return
        # When the record arrived, on our clock: the child's own clocks may have been
        # tampered with, ours cannot be.
        rec['atMs'] = (time.monotonic() - self.t0) * 1000
        if rec.get('ev') == 'start' and self.test_start is None:
            self.test_start = time.monotonic()
            self.deadline = self.test_start + self.wall_seconds
            self.cpu_at_start = _proc_cpu_seconds(self.proc.pid)
            self.delay_at_start = _proc_run_delay(self.proc.pid)
        self.records.append(rec)
        if self.on_record is not None:
            self.on_record(rec)

    def _stop(self, limit: str, timed_out: bool = True) -> None:
        self.timed_out = self.timed_out or timed_out
        self.limit = self.limit or limit
        _kill_group(self.proc.pid)

    def _remaining(self, now: float) -> float:
        remaining = self.deadline - now
        if remaining <= 0 and self.test_start is not None and self.delay_at_start is not None:
            # Time the child spent runnable but waiting for a CPU (a loaded host, the
            # container's CPU quota) is not the test's fault: extend by it, up to 6x.
            delay = _proc_run_delay(self.proc.pid)
            if delay is not None:
                waited = delay - self.delay_at_start
                extended = min(self.test_start + self.wall_seconds + waited, self.test_start + 6 * self.wall_seconds)
                if extended > self.deadline:
                    self.deadline = extended
                    remaining = self.deadline - now
        return remaining

    def pump(self, test_cpu_seconds: Optional[float], not_after: Optional[float]) -> None:
        """Reads until the child closed its output and channel, or a limit stopped it."""
        while self.sel.get_map():
            now = time.monotonic()
            remaining = self._remaining(now)
            if not_after is not None and now >= not_after:
                self.budget_exhausted = True
                self._stop('wall')
                return
            if remaining <= 0:
                self._stop('wall')
                return
            if not_after is not None:
                remaining = min(remaining, not_after - now)
            if test_cpu_seconds is not None and self.cpu_at_start is not None:
                used = _proc_cpu_seconds(self.proc.pid)
                if used is not None and used - self.cpu_at_start >= test_cpu_seconds:
                    self._stop('cpu')
                    return
            poll = 0.05 if (test_cpu_seconds is not None and self.cpu_at_start is not None) else 0.5
            for key, _ in self.sel.select(timeout=min(remaining, poll)):
                self._read(key)
            if self.limit == 'output':
                return

    def _read(self, key) -> None:
        try:
            data = os.read(key.fileobj.fileno(), 65536)
        except OSError:
            data = b''
        if not data:
            self.sel.unregister(key.fileobj)
            return
        if key.data == 'ch':
            self.ch_buf += data
            # Records are small; a child that floods its channel is cut off like any flood.
            if len(self.ch_buf) > CHANNEL_LINE_BYTES:
                self._stop('output', timed_out=False)
                self.sel.unregister(key.fileobj)
                return
            while b'\n' in self.ch_buf:
                line, _, rest = bytes(self.ch_buf).partition(b'\n')
                self.ch_buf = bytearray(rest)
                self.handle_line(line)
            return
        self.total_out += len(data)
        (self.out_tail if key.data == 'out' else self.err_tail).add(data)
        if self.total_out > self.max_output_bytes and self.limit is None:
            self._stop('output', timed_out=False)

    def close(self) -> None:
        for f in (self.proc.stdout, self.proc.stderr, self.ch_file):
            if f is None:
                continue
            try:
                f.close()
            except OSError:
                pass

    def result(self, status: int, ru, lim: dict, wall_ms: float, swept: int) -> ChildResult:
        exit_code: Optional[int] = None
        sig: Optional[int] = None
        if os.WIFEXITED(status):
            exit_code = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
        cpu_ms = ((ru.ru_utime + ru.ru_stime) * 1000) if ru is not None else 0.0
        timed_out, limit = self.timed_out, self.limit
        if limit is None and sig is not None:
            if sig == signal.SIGXCPU:
                timed_out, limit = True, 'cpu'
            elif sig == signal.SIGXFSZ:
                limit = 'disk'
            elif sig == signal.SIGKILL and cpu_ms >= cpu_limit_ms(lim) - 50:
                # The hard CPU limit sends SIGKILL when SIGXCPU was ignored.
                timed_out, limit = True, 'cpu'
        return ChildResult(
            exit_code=exit_code,
            signal=sig,
            stdout_tail=self.out_tail.text(),
            stderr_tail=self.err_tail.text(),
            timed_out=timed_out,
            limit=limit,
            cpu_ms=cpu_ms,
            wall_ms=wall_ms,
            output_bytes=self.total_out,
            records=self.records,
            forged_lines=self.forged,
            test_wall_ms=((time.monotonic() - self.test_start) * 1000) if self.test_start is not None else None,
            swept=swept,
            start_cpu_ms=(self.cpu_at_start * 1000) if self.cpu_at_start is not None else None,
            budget_exhausted=self.budget_exhausted,
        )


_CLK_TCK = os.sysconf('SC_CLK_TCK')


def _proc_cpu_seconds(pid: int) -> Optional[float]:
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            rest = f.read().rsplit(b')', 1)[-1].split()
        # After the comm: state(0) ppid(1) ... utime(11) stime(12)
        return (int(rest[11]) + int(rest[12])) / _CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def _proc_run_delay(pid: int) -> Optional[float]:
    """Seconds the process's main thread spent runnable but not running (/proc/PID/schedstat)."""
    try:
        with open('/proc/%d/schedstat' % pid, 'rb') as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def cpu_limit_ms(lim: dict) -> float:
    soft, _ = lim.get(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, None))
    return float('inf') if soft == resource.RLIM_INFINITY else soft * 1000.0
