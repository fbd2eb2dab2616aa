"""Environment setup in the sandbox (PROTOCOL.md, "Environment setup").

Runs in a setup container with no network: installs the wheelhouse the host resolved into
the environment volume at /env, or builds sdists into wheels. Reads one tar on stdin
(setup.json, wheels/, requirements.txt, sdists/), writes one `TESTGATE-SETUP <nonce> <json>`
line on stdout. pip runs with `--no-index`: nothing can come from anywhere but the tar.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

ENV_ROOT = '/env'
SITE = os.path.join(ENV_ROOT, 'site')
PIP_TAIL = 4000


def _pip(args: list[str], tmp: str, timeout: float) -> tuple[int, str]:
    env = {
        'PATH': '/usr/bin:/bin',
        'LANG': 'C.UTF-8',
        'HOME': tmp,
        'TMPDIR': tmp,
        # No configuration but ours: no index, no find-links, nothing from a pip.conf.
        'PIP_CONFIG_FILE': '/dev/null',
        'PIP_NO_INPUT': '1',
        'PIP_DISABLE_PIP_VERSION_CHECK': '1',
        'PYTHONDONTWRITEBYTECODE': '1',
    }
    try:
        done = subprocess.run(
            [sys.executable, '-I', '-m', 'pip', *args], env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'') + (e.stderr or b'')
        return 124, 'pip passed its time limit of %d s\n' % timeout + out.decode('utf-8', 'replace')[-PIP_TAIL:]
    text = (done.stdout + done.stderr).decode('utf-8', 'replace')
    return done.returncode, text[-PIP_TAIL:]


def _size(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _installed(site: str) -> list[dict[str, str]]:
    out = []
    for name in sorted(os.listdir(site)) if os.path.isdir(site) else []:
        if not name.endswith('.dist-info'):
            continue
        meta = {}
        try:
            with open(os.path.join(site, name, 'METADATA'), encoding='utf-8', errors='replace') as fh:
                for line in fh:
                    if not line.strip():
                        break
                    key, _, value = line.partition(':')
                    meta.setdefault(key.strip().lower(), value.strip())
        except OSError:
            continue
        if meta.get('name'):
            out.append({'name': meta['name'], 'version': meta.get('version', '?')})
    return out


def _pip_in_process(args: list[str], tmp: str) -> tuple[int, str]:
    """pip's install, run in this process: its import was paid while the host was still
    resolving (see _preload_pip), which is most of pip's start-up. The container's own
    deadline bounds it."""
    import contextlib
    import io

    from pip._internal.cli.main import main as pip_main

    os.environ.update(
        {
            'HOME': tmp,
            'TMPDIR': tmp,
            'PIP_CONFIG_FILE': '/dev/null',
            'PIP_NO_INPUT': '1',
            'PIP_DISABLE_PIP_VERSION_CHECK': '1',
        }
    )
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        try:
            code = pip_main(args)
        except SystemExit as e:  # pip exits on some errors
            code = e.code if isinstance(e.code, int) else 1
    return int(code or 0), captured.getvalue()[-PIP_TAIL:]


def _preload_pip() -> None:
    """Imports pip's install machinery before stdin arrives: the host starts this container
    while it resolves, so the import overlaps that."""
    try:
        import pip._internal.cli.main  # noqa: F401
        import pip._internal.commands.install  # noqa: F401
    except Exception:  # noqa: BLE001 -- only a head start; the install imports it again
        pass


def install(req: dict, work: str) -> dict:
    t0 = time.monotonic()
    tmp = os.path.join(ENV_ROOT, '.tmp')
    os.makedirs(tmp, exist_ok=True)
    code, tail = _pip_in_process(
        [
            'install',
            '--no-index',
            '--no-deps',
            '--require-hashes',
            '--no-compile',
            '--no-warn-script-location',
            '--no-cache-dir',
            '--find-links',
            os.path.join(work, 'wheels'),
            '--target',
            SITE,
            '-r',
            os.path.join(work, 'requirements.txt'),
        ],
        tmp,
    )
    subprocess.run(['rm', '-rf', tmp], check=False)
    if code != 0:
        return {'ok': False, 'error': 'pip install failed (exit %d)' % code, 'pipTail': tail}
    # Byte-code now, on every core the container has: the test runs see /env read-only and
    # would otherwise compile every dependency module again in each child.
    import compileall

    compileall.compile_dir(SITE, quiet=2, workers=0)
    return {
        'ok': True,
        'installed': _installed(SITE),
        'sizeBytes': _size(ENV_ROOT),
        'installMs': round((time.monotonic() - t0) * 1000),
    }


def build(req: dict, work: str) -> dict:
    """Each sdist into a wheel, offline; its build backend comes from wheels/ (build isolation)."""
    out_dir = os.path.join(work, 'out')
    os.makedirs(out_dir, exist_ok=True)
    built, failed = [], []
    for name in req.get('sdists') or []:
        before = set(os.listdir(out_dir))
        code, tail = _pip(
            [
                'wheel',
                '--no-index',
                '--no-deps',
                '--no-cache-dir',
                '--find-links',
                os.path.join(work, 'wheels'),
                '--wheel-dir',
                out_dir,
                os.path.join(work, 'sdists', os.path.basename(name)),
            ],
            '/tmp',
            float(req.get('timeoutSeconds', 600)),
        )
        new = sorted(set(os.listdir(out_dir)) - before)
        if code != 0 or not new:
            failed.append({'sdist': name, 'pipTail': tail})
            continue
        for wheel in new:
            with open(os.path.join(out_dir, wheel), 'rb') as fh:
                built.append({'sdist': name, 'file': wheel, 'data': base64.b64encode(fh.read()).decode()})
    return {'ok': not failed, 'built': built, 'failed': failed}


def main() -> int:
    import tg_protocol

    work = '/work'
    _preload_pip()
    try:
        tg_protocol.safe_extract(sys.stdin.buffer, work)
        with open(os.path.join(work, 'setup.json'), 'rb') as fh:
            req = json.loads(fh.read())
    except (tg_protocol.ProtocolError, tarfile.TarError, OSError, ValueError) as e:
        print('setup: bad input: %s' % e, file=sys.stderr)
        return 2
    nonce = str(req.get('nonce', ''))
    if not nonce.isalnum():
        print('setup: bad input: nonce', file=sys.stderr)
        return 2
    result = install(req, work) if req.get('mode') == 'install' else build(req, work)
    sys.stdout.write('TESTGATE-SETUP %s %s\n' % (nonce, json.dumps(result)))
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
