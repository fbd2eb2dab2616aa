"""Static AST rules for test files: what Bandit misses, and what tampers with the gate.

Each rule has a stable id (RULES.md lists them for the README). A finding is a dict shaped
like findingSchema in packages/core/src/evidence.ts. Static rules are a first line only:
the audit hook (tg_audit_bootstrap.py) sees the same calls at run time however they are
spelled. They lean towards flagging: the gate's bar is zero unsafe tests accepted.
"""
from __future__ import annotations

import ast
import configparser
import io
import operator
import os
import posixpath
import re
import tokenize
import tomllib

from tg_diff import changed_line_numbers, def_start, read_source, split_lines
from tg_select import collect_tests

# rule id -> (reason, default severity, why it matters)
RULES: dict[str, tuple[str, str, str]] = {
    "TG-DYNAMIC-IMPORT": ("unsafe", "high", "a module loaded by a computed name escapes the static rules"),
    "TG-EVAL": ("unsafe", "high", "eval/exec/compile run code the gate cannot inspect"),
    "TG-REFLECTION": ("unsafe", "high", "reaching os/subprocess/builtins attributes by name hides which function runs"),
    "TG-NETWORK": ("unsafe", "high", "tests run without network; a test that talks to a server is not repeatable"),
    "TG-SUBPROCESS": ("unsafe", "high", "tests must not start, signal or fork processes"),
    "TG-NATIVE": ("unsafe", "high", "ctypes/cffi call native code outside the audit hooks"),
    "TG-SLEEP": ("unsafe", "medium", "sleeping makes tests slow and timing-dependent; mock the clock instead"),
    "TG-ENV": ("unsafe", "medium", "mutating os.environ leaks into other tests; use monkeypatch.setenv"),
    "TG-WRITE-OUTSIDE-TMP": ("unsafe", "high", "tests may write only under tmp_path/tmpdir"),
    "TG-EXCEPT-ALL": ("tampering", "medium", "a catch-all handler swallows assertion failures, so the test cannot fail"),
    "TG-NOSEC": ("tampering", "medium", "`# nosec` hides a line from Bandit"),
    "TG-NO-COVER": ("tampering", "medium", "`# pragma: no cover` hides code from the coverage measurement"),
    "TG-EXIT": ("tampering", "high", "exiting the interpreter ends the test run instead of reporting an outcome"),
    "TG-PYTEST-HOOK": ("tampering", "high", "pytest hooks and plugins in a test file change how every test is collected and reported"),
    "TG-AUTOUSE": ("tampering", "medium", "an autouse fixture runs around every test of the file without being asked for"),
    "TG-BUILTINS": ("tampering", "high", "patching builtins changes what every assertion and import means"),
    "TG-SYS-MODULES": ("tampering", "high", "replacing entries of sys.modules swaps the code under test for something else"),
    "TG-TRACE": ("tampering", "high", "sys.settrace/setprofile replace the tracer coverage measures with"),
    "TG-AUDIT-HOOK": ("tampering", "high", "audit hooks are the gate's run-time guard; tests must not add their own"),
    "TG-TOOL-INTERNALS": ("tampering", "medium", "pytest/coverage internals let a test rewrite its own outcome or coverage"),
    "TG-SYS-PATH": ("tampering", "medium", "changing the import path decides which code the tests import"),
    "TG-FRAME": ("tampering", "high", "frame and gc introspection reach into the test runner's own state"),
    "TG-LIMITS": ("tampering", "high", "signal handlers, resource limits and new sessions can dodge the gate's time and memory limits"),
    # Config-level (scan_config_tampering).
    "TG-CONFTEST": ("tampering", "high", "conftest.py code runs around every test; the PR changed it"),
    "TG-CONFIG": ("tampering", "high", "pytest/coverage/bandit settings decide what runs and what counts"),
    "TG-SITECUSTOMIZE": ("tampering", "high", "sitecustomize/usercustomize run at interpreter start, before the gate's hooks"),
    "TG-PTH": ("tampering", "high", ".pth files run code at interpreter start"),
}

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}

# --- name tables ---------------------------------------------------------------------------

_DYNAMIC_IMPORT = {
    "__import__", "builtins.__import__", "importlib.import_module", "importlib.__import__", "importlib.reload",
    "importlib.util.spec_from_file_location", "importlib.util.spec_from_loader", "importlib.util.module_from_spec",
    "importlib.machinery.SourceFileLoader", "importlib.machinery.SourcelessFileLoader",
    "runpy.run_path", "runpy.run_module", "imp.load_source", "imp.load_module", "imp.load_compiled",
    "imp.load_dynamic", "zipimport.zipimporter",
}
_DYNAMIC_IMPORT_METHODS = {"exec_module", "load_module"}
_EVAL = {"eval", "exec", "compile", "builtins.eval", "builtins.exec", "builtins.compile"}
_SENSITIVE_MODULES = {
    "os", "posix", "nt", "subprocess", "builtins", "__builtins__", "sys", "socket", "importlib", "ctypes",
    "shutil", "pty", "signal", "resource", "gc", "inspect", "_io", "io", "runpy",
}
_REFLECTION_CALLS = {"getattr", "setattr", "delattr", "vars", "builtins.getattr", "builtins.setattr", "builtins.vars"}

_NET_PREFIXES = (
    "socket.", "requests.", "httpx.", "aiohttp.", "urllib.request.", "urllib3.", "http.client.", "ftplib.",
    "smtplib.", "telnetlib.", "poplib.", "imaplib.", "nntplib.", "xmlrpc.client.", "websocket.", "websockets.",
    "paramiko.", "socketserver.", "http.server.", "pycurl.", "httplib2.", "grpc.", "asyncssh.",
)
_NET_EXACT = {
    "asyncio.open_connection", "asyncio.start_server", "asyncio.open_unix_connection", "asyncio.start_unix_server",
    "ssl.wrap_socket", "urllib.urlopen", "urllib2.urlopen", "webbrowser.open",
}
# Building fakes of these is how tests mock the network; it sends nothing.
_NET_SAFE = {
    "requests.Response", "requests.Request", "requests.PreparedRequest", "requests.structures.CaseInsensitiveDict",
    "httpx.Response", "httpx.Request", "httpx.URL", "httpx.Headers", "httpx.MockTransport", "httpx.QueryParams",
    "urllib.request.Request", "urllib.request.pathname2url", "urllib.request.url2pathname",
    "socket.gethostname", "socket.htons", "socket.htonl", "socket.ntohs", "socket.ntohl", "socket.inet_aton",
    "socket.inet_ntoa", "socket.inet_pton", "socket.inet_ntop", "http.client.responses",
}
_HTTP_CLIENT_PREFIXES = ("requests.", "httpx.", "aiohttp.", "urllib3.")
# A file that uses one of these intercepts HTTP clients in-process (the audit hook still
# stops a real connection), so calls to the clients are not flagged statically.
_HTTP_MOCKS = {"responses", "requests_mock", "respx", "httpretty", "aioresponses", "pytest_httpserver", "vcr", "betamax", "pook"}

