"""The AST scanner: walks a test file once, tracks scopes, and hands each node to the rules.

The visitor knows nothing of any rule. It keeps the traversal (decorators before the body,
`if TYPE_CHECKING:` bodies apart, the targets of an assignment one by one), the scopes (which
names hold tmp-derived or literal paths, which fixtures hand out tmp paths) and the position
(module level, inside a test), and at each node runs the checks registered for its event
(tg_rule_registry.EVENTS). The rules live in tg_rules_*.py, one concern per module.
"""

from __future__ import annotations

import ast
import io
import posixpath
import tokenize
from functools import cached_property
from typing import NamedTuple

# The rule modules register their checks on import; the scanner runs whatever is registered.
import tg_rules_assertions  # noqa: F401
import tg_rules_calls  # noqa: F401
import tg_rules_imports  # noqa: F401
import tg_rules_patching  # noqa: F401
import tg_rules_tampering  # noqa: F401
from tg_assert_count import count_asserts
from tg_diff import def_start, read_source, split_lines
from tg_rule_names import HTTP_MOCKS, PATH_CTORS, SAFE_PATHS, TMP_FIXTURES, Names, const_str, under_tmp
from tg_rule_registry import Hit, checks, finding, hits
from tg_select import collect_tests

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


class Scope:
    def __init__(self, tmp: set[str], paths: dict[str, tuple[str, str]]):
        self.tmp = tmp  # names holding tmp-derived paths
        self.paths = paths  # name -> ('path'|'str', literal path)


class Comment(NamedTuple):
    """What a "comment" check receives."""

    line: int
    text: str


class Context:
    """What an AST check receives: the node, where it is, and the scanner's name and path answers."""

    def __init__(self, scanner: Scanner, node: ast.AST, stmt: ast.AST | None = None):
        self.scanner = scanner
        self.node = node
        self.stmt = stmt  # "store": the statement that holds the target
        self.line = getattr(stmt if stmt is not None else node, "lineno", 0)

    def q(self, node: ast.AST | None) -> str | None:
        """The dotted name `node` is bound to (`sp.run` -> `subprocess.run`), None when not a name."""
        return self.scanner.names.qual(node) if node is not None else None

    @cached_property
    def name(self) -> str:
        """A call's function, else the node itself, as a dotted name ("" when it is not a name)."""
        target = self.node.func if isinstance(self.node, ast.Call) else self.node
        return self.scanner.names.qual(target) or ""

    @cached_property
    def attr(self) -> str | None:
        """A method call's attribute (`x.update(...)`: "update")."""
        func = getattr(self.node, "func", None)
        return func.attr if isinstance(func, ast.Attribute) else None

    @cached_property
    def short(self) -> str:
        return self.name.split(".")[-1] if self.name else (self.attr or "")

    @cached_property
    def receiver(self) -> str | None:
        """A method call's object as a dotted name (`os.environ.update(...)`: "os.environ")."""
        return self.scanner.names.qual(self.node.func.value) if self.attr else None

    @cached_property
    def whole(self) -> str | None:
        """ "store": the target as a dotted name (`os.environ = {}`: "os.environ")."""
        return self.q(self.node) if isinstance(self.node, (ast.Attribute, ast.Name)) else None

    @cached_property
    def container(self) -> str | None:
        """ "store": the object of a subscript target (`sys.modules["x"] = m`: "sys.modules")."""
        return self.q(self.node.value) if isinstance(self.node, ast.Subscript) else None

    @property
    def module_level(self) -> bool:
        return self.scanner.depth == 0 and self.scanner.class_depth == 0

    @property
    def http_mocked(self) -> bool:
        return self.scanner.http_mocked

    def in_test(self, line: int) -> bool:
        return self.scanner.in_test(line)

    def is_fixture_decorator(self, dec: ast.AST) -> bool:
        return self.scanner.is_fixture_decorator(dec)

    def literal_path(self, node: ast.AST | None) -> tuple[str, str] | None:
        return self.scanner.literal_path(node, self.scanner.scope)

    def write_path(self, path: ast.AST | None, what: str, literal_only: bool) -> Hit | None:
        return self.scanner.write_path(path, what, literal_only)


