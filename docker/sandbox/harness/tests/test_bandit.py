import subprocess
import sys

import pytest

from tg_bandit import map_results, run_bandit

has_bandit = subprocess.run([sys.executable, "-m", "bandit", "--version"], capture_output=True).returncode == 0
needs_bandit = pytest.mark.skipif(not has_bandit, reason="bandit is not installed for this python")


@needs_bandit
def test_os_system_is_b605_and_nosec_is_ignored(tmp_path):
    test_file = tmp_path / "tests" / "test_x.py"
    test_file.parent.mkdir()
    test_file.write_text("import os\n\ndef test_a():\n    os.system('ls')  # nosec\n    assert True\n")
    # The repository's own Bandit config must be ignored: this one would skip B605.
    (tmp_path / ".bandit").write_text("[bandit]\nskips: B605,B607\n")
    (tmp_path / "tests" / ".bandit").write_text("[bandit]\nskips: B605,B607\n")
    findings, version, error = run_bandit([str(test_file)], str(tmp_path))
    assert error is None
    assert version.startswith("1.")
    b605 = [f for f in findings if f["rule"] == "B605"]
    assert len(b605) == 1
    assert b605[0] == {
        "rule": "B605",
        "source": "bandit",
        "reason": "unsafe",
        "severity": b605[0]["severity"],
        "file": "tests/test_x.py",
        "line": 4,
        "message": b605[0]["message"],
    }
    assert b605[0]["severity"] in ("low", "medium", "high")
    assert "shell" in b605[0]["message"]
    # B101 (assert_used) is skipped: asserts are what tests are for.
    assert not any(f["rule"] == "B101" for f in findings)


@needs_bandit
def test_clean_file_has_no_findings(tmp_path):
    f = tmp_path / "test_ok.py"
    f.write_text("def test_a():\n    assert 1 + 1 == 2\n")
    assert run_bandit([str(f)], str(tmp_path))[0] == []
    assert run_bandit([], str(tmp_path))[2] is None


@needs_bandit
def test_unparsable_file_reports_error_and_keeps_other_findings(tmp_path):
    bad = tmp_path / "test_bad.py"
    bad.write_text("def test_a(:\n")
    good = tmp_path / "test_eval.py"
    good.write_text("def test_a():\n    eval('1')\n")
    findings, _version, error = run_bandit([str(bad), str(good)], str(tmp_path))
    assert [f["rule"] for f in findings] == ["B307"]
    assert error and "test_bad.py" in error


def test_map_results_severity_and_paths(tmp_path):
    data = {
        "results": [
            {
                "test_id": "B602",
                "issue_severity": "HIGH",
                "filename": str(tmp_path / "a" / "t.py"),
                "line_number": 3,
                "issue_text": "subprocess call with shell=True",
            },
            {
                "test_id": "B311",
                "issue_severity": "UNDEFINED",
                "filename": str(tmp_path / "t2.py"),
                "line_number": 1,
                "issue_text": "random",
            },
        ]
    }
    mapped = map_results(data, str(tmp_path))
    assert [(f["rule"], f["severity"], f["file"], f["line"]) for f in mapped] == [
        ("B602", "high", "a/t.py", 3),
        ("B311", "low", "t2.py", 1),
    ]
    assert mapped[0]["message"] == "subprocess call with shell=True"


def test_missing_bandit_is_an_error_not_a_crash(tmp_path, monkeypatch):
    import tg_bandit

    f = tmp_path / "test_ok.py"
    f.write_text("x = 1\n")
    monkeypatch.setattr(tg_bandit.sys, "executable", str(tmp_path / "no-python"))
    findings, _version, error = tg_bandit.run_bandit([str(f)], str(tmp_path))
    assert findings == [] and "could not start" in error


@needs_bandit
def test_rules_that_misfire_on_tests_are_skipped_but_calls_are_not(tmp_path):
    f = tmp_path / "test_practice.py"
    f.write_text(
        "import random\nimport subprocess\n\n"
        "def test_a():\n"
        "    password = 'hunter2'\n"
        "    path = '/tmp/out.txt'\n"
        "    assert random.Random(1).random() < 2 and password and path\n\n"
        "def test_b():\n"
        "    subprocess.run(['ls'])\n"
    )
    findings, _, error = run_bandit([str(f)], str(tmp_path))
    assert error is None
    rules = {x["rule"] for x in findings}
    assert rules.isdisjoint({"B105", "B106", "B108", "B311", "B404"})
    assert "B603" in rules or "B607" in rules
