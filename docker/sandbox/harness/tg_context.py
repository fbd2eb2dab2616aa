"""`analyze` mode: the changed functions and, for each, the context a model needs to test it.

Static only (nothing from the PR is imported or run): the nearest code first, within the
size caps of functionContextSchema, so the generator can trim to its token budget.
"""

from __future__ import annotations

import ast
import os
import re
import time

from tg_diff import def_start, diff_trees, changed_functions, is_test_path, iter_functions, read_source, split_lines
import tg_naming
from tg_project import detect_project, module_name

MAX_SOURCE = 500_000
MAX_IMPORTS = 200_000
MAX_USE_CHARS = 20_000
MAX_USES = 40
STYLE_LINES = 60
MAX_TEST_FILES_SCANNED = 5_000
CLASS_INIT_MAX_LINES = 30


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def _lines_of(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start - 1 : end])


def _imports(tree: ast.Module, lines: list[str]) -> str:
    """Module-level import statements verbatim (also those under top-level if/try), dedented."""
    out: list[str] = []

    def visit(body):
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                out.append(_lines_of(lines, node.lineno, node.end_lineno or node.lineno).strip())
            elif isinstance(node, (ast.If, ast.Try, ast.TryStar)):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []) or [])
                for handler in getattr(node, "handlers", []) or []:
                    visit(handler.body)

    visit(tree.body)
    return _cap("\n".join(out), MAX_IMPORTS)


def _class_header(cls: ast.ClassDef, lines: list[str]) -> str:
    """Decorators and `class X(Base):`, class-level assignments, and a short __init__ (or its signature)."""
    first_body = cls.body[0].lineno if cls.body else cls.end_lineno
    parts = [_lines_of(lines, def_start(cls), max(cls.lineno, (first_body or cls.lineno) - 1))]
    for node in cls.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) or (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and node is cls.body[0]
        ):
            parts.append(_lines_of(lines, node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "__init__":
            start, end = def_start(node), node.end_lineno or node.lineno
            if end - start + 1 <= CLASS_INIT_MAX_LINES:
                parts.append(_lines_of(lines, start, end))
            else:
                body_start = node.body[0].lineno if node.body else end
                parts.append(_lines_of(lines, start, max(node.lineno, body_start - 1)) + "\n        ...")
    return _cap("\n".join(parts), MAX_SOURCE)


def _module_defs(tree: ast.Module) -> dict[str, ast.AST]:
    """Module-level functions, classes and assigned names -> their defining statement."""
    defs: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        defs.setdefault(n.id, node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defs.setdefault(node.target.id, node)
    return defs


def _referenced(node: ast.AST) -> list[str]:
    seen: list[str] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in seen:
            seen.append(n.id)
    return seen


def _uses(fn: ast.AST, qualname: str, defs: dict[str, ast.AST], lines: list[str]) -> list[dict]:
    """Module-level names the function uses, plus the ones those use (one level), nearest first."""
    own = qualname.split(".")[0]
    direct = [n for n in _referenced(fn) if n in defs and n != own]
    second: list[str] = []
    for name in direct:
        for sub in _referenced(defs[name]):
            if sub in defs and sub != own and sub not in direct and sub not in second and sub != name:
                second.append(sub)

    def distance(name: str) -> int:
        return abs(defs[name].lineno - fn.lineno)

    ordered = sorted(direct, key=distance) + sorted(second, key=distance)
    out = []
    for name in ordered[:MAX_USES]:
        node = defs[name]
        text = _lines_of(lines, def_start(node), node.end_lineno or node.lineno)
        out.append({"name": name, "source": _cap(text, MAX_USE_CHARS)})
    return out


_IMPORT_LINE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+(.+)|import\s+(.+))$")


def _imported_modules(text: str) -> set[str]:
    """Dotted names a test file imports: `import a.b` -> a.b; `from a import b` -> a, a.b."""
    mods: set[str] = set()
    for line in split_lines(text)[:400]:
        m = _IMPORT_LINE.match(line)
        if not m:
            continue
        if m.group(1):
            base = m.group(1)
            mods.add(base)
            for part in m.group(2).replace("(", " ").replace(")", " ").split(","):
                name = part.strip().split(" as ")[0].strip()
                if name and name != "*":
                    mods.add(f"{base}.{name}")
        else:
            for part in m.group(3).split(","):
                mods.add(part.strip().split(" as ")[0].strip())
    return mods


class _TestIndex:
    def __init__(self, head: str):
        self.head = head
        self.files: list[tuple[str, set[str]]] = []
        count = 0
        for dirpath, dirnames, filenames in os.walk(head):
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and d not in ("__pycache__", "node_modules")
            )
            for name in sorted(filenames):
                if not name.endswith(".py") or name == "conftest.py":
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), head).replace(os.sep, "/")
                if not (name.startswith("test_") or name.endswith("_test.py")) or not is_test_path(rel):
                    continue
                text = read_source(os.path.join(dirpath, name))
                if text is None:
                    continue
                self.files.append((rel, _imported_modules(text)))
                count += 1
                if count >= MAX_TEST_FILES_SCANNED:
                    return

    def style_for(self, module: str) -> dict | None:
        last = module.split(".")[-1]
        preferred = {f"tests/test_{last}.py", f"test/test_{last}.py", f"test_{last}.py", f"tests/{last}_test.py"}
        importing = [rel for rel, mods in self.files if module in mods]
        ranked = sorted(importing, key=lambda r: (r not in preferred, not r.endswith(f"test_{last}.py"), r))
        if not ranked:
            ranked = sorted(rel for rel, _ in self.files if rel in preferred or rel.endswith(f"/test_{last}.py"))
        if not ranked:
            return None
        rel = ranked[0]
        text = read_source(os.path.join(self.head, rel)) or ""
        return {"path": rel, "source": _cap("\n".join(split_lines(text)[:STYLE_LINES]), 200_000)}


