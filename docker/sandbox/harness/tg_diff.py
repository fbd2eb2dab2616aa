"""What the PR changed: files between the base and head trees, changed lines, changed functions.

Line numbers follow Python's own numbering (\\n, \\r\\n and \\r end a line; form feeds do not),
so they match `ast` and coverage line numbers.
"""
from __future__ import annotations

import ast
import difflib
import fnmatch
import io
import os
import re
import tokenize

# Trees are extracted from a tar the host built; these never carry the PR's code.
_SKIP_DIRS = {".git", "__pycache__", ".hg", ".svn", ".tox", ".nox", ".mypy_cache", ".pytest_cache", "node_modules"}
# difflib is quadratic in the worst case; a bigger file is compared as all-changed.
MAX_DIFF_BYTES = 4_000_000
MAX_LINES_PER_FILE = 200_000
_LINE_RE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    lines = _LINE_RE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_source(path: str) -> str | None:
    """Text of a file decoded the way Python would (BOM, coding cookie), undecodable bytes replaced."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def is_test_path(rel_path: str) -> bool:
    """Test code by pytest's conventions: test_*.py, *_test.py, conftest.py, anything under tests/."""
    parts = rel_path.replace("\\", "/").split("/")
    name = parts[-1]
    if name == "conftest.py" or fnmatch.fnmatchcase(name, "test_*.py") or fnmatch.fnmatchcase(name, "*_test.py"):
        return True
    return any(p in ("tests", "test") for p in parts[:-1])


def _walk(root: str) -> dict[str, str]:
    """relative posix path -> absolute path of every regular file under root."""
    out: dict[str, str] = {}
    if not root or not os.path.isdir(root):
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d)))
        for name in filenames:
            full = os.path.join(dirpath, name)
            if name.endswith((".pyc", ".pyo")) or os.path.islink(full) or not os.path.isfile(full):
                continue
            out[os.path.relpath(full, root).replace(os.sep, "/")] = full
    return out


def _same_file(a: str, b: str) -> bool:
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                ca, cb = fa.read(1 << 16), fb.read(1 << 16)
                if ca != cb:
                    return False
                if not ca:
                    return True
    except OSError:
        return False


def changed_line_numbers(base_text: str | None, head_text: str) -> list[int]:
    """1-based head lines that are added or modified relative to base (all lines when base is None)."""
    head_lines = split_lines(head_text)
    if base_text is None or len(base_text) > MAX_DIFF_BYTES or len(head_text) > MAX_DIFF_BYTES:
        return list(range(1, len(head_lines) + 1))
    base_lines = split_lines(base_text)
    matcher = difflib.SequenceMatcher(None, base_lines, head_lines, autojunk=False)
    changed: list[int] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.extend(range(j1 + 1, j2 + 1))
    return changed


def diff_trees(base: str, head: str) -> tuple[list[dict], dict[str, list[int]]]:
    """(changed files [{path, status, isTest}], changed lines {path: [int]} of non-test .py files in head)."""
    base_files = _walk(base)
    head_files = _walk(head)
    changed_files: list[dict] = []
    changed_lines: dict[str, list[int]] = {}
    for rel in sorted(set(base_files) | set(head_files)):
        in_base, in_head = rel in base_files, rel in head_files
        if in_base and in_head:
            if _same_file(base_files[rel], head_files[rel]):
                continue
            status = "modified"
        else:
            status = "added" if in_head else "deleted"
        is_test = is_test_path(rel)
        changed_files.append({"path": rel, "status": status, "isTest": is_test})
        if in_head and not is_test and rel.endswith(".py"):
            head_text = read_source(head_files[rel])
            if head_text is None:
                continue
            base_text = read_source(base_files[rel]) if in_base else None
            lines = changed_line_numbers(base_text, head_text)
            if lines:
                # evidence.ts caps a line list at 200,000 entries; a file that big is generated code.
                changed_lines[rel] = lines[:MAX_LINES_PER_FILE]
    return changed_files, changed_lines


def def_start(node: ast.AST) -> int:
    """First line of a def or class, decorators included."""
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno] + [d.lineno for d in decorators])


def iter_functions(tree: ast.Module):
    """(qualname, node, enclosing ClassDef or None) for module functions and methods of (nested) classes.

    Functions nested in functions belong to their outer def and are not yielded.
    """
    def visit(body, prefix, cls):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield prefix + node.name, node, cls
            elif isinstance(node, ast.ClassDef):
                yield from visit(node.body, prefix + node.name + ".", node)
            elif isinstance(node, (ast.If, ast.Try, ast.TryStar)):
                # Defs under `if TYPE_CHECKING:` / `try:` at module or class level are still
                # module-level definitions.
                for block in ("body", "orelse", "finalbody"):
                    yield from visit(getattr(node, block, []) or [], prefix, cls)
                for handler in getattr(node, "handlers", []) or []:
                    yield from visit(handler.body, prefix, cls)
    yield from visit(tree.body, "", None)


def parse_file(path: str) -> ast.Module | None:
    text = read_source(path)
    if text is None:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def changed_functions(head: str, changed_lines: dict[str, list[int]]) -> list[dict]:
    """Functions and methods holding a changed line, with their changed raise/except lines."""
    out: list[dict] = []
    for rel in sorted(changed_lines):
        lines = set(changed_lines[rel])
        if not lines or not rel.endswith(".py"):
            continue
        tree = parse_file(os.path.join(head, rel))
        if tree is None:
            continue
        for qualname, node, _cls in iter_functions(tree):
            start, end = def_start(node), node.end_lineno or node.lineno
            mine = sorted(n for n in lines if start <= n <= end)
            if not mine:
                continue
            mine_set = set(mine)
            raise_lines: set[int] = set()
            except_lines: set[int] = set()
            for sub in ast.walk(node):
                if isinstance(sub, ast.Raise):
                    span = range(sub.lineno, (sub.end_lineno or sub.lineno) + 1)
                    if any(n in mine_set for n in span):
                        # Coverage records a statement on its first line.
                        raise_lines.add(sub.lineno)
                elif isinstance(sub, ast.ExceptHandler):
                    header_end = sub.body[0].lineno - 1 if sub.body and sub.body[0].lineno > sub.lineno else sub.lineno
                    if any(n in mine_set for n in range(sub.lineno, header_end + 1)):
                        except_lines.add(sub.lineno)
            out.append({
                "file": rel,
                "qualname": qualname,
                "startLine": start,
                "endLine": end,
                "changedLines": mine,
                "raiseLines": sorted(raise_lines),
                "exceptLines": sorted(except_lines),
            })
    return out
