"""Which PR test functions to judge: the ones the PR added or edited, not the untouched neighbours.

A test is edited when its source text (decorators included, trailing blanks ignored) differs
from base. For a parametrized test whose only edit is new `@pytest.mark.parametrize` cases,
`newCases` lists the indices (pytest's collection order) of the cases base did not have.
"""

from __future__ import annotations

import ast
import copy
import os
import re

import tg_naming
import tg_protocol
from tg_diff import def_start, read_source, split_lines

# The request's default test globs (the host sends the repository's own; these are its defaults).
DEFAULT_TEST_GLOBS = tg_protocol.DEFAULT_SETTINGS["testGlobs"]


def glob_to_regex(pattern: str) -> re.Pattern:
    """Git-style glob: `**/` spans zero or more directories, `*` and `?` stay within one."""
    i, out = 0, []
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches_globs(rel_path: str, globs: list[str] | None) -> bool:
    return any(glob_to_regex(g).match(rel_path) for g in (globs or DEFAULT_TEST_GLOBS))


def _is_test_class(node: ast.ClassDef, naming) -> bool:
    if naming.is_test_class(node.name):
        return not any(isinstance(b, ast.FunctionDef) and b.name == "__init__" for b in node.body)
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name.endswith("TestCase"):
            return True
    return False


