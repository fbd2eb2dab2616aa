"""Per-test coverage summary from one child's coverage data file.

Each test runs alone in its own process, and the child switches coverage's dynamic context
to `t|setup`, `t|call`, `t|teardown` around the test, so querying those contexts leaves
out what ran at import/collection time (a changed `def` line executes on import, which
would otherwise count as "covered" by every test). A run forked by its test file's server
writes instead the arcs gathered before the fork (collection: import time) and after it
(the test) as JSON; both read the same here (_read_arcs).
"""

from __future__ import annotations

import ast
import functools
import json
import os
import threading

_static_cache: dict = {}
RUN_ARCS_FORMAT = 'testgate-run-arcs'

_import_time_cache: dict = {}
# CPython 3.11's ast.parse is not safe in parallel threads (python/cpython#106905: "AST
# constructor recursion depth mismatch"), and coverage's parser calls it too. The run pool
# summarizes coverage from two threads, so every parse here holds this lock: a race there
# made the same commit's verdict flip between runs.
_PARSE_LOCK = threading.RLock()
# What a failing parse raises: SystemError is the 3.11 race above, if it ever slips through.
_PARSE_ERRORS = (SyntaxError, ValueError, OSError, RecursionError, MemoryError, SystemError)


def _parsing(fn):
    @functools.wraps(fn)
    def locked(*args, **kwargs):
        with _PARSE_LOCK:
            return fn(*args, **kwargs)

    return locked


def _bound_names(node: ast.AST) -> set:
    """Names a module-level statement binds or, for `__all__`, exports; for a bare expression, the names it uses."""
    names: set = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            for alias in sub.names:
                names.add((alias.asname or alias.name).split('.')[0])
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and '__all__' in names:
        names.update(c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str))
    if isinstance(node, ast.Expr):
        names.update(_used_names(node))
    return names


def _used_names(node: ast.AST) -> set:
    names: set = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
    return names


@_parsing
def import_time_statements(abs_path: str) -> tuple[dict, dict]:
    """What of a source file runs at import time, for crediting changes there to the tests that use them.

    Returns (statements, uses):
      statements: first line of each module- or class-level statement -> ('def', body_first, body_last)
                  for a def/class header (decorators and signature lines included), else ('stmt', names)
      uses:       line -> names referenced on that line (Name ids and attribute names)
    """
    hit = _import_time_cache.get(abs_path)
    if hit is not None:
        return hit
    statements: dict = {}
    uses: dict = {}
    try:
        with open(abs_path, 'rb') as f:
            tree = ast.parse(f.read())
    except _PARSE_ERRORS:
        hit = ({}, {})
        _import_time_cache[abs_path] = hit
        return hit
    for sub in ast.walk(tree):
        line = getattr(sub, 'lineno', None)
        if line is None:
            continue
        if isinstance(sub, ast.Name):
            uses.setdefault(line, set()).add(sub.id)
        elif isinstance(sub, ast.Attribute):
            uses.setdefault(getattr(sub, 'end_lineno', line) or line, set()).add(sub.attr)

    def visit(body):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                first_body = node.body[0].lineno if node.body else node.lineno
                for line in range(start, max(first_body, node.lineno + 1)):
                    statements[line] = ('def', first_body, node.end_lineno or node.lineno)
                if isinstance(node, ast.ClassDef):
                    visit(node.body)
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)) or type(node).__name__ == 'TryStar':
                # The header of a module-level `if`/`try`/`with` runs at import; so do the
                # statements in its blocks, which are visited on their own.
                statements[node.lineno] = ('stmt', _bound_names(node))
                for block in ('body', 'orelse', 'finalbody'):
                    visit(getattr(node, block, []) or [])
                for handler in getattr(node, 'handlers', []) or []:
                    visit(handler.body)
            else:
                statements[node.lineno] = ('stmt', _bound_names(node))

    visit(tree.body)
    hit = (statements, uses)
    _import_time_cache[abs_path] = hit
    return hit


@functools.lru_cache(maxsize=64)
@_parsing
def _parsed(abs_path: str) -> ast.Module | None:
    """A test file's tree, parsed once for all its tests."""
    try:
        with open(abs_path, 'rb') as f:
            return ast.parse(f.read())
    except _PARSE_ERRORS:
        return None


def test_names(abs_path: str, cls: str | None, function: str) -> set:
    """Names the test function's own code refers to (its body, decorators and defaults)."""
    tree = _parsed(abs_path)
    if tree is None:
        return set()
    body = tree.body
    if cls:
        holder = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == cls), None)
        body = holder.body if holder is not None else []
    node = next(
        (n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function), None
    )
    return _used_names(node) if node is not None else set()


def credit_import_time(changed: set, test_lines: set, all_lines: set, statements: dict, used: set) -> set:
    """Changed lines that ran at import time (before any test) and that this test relies on.

    A def/class header counts when the test ran a line of its body; any other module- or
    class-level statement counts when it ran in this test's process and the test (its own
    code, or the code it ran) uses a name the statement binds.
    """
    credited = set()
    for line in changed - test_lines:
        info = statements.get(line)
        if info is None:
            continue
        if info[0] == 'def':
            if any(info[1] <= n <= info[2] for n in test_lines):
                credited.add(line)
        elif line in all_lines and info[1] & used:
            credited.add(line)
    return credited


