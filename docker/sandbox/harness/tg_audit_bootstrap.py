"""First code of every test child: PEP 578 audit hook, coverage, then pytest.

Started by the harness (tg_evaluate.child_code) as
    python3 -I -B -c "<exec this file's source in a private namespace, then main()>"
so it is never a module: `import tg_audit_bootstrap` finds nothing, and its tables live
only as immutable copies held by the hook (_AuditHook). It reads two lines from stdin --
`{"channel_fd", "token"}` then its config -- and puts
/dev/null on stdin before any test code runs, so the token is only in this process's
memory. Everything the harness needs (test outcome, audit events, the moment the test
starts) goes out as `<token> <json>` lines on the private channel fd; a test writing to
stdout/stderr cannot forge a record.

Order matters: pytest, its plugins and coverage are imported BEFORE the repo's import
roots go on sys.path (a repo `pytest.py` cannot shadow them) and the audit hook is
installed BEFORE pytest imports any conftest or test module. Hooks added with
sys.addaudithook cannot be removed, and adding another hook is itself blocked.

The hook is the readable layer, not the last one: tg_kernel_guard's seccomp filter and
Landlock ruleset are installed just before it and hold even if a test reaches the hook's
state through introspection (which is itself a tampering finding, static and at run time).
"""

import errno
import json
import os
import sys
import types


