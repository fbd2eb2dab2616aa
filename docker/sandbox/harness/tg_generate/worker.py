"""Explorer child: imports the PR's module and calls its changed functions.

Usage: python3 -I worker.py SPEC.json OUT.jsonl
       python3 -I worker.py --serve SOCKET_FD   (the explorers' fork server, tg_generate)

The PR's code is untrusted, so this runs in a separate, rlimited process (tg_child), with an
audit hook that blocks and reports I/O (network, processes, files, sleeping) while a target
runs: such a target gets no tests, since they would be flaky or unsafe. Results go to
OUT.jsonl through a descriptor opened before the PR's code is imported, one JSON record a
line, so a crash loses only the target being explored.

mode "explore": Hypothesis drives inputs from strategies.py under a time budget; per case we
record the outcome (return value source, or exception type, message and line) and the arcs
covered in the target's file (coverage.py, branch=True, one dynamic context per case).
mode "replay": re-run chosen calls (from their source) in this fresh process and report
outcomes again, so the host keeps only cases that repeat exactly.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import json
import os
import re
import signal
import sys
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.dirname(HERE) not in sys.path:
    sys.path.insert(0, os.path.dirname(HERE))

import tg_audit_events  # noqa: E402 -- from the harness dir, put on sys.path just above


class CallTimeout(BaseException):
    """A call ran past its per-call deadline (a BaseException: `except Exception` in the PR's
    code must not swallow it)."""


class Blocked(BaseException):
    """The audit hook refused an operation a target attempted."""


class CtorFailed(BaseException):
    """The instance for a method call could not be built from the drawn arguments."""


class Stop(BaseException):
    """The target's exploration budget is spent."""


_STATE: dict[str, Any] = {'phase': 'setup', 'events': [], 'read_roots': ()}

# Operations a target must not perform (prefix match on the audit event name): what a
# test may not do, and more (tg_audit_events).
_BLOCKED_EVENTS = tg_audit_events.EXPLORER_BLOCKED
_WRITE_FLAGS = tg_audit_events.WRITE_FLAGS


def _audit(event: str, args: tuple[Any, ...]) -> None:
    phase = _STATE['phase']
    if phase not in ('call', 'import'):
        return
    if event == 'open':
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if isinstance(path, int):
            return
        writing = (isinstance(mode, str) and any(c in mode for c in 'wax+')) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        p = os.fsdecode(path) if isinstance(path, (str, bytes)) else str(path)
        absp = os.path.abspath(p)
        if writing:
            if phase == 'import' and absp.startswith(os.getcwd() + os.sep):
                return
        elif phase == 'import' or any(absp.startswith(r) for r in _STATE['read_roots']):
            return
        _STATE['events'].append(f'{"writes" if writing else "reads"} a file ({p[:200]})')
        raise Blocked(f'open {p}')
    if event.startswith(_BLOCKED_EVENTS) and not (
        phase == 'import' and event.startswith(('os.listdir', 'os.scandir', 'glob.glob', 'threading.'))
    ):
        detail = event
        _STATE['events'].append(detail)
        raise Blocked(event)


class _NoStdin:
    """sys.stdin while exploring: a call that reads it gives environment-dependent results, so the case is dropped."""

    def __getattr__(self, name: str) -> Any:
        # Any use, not just reads: `sys.stdin.close()` must not become recorded behaviour either.
        raise Blocked('uses stdin')

    def __iter__(self) -> Any:
        raise Blocked('uses stdin')


def _on_alarm(signum: int, frame: Any) -> None:
    raise CallTimeout()


def _set_alarm(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))


def _clear_alarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


class Writer:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def __call__(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, default=repr) + '\n').encode()
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]


def _resolve(module: Any, qualname: str) -> tuple[Any, Any, str]:
    """(callable, owning class or None, attribute name)."""
    parts = qualname.split('.')
    owner: Any = module
    for p in parts[:-1]:
        owner = getattr(owner, p)
    name = parts[-1]
    if isinstance(owner, type):
        return inspect.getattr_static(owner, name), owner, name
    return getattr(owner, name), None, name