@_parsing
def _static(abs_path: str):
    """(reporter, branch lines, except-line -> first body line) of a pristine source file."""
    hit = _static_cache.get(abs_path)
    if hit is not None:
        return hit
    from coverage.parser import PythonParser

    reporter = None
    branch_lines: set = set()
    try:
        # No exclusion regex: `# pragma: no cover` in the PR is tampering, not a reason to
        # stop counting a line.
        reporter = PythonParser(filename=abs_path)
        reporter.parse_source()
        branch_lines = {line for line, n in reporter.exit_counts().items() if n > 1}
    except Exception:  # noqa: BLE001 -- unparsable source: lines still count, branches do not
        reporter = None
    handlers: dict = {}
    try:
        with open(abs_path, 'rb') as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.body:
                handlers[node.lineno] = node.body[0].lineno
    except _PARSE_ERRORS:
        pass
    hit = (reporter, branch_lines, handlers)
    _static_cache[abs_path] = hit
    return hit


def empty() -> dict:
    return {
        'changedLinesCovered': {},
        'changedBranchesCovered': 0,
        'linesCovered': 0,
        'branchesCovered': 0,
        'errorPathLinesReached': {},
    }


def _read_arcs(data_file: str) -> tuple[dict, dict]:
    """(import-time arcs, the test's arcs) per measured file, from either kind of run.

    A file server's run writes JSON (tg_audit_bootstrap._write_run_arcs); a run of its own
    writes coverage's database, its test's part in the `t|...` contexts."""
    with open(data_file, 'rb') as f:
        first = f.read(1)
    if first == b'{':
        with open(data_file, encoding='utf-8') as f:
            raw = json.load(f)
        if not isinstance(raw, dict) or raw.get('format') != RUN_ARCS_FORMAT:
            raise ValueError('not a run-arcs file')
        return tuple(
            {str(k): {(int(a), int(b)) for a, b in v} for k, v in (raw.get(part) or {}).items()}
            for part in ('import', 'test')
        )
    from coverage import CoverageData

    data = CoverageData(basename=data_file)
    data.read()
    everything = {m: set(data.arcs(m) or ()) for m in data.measured_files()}
    data.set_query_contexts([r'^t\|'])
    test = {m: set(data.arcs(m) or ()) for m in everything}
    return {m: arcs - test[m] for m, arcs in everything.items()}, test


def _arc_lines(arcs) -> set:
    """The lines of a set of arcs, as coverage's CoverageData.lines computes them."""
    return {line for arc in arcs for line in arc if line > 0}


def summarize(
    data_file: str,
    run_head: str,
    pristine_head: str,
    changed_lines: dict,
    error_lines: dict,
    is_test_file,
    names: set = frozenset(),
) -> dict:
    """Coverage evidence of one test.

    changed_lines: {rel: [line]} (statement first lines); error_lines: {rel: {'raise': set, 'except': set}};
    is_test_file(rel) -> bool excludes test code from the totals; names: what the test's own code refers to.
    """
    out = empty()
    if not os.path.exists(data_file):
        return out
    import_arcs, test_arcs = _read_arcs(data_file)
    run_head = os.path.realpath(run_head)
    measured_rel = {}
    for measured in sorted(set(import_arcs) | set(test_arcs)):
        rel = os.path.relpath(os.path.realpath(measured), run_head)
        if not rel.startswith('..') and not is_test_file(rel):
            measured_rel[measured] = rel
    # Everything that ran in this process, import time included (the empty context).
    all_lines = {m: _arc_lines(import_arcs.get(m, ())) | _arc_lines(test_arcs.get(m, ())) for m in measured_rel}
    test_lines = {m: _arc_lines(test_arcs.get(m, ())) for m in measured_rel}
    used = set(names)
    for measured, rel in measured_rel.items():
        pristine = os.path.join(pristine_head, rel)
        if test_lines[measured] and os.path.exists(pristine):
            _stmts, uses = import_time_statements(pristine)
            for line in test_lines[measured]:
                used |= uses.get(line, set())
    for measured, rel in measured_rel.items():
        pristine = os.path.join(pristine_head, rel)
        reporter, branch_lines, handlers = _static(pristine) if os.path.exists(pristine) else (None, set(), {})
        lines, ran = test_lines[measured], all_lines[measured]
        arcs = set(test_arcs.get(measured, ()))
        if reporter is not None:
            try:
                lines, ran = set(reporter.first_lines(lines)), set(reporter.first_lines(ran))
                arcs = set(reporter.translate_arcs(arcs))
            except Exception:  # noqa: BLE001
                pass
        changed = set(changed_lines.get(rel, ()))
        credited = set()
        if changed and os.path.exists(pristine):
            statements, _uses = import_time_statements(pristine)
            credited = credit_import_time(changed, lines, ran, statements, used)
        if not lines and not credited:
            continue
        taken = {(a, b) for (a, b) in arcs if a in branch_lines}
        out['linesCovered'] += len(lines)
        out['branchesCovered'] += len(taken)
        if changed:
            hit = sorted((lines | credited) & changed)
            if hit:
                out['changedLinesCovered'][rel] = hit
            out['changedBranchesCovered'] += sum(1 for (a, _) in taken if a in changed)
        err = error_lines.get(rel)
        if err:
            reached = {line for line in err.get('raise', ()) if line in lines}
            # An `except` line counts as reached when its body's first line ran: coverage
            # also marks the clause line when it is merely tested and does not match.
            for clause in err.get('except', ()):
                first = handlers.get(clause)
                if first is not None and first in lines:
                    reached.add(clause)
            if reached:
                out['errorPathLinesReached'][rel] = sorted(reached)
    return out
