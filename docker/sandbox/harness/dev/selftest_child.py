"""Checks of tg_child that the audit hook makes unreachable from a test (it blocks every way
to start a process): a child that escapes its process group with setsid + double fork is
still killed, and limits map to the right evidence. Run inside the image:
  docker run --rm --network none --read-only --tmpfs /tmp:uid=10001,exec --user 10001 IMAGE \
    python3 -I /opt/testgate/harness/dev/selftest_child.py
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import main  # noqa: E402
import tg_child  # noqa: E402

main._harden()  # child subreaper, as in the real harness
env = {'PATH': '/usr/bin:/bin'}
escape = r'''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        open('/tmp/escaped.pid', 'w').write(str(os.getpid()))
        time.sleep(60)
    os._exit(0)
time.sleep(0.5)
'''
res = tg_child.run_child([sys.executable, '-I', '-c', escape], '/tmp', env, 2, 5, 1 << 20)
time.sleep(0.2)
pid = int(open('/tmp/escaped.pid').read())
alive = os.path.exists('/proc/%d' % pid) and 'Z' not in open('/proc/%d/stat' % pid).read().split(')')[-1].split()[0]
assert not alive, 'escaped grandchild %d survived' % pid
print('ok: escaped grandchild killed', res.exit_code)

res = tg_child.run_child([sys.executable, '-I', '-c', 'while True: pass'], '/tmp', env, 1, 30, 1 << 20)
assert res.timed_out and res.limit == 'cpu', res
print('ok: cpu limit', res.cpu_ms)
res = tg_child.run_child([sys.executable, '-I', '-c', 'import time; time.sleep(30)'], '/tmp', env, 1, 1, 1 << 20)
assert res.timed_out and res.limit == 'wall', res
print('ok: wall limit', res.wall_ms)
res = tg_child.run_child([sys.executable, '-I', '-c', 'print("x" * 10_000_000)'], '/tmp', env, 5, 30, 1 << 20)
assert res.limit == 'output', res
print('ok: output cap')
res = tg_child.run_child(
    [sys.executable, '-I', '-c', 'open("/tmp/big", "wb").write(b"x" * (80 << 20))'], '/tmp', env, 5, 30, 1 << 20
)
# CPython ignores SIGXFSZ, so RLIMIT_FSIZE shows as EFBIG (the bootstrap maps it to limit 'disk').
assert 'File too large' in res.stderr_tail, res
print('ok: file size limit')