def _split(values: dict[str, Any], params: list[inspect.Parameter]) -> tuple[list[tuple[str, str, Any]], bool]:
    """[(name, 'pos'|'kw', value)] in call order, OMIT left out; False if not expressible."""
    from tg_generate.strategies import OMIT

    out: list[tuple[str, str, Any]] = []
    positional = True
    for p in params:
        v = values.get(p.name, OMIT)
        if v is OMIT:
            if p.kind is p.POSITIONAL_ONLY:
                return out, False
            positional = False
            continue
        if p.kind is p.KEYWORD_ONLY or not positional:
            if p.kind is p.POSITIONAL_ONLY:
                return out, False
            out.append((p.name, 'kw', v))
        else:
            out.append((p.name, 'pos', v))
    return out, True


def _call_values(items: list[tuple[str, str, Any]]) -> tuple[list[Any], dict[str, Any]]:
    pos = [v for _, k, v in items if k == 'pos']
    kw = {n: v for n, k, v in items if k == 'kw'}
    return pos, kw


_ADDR = re.compile(r' at 0x[0-9a-fA-F]+')


def _exc_ref(exc: BaseException, module_name: str, ns: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """How the test names the exception type: builtin, the module's own, or its nearest builtin base."""
    import builtins
    from tg_generate import literals

    t = type(exc)
    if t.__module__ == 'builtins':
        return t.__name__, []
    imports: set[tuple[str, str]] = set()
    try:
        name = literals._class_ref(t, module_name, ns, imports)
        return name, sorted(imports)
    except literals.Opaque:
        for base in t.__mro__[1:]:
            if base.__module__ == 'builtins' and getattr(builtins, base.__name__, None) is base:
                return base.__name__, []
    return 'Exception', []


def _outcome(
    kind: str, result: Any, exc: BaseException | None, tb: Any, ctx: dict[str, Any], instance: Any = None
) -> dict[str, Any] | None:
    """The recorded behaviour of one call, or None when it cannot become an assertion."""
    from tg_generate import literals

    module_name, ns, file = ctx['module'], ctx['ns'], ctx['file']
    if exc is not None:
        line = None
        for frame, lineno in traceback.walk_tb(tb):
            if os.path.abspath(frame.f_code.co_filename) == file:
                line = lineno
        name, imports = _exc_ref(exc, module_name, ns)
        msg = _ADDR.sub('', str(exc).split('\n', 1)[0])[:160]
        return {
            'kind': 'raise',
            'exc': name,
            'excType': type(exc).__name__,
            'message': msg,
            'line': line,
            'imports': imports,
        }
    state: list[list[str]] = []
    if instance is not None:
        for attr, value in sorted(getattr(instance, '__dict__', {}).items())[:12]:
            if attr.startswith('_'):
                continue
            try:
                src, imps = literals.checked_source(value, module_name, ns)
            except literals.Opaque:
                continue
            except Exception:  # noqa: BLE001 - a hostile __eq__ or __repr__
                continue
            state.append([attr, src, json.dumps(imps)])
            if len(state) >= 4:
                break
    if kind == 'init':
        return {'kind': 'state', 'state': state} if state else None
    try:
        src, imports = literals.checked_source(result, module_name, ns)
        return {'kind': 'return', 'src': src, 'imports': imports, 'state': state if result is None else []}
    except literals.Opaque:
        pass
    except Exception:  # noqa: BLE001
        return None
    imports_set: set[tuple[str, str]] = set()
    try:
        ref = literals._class_ref(type(result), module_name, ns, imports_set)
    except literals.Opaque:
        return None
    return {'kind': 'instance', 'cls': ref, 'imports': sorted(imports_set)}


class CaseCoverage:
    """Per-case arcs in the target's file: one coverage.py dynamic context per case, harvested in batches."""

    def __init__(self, file: str) -> None:
        import coverage

        self.file = file
        self.cov = coverage.Coverage(data_file=None, branch=True, include=[file], config_file=False)
        self.cov._warn_no_data = False  # type: ignore[attr-defined]
        self.n = 0
        self.running = False

    def start(self) -> None:
        if not self.running:
            self.cov.start()
            self.running = True

    def begin(self) -> str:
        self.n += 1
        ctx = f'case{self.n}'
        self.cov.switch_context(ctx)
        return ctx

    def end(self) -> None:
        self.cov.switch_context('idle')

    def harvest(self, contexts: list[str]) -> dict[str, list[list[int]]]:
        if self.running:
            self.cov.stop()
            self.running = False
        data = self.cov.get_data()
        files = [
            f
            for f in data.measured_files()
            if os.path.abspath(f) == self.file or os.path.realpath(f) == os.path.realpath(self.file)
        ]
        out: dict[str, list[list[int]]] = {}
        for ctx in contexts:
            arcs: set[tuple[int, int]] = set()
            if files:
                data.set_query_contexts(['^' + re.escape(ctx) + '$'])
                for f in files:
                    arcs.update(data.arcs(f) or [])
            out[ctx] = sorted([a, b] for a, b in arcs)
        data.set_query_contexts(None)
        self.cov.erase()
        return out


_ODD = re.compile(r'\\[xuUN]|e-\d|[^ -~]')


def _cost(src: str) -> int:
    """Readability cost of an argument's source: its length, escapes and exponents count extra."""
    return len(src) + 6 * len(_ODD.findall(src))


def _invoke(
    kind: str, target: Any, cls: Any, attr: str, ctor_items: list[Any], items: list[Any], generator: bool
) -> tuple[Any, Any]:
    """Run one call; returns (result, instance-or-None)."""
    pos, kw = _call_values(items)
    instance = None
    if kind == 'function':
        result = target(*pos, **kw)
    elif kind == 'init':
        instance = cls(*pos, **kw)
        result = None
    elif kind == 'method':
        cpos, ckw = _call_values(ctor_items)
        try:
            instance = cls(*cpos, **ckw)
        except Exception as exc:  # noqa: BLE001 - a constructor rejecting its arguments is not the method's behaviour
            raise CtorFailed() from exc
        result = getattr(instance, attr)(*pos, **kw)
    else:  # staticmethod, classmethod
        result = getattr(cls, attr)(*pos, **kw)
    if generator:
        result = list(itertools.islice(result, 101))
        if len(result) > 100:
            raise Stop()  # unbounded generator: not a literal
    return result, instance


def _sources(items: list[tuple[str, str, Any]], ctx: dict[str, Any]) -> list[list[Any]] | None:
    from tg_generate import literals

    out = []
    for name, k, v in items:
        try:
            src, imps = literals.checked_source(v, ctx['module'], ctx['ns'])
        except Exception:  # noqa: BLE001 - Opaque or a hostile __eq__: the case is not expressible
            return None
        out.append([name, k, src, imps])
    return out


def explore_target(t: dict[str, Any], module: Any, ctx: dict[str, Any], emit: Writer) -> None:
    """Explores one target: resolves it and builds its strategies, runs the seeds and then
    Hypothesis's cases under its time budget, and emits the smallest case per behaviour."""
    from hypothesis import strategies as st

    from tg_generate import strategies as S

    qual = t['qualname']
    try:
        target, cls, attr = _resolve(module, qual)
    except AttributeError as exc:
        emit({'t': 'skip', 'target': qual, 'reason': f'not found after import ({exc})'})
        return
    kind = t['kind']
    if kind == 'method' and attr == '__init__':
        kind = 'init'
    if isinstance(target, (staticmethod, classmethod)):
        callable_ = getattr(cls, attr)
    else:
        callable_ = target
    if not callable(callable_):
        emit({'t': 'skip', 'target': qual, 'reason': 'not a plain function or method'})
        return
    lits = t['literals']
    lits['_pool'] = S.resolve_consts(lits['all'], module, cls) + S.global_consts(lits['globals'], module, cls)

    ctor_strategy: Any = st.just({})
    ctor_params: list[inspect.Parameter] = []
    if kind == 'method':
        ctor_strategy, ctor_params, reason = S.signature_strategy(
            cls, lits, module, cls, skip_first=False, key_prefix='__init__.'
        )
        if ctor_strategy is None:
            emit({'t': 'skip', 'target': qual, 'reason': f'cannot build {cls.__name__} from literals: {reason}'})
            return
    if kind == 'init':
        args_strategy, params, reason = S.signature_strategy(cls, lits, module, cls, skip_first=False)
    else:
        args_strategy, params, reason = S.signature_strategy(
            callable_, lits, module, cls, skip_first=(kind == 'method')
        )
    if args_strategy is None:
        emit({'t': 'skip', 'target': qual, 'reason': reason})
        return
    _TargetExploration(t, ctx, emit, kind, callable_, cls, attr, params, ctor_params).run(ctor_strategy, args_strategy)


class _TargetExploration:
    """The cases of one target, as they are explored: each call's outcome and arcs, the
    smallest case kept per (arcs, outcome), counts of what was dropped."""

    def __init__(
        self,
        t: dict[str, Any],
        ctx: dict[str, Any],
        emit: Writer,
        kind: str,
        callable_: Any,
        cls: Any,
        attr: str,
        params: list[inspect.Parameter],
        ctor_params: list[inspect.Parameter],
    ) -> None:
        self.t, self.ctx, self.emit, self.qual = t, ctx, emit, t['qualname']
        self.kind, self.callable_, self.cls, self.attr = kind, callable_, cls, attr
        self.params, self.ctor_params = params, ctor_params
        self.cov = CaseCoverage(ctx['file'])
        self.deadline = time.monotonic() + float(t['budget'])
        self.call_timeout = float(t.get('callTimeout', 0.5))
        self.best: dict[Any, dict[str, Any]] = {}
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.stats = {'calls': 0, 'opaque': 0, 'timeouts': 0, 'dropped': 0}

    def flush(self) -> None:
        """Harvests the pending cases' arcs and keeps the smallest case per behaviour."""
        if not self.pending:
            return
        arcs_by_ctx = self.cov.harvest([c for c, _ in self.pending])
        for c, case in self.pending:
            arcs = arcs_by_ctx.get(c, [])
            case['arcs'] = arcs
            o = case['outcome']
            sig = (tuple(map(tuple, arcs)), o['kind'], o.get('excType'), o.get('line'))
            size = case['size']
            prev = self.best.get(sig)
            if prev is None or size < prev['size']:
                if prev is None and len(self.best) >= 400:
                    continue
                self.best[sig] = case
        self.pending.clear()

    def run_case(self, ctor_values: dict[str, Any], values: dict[str, Any]) -> None:
        """One call of the target with drawn arguments, recorded unless it is unusable."""
        if time.monotonic() > self.deadline:
            raise Stop()
        items, ok = _split(values, self.params)
        citems, cok = _split(ctor_values, self.ctor_params)
        if not (ok and cok):
            return
        srcs = _sources(items, self.ctx)
        csrcs = _sources(citems, self.ctx) if self.kind == 'method' else []
        if srcs is None or csrcs is None:
            self.stats['opaque'] += 1
            return
        self.stats['calls'] += 1
        self.cov.start()
        c = self.cov.begin()
        result = exc = tb = instance = None
        started = time.monotonic()
        _STATE['phase'] = 'call'
        _set_alarm(self.call_timeout)
        try:
            result, instance = _invoke(
                self.kind, self.callable_, self.cls, self.attr, citems, items, self.t.get('generator', False)
            )
        except CallTimeout:
            self.stats['timeouts'] += 1
            exc = CallTimeout()
        except Blocked as e:
            exc = e
        except (Stop, CtorFailed):
            exc = Stop()
        except (RecursionError, MemoryError) as e:
            exc = e
        except Exception as e:  # noqa: BLE001 - the behaviour being recorded
            exc, tb = e, e.__traceback__
        except BaseException as e:  # noqa: BLE001 -- SystemExit, KeyboardInterrupt, GeneratorExit from the PR's code
            exc = e
        finally:
            _clear_alarm()
            _STATE['phase'] = 'explore'
            self.cov.end()
        elapsed = time.monotonic() - started
        if _STATE['events']:
            raise Stop()
        if isinstance(exc, (CallTimeout, Stop, RecursionError, MemoryError)) or (
            exc is not None and not isinstance(exc, Exception)
        ):
            self.stats['dropped'] += 1
            return
        if elapsed > 0.25:
            self.stats['dropped'] += 1  # would be a slow test
            return
        try:
            o = _outcome(
                self.kind, result, exc, tb, self.ctx, instance if (self.kind == 'init' or result is None) else None
            )
        except Exception:  # noqa: BLE001
            o = None
        if o is None:
            self.stats['opaque'] += 1
            return
        size = sum(_cost(s[2]) for s in srcs) + sum(_cost(s[2]) for s in csrcs) + (len(o.get('src', '')) // 4)
        self.pending.append((c, {'args': srcs, 'ctor': csrcs, 'outcome': o, 'size': size}))
        if len(self.pending) >= 150:
            self.flush()

    def seeds(self) -> list[dict[str, Any]]:
        """The all-defaults call and the docstring's examples."""
        seeds: list[dict[str, Any]] = []
        if all(p.default is not inspect.Parameter.empty for p in self.params):
            seeds.append({})
        for d in self.t.get('doctests', []):
            try:
                vals = [ast.literal_eval(a) for a in d['args']]
                kws = {k: ast.literal_eval(v) for k, v in d['kwargs'].items()}
            except (ValueError, SyntaxError):
                continue
            positional = [p for p in self.params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            if len(vals) > len(positional):
                continue
            seed = {p.name: v for p, v in zip(positional, vals)}
            seed.update({k: v for k, v in kws.items() if any(p.name == k for p in self.params)})
            if all(p.name in seed or p.default is not inspect.Parameter.empty for p in self.params):
                seeds.append(seed)
        return seeds

    def run(self, ctor_strategy: Any, args_strategy: Any) -> None:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import strategies as st

        seeds = self.seeds()
        try:
            ctor_seed: dict[str, Any] = {}
            if self.kind == 'method' and not all(p.default is not inspect.Parameter.empty for p in self.ctor_params):
                ctor_seed = None  # type: ignore[assignment]
            if ctor_seed is not None:
                for seed in seeds:
                    self.run_case(ctor_seed, seed)

            @settings(
                max_examples=10**6,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                report_multiple_bugs=False,
                print_blob=False,
            )
            @given(st.tuples(ctor_strategy, args_strategy))
            def explore(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
                self.run_case(pair[0], pair[1])

            explore()
        except Stop:
            pass
        except Exception as e:  # noqa: BLE001 - a strategy that cannot generate: report, keep what we have
            self.emit(
                {
                    't': 'note',
                    'target': self.qual,
                    'message': f'exploration ended early: {type(e).__name__}: {str(e)[:300]}',
                }
            )
        self.flush()
        if self.cov.running:
            self.cov.cov.stop()
        if _STATE['events']:
            self.emit({'t': 'io', 'target': self.qual, 'events': sorted(set(_STATE['events']))[:5]})
            _STATE['events'] = []
            return
        cases = sorted(self.best.values(), key=lambda c: c['size'])
        for c in cases:
            c.pop('size', None)
        self.emit({'t': 'cases', 'target': self.qual, 'kind': self.kind, 'cases': cases, 'stats': self.stats})


def replay_target(t: dict[str, Any], module: Any, ctx: dict[str, Any], emit: Writer) -> None:
    qual = t['qualname']
    target, cls, attr = _resolve(module, qual)
    kind = t['kind']
    callable_ = getattr(cls, attr) if isinstance(target, (staticmethod, classmethod)) else target
    import importlib as _il

    # Twice over: the second pass catches results that depend on what ran before (hidden state).
    for rnd, (i, case) in itertools.product(range(2), enumerate(t['cases'])):
        env: dict[str, Any] = {'__builtins__': {'set': set, 'frozenset': frozenset}}

        def value(src: str, imps: list[list[str]], env: dict[str, Any] = env) -> Any:
            for mod, name in imps:
                env[name] = (
                    ctx['ns'][name]
                    if mod == ctx['module'] and name in ctx['ns']
                    else getattr(_il.import_module(mod), name)
                )
            return eval(compile(src, '<case>', 'eval'), env)  # noqa: S307 - sources we generated and verified

        items = [(n, k, value(s, imps)) for n, k, s, imps in case['args']]
        citems = [(n, k, value(s, imps)) for n, k, s, imps in case.get('ctor', [])]
        result = exc = tb = instance = None
        _STATE['phase'] = 'call'
        _set_alarm(float(t.get('callTimeout', 0.5)) * 2)
        try:
            result, instance = _invoke(kind, callable_, cls, attr, citems, items, t.get('generator', False))
        except (CallTimeout, Blocked, Stop, CtorFailed) as e:
            exc = e
        except Exception as e:  # noqa: BLE001
            exc, tb = e, e.__traceback__
        except BaseException as e:  # noqa: BLE001
            exc = e
        finally:
            _clear_alarm()
            _STATE['phase'] = 'replay'
        if exc is not None and not isinstance(exc, Exception) or isinstance(exc, (RecursionError, MemoryError)):
            emit({'t': 'replay', 'target': qual, 'index': i, 'round': rnd, 'outcome': None})
            continue
        try:
            o = _outcome(kind, result, exc, tb, ctx, instance if (kind == 'init' or result is None) else None)
        except Exception:  # noqa: BLE001
            o = None
        emit({'t': 'replay', 'target': qual, 'index': i, 'round': rnd, 'outcome': o})
    if _STATE['events']:
        emit({'t': 'io', 'target': qual, 'events': sorted(set(_STATE['events']))[:5]})
        _STATE['events'] = []


def _prepare() -> None:
    """Import our own tools before the PR's code can interfere with them."""
    import coverage  # noqa: F401
    import hypothesis  # noqa: F401

    from tg_generate import literals, strategies  # noqa: F401

    try:
        # Hypothesis builds its Unicode table on the first text draw (a second or more):
        # do it now, not inside the first target's budget.
        from hypothesis.internal.charmap import charmap

        charmap()
    except Exception:  # noqa: BLE001 - only a speed-up
        pass


def serve(sock_fd: int) -> None:
    """The explorers' fork server: our tools imported once, then one forked child per run
    of main(), which starts from there as an exec'd worker would (nothing of the PR's code
    ever runs here). The protocol and the child's setup are the zygote's (tg_audit_bootstrap),
    with {"args": [SPEC, OUT]} in each request."""
    import socket

    _prepare()
    path = os.path.join(os.path.dirname(HERE), 'tg_audit_bootstrap.py')
    lib: dict[str, Any] = {'__name__': '_testgate_bootstrap_library'}
    with open(path, 'rb') as fh:
        exec(compile(fh.read(), path, 'exec'), lib)  # noqa: S102 - our own file, as every child runs it
    lib['_set_dumpable'](0)  # a child of the same uid must not read this process's memory
    sock = socket.socket(fileno=sock_fd)

    def child(req: dict[str, Any], fds: list[int]) -> None:
        code = 70
        try:
            lib['_become_child'](req, fds)
            sys.argv[:] = [os.path.abspath(__file__), *req['args']]
            code = main(sys.argv)
        except BaseException:  # noqa: BLE001 - a child never returns into the server's loop
            traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    def on_request(req: dict[str, Any], fds: list[int]) -> dict[str, Any] | None:
        args = req.get('args')
        if len(fds) != 4 or not (isinstance(args, list) and len(args) == 2 and all(isinstance(a, str) for a in args)):
            for fd in fds:
                os.close(fd)
            return {'id': req.get('id'), 'error': 'expected 4 descriptors and args [SPEC, OUT]'}
        return lib['_fork_for'](sock, req, fds, child)

    lib['_fork_loop'](sock, on_request)
    os._exit(0)


def main(argv: list[str]) -> int:
    with open(argv[1], encoding='utf-8') as fh:
        spec = json.load(fh)
    emit = Writer(argv[2])
    _prepare()
    signal.signal(signal.SIGALRM, _on_alarm)
    # `-I` ignores PYTHONDONTWRITEBYTECODE; writing .pyc next to the PR's code would be blocked anyway.
    sys.dont_write_bytecode = True
    roots = [os.path.abspath(r) for r in spec['importRoots']]
    env_paths = [os.path.abspath(p) for p in spec.get('envPaths', ())]
    stdlib = os.path.dirname(os.__file__)
    _STATE['read_roots'] = tuple(
        r + os.sep for r in [*roots, *env_paths, stdlib, sys.prefix, '/usr/lib/python3', '/usr/share/zoneinfo']
    )
    # The kernel's blocks first (no process, no signal to others, writes only in our cwd):
    # they hold whatever the PR's code does to the audit hook below.
    import tg_kernel_guard

    tg_kernel_guard.install([os.getcwd()])
    sys.path[:0] = roots
    # The project's dependencies: after the standard library, before the image's dist-packages.
    at = next((i for i, p in enumerate(sys.path) if p.endswith(('/dist-packages', '/site-packages'))), len(sys.path))
    sys.path[at:at] = env_paths
    sys.addaudithook(_audit)
    sys.stdin = _NoStdin()  # type: ignore[assignment]
    _STATE['phase'] = 'import'
    _set_alarm(float(spec.get('importTimeout', 10)))
    try:
        module = importlib.import_module(spec['module'])
    except BaseException as exc:  # noqa: BLE001 - any import failure is reported, not raised
        _clear_alarm()
        _STATE['phase'] = 'setup'
        tail = ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]
        emit({'t': 'import', 'ok': False, 'error': tail, 'events': _STATE['events'][:5]})
        return 0
    _clear_alarm()
    _STATE['phase'] = 'setup'
    emit({'t': 'import', 'ok': True, 'events': _STATE['events'][:5]})
    _STATE['events'] = []
    file = os.path.abspath(spec['file'])
    ctx = {'module': spec['module'], 'ns': vars(module), 'file': file}
    if os.path.abspath(getattr(module, '__file__', '') or '') != file:
        emit({'t': 'note', 'message': f'{spec["module"]} imports from {getattr(module, "__file__", None)}, not {file}'})
    for t in spec['targets']:
        _STATE['phase'] = 'explore'
        try:
            if spec['mode'] == 'replay':
                replay_target(t, module, ctx, emit)
            else:
                explore_target(t, module, ctx, emit)
        except BaseException as exc:  # noqa: BLE001 - one target's failure must not lose the others
            emit(
                {
                    't': 'skip',
                    'target': t['qualname'],
                    'reason': f'explorer error: {type(exc).__name__}: {str(exc)[:300]}',
                }
            )
        emit({'t': 'done', 'target': t['qualname']})
    return 0


if __name__ == '__main__':
    if sys.argv[1:2] == ['--serve']:
        serve(int(sys.argv[2]))
    sys.exit(main(sys.argv))
