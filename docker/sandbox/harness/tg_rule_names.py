"""What names mean to the static rules: the tables of dangerous and harmless names, and how
a name in a test file resolves to the dotted name it is bound to (`from os import system as
s`: `s` is `os.system`). The rule modules (tg_rules_*.py) decide with these.
"""

from __future__ import annotations

import ast
import os
import posixpath

# --- name tables ---------------------------------------------------------------------------

DYNAMIC_IMPORT = {
    "__import__",
    "builtins.__import__",
    "importlib.import_module",
    "importlib.__import__",
    "importlib.reload",
    "importlib.util.spec_from_file_location",
    "importlib.util.spec_from_loader",
    "importlib.util.module_from_spec",
    "importlib.machinery.SourceFileLoader",
    "importlib.machinery.SourcelessFileLoader",
    "runpy.run_path",
    "runpy.run_module",
    "imp.load_source",
    "imp.load_module",
    "imp.load_compiled",
    "imp.load_dynamic",
    "zipimport.zipimporter",
}
DYNAMIC_IMPORT_METHODS = {"exec_module", "load_module"}
EVAL = {"eval", "exec", "compile", "builtins.eval", "builtins.exec", "builtins.compile"}
SENSITIVE_MODULES = {
    "os",
    "posix",
    "nt",
    "subprocess",
    "builtins",
    "__builtins__",
    "sys",
    "socket",
    "importlib",
    "ctypes",
    "shutil",
    "pty",
    "signal",
    "resource",
    "gc",
    "inspect",
    "_io",
    "io",
    "runpy",
}
REFLECTION_CALLS = {"getattr", "setattr", "delattr", "vars", "builtins.getattr", "builtins.setattr", "builtins.vars"}

NET_PREFIXES = (
    "socket.",
    "requests.",
    "httpx.",
    "aiohttp.",
    "urllib.request.",
    "urllib3.",
    "http.client.",
    "ftplib.",
    "smtplib.",
    "telnetlib.",
    "poplib.",
    "imaplib.",
    "nntplib.",
    "xmlrpc.client.",
    "websocket.",
    "websockets.",
    "paramiko.",
    "socketserver.",
    "http.server.",
    "pycurl.",
    "httplib2.",
    "grpc.",
    "asyncssh.",
)
NET_EXACT = {
    "asyncio.open_connection",
    "asyncio.start_server",
    "asyncio.open_unix_connection",
    "asyncio.start_unix_server",
    "ssl.wrap_socket",
    "urllib.urlopen",
    "urllib2.urlopen",
    "webbrowser.open",
}
# Building fakes of these is how tests mock the network; it sends nothing.
NET_SAFE = {
    "requests.Response",
    "requests.Request",
    "requests.PreparedRequest",
    "requests.structures.CaseInsensitiveDict",
    "httpx.Response",
    "httpx.Request",
    "httpx.URL",
    "httpx.Headers",
    "httpx.MockTransport",
    "httpx.QueryParams",
    "urllib.request.Request",
    "urllib.request.pathname2url",
    "urllib.request.url2pathname",
    "socket.gethostname",
    "socket.htons",
    "socket.htonl",
    "socket.ntohs",
    "socket.ntohl",
    "socket.inet_aton",
    "socket.inet_ntoa",
    "socket.inet_pton",
    "socket.inet_ntop",
    "http.client.responses",
}
HTTP_CLIENT_PREFIXES = ("requests.", "httpx.", "aiohttp.", "urllib3.")
# A file that uses one of these intercepts HTTP clients in-process (the audit hook still
# stops a real connection), so calls to the clients are not flagged statically.
HTTP_MOCKS = {
    "responses",
    "requests_mock",
    "respx",
    "httpretty",
    "aioresponses",
    "pytest_httpserver",
    "vcr",
    "betamax",
    "pook",
}