def _load_events():
    """tg_audit_events.py beside this file (every runner compiles this file under its own
    path), as a module object that is not in sys.modules: no test can import and edit it."""
    import importlib.util

    path = os.path.join(os.path.dirname(_load_events.__code__.co_filename), 'tg_audit_events.py')
    spec = importlib.util.spec_from_file_location('_testgate_audit_events', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_EVENTS = _load_events()
# Events blocked outright. value: (severity, reason)
_BLOCK = dict(_EVENTS.UNSAFE)
# Filesystem changes: allowed inside the test's own temp dir, blocked elsewhere (path argument indices).
_FS = dict(_EVENTS.FILESYSTEM)
# Introspection that reaches the runner's frames, closures and code: tampering when the
# calling frame is PR test code (the standard library and pytest use them all the time).
_FRAME_EVENTS = frozenset({'sys._getframe', 'sys._current_frames'})
_FRAME_ATTRS = frozenset(
    {'tb_frame', 'gi_frame', 'cr_frame', 'ag_frame', 'f_back', '__code__', '__closure__', '__globals__'}
)
_BLOCKED_IMPORTS = _EVENTS.BLOCKED_IMPORTS
_WRITE_FLAGS = _EVENTS.WRITE_FLAGS
del _EVENTS


class _Blocked(PermissionError):
    pass


class _BlockedImport(ModuleNotFoundError):
    """A module the sandbox does not provide to tests (native code): code that falls back
    when an optional module is missing (`except ImportError`) works as it would without it."""


def _read_stdin_lines():
    data = b''
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        data += chunk
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    lines = data.split(b'\n')
    return json.loads(lines[0]), json.loads(lines[1])


def _preimport(mode, cfg_plugins=()):
    import importlib
    import pytest  # noqa: F401
    import _pytest.config

    for name in list(getattr(_pytest.config, 'default_plugins', ())):
        try:
            importlib.import_module('_pytest.' + name)
        except Exception:  # noqa: BLE001 -- a plugin that does not import is not preloaded
            pass
    # The probe loads what the runs will load, so it sees the packages they will shadow.
    if '_hypothesis_pytestplugin' in cfg_plugins:
        for name in ('hypothesis', '_hypothesis_pytestplugin'):
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 -- a plugin that does not import is not preloaded
                pass
    for name in (
        'unittest',
        'unittest.mock',
        'doctest',
        'sqlite3',
        'coverage',
        'coverage.tracer',
        'coverage.sqldata',
        'resource',
        'traceback',
        'signal',
        'threading',
    ):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- a plugin that does not import is not preloaded
            pass


def _make_channel(fd, token):
    prefix = [token.encode() + b' ']
    write = os.write
    dumps = json.dumps

    def emit(rec):
        try:
            write(fd, prefix[0] + dumps(rec).encode() + b'\n')
        except OSError:
            pass

    def retarget(new_token):
        """A file server's child: same descriptor number, its own run's token."""
        prefix[0] = new_token.encode() + b' '

    emit.retarget = retarget
    return emit


class _AuditHook:
    """The PEP 578 hook: one method per kind of event, over private copies of the tables (the
    module-level ones are not what it reads). Frame depths are part of the contract: the hook
    calls a handler, the handler calls `record` / `_caller_in_tests`, so frame 3 of
    `_caller_in_tests` is the C call's Python caller. Every handler hides its frame from
    pytest's failure text, as the hook does, so a blocked call reads as the test's own line."""

    __slots__ = (
        '_emit',
        '_state',
        '_realpath',
        '_join',
        '_getcwd',
        '_fsdecode',
        '_readlink',
        '_getframe',
        '_block',
        '_fs',
        '_write_flags',
        '_blocked_imports',
        '_frame_events',
        '_frame_attrs',
        '_allowed',
        '_allowed_prefixes',
        '_test_files',
        '_by_event',
    )

    def __init__(self, emit, state, allowed, test_files):
        self._emit = emit
        self._state = state
        # Bound now: a test that monkeypatches os or sys does not change what the hook calls.
        self._realpath = os.path.realpath
        self._join = os.path.join
        self._getcwd = os.getcwd
        self._fsdecode = os.fsdecode
        self._readlink = os.readlink
        self._getframe = sys._getframe
        self._block = types.MappingProxyType(dict(_BLOCK))
        self._fs = types.MappingProxyType(dict(_FS))
        self._write_flags = _WRITE_FLAGS
        self._blocked_imports = _BLOCKED_IMPORTS
        self._frame_events = _FRAME_EVENTS
        self._frame_attrs = _FRAME_ATTRS
        self._allowed = tuple(allowed)
        self._allowed_prefixes = tuple(a.rstrip('/') + '/' for a in self._allowed)
        self._test_files = dict(test_files)  # abs path -> rel path
        self._by_event = types.MappingProxyType(
            {'open': self.on_open, 'sqlite3.connect': self.on_sqlite_connect, 'import': self.on_import}
        )

    # ---- where an event comes from, and what it touches

    def _resolve(self, path, dir_fd=None):
        if isinstance(path, int):
            try:
                return self._readlink('/proc/self/fd/%d' % path)
            except OSError:
                return None
        try:
            p = self._fsdecode(path)
        except Exception:  # noqa: BLE001 -- a path the hook cannot read is not one it judges
            return None
        if not p.startswith('/'):
            base = None
            if isinstance(dir_fd, int) and dir_fd >= 0:
                try:
                    base = self._readlink('/proc/self/fd/%d' % dir_fd)
                except OSError:
                    return None
            p = self._join(base or self._getcwd(), p)
        return self._realpath(p)

    def _inside(self, path):
        return path is not None and (
            path in self._allowed or path.startswith(self._allowed_prefixes) or path == '/dev/null'
        )

    def _where(self):
        f = self._getframe(2)
        while f is not None:
            rel = self._test_files.get(f.f_code.co_filename)
            if rel is not None:
                return rel, f.f_lineno
            f = f.f_back
        return None, 0

    def _caller_in_tests(self, past_importlib=False):
        """(test file, line) of the Python frame that caused the event, if it is PR test code.
        Frame 0 is this, 1 the event's handler, 2 the hook, 3 the C call's Python caller; for
        an import, the frame running the import statement is the first one above importlib's own."""
        f = self._getframe(3)
        while (
            past_importlib
            and f is not None
            and (
                f.f_code.co_filename.startswith('<frozen importlib')
                or f.f_code.co_filename.endswith('/importlib/__init__.py')
            )
        ):
            f = f.f_back
        rel = self._test_files.get(f.f_code.co_filename) if f is not None else None
        return (rel, f.f_lineno) if rel is not None else (None, 0)

    def _record(self, event, reason, severity, detail, at=None):
        file, line = at or self._where()
        self._emit(
            {
                'ev': 'audit',
                'event': event,
                'reason': reason,
                'severity': severity,
                'detail': detail[:300],
                'file': file,
                'line': line,
                'phase': self._state['phase'],
            }
        )

    @staticmethod
    def _short(args):
        try:
            return ', '.join(repr(a)[:120] for a in args[:3])
        except Exception:  # noqa: BLE001 -- an argument whose repr raises is shown as nothing
            return ''

    # ---- one handler per kind of event

    def on_open(self, args):
        __tracebackhide__ = True  # noqa: F841
        path = args[0]
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        if isinstance(path, int):
            return
        if flags & self._write_flags:
            rp = self._resolve(path)
            if not self._inside(rp):
                self._record('open-write', 'unsafe', 'medium', 'open(%r) for writing outside the test temp dir' % (rp,))
                raise _Blocked(errno.EACCES, 'testgate sandbox: writing outside the test temp dir is not allowed', rp)
        else:
            p = self._fsdecode(path) if not isinstance(path, int) else ''
            if p.startswith('/proc/') and (p.endswith('/mem') or '/fd/' in p or p.endswith('/environ')):
                self._record('open-proc', 'tampering', 'high', 'open(%r)' % (p,))
                raise _Blocked(
                    errno.EACCES, 'testgate sandbox: reading process memory or descriptors is not allowed', p
                )

    def on_sqlite_connect(self, args):
        __tracebackhide__ = True  # noqa: F841
        # SQLite opens its file from C, without an `open` event.
        db = args[0] if args else ':memory:'
        if (
            isinstance(db, (str, bytes))
            and self._fsdecode(db) not in (':memory:', '')
            and not self._fsdecode(db).startswith('file:')
        ):
            rp = self._resolve(db)
            if not self._inside(rp):
                self._record(
                    'sqlite3.connect', 'unsafe', 'medium', 'sqlite3.connect(%r) outside the test temp dir' % (rp,)
                )
                raise _Blocked(
                    errno.EACCES, 'testgate sandbox: databases outside the test temp dir are not allowed', rp
                )

    def on_import(self, args):
        __tracebackhide__ = True  # noqa: F841
        name = args[0] if args else ''
        top = name.partition('.')[0] if isinstance(name, str) else ''
        if top in self._blocked_imports:
            # Refused for everyone; a finding only when PR test code asked for it.
            # A library's `try: import ctypes / except ImportError` (colorama's
            # Windows support) is handled by the library and is nobody's fault.
            at = self._caller_in_tests(past_importlib=True)
            if at[0] is not None:
                self._record('import-' + top, 'unsafe', 'high', 'import %s' % name, at)
            raise _BlockedImport('testgate sandbox: import of %s is not allowed in tests' % name, name=top)

    def on_introspection(self, event, args):
        at = self._caller_in_tests()
        if at[0] is not None:
            what = event if event in self._frame_events else '%s %s' % (event.split('.')[1].strip('_'), args[1])
            self._record(
                'introspection',
                'tampering',
                'high',
                'test code used %s: frame and closure introspection reaches the runner\'s state' % what,
                at,
            )

    def on_filesystem(self, event, args, idx):
        __tracebackhide__ = True  # noqa: F841
        dir_fd = None
        if event in ('os.remove', 'os.rmdir', 'os.mkdir', 'shutil.rmtree') and len(args) > 1:
            dir_fd = args[-1]
        for i in idx:
            if i >= len(args):
                continue
            rp = self._resolve(args[i], dir_fd)
            if not self._inside(rp):
                self._record(event, 'unsafe', 'medium', '%s(%r) outside the test temp dir' % (event, rp))
                raise _Blocked(errno.EPERM, 'testgate sandbox: %s outside the test temp dir is not allowed' % event, rp)

    # ---- the hook itself

    def __call__(self, event, args):
        __tracebackhide__ = True  # noqa: F841 -- pytest leaves this frame out of failure text
        state = self._state
        if state['busy']:
            return
        state['busy'] = True
        try:
            handler = self._by_event.get(event)
            if handler is not None:
                handler(args)
                return
            if event in self._frame_events or (
                event in ('object.__getattr__', 'object.__setattr__') and len(args) > 1 and args[1] in self._frame_attrs
            ):
                self.on_introspection(event, args)
                return
            spec = self._block.get(event)
            if spec is not None:
                severity, reason = spec
                self._record(event, reason, severity, '%s(%s)' % (event, self._short(args)))
                raise _Blocked(errno.EPERM, 'testgate sandbox: %s is not allowed in tests' % event)
            idx = self._fs.get(event)
            if idx is not None:
                self.on_filesystem(event, args, idx)
        finally:
            state['busy'] = False


def _install_hook(emit, state, allowed, test_files):
    sys.addaudithook(_AuditHook(emit, state, allowed, test_files))


def _disable_posixsubprocess(emit, state):
    # _posixsubprocess.fork_exec raises no audit event of its own (subprocess.Popen does, one
    # level up), and the module is usually imported already, so the import block cannot catch
    # a direct call. Replace the function on the module every importer shares.
    try:
        import _posixsubprocess
    except ImportError:
        return

    def fork_exec(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841
        emit(
            {
                'ev': 'audit',
                'event': '_posixsubprocess.fork_exec',
                'reason': 'unsafe',
                'severity': 'high',
                'detail': '_posixsubprocess.fork_exec',
                'file': None,
                'line': 0,
                'phase': state['phase'],
            }
        )
        raise _Blocked(errno.EPERM, 'testgate sandbox: starting processes is not allowed in tests')

    _posixsubprocess.fork_exec = fork_exec
    for name in ('ctypes', '_ctypes'):
        sys.modules.pop(name, None)


def _classify_exception(excinfo):
    """resource-limit evidence from the exception a test died of."""
    if excinfo is None:
        return None
    etype, value = excinfo.type, excinfo.value
    if issubclass(etype, MemoryError):
        return 'memory'
    if isinstance(value, OSError):
        if value.errno == errno.EMFILE or value.errno == errno.ENFILE:
            return 'files'
        if value.errno == errno.EFBIG or value.errno == errno.ENOSPC:
            return 'disk'
        if value.errno == errno.EAGAIN and isinstance(value, BlockingIOError):
            return 'pids'
    if issubclass(etype, RuntimeError) and "can't start new thread" in str(value):
        return 'pids'
    return None


def _failure_kind(excinfo, code_files):
    """Where a test failed: 'check' at one of its own checks (an assertion, the test's or a
    helper's it called, or pytest.raises / pytest.fail) and not inside the code under test
    (its own assert, or the TypeError a mutant made it raise); 'missing' when a name it uses
    does not exist (an import, attribute or name error: over the base code, the function a
    new test calls is not there yet); 'error' for anything else the code raised. A mutant
    killed at a check is evidence that the test checks what the code computes (tg_mutate)."""
    if excinfo is None:
        return 'error'
    from _pytest.outcomes import Failed

    if issubclass(excinfo.type, (ImportError, AttributeError, NameError)):
        return 'missing'
    if not issubclass(excinfo.type, (AssertionError, Failed)):
        return 'error'
    root = os.getcwd().rstrip('/') + '/'
    innermost = None
    tb = excinfo.tb
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(root):
            innermost = name[len(root) :]
        tb = tb.tb_next
    return 'error' if innermost in code_files else 'check'


class _Internal:
    """The gate's own work inside a test's process: the audit hook stands aside meanwhile."""

    __slots__ = ('_state',)

    def __init__(self, state):
        self._state = state

    def __enter__(self):
        self._state['busy'] = True

    def __exit__(self, *exc):
        self._state['busy'] = False


def _hookimpl(**opts):
    """pytest.hookimpl(**opts), applied by _plugin: pytest is imported after this file runs."""

    def mark(fn):
        fn._testgate_hookimpl = opts
        return fn

    return mark


def _tampering_record(event, detail, phase):
    return {
        'ev': 'audit',
        'event': event,
        'reason': 'tampering',
        'severity': 'high',
        'detail': detail,
        'file': None,
        'line': 0,
        'phase': phase,
    }


def _describe_item(it):
    """A collected item as `collect` mode reports it."""
    fn = getattr(it, 'function', None)
    code = getattr(fn, '__code__', None)
    return {
        'nodeid': it.nodeid,
        'name': it.name,
        'function': getattr(it, 'originalname', None) or it.name.split('[')[0],
        'cls': it.cls.__name__ if getattr(it, 'cls', None) is not None else None,
        'line': (it.location[1] + 1) if it.location and it.location[1] is not None else 0,
        'file': it.location[0] if it.location else '',
        'codeLine': code.co_firstlineno if code is not None else 0,
        # Where the test's code really is (a base class in another module, a
        # factory's inner function) and which fixtures it runs: the harness
        # matches these against the change.
        'codeFile': _rel_to_cwd(code.co_filename) if code is not None else '',
        'codeEnd': _last_line(code),
        'codeName': getattr(code, 'co_qualname', '') if code is not None else '',
        'fixtures': [str(f) for f in list(getattr(it, 'fixturenames', ()) or ())[:200]],
    }


class _GatePlugin:
    """The gate's pytest plugin in every test child: collection (`collect` mode lists the
    items; `run` keeps the one target), limits and coverage contexts around the test, its
    reports, and the result at the session's end. `budget` and `marks` are read and set by a
    file server's child (_item_child), which also calls `pytest_sessionfinish` itself."""

    def __init__(self, emit, state, cfg, cov, clock, resource):
        self._emit = emit
        self._state = state
        self._cfg = cfg
        self._cov = cov
        self._clock = clock  # the time module
        self._resource = resource
        self._mode = cfg['mode']
        self._target = cfg.get('nodeid')
        self._serving = bool(cfg.get('serve'))
        # A file server's child sets its own before its test runs.
        self.budget = {'cpu_seconds': float(cfg.get('cpu_seconds', 2)), 'coverage': cov is not None}
        self.marks = {}
        self._reports = {}
        self._limits = {}

    def _internal(self):
        return _Internal(self._state)

    def _switch_context(self, context):
        if self._cov is not None and self.budget['coverage']:
            self._cov.switch_context(context)

    @_hookimpl(trylast=True)
    def pytest_sessionstart(self, session):
        with self._internal():
            _drop_outcome_plugins(session.config.pluginmanager, self._cfg.get('env_paths', ()), self._emit)
        self.marks['plugins0'] = frozenset(id(p) for p in session.config.pluginmanager.get_plugins())

    @_hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session, config, items):
        with self._internal():
            added = _plugins_added_by_imports(config.pluginmanager, self.marks.get('plugins0'))
        if added:
            # Registered while test modules and the code they import were loading: every
            # test of this run would be reported through it.
            detail = 'a pytest plugin was registered while the tests were imported (%s)' % added[:200]
            self._emit(_tampering_record('plugin-registered', detail, 'collect'))
        if self._mode == 'collect':
            self._emit({'ev': 'collected', 'items': [_describe_item(it) for it in items]})
            return
        if self._serving:
            # The file server keeps every item; each of its children runs one (_item_child).
            _watch_pluginmanager(config.pluginmanager, self._emit, self._state)
            return
        keep = [it for it in items if it.nodeid == self._target]
        deselected = [it for it in items if it.nodeid != self._target]
        items[:] = keep
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        _watch_pluginmanager(config.pluginmanager, self._emit, self._state)
        for it in keep:
            self.marks['item'] = (type(it), _function_id(it))

    @_hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(self, collector, name, obj):
        # A run child runs one test: items for the other names of its module (or class)
        # are never built, which in a module of hundreds of tests is most of the work.
        # Its filter above still keeps exactly the target's node id.
        target = self._target
        if self._mode != 'run' or not target or not target.startswith(collector.nodeid + '::'):
            return None
        wanted = target[len(collector.nodeid) + 2 :].split('::')[0].split('[')[0]
        return None if name == wanted else []

    def pytest_collectreport(self, report):
        if report.failed:
            self._emit({'ev': 'collect-error', 'nodeid': report.nodeid, 'message': str(report.longreprtext)[-6000:]})

    @_hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        with self._internal():
            used = self._clock.process_time()
            self.marks['cpu0'] = used
            self.marks['t0'] = self._clock.monotonic()
            soft = int(used + self.budget['cpu_seconds'] + 0.999)
            try:
                self._resource.setrlimit(self._resource.RLIMIT_CPU, (soft, soft + 1))
            except (ValueError, OSError):
                pass
            self.marks['hooks'] = _hook_fingerprint(item.config.pluginmanager)
            self._emit({'ev': 'start', 'nodeid': item.nodeid, 'cpuMs': used * 1000})
            self._state['phase'] = 'test'
            self._switch_context('t|setup')

    @_hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item):
        if self._cov is not None and self.budget['coverage']:
            with self._internal():
                self._cov.switch_context('t|call')

    @_hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item):
        if self._cov is not None and self.budget['coverage']:
            with self._internal():
                self._cov.switch_context('t|teardown')

    @_hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        if call.excinfo is not None:
            # Said before pytest formats the failure: after a memory or thread bomb the
            # formatting itself may die (INTERNALERROR MemoryError).
            with self._internal():
                early = _classify_exception(call.excinfo)
                if early:
                    self._emit({'ev': 'limit', 'limit': early, 'when': call.when})
        outcome = yield
        rep = outcome.get_result()
        with self._internal():
            self._keep_report(rep, call)
            if rep.when == 'teardown':
                self._after_teardown(item)

    def _keep_report(self, rep, call):
        lim = _classify_exception(call.excinfo) if call.excinfo is not None else None
        if lim:
            self._limits[rep.when] = lim
        self._reports[rep.when] = {
            'outcome': rep.outcome,
            'duration': rep.duration,
            'wasxfail': hasattr(rep, 'wasxfail'),
            'text': str(rep.longreprtext)[-4000:] if rep.longrepr is not None else '',
            'failedAt': _failure_kind(call.excinfo, self._cfg.get('code_files', ())) if rep.failed else None,
        }

    def _after_teardown(self, item):
        self._state['phase'] = 'done'
        changed = _runner_changes(item, self.marks)
        if changed:
            self._emit(_tampering_record('runner-tampering', changed, 'test'))
        self.marks['cpu1'] = self._clock.process_time()
        self._switch_context('')

    def pytest_sessionfinish(self, session, exitstatus):
        if self._mode != 'run' or (self._serving and 'item' not in self.marks):
            return
        with self._internal():
            self._emit(_result(self._reports, self._limits, self.marks, session.testscollected))