class Scanner(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, rel_path: str, test_ranges: list[tuple[int, int]], names: Names):
        self.tree = tree
        self.file = rel_path
        self.names = names
        self.findings: list[dict] = []
        self.test_ranges = test_ranges
        self.scopes: list[Scope] = [Scope(set(), {})]
        self.type_checking = 0
        self.depth = 0  # def nesting: 0 = module level
        self.class_depth = 0
        self.http_mocked = any(v.split(".")[0] in HTTP_MOCKS for v in self.names.aliases.values()) or any(
            s.split(".")[0] in HTTP_MOCKS for s in self.names.stars
        )
        self.tmp_fixtures: set[str] = set()
        self._find_tmp_fixtures()
        self._propagate(tree.body, self.scopes[0], walk_defs=False)

    # -- running the rules
    def run(self, event: str, node: ast.AST, stmt: ast.AST | None = None, ctx: Context | None = None) -> Context:
        """Runs the checks of `event` on `node`; returns the context, for another event on the same node."""
        if ctx is None:
            ctx = Context(self, node, stmt)
        registered = checks(event)
        for rule_id, check in registered:
            result = check(ctx)
            if result:  # most checks find nothing: None or []
                for hit in hits(result):
                    line = ctx.line if hit.line is None else hit.line
                    self.findings.append(finding(rule_id, self.file, line, hit.what, hit.severity))
        return ctx

    # -- position and names
    def in_test(self, line: int) -> bool:
        return any(s <= line <= e for s, e in self.test_ranges)

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def is_fixture_decorator(self, dec: ast.AST) -> bool:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = self.names.qual(target) or ""
        return name.split(".")[-1] in ("fixture", "yield_fixture")

    # -- scopes: which names hold tmp-derived or literal paths
    def _find_tmp_fixtures(self) -> None:
        """Fixtures of this file that hand out tmp-derived paths count as tmp fixtures."""
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                self.is_fixture_decorator(d) for d in node.decorator_list
            ):
                scope = self._function_scope(node, Scope(set(), {}))
                for sub in ast.walk(node):
                    value = getattr(sub, "value", None) if isinstance(sub, (ast.Return, ast.Yield)) else None
                    if value is not None and self.tmp_derived(value, scope):
                        self.tmp_fixtures.add(node.name)

    def _function_scope(self, node: ast.AST, parent: Scope) -> Scope:
        scope = Scope(set(parent.tmp), dict(parent.paths))
        args = node.args
        for a in args.posonlyargs + args.args + args.kwonlyargs:
            low = a.arg.lower()
            if a.arg in TMP_FIXTURES or a.arg in self.tmp_fixtures or "tmp" in low or "temp" in low:
                scope.tmp.add(a.arg)
        self._propagate(node.body, scope, walk_defs=True)
        return scope

    def _bind(self, target: ast.AST, value: ast.AST | None, scope: Scope, tmp: bool) -> None:
        for n in ast.walk(target):
            if isinstance(n, ast.Name):
                if tmp:
                    scope.tmp.add(n.id)
                lit = self.literal_path(value, scope) if value is not None and isinstance(target, ast.Name) else None
                if lit is not None:
                    scope.paths[n.id] = lit
                else:
                    scope.paths.pop(n.id, None)

    def _propagate(self, body: list[ast.stmt], scope: Scope, walk_defs: bool) -> None:
        nodes = _binding_nodes(body, walk_defs)
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
                            self._bind(
                                item.optional_vars, item.context_expr, scope, self.tmp_derived(item.context_expr, scope)
                            )
                elif isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension)):
                    if self.tmp_derived(n.iter, scope):
                        self._bind(n.target, None, scope, True)

    def literal_path(self, node: ast.AST | None, scope: Scope) -> tuple[str, str] | None:
        """('str'|'path', value) when node is a path spelled with literals only."""
        if node is None:
            return None
        s = const_str(node)
        if s is not None:
            return ("str", s)
        if isinstance(node, ast.Name) and node.id in scope.paths:
            return scope.paths[node.id]
        if isinstance(node, ast.Call):
            fname = self.names.qual(node.func) or ""
            if fname in PATH_CTORS or fname in ("os.path.join", "posixpath.join"):
                if node.keywords or not node.args:
                    return None
                parts = [self.literal_path(a, scope) for a in node.args]
                if any(p is None for p in parts):
                    return None
                kind = "path" if fname in PATH_CTORS else "str"
                return (kind, posixpath.join(*[p[1] for p in parts]))
            if fname.endswith((".resolve", ".absolute", ".expanduser")) and isinstance(node.func, ast.Attribute):
                return self.literal_path(node.func.value, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = self.literal_path(node.left, scope)
            right = self.literal_path(node.right, scope)
            if left and right and left[0] == "path":
                return ("path", posixpath.join(left[1], right[1]))
        return None

    def tmp_derived(self, node: ast.AST | None, scope: Scope) -> bool:
        if node is None:
            return False
        lit = self.literal_path(node, scope)
        if lit is not None:
            return under_tmp(lit[1])
        for n in ast.walk(node):
            if isinstance(n, ast.Name):
                low = n.id.lower()
                if (
                    n.id in scope.tmp
                    or n.id in TMP_FIXTURES
                    or n.id in self.tmp_fixtures
                    or "tmp" in low
                    or "temp" in low
                ):
                    return True
            elif isinstance(n, ast.Attribute):
                low = n.attr.lower()
                if self.names.qual(n) in SAFE_PATHS or "tmp" in low or "temp" in low:
                    return True  # os.devnull, self.tmp_dir, self.temp_path
            elif isinstance(n, ast.Call):
                fname = self.names.qual(n.func) or ""
                if fname.startswith("tempfile."):
                    return True
        return False

    def write_path(self, path: ast.AST | None, what: str, literal_only: bool) -> Hit | None:
        """A TG-WRITE-OUTSIDE-TMP hit when `path` is not under tmp: a literal path (high) or,
        unless `literal_only`, one not derived from a tmp fixture or tempfile (medium)."""
        if path is None:
            return None
        lit = self.literal_path(path, self.scope)
        if lit is not None:
            return None if under_tmp(lit[1]) else Hit(f"{what} {lit[1]!r}", "high")
        if literal_only or self.tmp_derived(path, self.scope):
            return None
        return Hit(f"{what} a path not derived from tmp_path/tmpdir/tempfile", "medium")

    # -- traversal
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.run("function", node)
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
        name = self.names.qual(node.test) or ""
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
            self.run("import", node)

    visit_ImportFrom = visit_Import

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._store(t, node)
        self.run("assign", node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._store(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._store(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self._store(t, node)
        self.generic_visit(node)

    def _store(self, target: ast.AST, stmt: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for e in target.elts:
                self._store(e, stmt)
            return
        if isinstance(target, ast.Starred):
            self._store(target.value, stmt)
            return
        self.run("store", target, stmt)

    def visit_Raise(self, node: ast.Raise) -> None:
        self.run("raise", node)
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        for handler in node.handlers:
            self.run("handler", handler)
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def visit_With(self, node: ast.With) -> None:
        self.run("with", node)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            self.run("reference", node, ctx=self.run("attribute", node))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id in self.names.aliases:
            self.run("reference", node)

    def visit_Call(self, node: ast.Call) -> None:
        self.run("call", node)
        self.generic_visit(node)


def _binding_nodes(body: list[ast.stmt], walk_defs: bool) -> list[ast.AST]:
    """The statements and expressions of `body` that bind names, in source order (at module
    level, not those inside defs and classes: names bound there are not module names)."""
    nodes: list[ast.AST] = []
    stack: list[ast.AST] = list(body)
    scoped = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
    while stack:
        n = stack.pop()
        if not walk_defs and isinstance(n, scoped):
            continue
        if isinstance(
            n,
            (
                ast.Assign,
                ast.AnnAssign,
                ast.NamedExpr,
                ast.With,
                ast.AsyncWith,
                ast.For,
                ast.AsyncFor,
                ast.comprehension,
            ),
        ):
            nodes.append(n)
        stack.extend(ast.iter_child_nodes(n))
    nodes.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    return nodes


def comment_findings(text: str, rel_path: str) -> list[dict]:
    """Findings of the "comment" checks on every comment of `text` (a line scan when it does not tokenize)."""
    comments: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments.append((tok.start[0], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        comments = [(i + 1, line[line.index("#") :]) for i, line in enumerate(split_lines(text)) if "#" in line]
    out: list[dict] = []
    registered = checks("comment")
    for line, comment in comments:
        ctx = Comment(line, comment)
        for rule_id, check in registered:
            for hit in hits(check(ctx)):
                out.append(finding(rule_id, rel_path, line if hit.line is None else hit.line, hit.what, hit.severity))
    return out


def scan_source(
    text: str, rel_path: str, naming=None
) -> tuple[ast.Module | None, dict[str, ast.AST], list[dict], Names | None, str | None]:
    """(tree, tests by name, findings before dedupe, names, error) of one file's source."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return None, {}, comment_findings(text, rel_path), None, f"{type(exc).__name__}: {exc}"
    tests = {
        (f"{cls}.{name}" if cls else name): node
        for (cls, name), node in collect_tests(tree, naming, mixins=True).items()
    }
    ranges = [(def_start(n), n.end_lineno or n.lineno) for n in tests.values()]
    names = Names(tree)
    comments = comment_findings(text, rel_path)
    scanner = None
    try:
        scanner = Scanner(tree, rel_path, ranges, names)
        scanner.visit(tree)
    except Exception as exc:  # noqa: BLE001 - a rule bug or a RecursionError must not cost the whole report
        found = scanner.findings if scanner is not None else []
        return tree, tests, found + comments, names, f"rule scan failed: {type(exc).__name__}: {exc}"
    return tree, tests, scanner.findings + comments, scanner.names, None


def dedupe(findings: list[dict]) -> list[dict]:
    """One finding per rule and line: the most severe, the first of equals."""
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
    _tree, tests, findings, names, error = scan_source(text, rel_path, naming)
    functions: dict[str, dict] = {}
    spans: list[tuple[int, int, str]] = []
    for key, node in tests.items():
        start, end = def_start(node), node.end_lineno or node.lineno
        asserts, trivial = count_asserts(node, names, helpers) if names else (0, 0)
        functions[key] = {
            "startLine": start,
            "endLine": end,
            "findings": [],
            "asserts": asserts,
            "trivialAsserts": trivial,
        }
        spans.append((start, end, key))
    module: list[dict] = []
    for f in dedupe(findings):
        holders = [s for s in spans if s[0] <= f["line"] <= s[1]]
        if holders:
            innermost = max(holders, key=lambda s: (s[0], -s[1]))
            functions[innermost[2]]["findings"].append(f)
        else:
            module.append(f)
    return {"functions": functions, "module": module, "error": error}
