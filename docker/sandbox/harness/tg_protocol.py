"""Protocol I/O of the harness: stdin tar in, progress lines and one framed report out.

See PROTOCOL.md. The report goes to a private duplicate of the original stdout; fd 1 itself
is pointed at stderr so a stray print (ours or a library's) can never corrupt the stream.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import tarfile
import threading

MAX_INPUT_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 200_000
MODES = ('evaluate', 'analyze', 'generate')
DEFAULT_MUTATION = {'enabled': True, 'maxMutants': 60, 'maxPerLine': 3, 'seconds': 60}

DEFAULT_SETTINGS = {
    'reruns': 3,
    'cpuSecondsPerTest': 2,
    'wallSecondsPerTest': 10,
    # The same defaults as packages/core's DEFAULT_TEST_GLOBS, which the host sends.
    'testGlobs': ['tests/**/test_*.py', 'tests/**/*_test.py', 'test_*.py', '**/test_*.py'],
    'includePrTests': True,
    'generateSeconds': 20,
    'maxTestsPerFunction': 6,
    'excludeGlobs': [],
    # evaluate: the slow budget (import-time work is measured against it) and the
    # container's deadline (0: none), which the harness keeps inside.
    'slowMs': 500,
    'deadlineMs': 0,
    # evaluate: fork test children from a zygote that imported pytest and coverage once;
    # false starts each from a fresh interpreter (the benchmark's comparison).
    'forkServer': True,
    # evaluate: the strength step (tg_strength): each judged test once more over the base
    # code, and mutants of the changed lines within these caps and this wall-time budget.
    'baseRuns': True,
    'mutation': DEFAULT_MUTATION,
}


class ProtocolError(Exception):
    """The input is not a request we accept; the harness exits non-zero without a report."""


class Output:
    """The only writer of protocol lines. Owns a private dup of the original stdout."""

    def __init__(self) -> None:
        fd = os.dup(1)
        os.set_inheritable(fd, False)
        # From here on fd 1 is stderr: nothing but Output writes protocol lines.
        os.dup2(2, 1)
        self._f = os.fdopen(fd, 'w', encoding='utf-8', newline='\n')
        self._lock = threading.Lock()
        self._done = False

    def progress(self, phase: str, message: str, done=None, total=None) -> None:
        rec = {'phase': phase, 'message': str(message)[:500]}
        if done is not None:
            rec['done'] = int(done)
        if total is not None:
            rec['total'] = int(total)
        self._line('TESTGATE-PROGRESS ' + json.dumps(rec, separators=(',', ':')))

    def report(self, nonce: str, obj: dict) -> None:
        self._line('TESTGATE-REPORT %s %s' % (nonce, json.dumps(obj, separators=(',', ':'))))
        self._done = True

    def _line(self, text: str) -> None:
        with self._lock:
            if self._done:
                return
            self._f.write(text + '\n')
            self._f.flush()


def read_stdin(limit: int = MAX_INPUT_BYTES) -> bytes:
    buf = io.BytesIO()
    total = 0
    fd = sys.stdin.buffer.fileno()
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise ProtocolError('input tar is larger than %d bytes' % limit)
        buf.write(chunk)
    return buf.getvalue()


def _safe_name(name: str) -> str:
    if not name or '\x00' in name:
        raise ProtocolError('tar entry with an empty or NUL name')
    if name.startswith('/') or name.startswith('\\'):
        raise ProtocolError('tar entry with an absolute path: %r' % name[:200])
    parts = [p for p in name.split('/') if p not in ('', '.')]
    if any(p == '..' for p in parts):
        raise ProtocolError('tar entry escaping the work dir: %r' % name[:200])
    return '/'.join(parts)


def safe_extract(data, dest: str) -> None:
    """Extract regular files and directories only: no links, devices, absolute paths or `..`.
    `data` is the tar's bytes, or a stream read once (the setup container's wheelhouse,
    which need not fit in memory)."""
    real_dest = os.path.realpath(dest)
    source = (
        tarfile.open(fileobj=io.BytesIO(data), mode='r:')
        if isinstance(data, (bytes, bytearray))
        else tarfile.open(fileobj=data, mode='r|')
    )
    with source as tar:
        count = 0
        for member in tar:
            count += 1
            if count > MAX_MEMBERS:
                raise ProtocolError('input tar has more than %d entries' % MAX_MEMBERS)
            name = _safe_name(member.name)
            if not name:
                continue
            target = os.path.join(real_dest, name)
            if member.isdir():
                os.makedirs(target, mode=0o755, exist_ok=True)
                continue
            if not member.isreg():
                # Links, devices, fifos: refused, never followed.
                raise ProtocolError('tar entry %r is not a regular file or directory' % name[:200])
            parent = os.path.dirname(target)
            os.makedirs(parent, mode=0o755, exist_ok=True)
            # A directory component that is a symlink cannot exist (we never create links),
            # but check anyway: the write must land under dest.
            if not os.path.realpath(parent).startswith(real_dest + os.sep) and os.path.realpath(parent) != real_dest:
                raise ProtocolError('tar entry %r escapes the work dir' % name[:200])
            src = tar.extractfile(member)
            mode = 0o755 if member.mode & stat.S_IXUSR else 0o644
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
            with os.fdopen(fd, 'wb') as out:
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)


def _mutation_settings(given) -> dict:
    if not isinstance(given, dict):
        raise ProtocolError('request.json: settings.mutation must be an object')
    mutation = dict(DEFAULT_MUTATION)
    mutation.update({k: v for k, v in given.items() if k in DEFAULT_MUTATION and v is not None})
    if not isinstance(mutation['enabled'], bool):
        raise ProtocolError('request.json: settings.mutation.enabled must be true or false')
    for key, least in (('maxMutants', 0), ('maxPerLine', 1), ('seconds', 0)):
        value = mutation[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < least:
            raise ProtocolError('request.json: settings.mutation.%s must be a number >= %d' % (key, least))
    return mutation


def parse_request(raw: bytes) -> dict:
    try:
        req = json.loads(raw)
    except ValueError as e:
        raise ProtocolError('request.json is not JSON: %s' % e) from e
    if not isinstance(req, dict) or req.get('protocol') != 1:
        raise ProtocolError('request.json: protocol must be 1')
    if req.get('mode') not in MODES:
        raise ProtocolError('request.json: mode must be one of %s' % ', '.join(MODES))
    nonce = req.get('nonce')
    if not isinstance(nonce, str) or not (8 <= len(nonce) <= 128) or not nonce.isalnum():
        raise ProtocolError('request.json: nonce must be 8-128 alphanumeric characters')
    settings = dict(DEFAULT_SETTINGS)
    given = req.get('settings') or {}
    if not isinstance(given, dict):
        raise ProtocolError('request.json: settings must be an object')
    for key, value in given.items():
        if key in settings and value is not None:
            settings[key] = value
    for key in ('reruns', 'cpuSecondsPerTest', 'wallSecondsPerTest'):
        if not isinstance(settings[key], (int, float)) or settings[key] <= 0:
            raise ProtocolError('request.json: settings.%s must be a positive number' % key)
    settings['reruns'] = max(1, min(int(settings['reruns']), 20))
    for key in ('slowMs', 'deadlineMs'):
        if not isinstance(settings[key], (int, float)) or settings[key] < 0:
            raise ProtocolError('request.json: settings.%s must be a number >= 0' % key)
    if not isinstance(settings['excludeGlobs'], list) or not all(isinstance(g, str) for g in settings['excludeGlobs']):
        raise ProtocolError('request.json: settings.excludeGlobs must be a list of strings')
    if not isinstance(settings['testGlobs'], list) or not all(isinstance(g, str) for g in settings['testGlobs']):
        raise ProtocolError('request.json: settings.testGlobs must be a list of strings')
    if not isinstance(settings['baseRuns'], bool):
        raise ProtocolError('request.json: settings.baseRuns must be true or false')
    settings['mutation'] = _mutation_settings(settings['mutation'])
    cands = req.get('candidates') or []
    if not isinstance(cands, list):
        raise ProtocolError('request.json: candidates must be a list')
    clean = []
    for c in cands:
        if not isinstance(c, dict) or not isinstance(c.get('path'), str):
            raise ProtocolError('request.json: each candidate needs a path')
        clean.append(
            {'path': _safe_name(c['path']), 'origin': c.get('origin', 'generated'), 'generator': c.get('generator')}
        )
    env = req.get('environment') or {}
    if (
        not isinstance(env, dict)
        or not isinstance(env.get('paths', []), list)
        or not all(isinstance(x, str) and x.startswith('/env/') for x in env.get('paths', []))
    ):
        raise ProtocolError('request.json: environment.paths must be a list of paths under /env/')
    req['environment'] = {'paths': list(env.get('paths', []))}
    req['settings'] = settings
    req['candidates'] = clean
    return req
