"""What counts as the PR's change: test naming from the project's pytest config, changed
lines as executable statements, import-time credit, parametrize tables, build-time files."""

import os
import subprocess
import sys

import tg_coverage
import tg_naming
import tg_project
from tg_diff import diff, statement_lines
from tg_select import select_pr_tests


# ---- naming -------------------------------------------------------------------------------


def test_pytest_defaults_without_config(tmp_path):
    naming = tg_naming.load(str(tmp_path))
    assert naming.is_test_file("tests/test_a.py")
    assert naming.is_test_file("pkg/a_test.py")
    assert not naming.is_test_file("test.py")
    assert not naming.is_test_file("tests/conftest.py")
    assert naming.is_test_code("tests/conftest.py")
    assert naming.is_test_code("tests/helpers.py")
    assert not naming.is_test_code("pkg/testing/helpers.py")
    assert naming.describe()["source"] == "pytest defaults"


def test_python_files_from_each_config_file(tmp_path):
    cases = {
        "pytest.ini": "[pytest]\npython_files = test.py check_*.py\n",
        "pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["test.py", "check_*.py"]\n',
        "tox.ini": "[tox]\nenvlist = py311\n[pytest]\npython_files = test.py check_*.py\n",
        "setup.cfg": "[metadata]\nname = x\n[tool:pytest]\npython_files = test.py check_*.py\n",
    }
    for name, text in cases.items():
        root = tmp_path / name.replace(".", "-")
        root.mkdir()
        (root / name).write_text(text)
        naming = tg_naming.load(str(root))
        assert naming.source == name
        assert naming.is_test_file("test.py"), name
        assert naming.is_test_file("sub/check_io.py"), name
        assert not naming.is_test_file("sub/test_io.py"), name
        assert "-o" in naming.pytest_overrides() and "python_files=test.py check_*.py" in naming.pytest_overrides()


def test_pytest_ini_wins_even_without_a_section(tmp_path):
    (tmp_path / "pytest.ini").write_text("# empty\n")
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\npython_files = test.py\n")
    naming = tg_naming.load(str(tmp_path))
    assert naming.source == "pytest.ini"
    assert not naming.is_test_file("test.py")


def test_classes_functions_and_testpaths(tmp_path):
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\npython_classes = *Tests Check\npython_functions = check_ test_\ntestpaths = qa\n"
    )
    naming = tg_naming.load(str(tmp_path))
    assert naming.is_test_class("ParserTests") and naming.is_test_class("CheckIO")
    assert not naming.is_test_class("TestParser")
    assert naming.is_test_function("check_x") and naming.is_test_function("test_y")
    assert naming.is_test_code("qa/fixtures.py")


def test_testgate_globs_add_and_exclude(tmp_path):
    naming = tg_naming.load(str(tmp_path), globs=["specs/**/*_spec.py"], exclude=["tests/vendored/**"])
    assert naming.is_test_file("specs/a/io_spec.py")
    assert not naming.is_test_file("tests/vendored/test_x.py")


# ---- changed lines as statements ------------------------------------------------------------

SOURCE = '''"""Module docstring."""
LIMITS = (1,
          2)


def f(a,
      b):
    """Doc.

    more doc."""
    # a comment
    return (a +
            b)
'''


def test_statement_lines_fold_continuations_and_drop_non_code():
    lines = SOURCE.splitlines()
    changed = list(range(1, len(lines) + 1))
    # 1 docstring, 4-5 blank, 8-10 docstring, 11 comment: not code.
    assert statement_lines(SOURCE, changed) == [2, 6, 12]
    assert statement_lines(SOURCE, [3]) == [2]  # continuation of the tuple
    assert statement_lines(SOURCE, [13]) == [12]  # continuation of the return
    assert statement_lines(SOURCE, [9, 11]) == []  # docstring and comment only


def test_diff_keeps_raw_lines_of_test_code_and_statements_of_source(trees):
    base, head = trees(
        {"calc.py": "X = 1\n", "tests/test_calc.py": "import calc\n"},
        {
            "calc.py": "X = 1\nY = (2,\n     3)\n",
            "tests/test_calc.py": "import calc\n\n\ndef test_y():\n    assert calc.Y\n",
        },
    )
    d = diff(base, head)
    assert d.lines == {"calc.py": [2]}
    assert d.raw_lines["tests/test_calc.py"] == [2, 3, 4, 5]
    assert d.is_changed("tests/test_calc.py", 4) and not d.is_changed("tests/test_calc.py", 1)


# ---- import-time credit -------------------------------------------------------------------