def _module_level(body: list[ast.stmt]):
    """Statements that run at module level: the body, and the blocks of top-level `if`/`try`/`with`
    (`if sys.platform != "win32": def test_x(): ...` defines a module-level test)."""
    for node in body:
        if isinstance(node, (ast.If, ast.Try, ast.With)) or type(node).__name__ == "TryStar":
            for block in ("body", "orelse", "finalbody"):
                yield from _module_level(getattr(node, block, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                yield from _module_level(handler.body)
        else:
            yield node


def collect_tests(tree: ast.Module, naming=None, mixins: bool = False) -> dict[tuple[str | None, str], ast.AST]:
    """(class name or None, function name) -> def node, as pytest collects them (last definition wins).

    With `mixins`, also the test-named methods of classes pytest does not collect itself
    (`class Checks:` mixed into `class TestA(unittest.TestCase, Checks)`): their tests run
    as methods of the classes that inherit them.
    """
    naming = naming or tg_naming.DEFAULT
    tests: dict[tuple[str | None, str], ast.AST] = {}
    for node in _module_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and naming.is_test_function(node.name):
            tests[(None, node.name)] = node
        elif isinstance(node, ast.ClassDef) and (mixins or _is_test_class(node, naming)):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and naming.is_test_function(sub.name):
                    tests[(node.name, sub.name)] = sub
    return tests


def mixin_classes(tree: ast.Module, naming=None) -> set[str]:
    """Classes with test-named methods that pytest does not collect directly."""
    naming = naming or tg_naming.DEFAULT
    return {n.name for n in _module_level(tree.body) if isinstance(n, ast.ClassDef) and not _is_test_class(n, naming)}


def _segment(lines: list[str], node: ast.AST) -> str:
    start, end = def_start(node), node.end_lineno or node.lineno
    return "\n".join(line.rstrip() for line in lines[start - 1 : end]).strip("\n")


def _parse(path: str) -> tuple[ast.Module | None, list[str]]:
    text = read_source(path)
    if text is None:
        return None, []
    try:
        return ast.parse(text), split_lines(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, split_lines(text)


def _is_parametrize(dec: ast.AST) -> bool:
    return isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "parametrize"


def _argvalues(call: ast.Call) -> tuple[ast.AST | None, str | None, int | None]:
    """(argvalues node, how it is passed: 'pos'/'kw', index)."""
    if len(call.args) >= 2:
        return call.args[1], "pos", 1
    for i, kw in enumerate(call.keywords):
        if kw.arg == "argvalues":
            return kw.value, "kw", i
    return None, None, None


def module_tables(tree: ast.Module | None) -> dict[str, ast.AST]:
    """Module-level `NAME = [...]` / `(...)` literals, the tables a parametrize may name (last binding wins)."""
    tables: dict[str, ast.AST] = {}
    for node in tree.body if tree is not None else []:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name):
                if isinstance(value, (ast.List, ast.Tuple)):
                    tables[target.id] = value
                else:
                    tables.pop(target.id, None)
    return tables


def resolve_tables(node: ast.AST, tables: dict[str, ast.AST]) -> ast.AST:
    """A copy of the def whose parametrize argvalues naming a module table hold that table's literal."""
    clone = copy.deepcopy(node)
    for dec in clone.decorator_list:
        if not _is_parametrize(dec):
            continue
        values, how, idx = _argvalues(dec)
        if isinstance(values, ast.Name) and values.id in tables:
            literal = copy.deepcopy(tables[values.id])
            if how == "pos":
                dec.args[idx] = literal
            else:
                dec.keywords[idx].value = literal
    return clone


def _skeleton(node: ast.AST) -> str:
    """ast.dump of the def with every parametrize argvalues/ids list blanked out."""
    clone = copy.deepcopy(node)
    for dec in clone.decorator_list:
        if _is_parametrize(dec):
            values, how, idx = _argvalues(dec)
            if how == "pos":
                dec.args[idx] = ast.Constant(value="<cases>")
            elif how == "kw":
                dec.keywords[idx].value = ast.Constant(value="<cases>")
            for kw in dec.keywords:
                if kw.arg == "ids" and isinstance(kw.value, (ast.List, ast.Tuple)):
                    kw.value = ast.Constant(value="<ids>")
    return ast.dump(clone)


def new_case_indices(base_node: ast.AST, head_node: ast.AST) -> list[int] | None:
    """Indices of new parametrize cases when that is the only change; None otherwise."""
    if _skeleton(base_node) != _skeleton(head_node):
        return None
    base_decs = [d for d in base_node.decorator_list if _is_parametrize(d)]
    head_decs = [d for d in head_node.decorator_list if _is_parametrize(d)]
    if not head_decs or len(base_decs) != len(head_decs):
        return None
    # In pytest's collection order the cases of the topmost decorator vary fastest
    # (`@parametrize("x", [0, 1])` over `@parametrize("y", [2, 3])` -> [2-0], [2-1], [3-0], [3-1]).
    per_dec: list[tuple[int, set[int]]] = []
    any_new = False
    for bdec, hdec in zip(base_decs, head_decs):
        bvals, _, _ = _argvalues(bdec)
        hvals, _, _ = _argvalues(hdec)
        if not isinstance(bvals, (ast.List, ast.Tuple)) or not isinstance(hvals, (ast.List, ast.Tuple)):
            return None
        if any(isinstance(e, ast.Starred) for e in list(bvals.elts) + list(hvals.elts)):
            return None
        remaining: dict[str, int] = {}
        for e in bvals.elts:
            key = ast.dump(e)
            remaining[key] = remaining.get(key, 0) + 1
        new: set[int] = set()
        for i, e in enumerate(hvals.elts):
            key = ast.dump(e)
            if remaining.get(key, 0) > 0:
                remaining[key] -= 1
            else:
                new.add(i)
        if any(v > 0 for v in remaining.values()):
            return None  # a base case was edited or removed: not only new cases
        any_new = any_new or bool(new)
        per_dec.append((len(hvals.elts), new))
    if not any_new:
        return None
    total = 1
    for n, _ in per_dec:
        total *= n
    out: list[int] = []
    for index in range(total):
        rest, is_new = index, False
        for n, new in per_dec:
            if n == 0:
                break
            if rest % n in new:
                is_new = True
            rest //= n
        if is_new:
            out.append(index)
    return out


def select_pr_tests(base: str, head: str, changed_files: list[dict], naming=None) -> list[dict]:
    """Test functions the PR added or edited in its added or modified test files.

    A test whose parametrize names a module-level table (`@parametrize("a, b", CASES)`) is
    edited when the table is: the entries the PR appended are its new cases.
    """
    naming = naming or tg_naming.DEFAULT
    selected: list[dict] = []
    for entry in changed_files:
        rel, status = entry["path"], entry["status"]
        if status == "deleted" or not naming.is_test_file(rel):
            continue
        head_tree, head_lines = _parse(os.path.join(head, rel))
        if head_tree is None:
            # A file that does not parse is still the PR's test file: the runner reports its
            # collection error. Nothing to select function by function.
            continue
        base_tests: dict = {}
        base_lines: list[str] = []
        base_tables: dict = {}
        if status == "modified":
            base_tree, base_lines = _parse(os.path.join(base, rel))
            if base_tree is not None:
                base_tests = collect_tests(base_tree, naming, mixins=True)
                base_tables = module_tables(base_tree)
        head_tables = module_tables(head_tree)
        mixins = mixin_classes(head_tree, naming)
        for (cls, name), node in collect_tests(head_tree, naming, mixins=True).items():
            base_node = base_tests.get((cls, name))
            new_cases = None
            if base_node is None:
                change = "added"
            else:
                base_resolved = resolve_tables(base_node, base_tables)
                head_resolved = resolve_tables(node, head_tables)
                if _segment(base_lines, base_node) == _segment(head_lines, node) and ast.dump(
                    base_resolved
                ) == ast.dump(head_resolved):
                    continue
                change = "modified"
                new_cases = new_case_indices(base_resolved, head_resolved)
            selected.append(
                {
                    "file": rel,
                    "function": name,
                    "cls": cls,
                    "startLine": def_start(node),
                    "endLine": node.end_lineno or node.lineno,
                    "change": change,
                    "newCases": new_cases,
                    # A mixin's test runs as a method of every collected class that inherits it;
                    # the runner matches those items by the function's own first line.
                    "mixin": cls in mixins,
                    "defLine": node.lineno,
                }
            )
    selected.sort(key=lambda t: (t["file"], t["startLine"]))
    return selected


# --- selection from pytest's own collection ---------------------------------------------------
# The AST selection above finds `def test_*` the PR edited. pytest also collects tests the AST
# does not show as defs in the file: bound by assignment (`test_x = _make(1)`), inherited from
# a base class in another module, or running a fixture the PR changed. These helpers let the
# evaluator match collected items against the change.


def _lines_hit(lines: set, start: int, end: int) -> bool:
    return any(start <= n <= end for n in lines)


def assigned_names(path: str) -> dict[str, tuple[int, int]]:
    """Module-level names bound by assignment (`test_x = factory(...)`) -> statement line range."""
    tree, _lines = _parse(path)
    out: dict[str, tuple[int, int]] = {}
    if tree is None:
        return out
    for node in _module_level(tree.body):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for name in [t] if isinstance(t, ast.Name) else getattr(t, "elts", []):
                    if isinstance(name, ast.Name):
                        out[name.id] = (node.lineno, node.end_lineno or node.lineno)
    return out


def _fixture_name(fn: ast.AST) -> str | None:
    for dec in getattr(fn, "decorator_list", []):
        call = dec if isinstance(dec, ast.Call) else None
        target = call.func if call is not None else dec
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name != "fixture":
            continue
        for kw in call.keywords if call is not None else []:
            if kw.arg == "name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                return kw.value.value
        return fn.name
    return None


def changed_fixtures(head: str, changed_lines: dict) -> dict[str, str]:
    """Fixture name -> file, for every pytest fixture whose lines (decorators included) the PR changed."""
    out: dict[str, str] = {}
    for rel, lines in changed_lines.items():
        if not rel.endswith(".py") or not lines:
            continue
        tree, _ = _parse(os.path.join(head, rel))
        if tree is None:
            continue
        hit = set(lines)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = _fixture_name(node)
                if name and _lines_hit(hit, def_start(node), node.end_lineno or node.lineno):
                    out[name] = rel
    return out


def defines_changed_tests(head: str, rel: str, changed: list, naming) -> bool:
    """Whether a module the PR changed holds changed lines inside a test-named class or function
    (a base class whose tests other test modules inherit)."""
    tree, _ = _parse(os.path.join(head, rel))
    if tree is None or not changed:
        return False
    hit = set(changed)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and _lines_hit(hit, def_start(node), node.end_lineno or node.lineno):
            if naming.is_test_class(node.name) or any(
                isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef))
                and naming.is_test_function(sub.name)
                and _lines_hit(hit, def_start(sub), sub.end_lineno or sub.lineno)
                for sub in node.body
            ):
                return True
    return False