_PROC_EXACT = {
    "os.system", "os.popen", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os.posix_spawn", "os.posix_spawnp",
    "os.startfile", "os.wait", "os.waitpid", "pty.spawn", "pty.fork", "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell", "multiprocessing.Process", "multiprocessing.Pool",
    "multiprocessing.get_context", "concurrent.futures.ProcessPoolExecutor", "subprocess.run", "subprocess.Popen",
    "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.getoutput",
    "subprocess.getstatusoutput", "platform.popen", "commands.getoutput", "commands.getstatusoutput",
}
_PROC_PREFIXES = ("subprocess.", "os.exec", "os.spawn", "popen2.", "pexpect.")
_PROC_SAFE_SUFFIXES = ("Error", "Exception", "Expired", "CompletedProcess", "PIPE", "DEVNULL", "STDOUT")
_NATIVE_PREFIXES = ("ctypes.", "_ctypes.", "cffi.")

_SLEEP = {"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep"}

_ENV_OBJECTS = {"os.environ", "os.environb"}
_ENV_CALLS = {"os.putenv", "os.unsetenv"}
_MUTATORS = {"update", "pop", "clear", "setdefault", "popitem", "__setitem__", "__delitem__", "insert", "append",
             "extend", "remove", "__iadd__"}

_OPEN_CALLS = {"open", "io.open", "builtins.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open"}
_PATH_CTORS = {"pathlib.Path", "Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"}
_PATH_WRITE_METHODS = {"write_text", "write_bytes", "touch", "mkdir", "unlink", "rmdir", "rename", "replace",
                       "symlink_to", "hardlink_to", "link_to", "chmod", "lchmod"}
# function -> positional indices of the paths it writes or removes
_FS_CALLS = {
    "os.remove": (0,), "os.unlink": (0,), "os.rmdir": (0,), "os.removedirs": (0,), "os.mkdir": (0,),
    "os.makedirs": (0,), "os.chmod": (0,), "os.chown": (0,), "os.lchown": (0,), "os.truncate": (0,),
    "os.utime": (0,), "os.mkfifo": (0,), "os.mknod": (0,), "os.rename": (0, 1), "os.renames": (0, 1),
    "os.replace": (0, 1), "os.symlink": (1,), "os.link": (1,), "shutil.rmtree": (0,), "shutil.chown": (0,),
    "shutil.move": (0, 1), "shutil.copy": (1,), "shutil.copy2": (1,), "shutil.copyfile": (1,),
    "shutil.copytree": (1,), "shutil.copymode": (1,), "shutil.copystat": (1,),
}
_TMP_FIXTURES = {"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory"}
_SAFE_PATHS = {"/dev/null", "os.devnull"}

_EXIT = {"sys.exit", "os._exit", "exit", "quit", "builtins.exit", "builtins.quit", "os.abort", "posix._exit", "pytest.exit"}
_EXIT_EXCEPTIONS = {"SystemExit", "KeyboardInterrupt", "builtins.SystemExit", "builtins.KeyboardInterrupt"}

_BUILTINS_NAMES = {"builtins", "__builtin__", "__builtins__"}
# Patched through monkeypatch/mock (undone after the test) these are ordinary fakes of I/O.
_BENIGN_BUILTINS = {"open", "input", "print"}

_TRACE = {"sys.settrace", "sys.setprofile", "threading.settrace", "threading.setprofile", "threading.settrace_all_threads",
          "threading.setprofile_all_threads"}
_TRACE_PREFIXES = ("sys.monitoring.",)
_AUDIT = {"sys.addaudithook"}
_TOOL_MODULES = {"_pytest", "coverage", "pytest_cov", "bandit", "pluggy", "pytest_timeout"}
_SYS_PATH_OBJECTS = {"sys.path": "medium", "sys.meta_path": "high", "sys.path_hooks": "high", "sys.path_importer_cache": "high"}
_SYS_PATH_CALLS = {"site.addsitedir": "medium", "site.main": "medium"}
_FRAME_CALLS = {"sys._getframe", "inspect.currentframe", "inspect.stack", "inspect.getouterframes", "inspect.trace",
                "gc.get_referrers", "gc.get_referents", "gc.get_objects", "sys._current_frames"}
_FRAME_ATTRS = {"f_locals", "f_globals", "f_back", "f_builtins", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_trace",
                "__closure__", "cell_contents", "__globals__"}
# The objects through which a test reaches the code that runs and reports it: pytest's
# plugin manager and hook relays. A test that touches them can rewrite its own outcome.
_RUNNER_ATTRS = {"pluginmanager", "ihook", "_hookexec", "_inner_hookexec", "get_hookimpls", "add_hookcall_monitoring"}
# Modules of the gate itself and CPython's import machinery (a fresh builtin module from
# `_imp.create_builtin` has none of the harness's patches).
_RUNNER_MODULES = {"_imp", "_testgate_kernel_guard"} | {
    name[:-3] for name in os.listdir(os.path.dirname(os.path.abspath(__file__)))
    if name.startswith("tg_") and name.endswith(".py")
} | {"tg_generate"}
_LIMITS = {"signal.signal", "signal.setitimer", "signal.alarm", "signal.pthread_sigmask", "signal.siginterrupt",
           "signal.set_wakeup_fd", "resource.setrlimit", "resource.prlimit", "os.setsid", "os.setpgrp", "os.setpgid",
           "faulthandler.dump_traceback_later"}

_ASSERT_CALLS = {"pytest.raises", "pytest.warns", "pytest.deprecated_call", "pytest.fail"}
_UNITTEST_TRUE = {"assertTrue", "assert_", "failUnless"}
_UNITTEST_FALSE = {"assertFalse", "failIf"}
_UNITTEST_SAME = {"assertEqual", "assertEquals", "assertIs", "assertAlmostEqual", "assertCountEqual", "assertListEqual",
                  "assertDictEqual", "assertSetEqual", "assertTupleEqual", "assertSequenceEqual",
                  "assertMultiLineEqual", "assertGreaterEqual", "assertLessEqual"}

_NOSEC_RE = re.compile(r"#.*\bnosec\b", re.IGNORECASE)
_NOCOVER_RE = re.compile(r"#.*\bpragma\s*:\s*no\s*(cover|branch)\b", re.IGNORECASE)


def finding(rule: str, file: str, line: int, what: str, severity: str | None = None) -> dict:
    reason, default_severity, why = RULES[rule]
    return {
        "rule": rule,
        "source": "ast",
        "reason": reason,
        "severity": severity or default_severity,
        "file": file,
        "line": max(0, int(line or 0)),
        "message": f"{what}: {why}"[:2000],
    }