def test_import_time_statements_and_credit(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text(
        "import os\n"  # 1
        "LIMIT = 10\n"  # 2
        "__all__ = ['scale',\n"  # 3
        "           'LIMIT']\n"  # 4
        "\n"
        "\n"
        "@staticmethod\n"  # 7
        "def scale(x,\n"  # 8
        "          factor=2):\n"  # 9
        "    return x * factor\n"  # 10
        "\n"
        "\n"
        "class Box:\n"  # 13
        "    SIZE = 3\n"  # 14
        "\n"
        "    def area(self):\n"  # 16
        "        return self.SIZE ** 2\n"  # 17
    )
    statements, uses = tg_coverage.import_time_statements(str(path))
    assert statements[2] == ("stmt", {"LIMIT"})
    assert statements[3][1] >= {"__all__", "scale", "LIMIT"}
    assert statements[7][0] == statements[8][0] == "def"
    assert statements[14] == ("stmt", {"SIZE"})
    assert "SIZE" in uses[17]
    ran_at_import = {1, 2, 3, 7, 8, 13, 14, 16}
    credit = tg_coverage.credit_import_time
    # The header of a def counts when its body ran in the test.
    assert credit({8}, {10}, ran_at_import, statements, set()) == {8}
    assert credit({8}, set(), ran_at_import, statements, set()) == set()
    # A constant counts when the test (or code it ran) uses its name.
    assert credit({2}, {10}, ran_at_import, statements, {"LIMIT"}) == {2}
    assert credit({2}, {10}, ran_at_import, statements, {"scale"}) == set()
    # A class attribute used by a method the test ran.
    assert credit({14}, {17}, ran_at_import, statements, uses[17]) == {14}
    # Nothing is credited that did not run in the test's process.
    assert credit({2}, set(), set(), statements, {"LIMIT"}) == set()


# ---- parametrize tables -------------------------------------------------------------------

TABLE_BASE = '''
import pytest

CASES = [
    (1, 2),
    (2, 4),
]


@pytest.mark.parametrize("a, b", CASES)
def test_double(a, b):
    assert a * 2 == b
'''


def test_new_entries_of_a_module_table_are_new_cases(trees):
    head_text = TABLE_BASE.replace("    (2, 4),\n", "    (2, 4),\n    (5, 10),\n")
    base, head = trees({"tests/test_t.py": TABLE_BASE}, {"tests/test_t.py": head_text})
    d = diff(base, head)
    [sel] = select_pr_tests(base, head, d.files)
    assert (sel["function"], sel["change"], sel["newCases"]) == ("test_double", "modified", [2])


def test_an_unchanged_table_selects_nothing(trees):
    head_text = TABLE_BASE + "\n\ndef test_other():\n    assert True\n"
    base, head = trees({"tests/test_t.py": TABLE_BASE}, {"tests/test_t.py": head_text})
    d = diff(base, head)
    assert [s["function"] for s in select_pr_tests(base, head, d.files)] == ["test_other"]


def test_a_root_test_py_named_by_python_files_is_selected(trees):
    base, head = trees(
        {"pytest.ini": "[pytest]\npython_files = test.py\n", "test.py": "def test_a():\n    assert 1\n"},
        {
            "pytest.ini": "[pytest]\npython_files = test.py\n",
            "test.py": "def test_a():\n    assert 1\n\n\ndef test_b():\n    assert 2\n",
        },
    )
    naming = tg_naming.load(head)
    d = diff(base, head, naming)
    assert d.files == [{"path": "test.py", "status": "modified", "isTest": True}]
    assert d.lines == {}
    assert [s["function"] for s in select_pr_tests(base, head, d.files, naming)] == ["test_b"]


# ---- build-time metadata ------------------------------------------------------------------


def test_hatch_vcs_version_file_and_metadata_are_provided(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "Tiny-Pkg"\ndynamic = ["version"]\n'
        '[tool.hatch.version]\nsource = "vcs"\n'
        '[tool.hatch.build.hooks.vcs]\nversion-file = "src/tiny_pkg/_version.py"\n'
    )
    pkg = tmp_path / "src" / "tiny_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        "from importlib.metadata import version\n"
        "from tiny_pkg._version import __version__\n"
        "DIST = version('Tiny-Pkg')\n"
    )
    assert tg_project.build_time_version_files(str(tmp_path)) == ["src/tiny_pkg/_version.py"]
    provided = tg_project.provide_build_metadata(str(tmp_path))
    assert (pkg / "_version.py").exists()
    assert any("_version.py" in n for n in provided["notes"])
    code = "import tiny_pkg; print(tiny_pkg.__version__, tiny_pkg.DIST)"
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "src"), provided["root"]]), "PATH": os.environ["PATH"]}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert out.stdout.split() == ["0+testgate", "0+testgate"], out.stderr


