"""tg_kernel_guard in a real process: what it lets through and what the kernel stops.

Each case runs a fresh interpreter that installs the guard and then tries one thing, so
the filter of one case never applies to the next (seccomp and Landlock cannot be lifted).
"""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def guarded(tmp_path, body: str, precompiled: bool = False) -> subprocess.CompletedProcess:
    """precompiled: the filter is loaded as a file server's runs load it, from the program
    compiled ahead with a placeholder for the pid."""
    allowed = tmp_path / 'allowed'
    allowed.mkdir(exist_ok=True)
    code = textwrap.dedent('''
        import os, sys
        sys.path.insert(0, {harness!r})
        import tg_kernel_guard
        if {precompiled!r}:
            tg_kernel_guard._compile_run_program()
            assert tg_kernel_guard._RUN_PROGRAM, 'the program was not compiled ahead'
        installed = tg_kernel_guard.install([{allowed!r}])
        print('installed', installed['seccomp'], installed['landlock'], flush=True)
    ''').format(harness=HARNESS, allowed=str(allowed), precompiled=precompiled) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, '-I', '-c', code], capture_output=True, text=True, timeout=60, cwd=str(tmp_path)
    )


def killed_by_sigsys(proc: subprocess.CompletedProcess) -> bool:
    return proc.returncode == -signal.SIGSYS


@pytest.mark.parametrize('precompiled', [False, True])
def test_honest_work_still_runs(tmp_path, precompiled):
    proc = guarded(
        tmp_path,
        f'''
        import threading, socket, tempfile
        out = []
        t = threading.Thread(target=lambda: out.append(1)); t.start(); t.join()
        a, b = socket.socketpair(); a.send(b'x'); assert b.recv(1) == b'x'
        with open({str(tmp_path / 'allowed' / 'f.txt')!r}, 'w') as f: f.write('ok')
        os.kill(os.getpid(), 0)
        print('done', out)
    ''',
        precompiled,
    )
    assert proc.returncode == 0, proc.stderr
    assert 'done [1]' in proc.stdout
    assert proc.stdout.startswith('installed True ')


@pytest.mark.parametrize(
    'call',
    [
        "os.system('true')",
        "os.fork()",
        "os.execv('/bin/true', ['true'])",
        "import subprocess; subprocess.run(['true'])",
        "os.kill(os.getppid(), 0)",
        "import signal; signal.pidfd_send_signal(os.pidfd_open(os.getppid()), 0)",
        "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
    ],
)
@pytest.mark.parametrize('precompiled', [False, True])
def test_forbidden_system_calls_kill_the_process(tmp_path, call, precompiled):
    proc = guarded(tmp_path, call + "\nprint('survived')\n", precompiled)
    assert killed_by_sigsys(proc), (proc.returncode, proc.stdout, proc.stderr)
    assert 'survived' not in proc.stdout


def test_writes_outside_the_allowed_dirs_fail(tmp_path):
    outside = tmp_path / 'master.py'
    outside.write_text('original\n')
    proc = guarded(
        tmp_path,
        f'''
        import errno
        for attempt in (lambda: open({str(outside)!r}, 'a'), lambda: os.remove({str(outside)!r}),
                        lambda: open({str(tmp_path / 'new.txt')!r}, 'w')):
            try:
                attempt()
            except PermissionError as e:
                print('refused', e.errno == errno.EACCES)
    ''',
    )
    assert proc.returncode == 0, proc.stderr
    if proc.stdout.split()[2] == '0':
        pytest.skip('Landlock is not available on this kernel')
    assert proc.stdout.count('refused True') == 3
    assert outside.read_text() == 'original\n'
    assert not (tmp_path / 'new.txt').exists()
