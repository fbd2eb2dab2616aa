"""How many test children run at once, and how much memory each may take.

Read from the container's own cgroup (v2 or v1): the CPU quota gives the parallelism (the
cores we are given, rounded up), and the memory limit, less what the harness, the fork
server and the trees in /work (a tmpfs: its pages count against the same limit) already
hold, is split between the parallel children, so that they cannot exhaust the container
together. Python 3.11 stdlib only.
"""

from __future__ import annotations

import math
import os
from typing import Optional

MiB = 1024 * 1024
# A child never gets more than this, even alone in a large container (the foundation's value).
MAX_CHILD_BYTES = 448 * MiB
# ...nor less: below this, pytest and coverage themselves do not fit.
MIN_CHILD_BYTES = 160 * MiB
# The harness and the fork server, resident, and headroom for the page cache and pipes.
RESERVE_BYTES = 192 * MiB
MAX_PARALLEL = 8
# Above this the cgroup has no memory limit ("max" in v2, a huge number in v1).
NO_LIMIT = 1 << 60


def _read(path: str) -> Optional[str]:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def container_cpus(root: str = '/sys/fs/cgroup') -> float:
    """CPUs of the cgroup's quota; the CPUs we may run on when there is none."""
    quota = period = None
    v2 = _read(os.path.join(root, 'cpu.max'))
    if v2 is not None:
        parts = v2.split()
        if len(parts) == 2 and parts[0] != 'max':
            quota, period = int(parts[0]), int(parts[1])
    else:
        q = _read(os.path.join(root, 'cpu', 'cpu.cfs_quota_us'))
        p = _read(os.path.join(root, 'cpu', 'cpu.cfs_period_us'))
        if q is not None and p is not None and int(q) > 0:
            quota, period = int(q), int(p)
    available = len(os.sched_getaffinity(0))
    if quota and period:
        return min(quota / period, float(available))
    return float(available)


def container_memory(root: str = '/sys/fs/cgroup') -> Optional[int]:
    """The cgroup's memory limit in bytes, or None without one."""
    raw = _read(os.path.join(root, 'memory.max'))
    if raw is None:
        raw = _read(os.path.join(root, 'memory', 'memory.limit_in_bytes'))
    if raw is None or raw == 'max':
        return None
    value = int(raw)
    return None if value >= NO_LIMIT else value


def tmpfs_used(path: str) -> int:
    try:
        st = os.statvfs(path)
    except OSError:
        return 0
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def plan(cpus: float, memory: Optional[int], held: int) -> tuple:
    """(parallel children, address-space bytes for each)."""
    parallel = max(1, min(MAX_PARALLEL, math.ceil(cpus - 1e-9)))
    if memory is None:
        return parallel, MAX_CHILD_BYTES
    free = memory - RESERVE_BYTES - held
    # Fewer children when the memory would not give each its minimum.
    while parallel > 1 and free // parallel < MIN_CHILD_BYTES:
        parallel -= 1
    per_child = max(MIN_CHILD_BYTES, min(MAX_CHILD_BYTES, free // parallel))
    return parallel, int(per_child)


def for_this_container(workdir: str) -> tuple:
    """(parallel, bytes per child, what it was planned from: for the timings line)."""
    cpus, memory, held = container_cpus(), container_memory(), tmpfs_used(workdir)
    parallel, per_child = plan(cpus, memory, held)
    basis = 'cpus %.1f, memory %s, /work holds %d MiB' % (
        cpus,
        'unlimited' if memory is None else '%d MiB' % (memory // MiB),
        held // MiB,
    )
    return parallel, per_child, basis