def test_setuptools_scm_write_to_and_an_existing_file_is_kept(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.setuptools_scm]\nwrite_to = "pkg/_version.py"\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "_version.py").write_text("__version__ = '1.2.3'\n")
    assert tg_project.build_time_version_files(str(tmp_path)) == ["pkg/_version.py"]
    provided = tg_project.provide_build_metadata(str(tmp_path))
    assert (tmp_path / "pkg" / "_version.py").read_text() == "__version__ = '1.2.3'\n"
    assert provided["root"] is None  # no distribution name declared: no dist-info


def test_setup_py_use_scm_version_is_read_statically(tmp_path):
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='legacy', use_scm_version={'write_to': 'legacy/_v.py'})\n"
    )
    assert tg_project.build_time_version_files(str(tmp_path)) == ["legacy/_v.py"]
    assert tg_project.distribution_name(str(tmp_path)) == "legacy"


def test_export_subst_files_are_not_the_prs_change(trees):
    attrs = "pkg/_version.py export-subst\n"
    base, head = trees(
        {".gitattributes": attrs, "pkg/_version.py": "git_full = 'aaaa'\n", "pkg/core.py": "X = 1\n"},
        {".gitattributes": attrs, "pkg/_version.py": "git_full = 'bbbb'\n", "pkg/core.py": "X = 1\nY = 2\n"},
    )
    assert diff(base, head).lines == {"pkg/core.py": [2]}


def test_tests_under_a_module_level_if_are_tests(trees):
    src = "import sys\n\nif sys.platform != 'win32':\n    def test_posix():\n        assert 1\n"
    base, head = trees({}, {"tests/test_p.py": src})
    d = diff(base, head)
    assert [s["function"] for s in select_pr_tests(base, head, d.files)] == ["test_posix"]


def test_an_edited_mixin_test_is_selected(trees):
    base_src = (
        "import unittest\n\n\nclass Checks:\n    def test_x(self):\n        self.assertEqual(1, 1)\n\n\n"
        "class TestA(unittest.TestCase, Checks):\n    pass\n"
    )
    head_src = base_src.replace("self.assertEqual(1, 1)", "self.assertEqual(2, 2)")
    base, head = trees({"tests/test_m.py": base_src}, {"tests/test_m.py": head_src})
    d = diff(base, head)
    [sel] = select_pr_tests(base, head, d.files)
    assert (sel["cls"], sel["function"], sel["mixin"], sel["startLine"], sel["defLine"]) == (
        "Checks",
        "test_x",
        True,
        5,
        5,
    )


def test_asserting_helpers_count_as_asserts(tmp_path):
    import tg_rules

    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "harness.py").write_text(
        "import unittest\n\n\nclass TestCase(unittest.TestCase):\n"
        "    def flakes(self, src):\n        self.assertEqual(src, src.strip())\n\n"
        "    def twice(self, src):\n        self.flakes(src)\n        self.flakes(src)\n"
    )
    (tmp_path / "tests" / "test_x.py").write_text(
        "from tests.harness import TestCase\n\n\nclass TestX(TestCase):\n"
        "    def test_a(self):\n        self.flakes('x')\n\n    def test_b(self):\n        self.twice('x')\n\n"
        "    def test_c(self):\n        print('x')\n"
    )
    naming = tg_naming.load(str(tmp_path))
    helpers = tg_rules.asserting_helpers(str(tmp_path), naming)
    assert {"flakes", "twice"} <= helpers
    scan = tg_rules.scan_test_file(str(tmp_path / "tests" / "test_x.py"), "tests/test_x.py", naming, helpers)
    assert {k: v["asserts"] for k, v in scan["functions"].items()} == {
        "TestX.test_a": 1,
        "TestX.test_b": 1,
        "TestX.test_c": 0,
    }


def test_trailing_whitespace_is_not_a_change(trees):
    base, head = trees(
        {"tests/test_w.py": "import pickle\n\n\ndef test_old():\n    assert pickle.loads(pickle.dumps(1)) == 1\n"},
        {"tests/test_w.py": "import pickle\n\n\ndef test_old():\n    assert pickle.loads(pickle.dumps(1)) == 1   \n"},
    )
    d = diff(base, head)
    assert d.raw_lines == {} and not d.is_changed("tests/test_w.py", 5)
    assert select_pr_tests(base, head, d.files) == []


def test_root_scripts_next_to_a_package_are_not_probed(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("X = 1\n")
    (tmp_path / "update_stamp.py").write_text("open('pkg/__init__.py', 'w')\n")
    assert tg_project.detect_project(str(tmp_path))["packages"] == ["pkg"]
    (tmp_path / "single").mkdir()
    (tmp_path / "single" / "only.py").write_text("X = 1\n")
    assert tg_project.detect_project(str(tmp_path / "single"))["packages"] == ["only"]


def test_setup_py_changes_are_not_source_lines(trees):
    base, head = trees({"setup.py": "VERSION = '1'\n"}, {"setup.py": "VERSION = '2'\n"})
    assert diff(base, head).lines == {}