def _plugin(emit, state, cfg, cov):
    import resource
    import time

    import pytest

    for fn in vars(_GatePlugin).values():
        opts = getattr(fn, '_testgate_hookimpl', None)
        if opts is not None:
            pytest.hookimpl(**opts)(fn)
    return _GatePlugin(emit, state, cfg, cov, clock=time, resource=resource)


# The hooks that run a test and build its report: a test that adds or swaps one of them
# decides its own outcome.
_RUNNER_HOOKS = (
    'pytest_runtest_protocol',
    'pytest_runtest_setup',
    'pytest_runtest_call',
    'pytest_runtest_teardown',
    'pytest_runtest_makereport',
    'pytest_runtest_logreport',
    'pytest_pyfunc_call',
    'pytest_report_teststatus',
    'pytest_runtest_logfinish',
    'pytest_exception_interact',
)
# Item attributes pytest calls to run and report a test; the class provides them, never the instance.
_ITEM_METHODS = (
    'runtest',
    'ihook',
    'repr_failure',
    'reportinfo',
    'setup',
    'teardown',
    '_repr_failure_py',
    'add_report_section',
)


# Hooks through which a plugin decides or rewrites a test's outcome (reruns until it
# passes, a report turned to "passed"): a dependency's plugin implementing one is dropped.
_OUTCOME_HOOKS = (
    'pytest_runtest_protocol',
    'pytest_runtest_makereport',
    'pytest_report_teststatus',
    'pytest_runtest_logreport',
)