def build_contexts(head: str, functions: list[dict], import_roots: list[str]) -> list[dict]:
    contexts: list[dict] = []
    index = _TestIndex(head)
    by_file: dict[str, list[dict]] = {}
    for fn in functions:
        by_file.setdefault(fn["file"], []).append(fn)
    for rel, fns in by_file.items():
        text = read_source(os.path.join(head, rel))
        if text is None:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        lines = split_lines(text)
        nodes = {q: (node, cls) for q, node, cls in iter_functions(tree)}
        imports = _imports(tree, lines)
        defs = _module_defs(tree)
        module = module_name(head, rel, import_roots)
        style = index.style_for(module)
        for fn in fns:
            found = nodes.get(fn["qualname"])
            if found is None:
                continue
            node, cls = found
            ctx = {
                "file": rel,
                "qualname": fn["qualname"],
                "module": module,
                "source": _cap(_lines_of(lines, def_start(node), node.end_lineno or node.lineno), MAX_SOURCE),
                "imports": imports,
                "uses": _uses(node, fn["qualname"], defs, lines),
            }
            docstring = ast.get_docstring(node)
            if docstring:
                ctx["docstring"] = _cap(docstring, MAX_SOURCE)
            if cls is not None:
                ctx["classHeader"] = _class_header(cls, lines)
            if style is not None:
                ctx["testStyle"] = style
            contexts.append(ctx)
    return contexts


def analyze(workdir: str, request: dict, progress) -> dict:
    started = time.monotonic()
    base, head = os.path.join(workdir, "base"), os.path.join(workdir, "head")
    progress("collect", "detecting the project layout")
    project = detect_project(head)
    progress("collect", "diffing base and head")
    naming = tg_naming.load(head, globs=request.get("settings", {}).get("testGlobs") or ())
    _changed_files, changed_lines = diff_trees(base, head, naming)
    functions = changed_functions(head, changed_lines)
    progress("collect", f"building context for {len(functions)} changed functions", 0, len(functions))
    contexts = build_contexts(head, functions, project["import_roots"])
    progress("collect", "analysis done", len(functions), len(functions))
    return {
        "protocol": 1,
        "mode": "analyze",
        "project": {"layout": project["layout"], "packages": project["packages"][:1000], "importable": True},
        "changedLines": changed_lines,
        "functions": functions,
        "contexts": contexts,
        "durationMs": round((time.monotonic() - started) * 1000, 3),
    }