# --- expression helpers --------------------------------------------------------------------

def _collect_aliases(tree: ast.AST) -> tuple[dict[str, str], list[str]]:
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


def _known_danger(name: str) -> bool:
    return (
        name in _PROC_EXACT or name.startswith(_PROC_PREFIXES) or name in _DYNAMIC_IMPORT or name in _EXIT
        or name in _SLEEP or name in _ENV_CALLS or name in _FS_CALLS or name in _TRACE or name in _AUDIT
        or name in _FRAME_CALLS or name in _LIMITS or name.startswith(_NET_PREFIXES) or name in _NET_EXACT
        or name in _ENV_OBJECTS
    )


def _reflective_danger(module: str, member: str) -> bool:
    if module in _BUILTINS_NAMES:
        return f"builtins.{member}" in _EVAL or member in ("__import__", "getattr", "setattr", "open", "globals", "vars")
    name = f"{module}.{member}"
    return _known_danger(name) or name.startswith(_NATIVE_PREFIXES) or member.startswith(("exec", "spawn", "_"))


class _Names:
    def __init__(self, tree: ast.AST):
        self.aliases, self.stars = _collect_aliases(tree)

    def qual(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            for mod in self.stars:
                candidate = f"{mod}.{node.id}"
                if _known_danger(candidate):
                    return candidate
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.qual(node.value)
            return f"{base}.{node.attr}" if base else None
        return None


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _arg(call: ast.Call, index: int, *names: str) -> ast.AST | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    return None


def _segment(lines: list[str], node: ast.AST) -> str:
    return "\n".join(line.rstrip() for line in lines[def_start(node) - 1:(node.end_lineno or node.lineno)])


_CMP_OPS = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _has_call(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)) for n in ast.walk(node))


def truth(node: ast.AST, names: _Names | None = None) -> bool | None:
    """The expression's truth value when it is the same whatever runs (None when unknown)."""
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        if any(not isinstance(e, ast.Starred) for e in node.elts):
            return True
        return False if not node.elts else None
    if isinstance(node, ast.Dict):
        if any(k is not None for k in node.keys):
            return True
        return False if not node.keys else None
    if isinstance(node, ast.JoinedStr):
        if any(isinstance(v, ast.Constant) and v.value for v in node.values):
            return True
        return False if not node.values else None
    if isinstance(node, ast.Lambda):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = truth(node.operand, names)
        return None if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        values = [truth(v, names) for v in node.values]
        if isinstance(node.op, ast.Or):
            if any(v is True for v in values):
                return True
            return False if all(v is False for v in values) else None
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None
    if isinstance(node, ast.IfExp):
        a, b = truth(node.body, names), truth(node.orelse, names)
        return a if a is not None and a == b else None
    if isinstance(node, ast.NamedExpr):
        return truth(node.value, names)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
            try:
                return bool(_CMP_OPS[type(op)](left.value, right.value))
            except Exception:  # noqa: BLE001 - a comparison of constants that raises is not trivial
                return None
        if ast.dump(left) == ast.dump(right) and not _has_call(left):
            if isinstance(op, (ast.Eq, ast.Is, ast.LtE, ast.GtE)):
                return True
            if isinstance(op, (ast.NotEq, ast.IsNot, ast.Lt, ast.Gt)):
                return False
        return None
    if isinstance(node, ast.Call) and not node.keywords:
        fname = names.qual(node.func) if names else getattr(node.func, "id", None)
        if fname in ("isinstance", "builtins.isinstance") and len(node.args) == 2:
            cls = node.args[1]
            options = cls.elts if isinstance(cls, ast.Tuple) else [cls]
            if any(isinstance(o, ast.Name) and o.id == "object" for o in options):
                return True
        if fname in ("bool", "builtins.bool") and len(node.args) == 1:
            return truth(node.args[0], names)
    return None


# --- the scanner ---------------------------------------------------------------------------

class _Scope:
    def __init__(self, tmp: set[str], paths: dict[str, tuple[str, str]]):
        self.tmp = tmp            # names holding tmp-derived paths
        self.paths = paths        # name -> ('path'|'str', literal path)


