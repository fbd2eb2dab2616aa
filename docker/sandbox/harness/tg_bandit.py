"""Bandit over test files, with the gate's options and never the repository's own config.

Bandit 1.6.2 reads configuration from three places: `-c` (a YAML profile), `--ini` (a
`.bandit` file; without `--ini` it walks the targets looking for one) and its defaults. We
pass a harness-owned profile and ini (written to a private temp dir), run with the cwd
outside the repository, and name files rather than directories. `--ignore-nosec` makes
`# nosec` in a test useless (tg_rules flags it as tampering too); B101 (assert_used) is
skipped because asserts are what tests are for. Also skipped, because in a test they flag
ordinary practice rather than danger: B105/B106/B107 (password-like literals: tests use
fake credentials), B108 (a literal /tmp path: the temp dir is where tests may write; writes
elsewhere are TG-WRITE-OUTSIDE-TMP and the audit hook), B311 (`random`: not crypto in a
test; nondeterminism shows up as `flaky`) and B404 (`import subprocess` alone: the calls
themselves are B602-B607, TG-SUBPROCESS and the audit hook).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

import tg_child

BANDIT_TIMEOUT_SECONDS = 180
SKIPPED_TESTS = "B101,B105,B106,B107,B108,B311,B404"
_PROFILE_YAML = (
    "# Testgate's own Bandit profile: all plugins but those that misfire on tests.\n"
    f"skips: [{', '.join(repr(t) for t in SKIPPED_TESTS.split(','))}]\n"
)
_INI = "[bandit]\n"  # an empty [bandit] section: nothing for Bandit to take from an ini file
_SEVERITIES = {"low": "low", "medium": "medium", "high": "high"}


def bandit_version() -> str:
    try:
        from importlib.metadata import version

        return version("bandit")
    except Exception:  # noqa: BLE001 - metadata lookup is best effort, the CLI is the fallback
        pass
    try:
        res = tg_child.run_trusted(
            [sys.executable, "-m", "bandit", "--version"], timeout=60, text=True, cwd=tempfile.gettempdir()
        )
        match = re.search(r"(\d+\.\d+(?:\.\d+)?)", res.stdout + res.stderr)
        return match.group(1) if match else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _tail(text: str, limit: int = 4000) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _rel(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    except ValueError:
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def map_results(data: dict, root: str) -> list[dict]:
    findings = []
    for r in data.get("results") or []:
        if not isinstance(r, dict):
            continue
        sev = str(r.get("issue_severity", "")).lower()
        findings.append(
            {
                "rule": str(r.get("test_id") or "B000")[:200],
                "source": "bandit",
                "reason": "unsafe",
                "severity": _SEVERITIES.get(sev, "low"),
                "file": _rel(str(r.get("filename", "")), root),
                "line": max(0, int(r.get("line_number") or 0)),
                "message": str(r.get("issue_text") or r.get("test_name") or "")[:2000],
            }
        )
    findings.sort(key=lambda f: (f["file"], f["line"], f["rule"]))
    return findings


def run_bandit(paths: list[str], root: str) -> tuple[list[dict], str, str | None]:
    """(findings, bandit version, error or None). On error, the findings parsed so far."""
    version = bandit_version()
    files = [p for p in paths if os.path.isfile(p)]
    if not files:
        return [], version, None
    with tempfile.TemporaryDirectory(prefix="tg-bandit-") as tmp:
        profile = os.path.join(tmp, "profile.yaml")
        ini = os.path.join(tmp, "bandit.ini")
        with open(profile, "w", encoding="utf-8") as f:
            f.write(_PROFILE_YAML)
        with open(ini, "w", encoding="utf-8") as f:
            f.write(_INI)
        argv = [
            sys.executable,
            "-m",
            "bandit",
            "-f",
            "json",
            "-q",
            "--ignore-nosec",
            "-s",
            SKIPPED_TESTS,
            "-c",
            profile,
            "--ini",
            ini,
            "--",
        ] + files
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME")}
        try:
            res = tg_child.run_trusted(argv, timeout=BANDIT_TIMEOUT_SECONDS, text=True, cwd=tmp, env=env)
        except subprocess.TimeoutExpired:
            return [], version, f"bandit timed out after {BANDIT_TIMEOUT_SECONDS}s"
        except OSError as exc:
            return [], version, f"bandit could not start: {exc}"
    # Bandit exits 1 when it found issues; JSON on stdout is the result either way.
    start = res.stdout.find("{")
    try:
        data = json.loads(res.stdout[start:]) if start >= 0 else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return [], version, f"bandit exited {res.returncode} without a JSON report: {_tail(res.stderr or res.stdout)}"
    findings = map_results(data, root)
    errors = [e for e in data.get("errors") or [] if isinstance(e, dict)]
    error = None
    if errors:
        error = "; ".join(f"{_rel(str(e.get('filename', '')), root)}: {e.get('reason', '')}" for e in errors)[:20_000]
    elif res.returncode not in (0, 1):
        error = f"bandit exited {res.returncode}: {_tail(res.stderr)}"
    return findings, version, error
