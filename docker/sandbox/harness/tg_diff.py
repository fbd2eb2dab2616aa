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
# Build and task scripts at the repository root: never imported by tests, so their lines are
# not changed code a test could cover (a PR bumping setup.py must not fail every test).
BUILD_SCRIPTS = {"setup.py", "noxfile.py", "fabfile.py", "dodo.py"}


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


def is_test_path(rel_path: str, naming=None) -> bool:
    """Test code: the project's test files (its pytest config, else pytest's defaults), conftest.py,
    and anything under a test directory (tests/, test/ or the project's testpaths)."""
    if naming is None:
        import tg_naming

        naming = tg_naming.DEFAULT
    return naming.is_test_code(rel_path)


def _walk(root: str) -> dict[str, str]:
    """relative posix path -> absolute path of every regular file under root."""
    out: dict[str, str] = {}
    if not root or not os.path.isdir(root):
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d))
        )
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
    # Trailing whitespace is not a change: an editor stripping it on save must not make the
    # old code on those lines (and its findings) the pull request's.
    base_lines = [line.rstrip() for line in split_lines(base_text)]
    head_lines = [line.rstrip() for line in head_lines]
    matcher = difflib.SequenceMatcher(None, base_lines, head_lines, autojunk=False)
    changed: list[int] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.extend(range(j1 + 1, j2 + 1))
    return changed


def executable_lines(text: str) -> tuple[set[int], dict[int, int]] | None:
    """(statement first lines, line -> its statement's first line) as coverage.py numbers them.

    Coverage records a multi-line statement on its first line and never counts docstrings,
    comments or blank lines; the gate counts changed lines the same way, so a change on a
    continuation line is credited when the statement runs. None when the text does not parse.
    """
    from coverage.parser import PythonParser

    try:
        parser = PythonParser(text=text)
        parser.parse_source()
    except Exception:  # noqa: BLE001 -- coverage raises its own NotPython / tokenize errors
        return None
    statements = set(parser.statements)
    first = {}
    for line in range(1, len(split_lines(text)) + 1):
        start = parser.first_line(line)
        if start in statements:
            first[line] = start
    return statements, first


def statement_lines(text: str, raw_lines: list[int]) -> list[int]:
    """The changed raw lines folded onto the executable statements that hold them."""
    mapped = executable_lines(text)
    if mapped is None:
        return list(raw_lines)
    _statements, first = mapped
    return sorted({first[n] for n in raw_lines if n in first})


class TreeDiff:
    """What the PR changed between two trees.

    files:     [{path, status, isTest}] of every added, modified or deleted file
    lines:     {path: [line]} changed executable statements of non-test .py files (coverage numbering)
    raw_lines: {path: [line]} changed raw lines of every added or modified .py file, test code included
    """

    def __init__(self, files: list[dict], lines: dict[str, list[int]], raw_lines: dict[str, list[int]]):
        self.files = files
        self.lines = lines
        self.raw_lines = raw_lines
        self.added = {f["path"] for f in files if f["status"] == "added"}

    def is_changed(self, rel: str, line: int) -> bool:
        """Whether `line` of head file `rel` is the PR's: in a file it added, or on a line it added or changed."""
        return rel in self.added or line in set(self.raw_lines.get(rel, ()))


def export_subst_paths(head_files: dict[str, str]) -> set[str]:
    """Files a `.gitattributes` marks `export-subst`: `git archive` (and GitHub's tarballs)
    write the commit id into them, so they differ between any two commits by themselves."""
    out: set[str] = set()
    for rel, full in head_files.items():
        if rel.rsplit("/", 1)[-1] != ".gitattributes":
            continue
        scope = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        text = read_source(full) or ""
        for line in split_lines(text):
            fields = line.split()
            if len(fields) < 2 or fields[0].startswith("#") or "export-subst" not in fields[1:]:
                continue
            pattern = fields[0].lstrip("/")
            for candidate in head_files:
                if not candidate.startswith(scope):
                    continue
                inner = candidate[len(scope) :]
                target = inner if "/" in pattern else inner.rsplit("/", 1)[-1]
                if fnmatch.fnmatchcase(target, pattern):
                    out.add(candidate)
    return out


def diff(base: str, head: str, naming=None) -> TreeDiff:
    base_files = _walk(base)
    head_files = _walk(head)
    substituted = export_subst_paths(head_files)
    changed_files: list[dict] = []
    changed_lines: dict[str, list[int]] = {}
    raw_lines: dict[str, list[int]] = {}
    for rel in sorted(set(base_files) | set(head_files)):
        in_base, in_head = rel in base_files, rel in head_files
        if in_base and in_head:
            if _same_file(base_files[rel], head_files[rel]):
                continue
            status = "modified"
        else:
            status = "added" if in_head else "deleted"
        is_test = is_test_path(rel, naming)
        changed_files.append({"path": rel, "status": status, "isTest": is_test})
        if in_head and rel.endswith(".py"):
            head_text = read_source(head_files[rel])
            if head_text is None:
                continue
            base_text = read_source(base_files[rel]) if in_base else None
            lines = changed_line_numbers(base_text, head_text)
            if not lines or (in_base and rel in substituted):
                continue
            # evidence.ts caps a line list at 200,000 entries; a file that big is generated code.
            raw_lines[rel] = lines[:MAX_LINES_PER_FILE]
            if not is_test and rel not in BUILD_SCRIPTS:
                statements = statement_lines(head_text, lines)
                if statements:
                    changed_lines[rel] = statements[:MAX_LINES_PER_FILE]
    return TreeDiff(changed_files, changed_lines, raw_lines)


def diff_trees(base: str, head: str, naming=None) -> tuple[list[dict], dict[str, list[int]]]:
    """(changed files [{path, status, isTest}], changed statement lines {path: [int]} of non-test .py files)."""
    d = diff(base, head, naming)
    return d.files, d.lines


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
            out.append(
                {
                    "file": rel,
                    "qualname": qualname,
                    "startLine": start,
                    "endLine": end,
                    "changedLines": mine,
                    "raiseLines": sorted(raise_lines),
                    "exceptLines": sorted(except_lines),
                }
            )
    return out