def module_names(rel: str) -> set[str]:
    """Names a test module could import `rel` by: its dotted path from the root and each shorter
    tail of it (test dirs are often on sys.path through rootdir or conftest insertion)."""
    parts = rel[:-3].split("/") if rel.endswith(".py") else rel.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return {".".join(parts[i:]) for i in range(len(parts)) if parts[i:]}


def importers(head: str, rels: list[str], targets: set[str], limit: int) -> list[str]:
    """Test files among `rels` whose imports name one of `targets` (a module or a name in it)."""
    out = []
    for rel in rels:
        if len(out) >= limit:
            break
        tree, _ = _parse(os.path.join(head, rel))
        if tree is None:
            continue
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                names = [mod] + [f"{mod}.{a.name}" if mod else a.name for a in node.names]
            if any(n in targets or n.rsplit(".", 1)[-1] in targets for n in names if n):
                out.append(rel)
                break
    return out


def _defs_by_path(tree: ast.Module) -> dict[tuple, ast.AST]:
    """(name, name, ...) path of every def/class -> node, outermost first in the path."""
    out: dict[tuple, ast.AST] = {}

    def walk(body, path):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                here = path + (node.name,)
                out.setdefault(here, node)
                walk(node.body, here)
            elif isinstance(node, (ast.If, ast.Try, ast.With)) or type(node).__name__ == "TryStar":
                for block in (
                    getattr(node, "body", []),
                    getattr(node, "orelse", []),
                    getattr(node, "finalbody", []),
                    *[h.body for h in getattr(node, "handlers", [])],
                ):
                    walk(block, path)

    walk(tree.body, ())
    return out