def _drop_outcome_plugins(pm, env_paths, emit):
    """Unregisters every plugin from the project's dependencies (a module under /env) that
    implements an outcome hook: the gate, not a dependency, says whether a test passed."""
    roots = tuple(p.rstrip('/') + '/' for p in env_paths)
    if not roots:
        return
    for name, plugin in list(pm.list_name_plugin()):
        where = getattr(plugin, '__file__', None) or getattr(type(plugin), '__module__', '')
        module_file = (
            where
            if isinstance(where, str) and where.startswith('/')
            else getattr(sys.modules.get(getattr(plugin, '__module__', '') or ''), '__file__', '') or ''
        )
        if not module_file.startswith(roots):
            continue
        hooks = [
            h for h in _OUTCOME_HOOKS if any(impl.plugin is plugin for impl in getattr(pm.hook, h).get_hookimpls())
        ]
        if hooks:
            pm.unregister(plugin)
            emit({'ev': 'env-plugin-dropped', 'name': str(name)[:200], 'hooks': hooks})


def _hook_fingerprint(pm):
    try:
        plugins = frozenset(id(p) for p in pm.get_plugins())
        hooks = tuple(
            (name, tuple(id(impl.function) for impl in getattr(pm.hook, name).get_hookimpls()))
            for name in _RUNNER_HOOKS
            if hasattr(pm.hook, name)
        )
        return plugins, hooks, id(type(pm.hook))
    except Exception as e:  # noqa: BLE001 -- a pluginmanager that cannot be read was tampered with
        return repr(e)


def _function_id(item):
    """Identity of the function an item runs: a bound method is rebuilt per test instance
    (and unittest binds at setup), its underlying function is not."""
    try:
        obj = item.obj
    except Exception:  # noqa: BLE001 -- items without an object (doctests) have nothing to swap
        return None
    return id(getattr(obj, '__func__', obj))


def _runner_changes(item, marks):
    """What the test changed about how pytest runs and reports it, or '' (checked after teardown)."""
    notes = []
    if marks.get('hooks') is not None and _hook_fingerprint(item.config.pluginmanager) != marks['hooks']:
        notes.append("pytest's plugins or its run/report hooks changed while the test ran")
    own = [name for name in _ITEM_METHODS if name in vars(item)]
    if own:
        notes.append('the test item\'s %s %s replaced' % (', '.join(own), 'was' if len(own) == 1 else 'were'))
    expected = marks.get('item')
    if expected is not None and (type(item), _function_id(item)) != expected:
        notes.append('the test item\'s class or function was swapped')
    return '; '.join(notes)


def _plugins_added_by_imports(pm, before):
    """Names of plugins registered after the session started that are not conftest modules
    (pytest registers those itself while collecting)."""
    if before is None:
        return ''
    names = []
    for plugin in pm.get_plugins():
        if id(plugin) in before:
            continue
        if (
            isinstance(plugin, types.ModuleType)
            and os.path.basename(getattr(plugin, '__file__', '') or '') == 'conftest.py'
        ):
            continue
        name = pm.get_name(plugin) or ''
        names.append(type(plugin).__name__ if not name or name.isdigit() else name)
    return ', '.join(str(n) for n in names)


def _watch_pluginmanager(pm, emit, state):
    """Registering a plugin once tests run is how a test body rewrites reports: record it."""
    register = pm.register

    def guarded_register(plugin, name=None):
        if state['phase'] == 'test':
            emit(
                {
                    'ev': 'audit',
                    'event': 'plugin-registered',
                    'reason': 'tampering',
                    'severity': 'high',
                    'detail': 'a pytest plugin was registered while the test ran (%s)'
                    % (name or type(plugin).__name__)[:200],
                    'file': None,
                    'line': 0,
                    'phase': 'test',
                }
            )
        return register(plugin, name)

    pm.register = guarded_register


