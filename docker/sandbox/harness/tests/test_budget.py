"""The children's parallelism and memory come from the container's cgroup."""

import tg_budget

MiB = 1024 * 1024


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v1_quota_and_limit(tmp_path):
    write(tmp_path, 'cpu/cpu.cfs_quota_us', '150000\n')
    write(tmp_path, 'cpu/cpu.cfs_period_us', '100000\n')
    write(tmp_path, 'memory/memory.limit_in_bytes', '%d\n' % (1024 * MiB))
    assert tg_budget.container_cpus(str(tmp_path)) == min(1.5, tg_budget.container_cpus(str(tmp_path / 'none')))
    assert tg_budget.container_memory(str(tmp_path)) == 1024 * MiB


def test_cgroup_v2_without_limits(tmp_path):
    write(tmp_path, 'cpu.max', 'max 100000\n')
    write(tmp_path, 'memory.max', 'max\n')
    assert tg_budget.container_memory(str(tmp_path)) is None
    assert tg_budget.container_cpus(str(tmp_path)) >= 1


def test_two_children_of_a_1_gib_container_fit_in_it_together_with_the_harness():
    parallel, per_child = tg_budget.plan(1.5, 1024 * MiB, held=40 * MiB)
    assert parallel == 2
    assert parallel * per_child + tg_budget.RESERVE_BYTES + 40 * MiB <= 1024 * MiB
    assert per_child >= tg_budget.MIN_CHILD_BYTES


def test_large_trees_leave_room_for_fewer_children_not_for_an_oom():
    parallel, per_child = tg_budget.plan(4, 1024 * MiB, held=600 * MiB)
    assert parallel == 1
    assert per_child == 1024 * MiB - tg_budget.RESERVE_BYTES - 600 * MiB
    assert tg_budget.plan(4, 1024 * MiB, held=500 * MiB)[0] == 2


def test_a_large_container_uses_its_cores_and_caps_each_child():
    assert tg_budget.plan(4, 16 * 1024 * MiB, held=0) == (4, tg_budget.MAX_CHILD_BYTES)
    assert tg_budget.plan(2, None, held=0) == (2, tg_budget.MAX_CHILD_BYTES)


def test_an_orphan_sweep_leaves_the_gates_own_tools_running():
    # Bandit runs while file servers start in other threads; a server that refuses sweeps
    # orphans. Our own child must not be taken for a test's escaped process.
    import threading

    import tg_child

    result = {}
    thread = threading.Thread(
        target=lambda: result.update(
            done=tg_child.run_trusted(['sh', '-c', 'sleep 0.5; echo ok'], timeout=10, text=True)
        )
    )
    thread.start()
    import time

    time.sleep(0.2)
    tg_child.sweep_orphans()
    thread.join()
    assert result['done'].returncode == 0 and result['done'].stdout == 'ok\n'
