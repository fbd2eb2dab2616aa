"""Assert counting: how many assertions a test makes, and how many of them are always true.

A test with none is rejected as `no-assert`, one whose every assertion holds whatever runs
as `trivial-assert` (tg_truth decides "always true"). A call to an asserting helper of the
repository's test code counts as one assertion.
"""

from __future__ import annotations

import ast
import os

from tg_diff import def_start, read_source
from tg_rule_names import Names
from tg_truth import has_call, truth

ASSERT_CALLS = {"pytest.raises", "pytest.warns", "pytest.deprecated_call", "pytest.fail"}
UNITTEST_TRUE = {"assertTrue", "assert_", "failUnless"}
UNITTEST_FALSE = {"assertFalse", "failIf"}
UNITTEST_SAME = {
    "assertEqual",
    "assertEquals",
    "assertIs",
    "assertAlmostEqual",
    "assertCountEqual",
    "assertListEqual",
    "assertDictEqual",
    "assertSetEqual",
    "assertTupleEqual",
    "assertSequenceEqual",
    "assertMultiLineEqual",
    "assertGreaterEqual",
    "assertLessEqual",
}


def count_asserts(fn: ast.AST, names: Names, helpers: frozenset[str] = frozenset()) -> tuple[int, int]:
    """(assertions, trivially true ones) in a test; a call to an asserting helper counts as one."""
    asserts = trivial = 0
    for n in ast.walk(fn):
        if isinstance(n, ast.Assert):
            asserts += 1
            if truth(n.test, names) is True:
                trivial += 1
        elif isinstance(n, ast.Call):
            fname = names.qual(n.func) or ""
            attr = (
                n.func.attr
                if isinstance(n.func, ast.Attribute)
                else (n.func.id if isinstance(n.func, ast.Name) else "")
            )
            if fname in ASSERT_CALLS or attr.startswith("assert"):
                asserts += 1
                if trivial_unittest(attr, n, names):
                    trivial += 1
            elif attr in helpers:
                asserts += 1
    return asserts, trivial


# Bounds on the helper index: test code of a large repository is read once, not without end.
HELPER_FILES_MAX = 2000
HELPER_BYTES_MAX = 2_000_000


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
            if seen > HELPER_FILES_MAX:
                break
            path = os.path.join(dirpath, name)
            try:
                if os.path.getsize(path) > HELPER_BYTES_MAX:
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
            if name not in helpers and any(count_asserts(n, Names(n), frozen)[0] > 0 for n in nodes):
                helpers.add(name)
    return frozenset(helpers)


def trivial_unittest(attr: str, call: ast.Call, names: Names) -> bool:
    args = call.args
    if attr in UNITTEST_TRUE and args:
        return truth(args[0], names) is True
    if attr in UNITTEST_FALSE and args:
        return truth(args[0], names) is False
    if attr in UNITTEST_SAME and len(args) >= 2:
        a, b = args[0], args[1]
        if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
            return a.value == b.value and type(a.value) is type(b.value)
        return ast.dump(a) == ast.dump(b) and not has_call(a)
    if attr == "assertIsInstance" and len(args) == 2:
        return isinstance(args[1], ast.Name) and args[1].id == "object"
    if attr == "assertIsNotNone" and args:
        return isinstance(args[0], ast.Constant) and args[0].value is not None
    if attr == "assertIsNone" and args:
        return isinstance(args[0], ast.Constant) and args[0].value is None
    return False


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
    names = Names(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and first_line in (def_start(node), node.lineno):
            asserts, trivial = count_asserts(node, names, helpers)
            return {
                "startLine": def_start(node),
                "endLine": node.end_lineno or node.lineno,
                "asserts": asserts,
                "trivialAsserts": trivial,
            }
    return None