PROC_EXACT = {
    "os.system",
    "os.popen",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "os.posix_spawn",
    "os.posix_spawnp",
    "os.startfile",
    "os.wait",
    "os.waitpid",
    "pty.spawn",
    "pty.fork",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "multiprocessing.Process",
    "multiprocessing.Pool",
    "multiprocessing.get_context",
    "concurrent.futures.ProcessPoolExecutor",
    "subprocess.run",
    "subprocess.Popen",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "platform.popen",
    "commands.getoutput",
    "commands.getstatusoutput",
}
PROC_PREFIXES = ("subprocess.", "os.exec", "os.spawn", "popen2.", "pexpect.")
PROC_SAFE_SUFFIXES = ("Error", "Exception", "Expired", "CompletedProcess", "PIPE", "DEVNULL", "STDOUT")
NATIVE_PREFIXES = ("ctypes.", "_ctypes.", "cffi.")

SLEEP = {"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep"}

ENV_OBJECTS = {"os.environ", "os.environb"}
ENV_CALLS = {"os.putenv", "os.unsetenv"}
MUTATORS = {
    "update",
    "pop",
    "clear",
    "setdefault",
    "popitem",
    "__setitem__",
    "__delitem__",
    "insert",
    "append",
    "extend",
    "remove",
    "__iadd__",
}

OPEN_CALLS = {"open", "io.open", "builtins.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open"}
PATH_CTORS = {"pathlib.Path", "Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"}
PATH_WRITE_METHODS = {
    "write_text",
    "write_bytes",
    "touch",
    "mkdir",
    "unlink",
    "rmdir",
    "rename",
    "replace",
    "symlink_to",
    "hardlink_to",
    "link_to",
    "chmod",
    "lchmod",
}
# function -> positional indices of the paths it writes or removes
FS_CALLS = {
    "os.remove": (0,),
    "os.unlink": (0,),
    "os.rmdir": (0,),
    "os.removedirs": (0,),
    "os.mkdir": (0,),
    "os.makedirs": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.lchown": (0,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "os.mkfifo": (0,),
    "os.mknod": (0,),
    "os.rename": (0, 1),
    "os.renames": (0, 1),
    "os.replace": (0, 1),
    "os.symlink": (1,),
    "os.link": (1,),
    "shutil.rmtree": (0,),
    "shutil.chown": (0,),
    "shutil.move": (0, 1),
    "shutil.copy": (1,),
    "shutil.copy2": (1,),
    "shutil.copyfile": (1,),
    "shutil.copytree": (1,),
    "shutil.copymode": (1,),
    "shutil.copystat": (1,),
}
TMP_FIXTURES = {"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory"}
SAFE_PATHS = {"/dev/null", "os.devnull"}

EXIT = {
    "sys.exit",
    "os._exit",
    "exit",
    "quit",
    "builtins.exit",
    "builtins.quit",
    "os.abort",
    "posix._exit",
    "pytest.exit",
}
EXIT_EXCEPTIONS = {"SystemExit", "KeyboardInterrupt", "builtins.SystemExit", "builtins.KeyboardInterrupt"}

BUILTINS_NAMES = {"builtins", "__builtin__", "__builtins__"}
# Patched through monkeypatch/mock (undone after the test) these are ordinary fakes of I/O.
BENIGN_BUILTINS = {"open", "input", "print"}