def _rel_to_cwd(filename):
    root = os.getcwd().rstrip('/') + '/'
    return filename[len(root) :] if filename.startswith(root) else ''


def _last_line(code):
    if code is None:
        return 0
    try:
        return max((line for _s, _e, line in code.co_lines() if line is not None), default=code.co_firstlineno)
    except Exception:  # noqa: BLE001 -- evidence, not a reason to fail collection
        return code.co_firstlineno


def _result(reports, limits, marks, collected):
    setup = reports.get('setup')
    call = reports.get('call')
    teardown = reports.get('teardown')
    dur = sum(r['duration'] for r in reports.values()) * 1000
    cpu = (marks.get('cpu1', marks.get('cpu0', 0)) - marks.get('cpu0', 0)) * 1000
    out = {'ev': 'result', 'durationMs': dur, 'cpuMs': max(cpu, 0.0), 'message': ''}
    if setup is None:
        # Its module did not import (over the base code: a name the head added).
        out.update(outcome='error', message='the test was not collected (%d collected)' % collected, failedAt='missing')
        return out
    if setup['outcome'] == 'failed':
        out.update(outcome='error', message=setup['text'], limit=limits.get('setup'), failedAt=setup['failedAt'])
    elif setup['outcome'] == 'skipped':
        out.update(outcome='xfailed' if setup['wasxfail'] else 'skipped', message=setup['text'])
    elif call is None:
        out.update(outcome='error', message='the test did not run')
    elif call['outcome'] == 'failed':
        out.update(outcome='failed', message=call['text'], limit=limits.get('call'), failedAt=call['failedAt'])
    elif call['outcome'] == 'skipped':
        out.update(outcome='xfailed' if call['wasxfail'] else 'skipped', message=call['text'])
    else:
        out.update(outcome='xpassed' if call['wasxfail'] else 'passed')
    if out['outcome'] in ('passed', 'xpassed') and teardown is not None and teardown['outcome'] == 'failed':
        out.update(outcome='error', message=teardown['text'], limit=limits.get('teardown'))
    if not out.get('limit'):
        out.pop('limit', None)
    return out


def _repo_frame(tb):
    """`path:line` of the innermost traceback frame in the repository: who made the failing import."""
    root = os.getcwd().rstrip('/') + '/'
    where = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(root):
            where = '%s:%d' % (name[len(root) :], tb.tb_lineno)
        tb = tb.tb_next
    return where


def _is_import_site(filename, lineno):
    import linecache
    import re

    if filename.startswith('<frozen importlib') or filename.endswith('/importlib/__init__.py'):
        return True
    line = linecache.getline(filename, lineno)
    return re.match(r'\s*(import|from)\s', line) is not None or '__import__(' in line or 'import_module(' in line


