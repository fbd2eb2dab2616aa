"""Per-test coverage summary from one child's coverage data file.

Each test runs alone in its own process, and the child switches coverage's dynamic context
to `t|setup`, `t|call`, `t|teardown` around the test, so querying those contexts leaves
out what ran at import/collection time (a changed `def` line executes on import, which
would otherwise count as "covered" by every test).
"""
from __future__ import annotations

import ast
import os

_static_cache: dict = {}


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
    except (SyntaxError, ValueError, OSError):
        pass
    hit = (reporter, branch_lines, handlers)
    _static_cache[abs_path] = hit
    return hit


def empty() -> dict:
    return {'changedLinesCovered': {}, 'changedBranchesCovered': 0, 'linesCovered': 0,
            'branchesCovered': 0, 'errorPathLinesReached': {}}


def summarize(data_file: str, run_head: str, pristine_head: str, changed_lines: dict,
              error_lines: dict, is_test_file) -> dict:
    """Coverage evidence of one test.

    changed_lines: {rel: [line]}; error_lines: {rel: {'raise': set, 'except': set}};
    is_test_file(rel) -> bool excludes test code from the totals.
    """
    out = empty()
    if not os.path.exists(data_file):
        return out
    from coverage import CoverageData

    data = CoverageData(basename=data_file)
    data.read()
    data.set_query_contexts([r'^t\|'])
    run_head = os.path.realpath(run_head)
    for measured in sorted(data.measured_files()):
        rel = os.path.relpath(os.path.realpath(measured), run_head)
        if rel.startswith('..') or is_test_file(rel):
            continue
        lines = set(data.lines(measured) or ())
        if not lines:
            continue
        arcs = set(data.arcs(measured) or ())
        pristine = os.path.join(pristine_head, rel)
        reporter, branch_lines, handlers = _static(pristine) if os.path.exists(pristine) else (None, set(), {})
        if reporter is not None:
            try:
                lines = set(reporter.first_lines(lines))
                arcs = set(reporter.translate_arcs(arcs))
            except Exception:  # noqa: BLE001
                pass
        taken = {(a, b) for (a, b) in arcs if a in branch_lines}
        out['linesCovered'] += len(lines)
        out['branchesCovered'] += len(taken)
        changed = set(changed_lines.get(rel, ()))
        if changed:
            hit = sorted(lines & changed)
            if hit:
                out['changedLinesCovered'][rel] = hit
            out['changedBranchesCovered'] += sum(1 for (a, _) in taken if a in changed)
        err = error_lines.get(rel)
        if err:
            reached = {l for l in err.get('raise', ()) if l in lines}
            # An `except` line counts as reached when its body's first line ran: coverage
            # also marks the clause line when it is merely tested and does not match.
            for l in err.get('except', ()):
                first = handlers.get(l)
                if first is not None and first in lines:
                    reached.add(l)
            if reached:
                out['errorPathLinesReached'][rel] = sorted(reached)
    return out