TRACE = {
    "sys.settrace",
    "sys.setprofile",
    "threading.settrace",
    "threading.setprofile",
    "threading.settrace_all_threads",
    "threading.setprofile_all_threads",
}
TRACE_PREFIXES = ("sys.monitoring.",)
AUDIT = {"sys.addaudithook"}
TOOL_MODULES = {"_pytest", "coverage", "pytest_cov", "bandit", "pluggy", "pytest_timeout"}
SYS_PATH_OBJECTS = {
    "sys.path": "medium",
    "sys.meta_path": "high",
    "sys.path_hooks": "high",
    "sys.path_importer_cache": "high",
}
SYS_PATH_CALLS = {"site.addsitedir": "medium", "site.main": "medium"}
FRAME_CALLS = {
    "sys._getframe",
    "inspect.currentframe",
    "inspect.stack",
    "inspect.getouterframes",
    "inspect.trace",
    "gc.get_referrers",
    "gc.get_referents",
    "gc.get_objects",
    "sys._current_frames",
}
FRAME_ATTRS = {
    "f_locals",
    "f_globals",
    "f_back",
    "f_builtins",
    "tb_frame",
    "gi_frame",
    "cr_frame",
    "ag_frame",
    "f_trace",
    "__closure__",
    "cell_contents",
    "__globals__",
}
# The objects through which a test reaches the code that runs and reports it: pytest's
# plugin manager and hook relays. A test that touches them can rewrite its own outcome.
RUNNER_ATTRS = {"pluginmanager", "ihook", "_hookexec", "_inner_hookexec", "get_hookimpls", "add_hookcall_monitoring"}
# Modules of the gate itself and CPython's import machinery (a fresh builtin module from
# `_imp.create_builtin` has none of the harness's patches).
RUNNER_MODULES = (
    {"_imp", "_testgate_kernel_guard"}
    | {
        name[:-3]
        for name in os.listdir(os.path.dirname(os.path.abspath(__file__)))
        if name.startswith("tg_") and name.endswith(".py")
    }
    | {"tg_generate"}
)
LIMITS = {
    "signal.signal",
    "signal.setitimer",
    "signal.alarm",
    "signal.pthread_sigmask",
    "signal.siginterrupt",
    "signal.set_wakeup_fd",
    "resource.setrlimit",
    "resource.prlimit",
    "os.setsid",
    "os.setpgrp",
    "os.setpgid",
    "faulthandler.dump_traceback_later",
}

# --- expression helpers --------------------------------------------------------------------


def collect_aliases(tree: ast.AST) -> tuple[dict[str, str], list[str]]:
    """local name -> dotted name it is bound to by an import anywhere in the file; star-imported modules."""
    aliases: dict[str, str] = {}
    stars: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name == "*":
                    stars.append(node.module)
                else:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases, stars


def known_danger(name: str) -> bool:
    return (
        name in PROC_EXACT
        or name.startswith(PROC_PREFIXES)
        or name in DYNAMIC_IMPORT
        or name in EXIT
        or name in SLEEP
        or name in ENV_CALLS
        or name in FS_CALLS
        or name in TRACE
        or name in AUDIT
        or name in FRAME_CALLS
        or name in LIMITS
        or name.startswith(NET_PREFIXES)
        or name in NET_EXACT
        or name in ENV_OBJECTS
    )


def reflective_danger(module: str, member: str) -> bool:
    if module in BUILTINS_NAMES:
        return f"builtins.{member}" in EVAL or member in ("__import__", "getattr", "setattr", "open", "globals", "vars")
    name = f"{module}.{member}"
    return known_danger(name) or name.startswith(NATIVE_PREFIXES) or member.startswith(("exec", "spawn", "_"))


class Names:
    def __init__(self, tree: ast.AST):
        self.aliases, self.stars = collect_aliases(tree)

    def qual(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            for mod in self.stars:
                candidate = f"{mod}.{node.id}"
                if known_danger(candidate):
                    return candidate
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.qual(node.value)
            return f"{base}.{node.attr}" if base else None
        return None


def const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def call_arg(call: ast.Call, index: int, *names: str) -> ast.AST | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    return None


def under_tmp(path: str) -> bool:
    if path in SAFE_PATHS:
        return True
    if not path.startswith("/"):
        return False  # relative: lands in the working copy of the repo
    norm = posixpath.normpath(path)
    return norm == "/tmp" or norm.startswith("/tmp/")


def is_trivial_stmt(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    return isinstance(stmt, ast.Return) and (stmt.value is None or isinstance(stmt.value, ast.Constant))
