"""The audit events (PEP 578) the sandbox stops, in one place.

Read by the test children's hook (tg_audit_bootstrap, which loads this file as a module
object outside sys.modules, so no test can import it) and by the explorers' hook
(tg_generate/worker.py), which stops more: a call it explores must not touch anything
outside its arguments. Data only; Python 3.11 stdlib.
"""

import os

# Events blocked outright in a test. value: (severity, reason)
UNSAFE = {
    'os.system': ('high', 'unsafe'),
    'os.exec': ('high', 'unsafe'),
    'os.spawn': ('high', 'unsafe'),
    'os.posix_spawn': ('high', 'unsafe'),
    'subprocess.Popen': ('high', 'unsafe'),
    'os.fork': ('high', 'unsafe'),
    'os.forkpty': ('high', 'unsafe'),
    'os.kill': ('high', 'unsafe'),
    'os.killpg': ('high', 'unsafe'),
    'signal.pthread_kill': ('high', 'unsafe'),
    'socket.connect': ('high', 'unsafe'),
    'socket.bind': ('high', 'unsafe'),
    'socket.sendto': ('high', 'unsafe'),
    'socket.sendmsg': ('high', 'unsafe'),
    'socket.getaddrinfo': ('high', 'unsafe'),
    'socket.gethostbyname': ('high', 'unsafe'),
    'socket.gethostbyname_ex': ('high', 'unsafe'),
    'socket.gethostbyaddr': ('high', 'unsafe'),
    'socket.getnameinfo': ('high', 'unsafe'),
    'ctypes.dlopen': ('high', 'unsafe'),
    'ctypes.dlsym': ('high', 'unsafe'),
    'ctypes.cdata': ('high', 'unsafe'),
    'ctypes.addressof': ('high', 'unsafe'),
    'ctypes.call_function': ('high', 'unsafe'),
    'ctypes.string_at': ('high', 'unsafe'),
    'ctypes.wstring_at': ('high', 'unsafe'),
    'ctypes.create_string_buffer': ('high', 'unsafe'),
    'ctypes.create_unicode_buffer': ('high', 'unsafe'),
    'ctypes.cdata/buffer': ('high', 'unsafe'),
    'os.setuid': ('high', 'unsafe'),
    'sys.addaudithook': ('high', 'tampering'),
    'resource.setrlimit': ('medium', 'tampering'),
    'resource.prlimit': ('medium', 'tampering'),
    # The token lives in this process's memory; walking the heap is how a test would find it.
    'gc.get_objects': ('medium', 'tampering'),
    'gc.get_referrers': ('medium', 'tampering'),
    'gc.get_referents': ('medium', 'tampering'),
}
# Filesystem changes: allowed inside the test's own temp dir, blocked elsewhere.
# value: indices of the path arguments to check.
FILESYSTEM = {
    'os.remove': (0,),
    'os.rmdir': (0,),
    'os.mkdir': (0,),
    'os.chmod': (0,),
    'os.chown': (0,),
    'os.utime': (0,),
    'os.truncate': (0,),
    'os.setxattr': (0,),
    'os.removexattr': (0,),
    'os.chflags': (0,),
    'os.lchflags': (0,),
    'os.rename': (0, 1),
    'os.link': (0, 1),
    'os.symlink': (1,),
    'shutil.rmtree': (0,),
    'shutil.chown': (0,),
}
BLOCKED_IMPORTS = frozenset({'ctypes', '_ctypes', '_posixsubprocess', 'cffi', '_cffi_backend', '_xxsubinterpreters'})
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC

# What an explored call must not do besides (prefix match on the event name): its result
# would depend on the machine, the clock or other threads, or it would reach outside.
EXPLORER_ONLY = (
    'socket.',
    'subprocess.',
    'os.unlink',
    'os.replace',
    'os.chdir',
    'os.lchown',
    'os.putenv',
    'os.unsetenv',
    'os.mkfifo',
    'os.mknod',
    'shutil.',
    'os.listdir',
    'os.scandir',
    'os.walk',
    'glob.glob',
    'urllib.Request',
    'http.client.',
    'ctypes.',
    'time.sleep',
    'sqlite3.',
    'webbrowser.',
    'pty.',
    'mmap.',
    'fcntl.',
    'os.setgid',
    'ftplib.',
    'smtplib.',
    'poplib.',
    'imaplib.',
    'nntplib.',
    'telnetlib.',
    'builtins.input',
    'sys.setprofile',
    'sys.settrace',
    'threading.',
    '_thread.start_new_thread',
)
# Every event an explored call is stopped at: a test's, and the explorer's own.
EXPLORER_BLOCKED = tuple(UNSAFE) + tuple(FILESYSTEM) + EXPLORER_ONLY