def code_change(base: str, head: str, rel: str, first_line: int) -> str | None:
    """'added' / 'modified' / None for the function whose code starts at `first_line` of head
    file `rel` (an inherited test method, a factory's inner test function), by comparing its
    source text with the same def in base, as the AST selection does for plain test defs
    (a line diff can pair lines of neighbouring look-alike functions). A nested function is
    compared through the outermost function that holds it: the factory is what changed."""
    head_tree, head_lines = _parse(os.path.join(head, rel))
    if head_tree is None or first_line <= 0:
        return None
    head_defs = _defs_by_path(head_tree)
    path = next(
        (p for p, n in head_defs.items() if not isinstance(n, ast.ClassDef) and first_line in (def_start(n), n.lineno)),
        None,
    )
    if path is None:
        return None
    # The unit to compare: the method itself, or the outermost function around a nested one.
    unit = path
    for i in range(1, len(path)):
        if not isinstance(head_defs[path[:i]], ast.ClassDef):
            unit = path[:i]
            break
    base_path = os.path.join(base, rel)
    base_tree, base_lines = _parse(base_path) if os.path.isfile(base_path) else (None, [])
    base_node = _defs_by_path(base_tree).get(unit) if base_tree is not None else None
    if base_node is None:
        return "added"
    same = _segment(base_lines, base_node).rstrip() == _segment(head_lines, head_defs[unit]).rstrip()
    return None if same else "modified"
