"""Rules on the files around the tests that the pull request changed: conftest.py, the
pytest/coverage/bandit configuration, interpreter start-up hooks, and `# pragma: no cover`
added to the PR's own code. Each is a "changed_file" check: it sees one changed file (base
and head text) and compares the two.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import tomllib
from dataclasses import dataclass

from tg_diff import changed_line_numbers, def_start, read_source, split_lines
from tg_rule_registry import HOW_TESTS_RUN, Hit, checks, finding, hits, rule
from tg_rule_scanner import comment_findings, dedupe, scan_source

INI_SECTIONS = {
    "tox.ini": lambda s: s == "pytest" or s.startswith("coverage:") or s == "bandit",
    "setup.cfg": lambda s: s in ("tool:pytest", "pytest", "bandit") or s.startswith("coverage:"),
}
WHOLE_FILE_CONFIGS = {
    "pytest.ini",
    ".pytest.ini",
    ".coveragerc",
    ".bandit",
    "bandit.yaml",
    "bandit.yml",
    ".bandit.yaml",
    ".bandit.yml",
}
PYPROJECT_TABLES = ("pytest", "coverage", "bandit")
STARTUP_FILES = ("sitecustomize.py", "usercustomize.py")


@dataclass(frozen=True)
class ChangedFile:
    """What a "changed_file" check receives."""

    rel: str
    status: str  # added | modified | deleted
    is_test: bool
    base_text: str | None  # None when added (or unreadable)
    head_text: str | None  # None when deleted (or unreadable)

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    @classmethod
    def read(cls, base: str, head: str, entry: dict) -> ChangedFile:
        rel, status = entry["path"], entry["status"]
        head_text = read_source(os.path.join(head, rel)) if status != "deleted" else None
        base_text = read_source(os.path.join(base, rel)) if status != "added" else None
        return cls(rel, status, bool(entry.get("isTest")), base_text, head_text)


def scan_config_tampering(base: str, head: str, changed_files: list[dict]) -> list[dict]:
    """Tampering with what runs around the tests: conftest.py, pytest/coverage/bandit config, startup hooks."""
    out: list[dict] = []
    registered = checks("changed_file")
    for entry in changed_files:
        changed = ChangedFile.read(base, head, entry)
        for rule_id, check in registered:
            for hit in hits(check(changed)):
                out.append(finding(rule_id, changed.rel, 1 if hit.line is None else hit.line, hit.what, hit.severity))
    return out


# --- conftest.py ---------------------------------------------------------------------------


@rule(
    "TG-CONFTEST",
    on="changed_file",
    reason="tampering",
    severity="high",
    message="conftest.py code runs around every test; the PR changed it",
    advice="test code must not change how tests are collected, run, measured or reported",
)
def conftest_changed(changed: ChangedFile):
    if changed.name != "conftest.py" or changed.head_text is None:
        return None
    return _conftest_findings(changed.base_text, changed.head_text, changed.rel)


def _conftest_findings(base_text: str | None, head_text: str, rel: str) -> list[Hit]:
    """Findings of the head conftest that base did not have (same rule on the same code)."""
    base_keys: dict[tuple, int] = {}
    if base_text is not None:
        for key, _f in _keyed_findings(base_text, rel):
            base_keys[key] = base_keys.get(key, 0) + 1
    out = []
    for key, f in _keyed_findings(head_text, rel):
        if base_keys.get(key, 0) > 0:
            base_keys[key] -= 1
            continue
        out.append(Hit(f"{rel} (changed by the PR): {f['rule']}: {f['message']}", f["severity"], f["line"]))
    return out


def _keyed_findings(text: str, rel: str) -> list[tuple[tuple, dict]]:
    """The file's findings, each keyed by (rule, the code it is on): a hook or an autouse
    fixture by its whole def, anything else by its line."""
    tree, _tests, findings, _names, _err = scan_source(text, rel)
    lines = split_lines(text)
    defs = {}
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defs[node.lineno] = _segment(lines, node)
    out = []
    for f in dedupe(findings):
        code = defs.get(f["line"]) if f["rule"] in ("TG-PYTEST-HOOK", "TG-AUTOUSE") else None
        if code is None:
            code = lines[f["line"] - 1].strip() if 0 < f["line"] <= len(lines) else ""
        out.append(((f["rule"], code), f))
    return out


def _segment(lines: list[str], node: ast.AST) -> str:
    return "\n".join(line.rstrip() for line in lines[def_start(node) - 1 : (node.end_lineno or node.lineno)])


# --- pytest / coverage / bandit configuration ----------------------------------------------


@rule(
    "TG-CONFIG",
    on="changed_file",
    reason="tampering",
    severity="high",
    message="pytest/coverage/bandit settings decide what runs and what counts",
    advice="test code must not change how tests are collected, run, measured or reported",
)
def whole_file_config(changed: ChangedFile):
    return Hit(f"{changed.rel} {changed.status} by the PR") if changed.name in WHOLE_FILE_CONFIGS else None


@rule("TG-CONFIG", on="changed_file")
def ini_sections_changed(changed: ChangedFile):
    """[pytest], [coverage:*], [bandit] of tox.ini; [tool:pytest], [coverage:*] of setup.cfg."""
    wanted = INI_SECTIONS.get(changed.name)
    if wanted is None:
        return None
    rel, status = changed.rel, changed.status
    before, after = _ini_sections(changed.base_text, wanted), _ini_sections(changed.head_text, wanted)
    if before is None or after is None:
        return Hit(f"{rel} changed and does not parse")
    found = []
    for section in sorted(set(before) | set(after)):
        if before.get(section) != after.get(section):
            line = _header_line(changed.head_text, r"^\s*\[" + re.escape(section) + r"\]")
            found.append(
                Hit(f"{rel} [{section}] {status if status != 'modified' else 'changed'} by the PR", None, line)
            )
    return found


@rule("TG-CONFIG", on="changed_file")
def pyproject_tables_changed(changed: ChangedFile):
    """[tool.pytest*], [tool.coverage*], [tool.bandit] of pyproject.toml."""
    if changed.name != "pyproject.toml":
        return None
    before, after = _pyproject_tables(changed.base_text), _pyproject_tables(changed.head_text)
    if before is None or after is None:
        return Hit(f"{changed.rel} changed and does not parse")
    return [
        Hit(
            f"{changed.rel} [tool.{table}] changed by the PR",
            None,
            _header_line(changed.head_text, r"^\s*\[+\s*tool\." + table + r"\b"),
        )
        for table in PYPROJECT_TABLES
        if before.get(table) != after.get(table)
    ]


def _ini_sections(text: str | None, wanted) -> dict | None:
    if text is None:
        return {}
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read_string(text)
    except configparser.Error:
        return None
    return {s: dict(cp.items(s)) for s in cp.sections() if wanted(s)}


def _pyproject_tables(text: str | None) -> dict | None:
    if text is None:
        return {}
    try:
        tool = tomllib.loads(text).get("tool", {})
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    return {t: tool.get(t) for t in PYPROJECT_TABLES if isinstance(tool, dict) and t in tool}


def _header_line(text: str | None, pattern: str) -> int:
    if text:
        rx = re.compile(pattern)
        for i, line in enumerate(split_lines(text), 1):
            if rx.search(line):
                return i
    return 1


# --- interpreter start-up --------------------------------------------------------------------


@rule(
    "TG-SITECUSTOMIZE",
    on="changed_file",
    reason="tampering",
    severity="high",
    message="sitecustomize/usercustomize run at interpreter start, before the gate's hooks",
    advice=HOW_TESTS_RUN,
)
def startup_module(changed: ChangedFile):
    if changed.name in STARTUP_FILES and changed.status != "deleted":
        return Hit(f"{changed.rel} {changed.status} by the PR")
    return None


@rule(
    "TG-PTH",
    on="changed_file",
    reason="tampering",
    severity="high",
    message=".pth files run code at interpreter start",
    advice=HOW_TESTS_RUN,
)
def pth_file(changed: ChangedFile):
    if changed.name.endswith(".pth") and changed.status != "deleted":
        return Hit(f"{changed.rel} {changed.status} by the PR")
    return None


# --- the PR's own code -------------------------------------------------------------------------


@rule("TG-NO-COVER", on="changed_file")
def no_cover_added(changed: ChangedFile):
    """Coverage skips `# pragma: no cover` lines by default: added to the PR's own code, it
    hides the changed lines from the coverage the gate asks tests to add."""
    if (
        not changed.name.endswith(".py")
        or changed.is_test
        or changed.head_text is None
        or changed.name == "conftest.py"
        or changed.name in STARTUP_FILES
    ):
        return None  # conftest.py and start-up modules have rules of their own
    lines = set(changed_line_numbers(changed.base_text, changed.head_text))
    return [
        Hit(f"`# pragma: no cover` added to {changed.rel} by the PR", None, f["line"])
        for f in comment_findings(changed.head_text, changed.rel)
        if f["rule"] == "TG-NO-COVER" and f["line"] in lines
    ]
