"""Blocks a test cannot lift: a seccomp filter and a Landlock ruleset, installed by every child.

The audit hook (tg_audit_bootstrap) lives in the test's own interpreter, so a test that
reaches its state can switch it off. These two live in the kernel: once installed they
hold for the process and everything it could start, and nothing in the process can
remove them. The audit hook stays in front of them for readable findings; these are
what still holds when the hook has been disabled.

- seccomp: starting programs or processes (execve, fork, clone without CLONE_THREAD),
  signalling or tracing any process but itself (kill, tgkill, ptrace, pidfd_*,
  process_vm_*), sockets other than AF_UNIX, namespaces, mounts, bpf and io_uring kill
  the process with SIGSYS. The parent sees the signal from outside, so the finding cannot
  be erased by the test (tg_evaluate turns it into an AUDIT-kernel finding).
- Landlock: files can be created, written, removed or renamed only under the child's own
  writable directories (its temp dir and its coverage dir), /dev/shm (POSIX semaphores)
  and /dev/null; every other
  write fails with EACCES, so no test can change the tree another test copies from, the
  harness's files or another test's temp dir. TCP bind/connect are denied, and signals
  to processes outside the child's domain (ABI 6+).

Installed after the trusted imports and before any repository code (the repo's import
roots go on sys.path only afterwards). Python 3.11 stdlib plus Debian's python3-seccomp.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket

# Landlock (include/uapi/linux/landlock.h); the syscall numbers are the same on every arch.
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_FS_WRITE_FILE = 1 << 1
_FS_REMOVE_DIR = 1 << 4
_FS_REMOVE_FILE = 1 << 5
_FS_MAKE_CHAR = 1 << 6
_FS_MAKE_DIR = 1 << 7
_FS_MAKE_REG = 1 << 8
_FS_MAKE_SOCK = 1 << 9
_FS_MAKE_FIFO = 1 << 10
_FS_MAKE_BLOCK = 1 << 11
_FS_MAKE_SYM = 1 << 12
_FS_REFER = 1 << 13  # ABI 2
_FS_TRUNCATE = 1 << 14  # ABI 3
_NET_BIND_TCP = 1 << 0  # ABI 4
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
_SCOPE_SIGNAL = 1 << 1
_PR_SET_NO_NEW_PRIVS = 38
_O_PATH = getattr(os, 'O_PATH', 0o10000000)
_CLONE_THREAD = 0x00010000

# Killed outright: none of these has a use in a unit test that the sandbox allows.
_KILLED_SYSCALLS = (
    'execve',
    'execveat',
    'fork',
    'vfork',
    'ptrace',
    'process_vm_readv',
    'process_vm_writev',
    'pidfd_open',
    'pidfd_send_signal',
    'pidfd_getfd',
    'tkill',
    'kcmp',
    'unshare',
    'setns',
    'mount',
    'umount2',
    'pivot_root',
    'chroot',
    'move_mount',
    'open_tree',
    'fsopen',
    'bpf',
    'perf_event_open',
    'userfaultfd',
    'io_uring_setup',
    'io_uring_enter',
    'io_uring_register',
    'keyctl',
    'add_key',
    'request_key',
)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ('handled_access_fs', ctypes.c_uint64),
        ('handled_access_net', ctypes.c_uint64),
        ('scoped', ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [('allowed_access', ctypes.c_uint64), ('parent_fd', ctypes.c_int32)]


# What a file server (one test file's process, which forks a child per test run) may still
# do: start processes, and signal them. Its children install the full filter on top.
_FORK_SYSCALLS = ('fork', 'vfork')


def _seccomp_filter(allow_fork: bool, pid: int):
    import seccomp  # Debian's python3-seccomp (libseccomp's own binding)

    filt = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    kill = seccomp.KILL_PROCESS
    for name in _KILLED_SYSCALLS:
        if allow_fork and name in _FORK_SYSCALLS:
            continue
        try:
            filt.add_rule(kill, name)
        except (RuntimeError, ValueError, OSError):
            pass  # not a syscall on this architecture or libseccomp version
    if not allow_fork:
        # Threads are clone(CLONE_THREAD); a process is clone without it.
        filt.add_rule(kill, 'clone', seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))
    # clone3 passes its flags in memory seccomp cannot read: glibc falls back to clone on ENOSYS.
    filt.add_rule(seccomp.ERRNO(errno.ENOSYS), 'clone3')
    if not allow_fork:
        # Signals only to itself (pid_t compared as 32 bits: glibc passes an int). A file
        # server signals its children; Landlock's signal scope (ABI 6, required for it)
        # keeps it from signalling anything outside its own domain instead.
        for name in _SIGNAL_SYSCALLS:
            filt.add_rule(kill, name, seccomp.Arg(0, seccomp.NE, pid & 0xFFFFFFFF))
    # prlimit on another process (the harness) would change the limits it runs under.
    filt.add_rule(kill, 'prlimit64', seccomp.Arg(0, seccomp.NE, 0))
    filt.add_rule(kill, 'socket', seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    return filt


def _seccomp(allow_fork: bool = False) -> None:
    if not allow_fork and _RUN_PROGRAM:
        _load_run_program()
        return
    _seccomp_filter(allow_fork, os.getpid()).load()


_SIGNAL_SYSCALLS = ('kill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo')
# Stands for the run's own pid in the program compiled ahead: above any pid_max (2^22).
_PID_PLACEHOLDER = 0x7FFFFFF0
# A file server's runs each load the same filter but for their pid. libseccomp compiles it
# in about a millisecond; compiled once in the server (before any repository code runs
# there), a run only writes its pid into the program: [program bytes, offsets of the pid].
_RUN_PROGRAM: list = []
_BPF_JMP_JEQ_K = 0x15
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2


class _SockFprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]


def _compile_run_program() -> None:
    """The runs' filter as BPF, with the placeholder where each run's pid goes (libseccomp
    shares one comparison between the signal syscalls). Left empty, so that each run
    compiles its own, when the placeholder is not found."""
    program = _seccomp_filter(False, _PID_PLACEHOLDER)
    fd = os.memfd_create('testgate-seccomp', os.MFD_CLOEXEC)
    with os.fdopen(fd, 'w+b') as f:
        program.export_bpf(f)
        f.seek(0)
        code = f.read()
    # struct sock_filter {u16 code; u8 jt; u8 jf; u32 k;}: the pid is the k of a jeq.
    offsets = [
        at + 4
        for at in range(0, len(code) - 7, 8)
        if int.from_bytes(code[at : at + 2], 'little') == _BPF_JMP_JEQ_K
        and int.from_bytes(code[at + 4 : at + 8], 'little') == _PID_PLACEHOLDER
    ]
    if len(code) % 8 == 0 and offsets:
        _RUN_PROGRAM[:] = [code, offsets]


def _load_run_program() -> None:
    code, offsets = _RUN_PROGRAM
    program = bytearray(code)
    pid = (os.getpid() & 0xFFFFFFFF).to_bytes(4, 'little')
    for at in offsets:
        program[at : at + 4] = pid
    buffer = (ctypes.c_char * len(program)).from_buffer(program)
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    libc = _libc()
    # Loading a filter needs no_new_privs (Landlock set it already where it is installed).
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_NO_NEW_PRIVS) failed')
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_SECCOMP) failed')


_LIBC: list = []


def _libc():
    """libc and its syscall(), looked up once: a file server's runs install the guard again,
    and inherit these instead of paying for the lookup each time."""
    if not _LIBC:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        _LIBC.append(libc)
    return _LIBC[0]


def _landlock(writable_dirs, writable_files) -> int:
    libc = _libc()
    syscall = libc.syscall
    abi = _landlock_abi()
    if abi < 1:
        return 0
    fs = (
        _FS_WRITE_FILE
        | _FS_REMOVE_DIR
        | _FS_REMOVE_FILE
        | _FS_MAKE_CHAR
        | _FS_MAKE_DIR
        | _FS_MAKE_REG
        | _FS_MAKE_SOCK
        | _FS_MAKE_FIFO
        | _FS_MAKE_BLOCK
        | _FS_MAKE_SYM
    )
    if abi >= 2:
        fs |= _FS_REFER
    if abi >= 3:
        fs |= _FS_TRUNCATE
    attr = _RulesetAttr(fs, 0, 0)
    size = 8
    if abi >= 4:
        attr.handled_access_net = _NET_BIND_TCP | _NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
        size = 24
    ruleset = syscall(ctypes.c_long(_SYS_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), 'landlock_create_ruleset failed')
    try:
        file_rights = _FS_WRITE_FILE | (_FS_TRUNCATE if abi >= 3 else 0)
        for path, rights in [(d, fs) for d in writable_dirs] + [(f, file_rights) for f in writable_files]:
            fd = os.open(path, _O_PATH | os.O_CLOEXEC)
            try:
                rule = _PathBeneathAttr(rights, fd)
                if (
                    syscall(
                        ctypes.c_long(_SYS_ADD_RULE),
                        ctypes.c_int(ruleset),
                        ctypes.c_int(_RULE_PATH_BENEATH),
                        ctypes.byref(rule),
                        ctypes.c_uint32(0),
                    )
                    < 0
                ):
                    raise OSError(ctypes.get_errno(), 'landlock_add_rule failed', path)
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), 'prctl(PR_SET_NO_NEW_PRIVS) failed')
        if syscall(ctypes.c_long(_SYS_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), 'landlock_restrict_self failed')
    finally:
        os.close(ruleset)
    return abi


# POSIX semaphores (multiprocessing.Lock/RLock, created at import by libraries such as
# tqdm) are files in /dev/shm; the audit hook never saw them (sem_open raises no event).
SHARED_MEMORY_DIR = '/dev/shm'


# Landlock ABI whose signal scope confines a file server that may fork and signal.
FILE_SERVER_LANDLOCK_ABI = 6


class FileServerUnavailable(OSError):
    """This kernel cannot confine a process that forks: run each test from the zygote instead."""


def install(writable_dirs, writable_files=('/dev/null',), allow_fork: bool = False) -> dict:
    """Restrict this process for good. Returns what was installed; raises if seccomp could not be.

    A child without its seccomp filter must not run repository code, so the caller treats
    an exception here as the gate's own fault. Landlock is optional (kernels before 5.13,
    or a container runtime whose seccomp profile refuses it); the audit hook still guards
    writes there, and `landlock: 0` says so.

    allow_fork is for a file server: it keeps fork and signals, and needs Landlock's signal
    scope (FileServerUnavailable otherwise, before anything is restricted). Its children
    call install() again without it: filters and rulesets stack, the stricter one wins.
    """
    landlock = 0
    if allow_fork and _landlock_abi() < FILE_SERVER_LANDLOCK_ABI:
        raise FileServerUnavailable(
            errno.ENOSYS, 'Landlock ABI %d needed to confine a file server' % FILE_SERVER_LANDLOCK_ABI
        )
    try:
        dirs = [d for d in [*writable_dirs, SHARED_MEMORY_DIR] if os.path.isdir(d)]
        landlock = _landlock(dirs, [f for f in writable_files if os.path.exists(f)])
    except OSError as e:
        if e.errno not in (errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM) or allow_fork:
            raise
    if allow_fork:
        try:
            _compile_run_program()  # before the server's own filter, and before any repository code
        except (OSError, RuntimeError, ValueError):
            _RUN_PROGRAM.clear()  # each run compiles its own filter, as a zygote's child does
    _seccomp(allow_fork)
    return {'seccomp': True, 'landlock': landlock}


def _landlock_abi() -> int:
    return int(
        _libc().syscall(
            ctypes.c_long(_SYS_CREATE_RULESET), None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION)
        )
    )