class _Scanner(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, rel_path: str, test_ranges: list[tuple[int, int]], names: _Names):
        self.tree = tree
        self.file = rel_path
        self.names = names
        self.findings: list[dict] = []
        self.test_ranges = test_ranges
        self.scopes: list[_Scope] = [_Scope(set(), {})]
        self.type_checking = 0
        self.depth = 0  # def nesting: 0 = module level
        self.class_depth = 0
        self.http_mocked = any(
            v.split(".")[0] in _HTTP_MOCKS for v in self.names.aliases.values()
        ) or any(s.split(".")[0] in _HTTP_MOCKS for s in self.names.stars)
        self.tmp_fixtures: set[str] = set()
        self._find_tmp_fixtures()
        self._propagate(tree.body, self.scopes[0], walk_defs=False)

    # -- helpers
    def add(self, rule: str, node_or_line, what: str, severity: str | None = None) -> None:
        line = node_or_line if isinstance(node_or_line, int) else getattr(node_or_line, "lineno", 0)
        self.findings.append(finding(rule, self.file, line, what, severity))

    def q(self, node: ast.AST) -> str | None:
        return self.names.qual(node)

    def in_test(self, line: int) -> bool:
        return any(s <= line <= e for s, e in self.test_ranges)

    @property
    def scope(self) -> _Scope:
        return self.scopes[-1]

    def _is_fixture_decorator(self, dec: ast.AST) -> bool:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = self.q(target) or ""
        return name.split(".")[-1] in ("fixture", "yield_fixture")

    def _find_tmp_fixtures(self) -> None:
        """Fixtures of this file that hand out tmp-derived paths count as tmp fixtures."""
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                self._is_fixture_decorator(d) for d in node.decorator_list
            ):
                scope = self._function_scope(node, _Scope(set(), {}))
                for sub in ast.walk(node):
                    value = getattr(sub, "value", None) if isinstance(sub, (ast.Return, ast.Yield)) else None
                    if value is not None and self.tmp_derived(value, scope):
                        self.tmp_fixtures.add(node.name)

    def _function_scope(self, node: ast.AST, parent: _Scope) -> _Scope:
        scope = _Scope(set(parent.tmp), dict(parent.paths))
        args = node.args
        for a in args.posonlyargs + args.args + args.kwonlyargs:
            low = a.arg.lower()
            if a.arg in _TMP_FIXTURES or a.arg in self.tmp_fixtures or "tmp" in low or "temp" in low:
                scope.tmp.add(a.arg)
        self._propagate(node.body, scope, walk_defs=True)
        return scope

    def _bind(self, target: ast.AST, value: ast.AST | None, scope: _Scope, tmp: bool) -> None:
        for n in ast.walk(target):
            if isinstance(n, ast.Name):
                if tmp:
                    scope.tmp.add(n.id)
                lit = self.literal_path(value, scope) if value is not None and isinstance(target, ast.Name) else None
                if lit is not None:
                    scope.paths[n.id] = lit
                else:
                    scope.paths.pop(n.id, None)

    def _propagate(self, body: list[ast.stmt], scope: _Scope, walk_defs: bool) -> None:
        nodes: list[ast.AST] = []
        stack: list[ast.AST] = list(body)
        scoped = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
        while stack:
            n = stack.pop()
            if not walk_defs and isinstance(n, scoped):
                continue  # module level: names bound inside defs are not module names
            if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.With, ast.AsyncWith, ast.For,
                              ast.AsyncFor, ast.comprehension)):
                nodes.append(n)
            stack.extend(ast.iter_child_nodes(n))
        nodes.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
        for _ in range(2):  # a second pass picks up names bound from names bound later in a loop
            for n in nodes:
                if isinstance(n, ast.Assign):
                    for t in n.targets:
                        self._bind(t, n.value, scope, self.tmp_derived(n.value, scope))
                elif isinstance(n, (ast.AnnAssign, ast.NamedExpr)) and n.value is not None:
                    self._bind(n.target, n.value, scope, self.tmp_derived(n.value, scope))
                elif isinstance(n, (ast.With, ast.AsyncWith)):
                    for item in n.items:
                        if item.optional_vars is not None:
                            self._bind(item.optional_vars, item.context_expr, scope,
                                       self.tmp_derived(item.context_expr, scope))
                elif isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension)):
                    if self.tmp_derived(n.iter, scope):
                        self._bind(n.target, None, scope, True)

    def literal_path(self, node: ast.AST | None, scope: _Scope) -> tuple[str, str] | None:
        """('str'|'path', value) when node is a path spelled with literals only."""
        if node is None:
            return None
        s = _const_str(node)
        if s is not None:
            return ("str", s)
        if isinstance(node, ast.Name) and node.id in scope.paths:
            return scope.paths[node.id]
        if isinstance(node, ast.Call):
            fname = self.q(node.func) or ""
            if fname in _PATH_CTORS or fname in ("os.path.join", "posixpath.join"):
                if node.keywords or not node.args:
                    return None
                parts = [self.literal_path(a, scope) for a in node.args]
                if any(p is None for p in parts):
                    return None
                kind = "path" if fname in _PATH_CTORS else "str"
                return (kind, posixpath.join(*[p[1] for p in parts]))
            if fname.endswith((".resolve", ".absolute", ".expanduser")) and isinstance(node.func, ast.Attribute):
                return self.literal_path(node.func.value, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = self.literal_path(node.left, scope)
            right = self.literal_path(node.right, scope)
            if left and right and left[0] == "path":
                return ("path", posixpath.join(left[1], right[1]))
        return None

    def tmp_derived(self, node: ast.AST | None, scope: _Scope) -> bool:
        if node is None:
            return False
        lit = self.literal_path(node, scope)
        if lit is not None:
            return _under_tmp(lit[1])
        for n in ast.walk(node):
            if isinstance(n, ast.Name):
                low = n.id.lower()
                if n.id in scope.tmp or n.id in _TMP_FIXTURES or n.id in self.tmp_fixtures or "tmp" in low or "temp" in low:
                    return True
            elif isinstance(n, ast.Attribute):
                low = n.attr.lower()
                if self.q(n) in _SAFE_PATHS or "tmp" in low or "temp" in low:
                    return True  # os.devnull, self.tmp_dir, self.temp_path
            elif isinstance(n, ast.Call):
                fname = self.q(n.func) or ""
                if fname.startswith("tempfile."):
                    return True
        return False

    def _check_write_path(self, node: ast.AST, path: ast.AST | None, what: str, literal_only: bool) -> None:
        if path is None:
            return
        lit = self.literal_path(path, self.scope)
        if lit is not None:
            if not _under_tmp(lit[1]):
                self.add("TG-WRITE-OUTSIDE-TMP", node, f"{what} {lit[1]!r}", "high")
            return
        if literal_only or self.tmp_derived(path, self.scope):
            return
        self.add("TG-WRITE-OUTSIDE-TMP", node, f"{what} a path not derived from tmp_path/tmpdir/tempfile", "medium")

    # -- visitors
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self.depth == 0 and self.class_depth == 0 and node.name.startswith("pytest_"):
            self.add("TG-PYTEST-HOOK", node, f"defines pytest hook `{node.name}`")
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and self._is_fixture_decorator(dec):
                for kw in dec.keywords:
                    if kw.arg == "autouse" and truth(kw.value) is not False:
                        self.add("TG-AUTOUSE", node, f"fixture `{node.name}` is autouse")
        scope = self._function_scope(node, self.scope)
        for dec in node.decorator_list:
            self.visit(dec)
        self.scopes.append(scope)
        self.depth += 1
        for field in ("args", "returns"):
            value = getattr(node, field)
            if value is not None:
                self.visit(value)
        for stmt in node.body:
            self.visit(stmt)
        self.depth -= 1
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.class_depth += 1
        self.generic_visit(node)
        self.class_depth -= 1

    def visit_If(self, node: ast.If) -> None:
        name = self.q(node.test) or ""
        if name.split(".")[-1] == "TYPE_CHECKING":
            self.type_checking += 1
            for stmt in node.body:
                self.visit(stmt)
            self.type_checking -= 1
            for stmt in node.orelse:
                self.visit(stmt)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        if not self.type_checking:
            for a in node.names:
                if a.name.split(".")[0] in _TOOL_MODULES:
                    self.add("TG-TOOL-INTERNALS", node, f"imports `{a.name}`")
                elif a.name.split(".")[0] in _RUNNER_MODULES:
                    self.add("TG-TOOL-INTERNALS", node, f"imports `{a.name}`, part of the gate's test runner", "high")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not self.type_checking and node.module and not node.level:
            if node.module.split(".")[0] in _TOOL_MODULES:
                self.add("TG-TOOL-INTERNALS", node, f"imports from `{node.module}`")
            elif node.module.split(".")[0] in _RUNNER_MODULES:
                self.add("TG-TOOL-INTERNALS", node, f"imports from `{node.module}`, part of the gate's test runner", "high")

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._check_store(t, node)
        if self.depth == 0 and self.class_depth == 0:
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id == "pytest_plugins":
                    self.add("TG-PYTEST-HOOK", node, "sets `pytest_plugins`")
                elif isinstance(t, ast.Name) and t.id.startswith("pytest_"):
                    # `pytest_runtest_makereport = _f` is a hook as much as a `def` is.
                    self.add("TG-PYTEST-HOOK", node, f"binds pytest hook `{t.id}` by assignment")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_store(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._check_store(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self._check_store(t, node)
        self.generic_visit(node)

    def _check_store(self, target: ast.AST, stmt: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for e in target.elts:
                self._check_store(e, stmt)
            return
        if isinstance(target, ast.Starred):
            self._check_store(target.value, stmt)
            return
        container = target.value if isinstance(target, ast.Subscript) else None
        whole = self.q(target) if isinstance(target, (ast.Attribute, ast.Name)) else None
        cname = self.q(container) if container is not None else None
        if cname in _ENV_OBJECTS or whole in _ENV_OBJECTS:
            self.add("TG-ENV", stmt, f"assigns {cname or whole}")
        if isinstance(target, ast.Attribute):
            base = self.q(target.value)
            if base in _BUILTINS_NAMES or (isinstance(target.value, ast.Name) and target.value.id == "__builtins__"):
                self.add("TG-BUILTINS", stmt, f"assigns builtins.{target.attr}")
            elif base in ("sys.modules",):
                self.add("TG-SYS-MODULES", stmt, "assigns sys.modules")
            elif base and base.split(".")[0] in ("pytestconfig", "request") and any(
                p in ("config", "session", "option", "_pytest", "node") for p in base.split(".")[1:]
            ):
                self.add("TG-TOOL-INTERNALS", stmt, f"assigns {base}.{target.attr}")
            elif base and base.split(".")[0] == "pytest":
                # pytest.TestReport.from_item_and_call = ...: the report every test gets.
                self.add("TG-TOOL-INTERNALS", stmt, f"assigns {base}.{target.attr}", "high")
            elif target.attr in ("runtest", "ihook", "repr_failure", "reportinfo"):
                self.add("TG-TOOL-INTERNALS", stmt, f"replaces {base or '<item>'}.{target.attr}, which runs or reports a test", "high")
        if cname in _BUILTINS_NAMES or cname in ("builtins.__dict__", "__builtins__.__dict__"):
            self.add("TG-BUILTINS", stmt, "assigns an entry of builtins")
        if cname == "sys.modules" or whole == "sys.modules":
            self.add("TG-SYS-MODULES", stmt, "assigns sys.modules")
        for obj, sev in _SYS_PATH_OBJECTS.items():
            if cname == obj or whole == obj:
                self.add("TG-SYS-PATH", stmt, f"assigns {obj}", sev)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if exc is not None and self.q(exc) in _EXIT_EXCEPTIONS:
            self.add("TG-EXIT", node, f"raises {self.q(exc)}")
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        for handler in node.handlers:
            if self.in_test(handler.lineno):
                self._check_handler(handler)
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def _handler_escapes(self, handler: ast.ExceptHandler) -> bool:
        for n in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
            if isinstance(n, ast.Raise):
                return True
            if isinstance(n, ast.Call):
                fname = self.q(n.func) or ""
                if fname in ("pytest.fail", "pytest.skip", "pytest.xfail") or fname.endswith(".fail"):
                    return True
        return False

    def _exc_names(self, node: ast.AST | None) -> list[str]:
        if node is None:
            return []
        options = node.elts if isinstance(node, ast.Tuple) else [node]
        return [(self.q(o) or "").replace("builtins.", "") for o in options]

    def _check_handler(self, handler: ast.ExceptHandler) -> None:
        if self._handler_escapes(handler):
            return
        names = self._exc_names(handler.type)
        if handler.type is None:
            self.add("TG-EXCEPT-ALL", handler, "bare `except:`")
        elif "BaseException" in names:
            self.add("TG-EXCEPT-ALL", handler, "`except BaseException`")
        elif "AssertionError" in names:
            self.add("TG-EXCEPT-ALL", handler, "`except AssertionError` without re-raising")
        elif "Exception" in names and all(_is_trivial_stmt(s) for s in handler.body):
            self.add("TG-EXCEPT-ALL", handler, "`except Exception` that does nothing")

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and (self.q(call.func) or "").endswith("suppress") and self.in_test(node.lineno):
                caught = [n for a in call.args for n in self._exc_names(a)]
                if any(n in ("BaseException", "Exception", "AssertionError") for n in caught):
                    self.add("TG-EXCEPT-ALL", node, "`contextlib.suppress` of a catch-all exception")
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            if node.attr in _FRAME_ATTRS:
                self.add("TG-FRAME", node, f"reads frame attribute `{node.attr}`")
            if node.attr in _RUNNER_ATTRS:
                self.add("TG-TOOL-INTERNALS", node, f"reaches pytest's `{node.attr}`, which runs and reports every test", "high")
            if node.attr == "__dict__" and self.q(node.value) in _SENSITIVE_MODULES:
                self.add("TG-REFLECTION", node, f"reads {self.q(node.value)}.__dict__")
            self._check_reference(node)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id in self.names.aliases:
            self._check_reference(node)

    def _check_reference(self, node: ast.AST) -> None:
        """A dangerous function named without calling it (`f = os.system`) is flagged too."""
        name = self.q(node) or ""
        if name in _PROC_EXACT:
            self.add("TG-SUBPROCESS", node, f"uses {name}")
        elif name in _DYNAMIC_IMPORT:
            self.add("TG-DYNAMIC-IMPORT", node, f"uses {name}")
        elif name in _TRACE:
            self.add("TG-TRACE", node, f"uses {name}")
        elif name in _AUDIT:
            self.add("TG-AUDIT-HOOK", node, f"uses {name}")

    def visit_Call(self, node: ast.Call) -> None:
        self._check_call(node)
        self.generic_visit(node)

    def _check_call(self, node: ast.Call) -> None:
        name = self.q(node.func) or ""
        attr = node.func.attr if isinstance(node.func, ast.Attribute) else None
        short = name.split(".")[-1] if name else (attr or "")
        if name in _DYNAMIC_IMPORT or attr in _DYNAMIC_IMPORT_METHODS:
            self.add("TG-DYNAMIC-IMPORT", node, f"calls {name or attr}")
        if name in _EVAL:
            self.add("TG-EVAL", node, f"calls {name}()")
        if name in _REFLECTION_CALLS and node.args:
            target = self.q(node.args[0])
            if target in _SENSITIVE_MODULES:
                member = _const_str(node.args[1]) if len(node.args) > 1 else None
                if target in _BUILTINS_NAMES and short in ("setattr", "delattr"):
                    self.add("TG-BUILTINS", node, f"{short}() on builtins")
                elif short == "getattr" and member is not None and not _reflective_danger(target, member):
                    pass  # getattr(sys, "frozen", False): a named, harmless attribute hides nothing
                else:
                    self.add("TG-REFLECTION", node, f"{short}() on module `{target}`")
        if (name.startswith(_NET_PREFIXES) or name in _NET_EXACT) and name not in _NET_SAFE and not name.endswith(
            ("Error", "Exception", "Timeout", "Warning", "timeout", "error")
        ):
            if not (self.http_mocked and name.startswith(_HTTP_CLIENT_PREFIXES)):
                self.add("TG-NETWORK", node, f"calls {name}")
        if name in _PROC_EXACT or (name.startswith(_PROC_PREFIXES) and not name.endswith(_PROC_SAFE_SUFFIXES)):
            self.add("TG-SUBPROCESS", node, f"calls {name}")
        if name.startswith(_NATIVE_PREFIXES):
            self.add("TG-NATIVE", node, f"calls {name}")
        if name in _SLEEP:
            seconds = _arg(node, 0, "seconds", "secs", "delay")
            if seconds is not None and not (
                isinstance(seconds, ast.Constant) and isinstance(seconds.value, (int, float)) and seconds.value <= 0
            ):
                shown = ast.unparse(seconds)[:40]
                self.add("TG-SLEEP", node, f"calls {name}({shown})")
        if name in _ENV_CALLS:
            self.add("TG-ENV", node, f"calls {name}")
        if attr and isinstance(node.func, ast.Attribute):
            receiver = self.q(node.func.value)
            if receiver in _ENV_OBJECTS and attr in _MUTATORS:
                self.add("TG-ENV", node, f"calls {receiver}.{attr}")
            if (receiver in _BUILTINS_NAMES or receiver in ("builtins.__dict__", "__builtins__.__dict__")) and attr in _MUTATORS:
                self.add("TG-BUILTINS", node, f"calls {receiver}.{attr}")
            if receiver == "sys.modules" and attr in _MUTATORS:
                self.add("TG-SYS-MODULES", node, f"calls sys.modules.{attr}")
            if receiver in _SYS_PATH_OBJECTS and attr in _MUTATORS:
                self.add("TG-SYS-PATH", node, f"calls {receiver}.{attr}", _SYS_PATH_OBJECTS[receiver])
            self._check_patching(node, attr, name)
        if name in _SYS_PATH_CALLS:
            self.add("TG-SYS-PATH", node, f"calls {name}", _SYS_PATH_CALLS[name])
        if name in _EXIT:
            self.add("TG-EXIT", node, f"calls {name}()")
        if name in _TRACE or name.startswith(_TRACE_PREFIXES):
            self.add("TG-TRACE", node, f"calls {name}")
        if name in _AUDIT:
            self.add("TG-AUDIT-HOOK", node, f"calls {name}")
        if name in _FRAME_CALLS:
            self.add("TG-FRAME", node, f"calls {name}")
        if name in _LIMITS:
            self.add("TG-LIMITS", node, f"calls {name}")
        self._check_writes(node, name, attr)

    def _check_patching(self, node: ast.Call, attr: str, name: str) -> None:
        """monkeypatch / mock.patch aimed at builtins, sys.modules or sys.path."""
        first = node.args[0] if node.args else None
        target_str = _const_str(first)
        first_q = self.q(first) if first is not None else None
        if attr in ("setattr", "delattr"):
            if target_str and target_str.startswith(("builtins.", "__builtin__.")):
                member = target_str.split(".", 1)[1]
                if member not in _BENIGN_BUILTINS:
                    self.add("TG-BUILTINS", node, f"patches {target_str}")
            elif first_q in _BUILTINS_NAMES:
                member = _const_str(node.args[1]) if len(node.args) > 1 else None
                if member not in _BENIGN_BUILTINS:
                    self.add("TG-BUILTINS", node, f"patches builtins.{member or '?'}")
        elif attr in ("patch", "object") or name.endswith(".patch") or name == "patch":
            if attr == "object" and first_q in _BUILTINS_NAMES:
                member = _const_str(node.args[1]) if len(node.args) > 1 else None
                if member not in _BENIGN_BUILTINS:
                    self.add("TG-BUILTINS", node, f"patches builtins.{member or '?'}")
            elif target_str and target_str.startswith(("builtins.", "__builtin__.")):
                member = target_str.split(".", 1)[1]
                if member not in _BENIGN_BUILTINS:
                    self.add("TG-BUILTINS", node, f"patches {target_str}")
        if attr in ("setitem", "delitem") and first_q == "sys.modules":
            self.add("TG-SYS-MODULES", node, f"monkeypatch.{attr} on sys.modules", "medium")
        if attr == "dict" and (first_q == "sys.modules" or target_str == "sys.modules"):
            self.add("TG-SYS-MODULES", node, "patch.dict on sys.modules", "medium")
        if attr == "dict" and (first_q in _BUILTINS_NAMES or (target_str or "").startswith("builtins")):
            self.add("TG-BUILTINS", node, "patch.dict on builtins")
        if attr == "syspath_prepend":
            self.add("TG-SYS-PATH", node, "monkeypatch.syspath_prepend")

    def _check_writes(self, node: ast.Call, name: str, attr: str | None) -> None:
        if name in _OPEN_CALLS:
            mode = _arg(node, 1, "mode")
            mode_s = _const_str(mode)
            if mode is None:
                return
            if mode_s is not None:
                if set(mode_s) & set("wax+"):
                    self._check_write_path(node, _arg(node, 0, "file", "filename"), f"opens for writing ({mode_s!r})", False)
            else:
                self._check_write_path(node, _arg(node, 0, "file", "filename"), "opens with a computed mode", True)
            return
        if name == "os.open":
            flags = _arg(node, 1, "flags")
            flag_names = set()
            for n in ast.walk(flags) if flags is not None else []:
                if isinstance(n, ast.Attribute):
                    flag_names.add(n.attr)
                elif isinstance(n, ast.Name):
                    flag_names.add(n.id)
            if flag_names & {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}:
                self._check_write_path(node, _arg(node, 0, "path"), "os.open for writing", False)
            return
        if name in _FS_CALLS:
            for index in _FS_CALLS[name]:
                self._check_write_path(node, _arg(node, index, "src" if index == 0 else "dst", "path"), f"{name} on", True)
            return
        if attr and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            lit = self.literal_path(receiver, self.scope)
            if lit is None or lit[0] != "path":
                return
            if attr in _PATH_WRITE_METHODS:
                if not _under_tmp(lit[1]):
                    self.add("TG-WRITE-OUTSIDE-TMP", node, f"Path.{attr} on {lit[1]!r}", "high")
                if attr in ("rename", "replace", "symlink_to", "hardlink_to") and node.args:
                    self._check_write_path(node, node.args[0], f"Path.{attr} to", True)
            elif attr == "open":
                mode_s = _const_str(_arg(node, 0, "mode"))
                if mode_s and set(mode_s) & set("wax+") and not _under_tmp(lit[1]):
                    self.add("TG-WRITE-OUTSIDE-TMP", node, f"Path.open({mode_s!r}) on {lit[1]!r}", "high")


def _under_tmp(path: str) -> bool:
    if path in _SAFE_PATHS:
        return True
    if not path.startswith("/"):
        return False  # relative: lands in the working copy of the repo
    norm = posixpath.normpath(path)
    return norm == "/tmp" or norm.startswith("/tmp/")


def _is_trivial_stmt(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    return isinstance(stmt, ast.Return) and (stmt.value is None or isinstance(stmt.value, ast.Constant))


def _comment_findings(text: str, rel_path: str) -> list[dict]:
    out: list[dict] = []
    comments: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments.append((tok.start[0], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        comments = [(i + 1, line[line.index("#"):]) for i, line in enumerate(split_lines(text)) if "#" in line]
    for line, comment in comments:
        if _NOSEC_RE.search(comment):
            out.append(finding("TG-NOSEC", rel_path, line, "`# nosec` comment"))
        if _NOCOVER_RE.search(comment):
            out.append(finding("TG-NO-COVER", rel_path, line, "`# pragma: no cover` comment"))
    return out


# --- asserts ---------------------------------------------------------------------------------

def _count_asserts(fn: ast.AST, names: _Names, helpers: frozenset[str] = frozenset()) -> tuple[int, int]:
    """(assertions, trivially true ones) in a test; a call to an asserting helper counts as one."""
    asserts = trivial = 0
    for n in ast.walk(fn):
        if isinstance(n, ast.Assert):
            asserts += 1
            if truth(n.test, names) is True:
                trivial += 1
        elif isinstance(n, ast.Call):
            fname = names.qual(n.func) or ""
            attr = n.func.attr if isinstance(n.func, ast.Attribute) else (n.func.id if isinstance(n.func, ast.Name) else "")
            if fname in _ASSERT_CALLS or attr.startswith("assert"):
                asserts += 1
                if _trivial_unittest(attr, n, names):
                    trivial += 1
            elif attr in helpers:
                asserts += 1
    return asserts, trivial


# Bounds on the helper index: test code of a large repository is read once, not without end.
_HELPER_FILES_MAX = 2000
_HELPER_BYTES_MAX = 2_000_000


def asserting_helpers(head: str, naming) -> frozenset[str]:
    """Names of functions in the repository's test code that assert (directly, or through
    another such helper): `self.flakes(...)` or `check(x)` in a test asserts through them."""
    bodies: dict[str, list[ast.AST]] = {}
    seen = 0
    for dirpath, dirnames, filenames in os.walk(head):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in ("__pycache__", "node_modules"))
        for name in sorted(filenames):
            rel = os.path.relpath(os.path.join(dirpath, name), head).replace(os.sep, "/")
            if not name.endswith(".py") or not naming.is_test_code(rel):
                continue
            seen += 1
            if seen > _HELPER_FILES_MAX:
                break
            path = os.path.join(dirpath, name)
            try:
                if os.path.getsize(path) > _HELPER_BYTES_MAX:
                    continue
                tree = ast.parse(read_source(path) or "")
            except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not naming.is_test_function(node.name):
                    bodies.setdefault(node.name, []).append(node)
    helpers: set[str] = set()
    # Two rounds: a helper that calls an asserting helper asserts too (one level is the common case).
    for _ in range(2):
        frozen = frozenset(helpers)
        for name, nodes in bodies.items():
            if name not in helpers and any(_count_asserts(n, _Names(n), frozen)[0] > 0 for n in nodes):
                helpers.add(name)
    return frozenset(helpers)


def _trivial_unittest(attr: str, call: ast.Call, names: _Names) -> bool:
    args = call.args
    if attr in _UNITTEST_TRUE and args:
        return truth(args[0], names) is True
    if attr in _UNITTEST_FALSE and args:
        return truth(args[0], names) is False
    if attr in _UNITTEST_SAME and len(args) >= 2:
        a, b = args[0], args[1]
        if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
            return a.value == b.value and type(a.value) is type(b.value)
        return ast.dump(a) == ast.dump(b) and not _has_call(a)
    if attr == "assertIsInstance" and len(args) == 2:
        return isinstance(args[1], ast.Name) and args[1].id == "object"
    if attr == "assertIsNotNone" and args:
        return isinstance(args[0], ast.Constant) and args[0].value is not None
    if attr == "assertIsNone" and args:
        return isinstance(args[0], ast.Constant) and args[0].value is None
    return False


# --- public API ------------------------------------------------------------------------------

def _scan_source(text: str, rel_path: str, naming=None) -> tuple[ast.Module | None, dict[str, ast.AST], list[dict], _Names | None, str | None]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return None, {}, _comment_findings(text, rel_path), None, f"{type(exc).__name__}: {exc}"
    tests = {(f"{cls}.{name}" if cls else name): node for (cls, name), node in collect_tests(tree, naming, mixins=True).items()}
    ranges = [(def_start(n), n.end_lineno or n.lineno) for n in tests.values()]
    names = _Names(tree)
    comments = _comment_findings(text, rel_path)
    scanner = None
    try:
        scanner = _Scanner(tree, rel_path, ranges, names)
        scanner.visit(tree)
    except Exception as exc:  # noqa: BLE001 - a rule bug or a RecursionError must not cost the whole report
        found = scanner.findings if scanner is not None else []
        return tree, tests, found + comments, names, f"rule scan failed: {type(exc).__name__}: {exc}"
    return tree, tests, scanner.findings + comments, scanner.names, None


def _dedupe(findings: list[dict]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for f in findings:
        key = (f["rule"], f["line"])
        kept = seen.get(key)
        if kept is None:
            seen[key] = f
        elif _SEVERITY_RANK[f["severity"]] > _SEVERITY_RANK[kept["severity"]]:
            seen[key] = f
    return sorted(seen.values(), key=lambda f: (f["line"], f["rule"]))


def scan_test_file(abs_path: str, rel_path: str, naming=None, helpers: frozenset[str] = frozenset()) -> dict:
    """{functions: {name or Class.name: {startLine, endLine, findings, asserts, trivialAsserts}}, module: [...]}.

    A finding belongs to the innermost test function whose lines (decorators included) hold
    it; everything else (imports, fixtures, helpers, hooks) goes to `module` and so applies
    to every test of the file. `error` is set when the file does not parse.
    """
    text = read_source(abs_path)
    if text is None:
        return {"functions": {}, "module": [], "error": f"cannot read {rel_path}"}
    _tree, tests, findings, names, error = _scan_source(text, rel_path, naming)
    functions: dict[str, dict] = {}
    spans: list[tuple[int, int, str]] = []
    for key, node in tests.items():
        start, end = def_start(node), node.end_lineno or node.lineno
        asserts, trivial = _count_asserts(node, names, helpers) if names else (0, 0)
        functions[key] = {"startLine": start, "endLine": end, "findings": [], "asserts": asserts,
                          "trivialAsserts": trivial}
        spans.append((start, end, key))
    module: list[dict] = []
    for f in _dedupe(findings):
        holders = [s for s in spans if s[0] <= f["line"] <= s[1]]
        if holders:
            innermost = max(holders, key=lambda s: (s[0], -s[1]))
            functions[innermost[2]]["findings"].append(f)
        else:
            module.append(f)
    return {"functions": functions, "module": module, "error": error}


# --- config tampering --------------------------------------------------------------------------

_INI_SECTIONS = {
    "tox.ini": lambda s: s == "pytest" or s.startswith("coverage:") or s == "bandit",
    "setup.cfg": lambda s: s in ("tool:pytest", "pytest", "bandit") or s.startswith("coverage:"),
}
_WHOLE_FILE_CONFIGS = {"pytest.ini", ".pytest.ini", ".coveragerc", ".bandit", "bandit.yaml", "bandit.yml",
                       ".bandit.yaml", ".bandit.yml"}
_PYPROJECT_TABLES = ("pytest", "coverage", "bandit")


def _ini_sections(text: str | None, wanted) -> dict | None:
    if text is None:
        return {}
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read_string(text)
    except configparser.Error:
        return None
    return {s: dict(cp.items(s)) for s in cp.sections() if wanted(s)}


def _header_line(text: str | None, pattern: str) -> int:
    if text:
        rx = re.compile(pattern)
        for i, line in enumerate(split_lines(text), 1):
            if rx.search(line):
                return i
    return 1


def _conftest_findings(base_text: str | None, head_text: str, rel: str) -> list[dict]:
    """Findings of the head conftest that base did not have (same rule on the same code)."""
    def keyed(text: str) -> list[tuple[tuple, dict]]:
        tree, _tests, findings, _names, _err = _scan_source(text, rel)
        lines = split_lines(text)
        defs = {}
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs[node.lineno] = _segment(lines, node)
        out = []
        for f in _dedupe(findings):
            code = defs.get(f["line"]) if f["rule"] in ("TG-PYTEST-HOOK", "TG-AUTOUSE") else None
            if code is None:
                code = lines[f["line"] - 1].strip() if 0 < f["line"] <= len(lines) else ""
            out.append(((f["rule"], code), f))
        return out

    base_keys: dict[tuple, int] = {}
    if base_text is not None:
        for key, _f in keyed(base_text):
            base_keys[key] = base_keys.get(key, 0) + 1
    out = []
    for key, f in keyed(head_text):
        if base_keys.get(key, 0) > 0:
            base_keys[key] -= 1
            continue
        out.append(finding("TG-CONFTEST", rel, f["line"], f"{rel} (changed by the PR): {f['rule']}: {f['message']}",
                           f["severity"]))
    return out


def scan_config_tampering(base: str, head: str, changed_files: list[dict]) -> list[dict]:
    """Tampering with what runs around the tests: conftest.py, pytest/coverage/bandit config, startup hooks."""
    out: list[dict] = []
    for entry in changed_files:
        rel, status = entry["path"], entry["status"]
        name = rel.rsplit("/", 1)[-1]
        head_text = read_source(os.path.join(head, rel)) if status != "deleted" else None
        base_text = read_source(os.path.join(base, rel)) if status != "added" else None
        if name == "conftest.py":
            if head_text is not None:
                out.extend(_conftest_findings(base_text, head_text, rel))
        elif name in _WHOLE_FILE_CONFIGS:
            out.append(finding("TG-CONFIG", rel, 1, f"{rel} {status} by the PR"))
        elif name in _INI_SECTIONS:
            wanted = _INI_SECTIONS[name]
            before, after = _ini_sections(base_text, wanted), _ini_sections(head_text, wanted)
            if before is None or after is None:
                out.append(finding("TG-CONFIG", rel, 1, f"{rel} changed and does not parse"))
                continue
            for section in sorted(set(before) | set(after)):
                if before.get(section) != after.get(section):
                    line = _header_line(head_text, r"^\s*\[" + re.escape(section) + r"\]")
                    out.append(finding("TG-CONFIG", rel, line, f"{rel} [{section}] {status if status != 'modified' else 'changed'} by the PR"))
        elif name == "pyproject.toml":
            def tables(text):
                if text is None:
                    return {}
                try:
                    tool = tomllib.loads(text).get("tool", {})
                except (tomllib.TOMLDecodeError, ValueError):
                    return None
                return {t: tool.get(t) for t in _PYPROJECT_TABLES if isinstance(tool, dict) and t in tool}
            before, after = tables(base_text), tables(head_text)
            if before is None or after is None:
                out.append(finding("TG-CONFIG", rel, 1, f"{rel} changed and does not parse"))
                continue
            for table in _PYPROJECT_TABLES:
                if before.get(table) != after.get(table):
                    line = _header_line(head_text, r"^\s*\[+\s*tool\." + table + r"\b")
                    out.append(finding("TG-CONFIG", rel, line, f"{rel} [tool.{table}] changed by the PR"))
        elif name in ("sitecustomize.py", "usercustomize.py") and status != "deleted":
            out.append(finding("TG-SITECUSTOMIZE", rel, 1, f"{rel} {status} by the PR"))
        elif name.endswith(".pth") and status != "deleted":
            out.append(finding("TG-PTH", rel, 1, f"{rel} {status} by the PR"))
        elif name.endswith(".py") and not entry.get("isTest") and head_text is not None:
            # Coverage skips `# pragma: no cover` lines by default: added to the PR's own code,
            # it hides the changed lines from the coverage the gate asks tests to add.
            changed = set(changed_line_numbers(base_text, head_text))
            for f in _comment_findings(head_text, rel):
                if f["rule"] == "TG-NO-COVER" and f["line"] in changed:
                    out.append(finding("TG-NO-COVER", rel, f["line"], f"`# pragma: no cover` added to {rel} by the PR"))
    return out


def function_info(abs_path: str, first_line: int, helpers: frozenset[str] = frozenset()) -> dict | None:
    """{startLine, endLine, asserts, trivialAsserts} of the function whose code starts at
    `first_line` (a code object's co_firstlineno: the first decorator, else the def): a test
    pytest collected from a base class in another module or from a factory's inner function."""
    text = read_source(abs_path)
    if text is None or first_line <= 0:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names = _Names(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and first_line in (def_start(node), node.lineno):
            asserts, trivial = _count_asserts(node, names, helpers)
            return {"startLine": def_start(node), "endLine": node.end_lineno or node.lineno, "asserts": asserts,
                    "trivialAsserts": trivial}
    return None
