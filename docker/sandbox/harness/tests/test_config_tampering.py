from tg_diff import diff_trees
from tg_rules import scan_config_tampering


def run(trees, base_files, head_files):
    base, head = trees(base_files, head_files)
    files, _ = diff_trees(base, head)
    findings = scan_config_tampering(base, head, files)
    for f in findings:
        assert f["reason"] == "tampering" and f["source"] == "ast"
    return findings


def test_new_conftest_hook_and_autouse_flagged(trees):
    findings = run(
        trees,
        {},
        {
            "tests/conftest.py": """
        import pytest

        def pytest_runtest_makereport(item, call):
            pass

        @pytest.fixture(autouse=True)
        def patch_everything():
            yield

        @pytest.fixture
        def plain():
            return 1
    """
        },
    )
    assert [(f["rule"], f["file"], f["line"]) for f in findings] == [
        ("TG-CONFTEST", "tests/conftest.py", 3),
        ("TG-CONFTEST", "tests/conftest.py", 7),
    ]
    assert "TG-PYTEST-HOOK" in findings[0]["message"] and "tests/conftest.py" in findings[0]["message"]
    assert "TG-AUTOUSE" in findings[1]["message"]


def test_conftest_with_plain_fixtures_is_fine(trees):
    assert (
        run(trees, {}, {"conftest.py": "import pytest\n\n@pytest.fixture\ndef data(tmp_path):\n    return tmp_path\n"})
        == []
    )


def test_unchanged_hook_in_modified_conftest_not_flagged(trees):
    base = "def pytest_configure(config):\n    config.addinivalue_line('markers', 'slow')\n"
    head = "import pytest\n\n" + base + "\n@pytest.fixture\ndef extra():\n    return 2\n"
    assert run(trees, {"conftest.py": base}, {"conftest.py": head}) == []


def test_edited_hook_in_modified_conftest_flagged(trees):
    base = "def pytest_configure(config):\n    pass\n"
    head = "def pytest_configure(config):\n    config.option.maxfail = 0\n"
    findings = run(trees, {"conftest.py": base}, {"conftest.py": head})
    assert [f["rule"] for f in findings] == ["TG-CONFTEST"]


def test_conftest_patching_builtins_flagged(trees):
    findings = run(
        trees, {"conftest.py": "import builtins\n"}, {"conftest.py": "import builtins\nbuiltins.len = lambda x: 0\n"}
    )
    assert [(f["rule"], f["line"]) for f in findings] == [("TG-CONFTEST", 2)]
    assert "TG-BUILTINS" in findings[0]["message"]


def test_whole_file_configs(trees):
    findings = run(
        trees,
        {".coveragerc": "[run]\nbranch = True\n", ".bandit": "[bandit]\n"},
        {"pytest.ini": "[pytest]\naddopts = -p no:x\n", ".coveragerc": "[run]\nomit = *\n"},
    )
    assert sorted((f["rule"], f["file"]) for f in findings) == [
        ("TG-CONFIG", ".bandit"),
        ("TG-CONFIG", ".coveragerc"),
        ("TG-CONFIG", "pytest.ini"),
    ]


def test_setup_cfg_only_tool_sections_count(trees):
    base = "[metadata]\nname = a\n\n[tool:pytest]\naddopts = -q\n"
    head_meta = "[metadata]\nname = b\n\n[tool:pytest]\naddopts = -q\n"
    assert run(trees, {"setup.cfg": base}, {"setup.cfg": head_meta}) == []
    head_pytest = "[metadata]\nname = a\n\n[tool:pytest]\naddopts = -q -p no:cov\n"
    [f] = run(trees, {"setup.cfg": base}, {"setup.cfg": head_pytest})
    assert (f["rule"], f["file"], f["line"]) == ("TG-CONFIG", "setup.cfg", 4)


def test_tox_ini_coverage_section(trees):
    [f] = run(
        trees,
        {"tox.ini": "[tox]\nenvlist = py3\n"},
        {"tox.ini": "[tox]\nenvlist = py3\n\n[coverage:report]\nfail_under = 0\n"},
    )
    assert f["line"] == 4 and "coverage:report" in f["message"]


def test_pyproject_tool_tables(trees):
    base = '[project]\nname = "a"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'
    assert run(trees, {"pyproject.toml": base}, {"pyproject.toml": base.replace('"a"', '"b"')}) == []
    [f] = run(trees, {"pyproject.toml": base}, {"pyproject.toml": base + '\n[tool.coverage.run]\nomit = ["*"]\n'})
    assert f["rule"] == "TG-CONFIG" and "tool.coverage" in f["message"] and f["line"] == 7


def test_sitecustomize_and_pth(trees):
    findings = run(
        trees, {}, {"src/sitecustomize.py": "import os\n", "usercustomize.py": "", "evil.pth": "import os\n"}
    )
    assert sorted(f["rule"] for f in findings) == ["TG-PTH", "TG-SITECUSTOMIZE", "TG-SITECUSTOMIZE"]


def test_unrelated_changes_are_clean(trees):
    assert (
        run(
            trees, {"calc.py": "a = 1\n"}, {"calc.py": "a = 2\n", "tests/test_calc.py": "def test_a():\n    assert 1\n"}
        )
        == []
    )


def test_no_cover_added_to_source_is_tampering(trees):
    base = "def f(x):\n    if x:\n        return 1\n    return 0  # pragma: no cover\n"
    head = "def f(x):\n    if x:  # pragma: no cover\n        return 1\n    return 0  # pragma: no cover\n"
    findings = run(trees, {"calc.py": base}, {"calc.py": head})
    # Only the line the PR changed; the pre-existing pragma is the project's business.
    assert [(f["rule"], f["file"], f["line"]) for f in findings] == [("TG-NO-COVER", "calc.py", 2)]