def _blocked_module(exc):
    """The module the sandbox refused (ctypes, cffi...) anywhere in the exception's chain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, _BlockedImport):
            return exc.name
        exc = exc.__cause__ or exc.__context__
    return None


def _import_machinery_missing(exc):
    """The module name of a ModuleNotFoundError that the import system itself raised (its
    innermost frame is importlib's), anywhere in the exception's chain; None otherwise.

    A package that writes `raise ModuleNotFoundError(name='x')` itself is code failing, not
    a dependency missing: only the import system's own error counts as the latter. CPython
    strips importlib's frames from an ImportError's traceback, so the innermost frame left is
    the statement that imported: an `import`/`from` line, or importlib.import_module.
    """
    seen = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ModuleNotFoundError) and getattr(e, 'name', None):
            tb = e.__traceback__
            last = None
            while tb is not None:
                last, tb = tb, tb.tb_next
            if last is not None and _is_import_site(last.tb_frame.f_code.co_filename, last.tb_lineno):
                return e.name
        stack.extend((e.__cause__, e.__context__))
    return None


def _probe(cfg, emit):
    import importlib
    import traceback

    errors = {}
    root = os.path.realpath(os.getcwd()) + '/'
    for name in cfg.get('packages', []):
        try:
            mod = importlib.import_module(name)
        except BaseException as e:  # noqa: BLE001 -- any failure means "does not import"
            tb = traceback.format_exception(type(e), e, e.__traceback__)
            errors[name] = {
                'type': type(e).__name__,
                'missing': getattr(e, 'name', None),
                'importMissing': _import_machinery_missing(e),
                'blockedModule': _blocked_module(e),
                'text': ''.join(tb)[-4000:],
                'where': _repo_frame(e.__traceback__),
            }
            continue
        where = getattr(mod, '__file__', None) or next(iter(getattr(mod, '__path__', None) or ()), None)
        if where and not os.path.realpath(where).startswith(root):
            # pytest, coverage or hypothesis loaded a package of that name before the repo
            # was on sys.path: the tests would run against the sandbox's copy, not the PR.
            errors[name] = {
                'type': 'TestgateShadowed',
                'missing': None,
                'where': None,
                'text': 'TestgateShadowed: %s is a package the gate\'s own tools load first (%s)' % (name, where),
            }
    emit({'ev': 'probe', 'errors': errors})


def _add_environment(paths):
    """The project's installed dependencies go after the standard library and before the
    image's dist-packages: the project's versions win over the image's for every module not
    yet imported, and what pytest and coverage already loaded stays theirs (sys.modules)."""
    if not paths:
        return
    at = next((i for i, p in enumerate(sys.path) if p.endswith(('/dist-packages', '/site-packages'))), len(sys.path))
    sys.path[at:at] = [p for p in paths if p not in sys.path]


def _kernel_guard(cfg, emit):
    """seccomp + Landlock before any repository code; a child that cannot have them runs nothing."""
    import importlib.util

    path = os.path.join(cfg['harness_dir'], 'tg_kernel_guard.py')
    spec = importlib.util.spec_from_file_location('_testgate_kernel_guard', path)
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    writable = list(cfg['allowed'])
    if cfg.get('coverage'):
        writable.append(os.path.dirname(cfg['coverage']['data_file']))
    try:
        installed = guard.install(writable, allow_fork=bool(cfg.get('serve')))
    except guard.FileServerUnavailable as e:
        # Nothing restricted yet and nothing of the PR run: the harness runs this file's
        # tests one fresh child each instead.
        emit({'ev': 'serve-refused', 'why': str(e)[:500]})
        os._exit(0)
    except Exception as e:  # noqa: BLE001 -- the gate's own fault, said as such
        emit({'ev': 'guard-error', 'message': repr(e)[:500]})
        os._exit(70)
    emit({'ev': 'guard', **installed})
    return guard


def main():
    """A child started with exec: read the request, import the trusted machinery, run."""
    head, cfg = _read_stdin_lines()
    _run(head, cfg, preimported=False)


def _run(head, cfg, preimported):
    emit = _make_channel(int(head['channel_fd']), head['token'])
    del head
    mode = cfg['mode']
    if not preimported:
        _preimport(mode, cfg.get('pytest_args', ()))
    state = {'busy': False, 'phase': 'collect'}
    guard = _kernel_guard(cfg, emit)
    _disable_posixsubprocess(emit, state)
    cov = None
    if mode == 'run' and cfg.get('coverage'):
        import coverage

        c = cfg['coverage']
        cov = coverage.Coverage(
            data_file=c['data_file'], branch=True, source=c['source'], omit=c['omit'], config_file=False
        )
        cov.set_option(
            'run:disable_warnings',
            ['no-data-collected', 'module-not-measured', 'module-not-imported', 'couldnt-parse', 'no-ctracer'],
        )
    _use_rewritten(cfg['cwd'], state)
    _install_hook(emit, state, cfg['allowed'], cfg.get('test_files', {}))
    for root in reversed(cfg.get('import_roots', [])):
        sys.path.insert(0, root)
    _add_environment(cfg.get('env_paths', ()))
    os.chdir(cfg['cwd'])
    # From here on repository code runs: the parent times the child from this record on its
    # own clock, so nothing the test does to clocks or at import time hides its cost.
    emit({'ev': 'ready'})
    if mode == 'probe':
        _probe(cfg, emit)
        sys.stdout.flush()
        os._exit(0)
    import pytest

    plugin = _plugin(emit, state, cfg, cov)
    plugins = [plugin]
    if cfg.get('serve'):
        plugins.append(_file_server_plugin(emit, state, cfg, cov, plugin, guard, _ForkWatch()))
    args = list(cfg['pytest_args'])
    if cov is not None:
        state['busy'] = True
        cov.start()
        if cfg.get('serve'):
            _decide_tracing_now(cov)
        state['busy'] = False
    try:
        code = pytest.main(args, plugins=plugins)
    finally:
        if cov is not None and not cfg.get('serve'):
            state['busy'] = True
            try:
                cov.stop()
                cov.save()
            except Exception as e:  # noqa: BLE001 -- coverage is evidence, not a reason to lose the result
                emit({'ev': 'coverage-error', 'message': repr(e)[:2000]})
            state['busy'] = False
    emit({'ev': 'exit', 'code': int(code)})
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 -- flushing a closed stream at exit changes nothing
        pass
    # Skip atexit handlers and finalizers a test may have registered.
    os._exit(int(code) if int(code) < 256 else 3)


# The fork server (zygote). It imports only the trusted machinery (pytest, its plugins,
# coverage: _preimport), then forks one child per request; the child sets up exactly as an
# exec'd one would, from the same point on (kernel guard, audit hook, sys.path, the test), so
# no repository code ever runs in the zygote and every child starts from its pristine state.
# Protocol on the SOCK_SEQPACKET socket from tg_child.Zygote, one JSON message each:
#   request  {"id", "cwd", "env", "rlimits": [[resource, soft, hard]...]} + 4 fds
#            (stdin, stdout, stderr, channel), which become the child's 0, 1, 2 and 3
#   reply    {"id", "pid"}  or  {"id", "error"}
#   exit     {"exited": pid, "status", "utime", "stime"}  (from wait4: the child's own CPU)
#   warm     {"id", "op": "warm", "files": [[path, relative path]...]}, no fds: rewrite these
#            test files now, for every child forked after it; reply {"id", "warmed": n}
# A request with a 5th descriptor starts a file server (below), which gets it as fd 4.
CHILD_CHANNEL_FD = 3
FILE_SERVER_FD = 4


def _become_child(req, fds, dumpable=True):
    """In a child right after fork: what Popen + preexec would have made of it. Its own
    session, the request's descriptors as 0, 1, 2... and nothing else open (the server's
    socket would let it ask for children; a file server's own socket, a 5th descriptor, is
    its harness's), the request's rlimits, cwd and environment. dumpable=False for a child
    of a file server, which is dumpable already (prctl through ctypes costs a run more than
    its fork)."""
    import resource
    import signal

    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(len(fds), 1 << 20)
    for res, soft, hard in req['rlimits']:
        try:
            resource.setrlimit(res, (soft, hard))
        except (ValueError, OSError):
            pass
    if dumpable:
        _set_dumpable(1)  # as an exec'd child is; only the zygote and the explorers' server are not
    os.chdir(req['cwd'])
    os.environ.clear()
    os.environ.update(req['env'])


def _child_crashed():
    """A forked child's own failure: said on its stderr, and it exits (70) rather than
    return into the loop of the server it was forked from."""
    try:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(70)


def _forked_child(req, fds):
    """In the zygote's child: become what an exec'd child is, then run."""
    try:
        _become_child(req, fds)
        sys.argv[:] = ['-c']  # what an exec'd `python -c` child sees
        head, cfg = _read_stdin_lines()
        head['channel_fd'] = CHILD_CHANNEL_FD
        _run(head, cfg, preimported=True)
    except BaseException:  # noqa: BLE001 -- a child never returns into the zygote's loop
        _child_crashed()
    os._exit(0)


# Test files rewritten by pytest's assertion rewriter in the zygote, once: {path relative to
# the tree root: (source bytes, code)}. Rewriting a 200-test file costs a child more than the
# rest of its run; forked children inherit this, and use an entry only for identical bytes.
# Parsing and compiling a file runs none of it: the trusted side already parses the PR's
# files for its static rules.
_REWRITTEN = {}


def _warm(files):
    import _pytest.assertion.rewrite as rewrite
    import ast

    done = 0
    for path, rel in files:
        try:
            with open(path, 'rb') as f:
                source = f.read()
            tree = ast.parse(source, filename=path)
            rewrite.rewrite_asserts(tree, source, path, None)
            _REWRITTEN[rel] = (source, compile(tree, path, 'exec', dont_inherit=True))
            done += 1
        except Exception:  # noqa: BLE001 -- the child rewrites it itself, and reports what fails
            pass
    return done


def _retarget(code, filename):
    """The code compiled for /work/head/x.py, as if compiled for this run's copy of it."""
    consts = tuple(_retarget(c, filename) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _use_rewritten(root, state):
    if not _REWRITTEN:
        return
    import _pytest.assertion.rewrite as rewrite

    original = rewrite._rewrite_test

    def rewrite_test(fn, config):
        entry = _REWRITTEN.get(os.path.relpath(str(fn), root))
        if entry is not None and not config.getini('enable_assertion_pass_hook'):
            stat = os.stat(fn)
            with open(fn, 'rb') as f:
                source = f.read()
            if source == entry[0]:
                busy, state['busy'] = state['busy'], True  # our own code objects: not the test's doing
                try:
                    return stat, _retarget(entry[1], str(fn))
                finally:
                    state['busy'] = busy
        return original(fn, config)

    rewrite._rewrite_test = rewrite_test


def _set_dumpable(value):
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(4, value, 0, 0, 0)  # PR_SET_DUMPABLE


def _share_tool_work():
    """Work of pytest and coverage that is the same in every child, done once in the zygote.

    Only the gate's own tools are touched, before any repository code exists."""
    import inspect

    import _pytest.config
    import coverage.collector
    import pluggy._hooks as hooks

    # A Collector notes the stack it was created from, for coverage's own debug output only:
    # a whole inspect.stack() per child.
    coverage.collector.short_stack = lambda *args, **kwargs: ''
    # pluggy reads every hook implementation's signature when a plugin registers; pytest's
    # own plugins register in every child with the same functions.
    original = hooks.varnames
    known = {}

    def varnames(func):
        key = (func.__func__, True) if inspect.ismethod(func) else (func, False)
        try:
            return known[key]
        except KeyError:
            known[key] = found = original(func)
            return found
        except TypeError:  # unhashable: ask every time
            return original(func)

    hooks.varnames = varnames
    _pytest.config.get_config()  # registers the builtin plugins once: their signatures are known


def serve(sock_fd, plugins):
    import socket

    _preimport('run', plugins)
    _share_tool_work()
    # A child of the same uid must not read or write this process's memory (/proc/PID/mem).
    _set_dumpable(0)
    sock = socket.socket(fileno=sock_fd)

    def on_request(req, fds):
        if req.get('op') == 'warm':
            for fd in fds:
                os.close(fd)
            return {'id': req.get('id'), 'warmed': _warm(req.get('files', []))}
        # 4 descriptors for a test run; a file server also gets its own socket (5th).
        if len(fds) not in (4, 5):
            for fd in fds:
                os.close(fd)
            return {'id': req.get('id'), 'error': 'expected 4 or 5 descriptors'}
        return _fork_for(sock, req, fds, _forked_child)

    _fork_loop(sock, on_request)
    os._exit(0)  # the harness closed its end: nothing more to do


def _fork_for(sock, req, fds, child_main):
    """Forks child_main(req, fds) (which never returns); the reply to send for it."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as e:
        for fd in fds:
            os.close(fd)
        return {'id': req.get('id'), 'error': 'fork failed: %s' % e}
    if pid == 0:
        child_main(req, fds)  # never returns
        os._exit(70)
    for fd in fds:
        os.close(fd)
    return {'id': req.get('id'), 'pid': pid}


def _fork_loop(sock, on_request):
    """Serves requests (JSON + descriptors) on sock until the peer closes it; reports exits."""
    import selectors
    import signal
    import socket

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ, 'request')
    sel.register(wake_r, selectors.EVENT_READ, 'child')

    def reap():
        while True:
            try:
                pid, status, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            sock.send(
                json.dumps({'exited': pid, 'status': status, 'utime': ru.ru_utime, 'stime': ru.ru_stime}).encode()
            )

    while True:
        for key, _ in sel.select(timeout=1.0):
            if key.data == 'child':
                try:
                    os.read(wake_r, 4096)
                except BlockingIOError:
                    pass
                continue
            msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 5)
            if not msg:
                for fd in fds:
                    os.close(fd)
                signal.set_wakeup_fd(-1)
                sel.close()
                for fd in (wake_r, wake_w):
                    os.close(fd)
                return
            reply = on_request(json.loads(msg), fds)
            if reply is not None:
                sock.send(json.dumps(reply).encode())
        reap()


# A file server: a child of the zygote that collects one test file (the PR's code runs in
# it: conftest, the test module and what it imports), then forks one child per test run
# of that file from the collected state, as the zygote forks children from the imported
# tools. A run costs a fork and the test instead of a pytest session. Each run's child
# installs the full kernel guard on top of the server's (no fork, signals and writes
# only its own), gets its own token, temp dir, limits and coverage file, and dies after
# its one test: a test sees the module as collection left it, never another test's state.
# The server refuses (`serve-refused`, and the harness runs that file's tests from the
# zygote) when collection failed, left threads running (a fork would not copy them) or
# registered fork handlers of its own (_ForkWatch).
# Protocol on its socket (fd 4): the zygote's, with {"nodeid"} in each request.


class _ForkWatch:
    """What collection did that a fork would carry into every run: fork handlers it
    registered (os.register_at_fork runs them inside each fork, before the run's guard)
    and the random module's state it set (a fork reseeds it; a fresh process would not)."""

    def __init__(self):
        import posix
        import random

        self.random = random
        self.random_before = random.getstate()
        self.handlers = []
        original = posix.register_at_fork
        handlers = self.handlers

        def register_at_fork(*, before=None, after_in_child=None, after_in_parent=None):
            handlers.extend(fn for fn in (before, after_in_child, after_in_parent) if fn is not None)
            return original(before=before, after_in_child=after_in_child, after_in_parent=after_in_parent)

        os.register_at_fork = posix.register_at_fork = register_at_fork
        # The gate's own tools (stdlib, the image's packages) may register theirs.
        self.trusted = tuple(
            d.rstrip('/') + '/' for d in (os.path.dirname(os.__file__), os.path.dirname(_pytest_dir()))
        )

    def foreign_handler(self):
        """A handler registered during collection from outside the gate's tools, or None."""
        for fn in self.handlers:
            code = fn.__code__ if type(fn) is types.FunctionType else None
            filename = code.co_filename if code is not None else ''
            if not (type(filename) is str and filename.startswith(self.trusted)):
                return fn
        return None

    def random_state(self):
        """The state every run must start from, or None when a fork's reseed is what a fresh
        process would have (collection left the module as it found it)."""
        state = self.random.getstate()
        return None if state == self.random_before else state


def _pytest_dir():
    import _pytest

    return os.path.dirname(_pytest.__file__)


def _file_server_plugin(emit, state, cfg, cov, plugin, guard, watch):
    import pytest

    class FileServer:
        @pytest.hookimpl(tryfirst=True)
        def pytest_runtestloop(self, session):
            import gc
            import socket
            import threading

            state['busy'] = True  # from here on the harness's own code, until a child's test
            items = {}
            for it in session.items:
                items.setdefault(it.nodeid, it)
            why = ''
            if session.testsfailed:
                why = 'the file did not collect'
            elif not items:
                why = 'no tests collected'
            elif threading.active_count() > 1 or len(os.listdir('/proc/self/task')) > 1:
                why = 'threads were running after collection'
            elif watch.foreign_handler() is not None:
                why = 'the project registered fork handlers (os.register_at_fork) at import'
            if why:
                emit({'ev': 'serve-refused', 'why': why})
                return True
            if cov is not None:
                cov.stop()  # each child starts it again: import-time lines are in every run's data
            random_state = watch.random_state()
            # Before the freeze (frozen objects are out of gc's reach): the live functions a
            # mutant run patches.
            state['mutable'] = _mutable_functions(cfg.get('mutable_files') or ())
            emit({'ev': 'serving', 'items': len(items)})
            gc.freeze()  # the collected objects stay shared with every child instead of copied
            sock = socket.socket(fileno=FILE_SERVER_FD)

            def on_request(req, fds):
                item = items.get(req.get('nodeid'))
                if item is None or len(fds) != 4:
                    for fd in fds:
                        os.close(fd)
                    return {'id': req.get('id'), 'error': 'no such test here, or not 4 descriptors'}
                return _fork_for(
                    sock,
                    req,
                    fds,
                    lambda r, f: _item_child(r, f, item, session, emit, state, cov, plugin, guard, random_state),
                )

            _fork_loop(sock, on_request)
            return True

    return FileServer()


def _mutable_functions(rels):
    """{(file relative to the tree, qualname, first line): [function objects]} of the
    changed code files, as the collection imported them (tg_mutate names them the same way)."""
    import gc
    import types

    root = os.getcwd().rstrip('/') + '/'
    wanted = {root + r: r for r in rels}
    index = {}
    if not wanted:
        return index
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType:
            code = obj.__code__
            rel = wanted.get(code.co_filename)
            if rel is not None:
                index.setdefault((rel, code.co_qualname, code.co_firstlineno), []).append(obj)
    return index


def _apply_mutant(index, mutant):
    """Swaps the mutant's code into the live functions it mutates; how many it patched
    (none when the collection never imported that function, or the closure differs)."""
    import base64
    import marshal

    functions = index.get((mutant['file'], mutant['qualname'], int(mutant['firstLine']))) or []
    if not functions:
        return 0
    code = marshal.loads(base64.b64decode(mutant['code']))
    # Tracebacks and the check/crash attribution (_failure_kind) see this tree's path.
    code = _with_filename(code, functions[0].__code__.co_filename)
    patched = 0
    for fn in functions:
        try:
            fn.__code__ = code
            patched += 1
        except ValueError:  # a different number of free variables
            pass
    return patched


def _with_filename(code, filename):
    import types

    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _decide_tracing_now(cov):
    """Coverage decides per source file whether to trace it, on the first frame it sees
    from it, and caches that. A file server's children would each decide again for
    pytest's own files (they run first in the child); decided once here, before any
    repository code exists, every child inherits the answers."""
    cache = cov._collector.should_trace_cache  # coverage 6.5's: filename -> disposition
    for module in list(sys.modules.values()):
        filename = getattr(module, '__file__', None)
        if isinstance(filename, str) and filename.endswith('.py') and filename not in cache:
            cache[filename] = cov._should_trace(filename, None)


def _collected_arcs(collector):
    """What the collector holds, as Collector.flush_data would hand it to the data file:
    {measured file: {(from line, to line)}} (the C tracer packs each pair into one int)."""
    data = {}
    for filename, recorded in list(collector.data.items()):
        if not getattr(collector, 'packed_arcs', False):
            data[filename] = set(recorded)
            continue
        arcs = set()
        for packed in recorded:
            l1 = packed & 0xFFFFF
            l2 = (packed & (0xFFFFF << 20)) >> 20
            if packed & (1 << 40):
                l1 *= -1
            if packed & (1 << 41):
                l2 *= -1
            arcs.add((l1, l2))
        data[filename] = arcs
    return collector.mapped_file_dict(data)


def _write_run_arcs(path, import_arcs, test_arcs):
    """A served run's coverage, as tg_coverage.read_run_arcs reads it: the arcs measured
    before the fork (import time) and after it (the test), per measured file."""

    def plain(arcs):
        return {f: sorted(v) for f, v in arcs.items()}

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as f:
        json.dump({'format': 'testgate-run-arcs', 'import': plain(import_arcs), 'test': plain(test_arcs)}, f)


def _item_child(req, fds, item, session, emit, state, cov, plugin, guard, random_state):
    """In a file server's child: become a test run of its own, run one item, report, exit."""
    import tempfile

    from _pytest.outcomes import Exit

    code = 3
    try:
        _become_child(req, fds, dumpable=False)
        tempfile.tempdir = None  # gettempdir() answers from this run's TMPDIR
        if random_state is not None:
            import random

            random.setstate(random_state)  # a seed set at import holds in every run, as it would fresh
        factory = getattr(session.config, '_tmp_path_factory', None)
        if factory is not None:
            factory._basetemp = None  # tmp_path under this run's temp dir, not the server's
        head, run = _read_stdin_lines()
        emit.retarget(head['token'])
        writable = [run['tmp']] + ([os.path.dirname(run['coverage']['data_file'])] if run.get('coverage') else [])
        try:
            installed = guard.install(writable)
        except Exception as e:  # noqa: BLE001 -- the gate's own fault, said as such
            emit({'ev': 'guard-error', 'message': repr(e)[:500]})
            os._exit(70)
        emit({'ev': 'guard', **installed})
        plugin.budget['cpu_seconds'] = float(run['cpu_seconds'])
        plugin.marks['item'] = (type(item), _function_id(item))
        with_coverage = cov is not None and bool(run.get('coverage'))
        # No dynamic contexts here (each switch writes coverage's database): what the
        # collector holds at the fork is import time, everything it gathers after is the test's.
        plugin.budget['coverage'] = False
        collector = cov._collector if with_coverage else None  # coverage 6.5's
        if collector is not None:
            import_arcs = _collected_arcs(collector)
            collector.data.clear()
        if run.get('mutant'):
            patched = _apply_mutant(state.get('mutable') or {}, run['mutant'])
            emit({'ev': 'mutant', 'patched': patched})
            if not patched:
                os._exit(0)  # nothing to run against: the harness counts the mutant as not run
            # Only where it failed matters (_failure_kind reads the exception itself): a
            # formatted traceback of each killed mutant would cost more than its run.
            session.config.option.tbstyle = 'no'
        emit({'ev': 'ready'})
        failed_before = session.testsfailed
        state['busy'] = False
        if collector is not None:
            cov.start()
        try:
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=None)
            code = 1 if session.testsfailed > failed_before else 0
        except (Exit, KeyboardInterrupt) as e:  # pytest.exit(), or an interrupt: as pytest.main says them
            returncode = getattr(e, 'returncode', None)
            code = int(returncode) if returncode is not None else 2
        except BaseException:  # noqa: BLE001 -- pytest.main would call it an internal error
            import traceback

            traceback.print_exc()
            code = 3
        if collector is not None:
            state['busy'] = True
            try:
                cov.stop()
                _write_run_arcs(run['coverage']['data_file'], import_arcs, _collected_arcs(collector))
            except Exception as e:  # noqa: BLE001 -- coverage is evidence, not a reason to lose the result
                emit({'ev': 'coverage-error', 'message': repr(e)[:2000]})
            state['busy'] = False
        session.exitstatus = code
        # Only the gate's own session finish, which sends the result: the others' (the
        # terminal summary, a conftest's hook) add nothing to one run and cost it a millisecond.
        plugin.pytest_sessionfinish(session, code)
        emit({'ev': 'exit', 'code': int(code)})
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 -- a child never returns into the server's loop
        _child_crashed()
    os._exit(code if code < 256 else 3)


# Run by tg_evaluate.child_code in a namespace of its own: nothing of it lands in sys.modules
# or in __main__. The zygote runs the same source, under the same name (what a test sees of
# it, e.g. `__testgate_bootstrap__._Blocked`, does not depend on how its child started), with
# `__testgate_role__` set (tg_evaluate.zygote_code).
if __name__ == '__testgate_bootstrap__':
    if globals().get('__testgate_role__') == 'zygote':
        serve(int(sys.argv[1]), json.loads(sys.argv[2]))
    else:
        main()
