import tg_naming
from tg_diff import diff_trees
from tg_select import glob_to_regex, matches_globs, select_pr_tests

GLOBS = ["tests/**/test_*.py", "tests/**/*_test.py", "test_*.py", "**/test_*.py"]


def select(trees, base_files, head_files, globs=GLOBS):
    base, head = trees(base_files, head_files)
    naming = tg_naming.load(head, globs=globs)
    files, _ = diff_trees(base, head, naming)
    return select_pr_tests(base, head, files, naming)


def test_globs():
    assert glob_to_regex("tests/**/test_*.py").match("tests/test_a.py")
    assert glob_to_regex("tests/**/test_*.py").match("tests/unit/deep/test_a.py")
    assert not glob_to_regex("test_*.py").match("tests/test_a.py")
    assert glob_to_regex("**/test_*.py").match("pkg/test_a.py")
    assert not matches_globs("tests/helpers.py", GLOBS)
    assert matches_globs("tests/a_test.py", GLOBS)


def test_added_file_selects_every_test(trees):
    got = select(
        trees,
        {},
        {
            "tests/test_new.py": """
        import pytest

        def helper():
            pass

        def test_one():
            assert 1

        class TestGroup:
            def test_two(self):
                assert 2

            def helper(self):
                pass
    """
        },
    )
    assert [(t["function"], t["cls"], t["change"]) for t in got] == [
        ("test_one", None, "added"),
        ("test_two", "TestGroup", "added"),
    ]
    assert got[0]["startLine"] == 6 and got[0]["endLine"] == 7
    assert all(t["newCases"] is None for t in got)


def test_only_edited_and_new_tests_selected(trees):
    base = {
        "tests/test_m.py": """
        def test_same():
            assert 1 == 1

        def test_edit():
            assert 2 == 2
    """
    }
    head = {
        "tests/test_m.py": """
        import os


        def test_same():
            assert 1 == 1

        def test_edit():
            assert 2 == 3

        def test_new():
            assert True
    """
    }
    got = select(trees, base, head)
    assert [(t["function"], t["change"]) for t in got] == [("test_edit", "modified"), ("test_new", "added")]


def test_renamed_test_is_added_and_old_name_gone(trees):
    got = select(
        trees,
        {"tests/test_r.py": "def test_old():\n    assert f()\n"},
        {"tests/test_r.py": "def test_renamed():\n    assert f()\n"},
    )
    assert [(t["function"], t["change"]) for t in got] == [("test_renamed", "added")]


def test_decorator_edit_is_a_modification(trees):
    got = select(
        trees,
        {"tests/test_d.py": "def test_a():\n    assert 1\n"},
        {"tests/test_d.py": "import pytest\n\n@pytest.mark.skip\ndef test_a():\n    assert 1\n"},
    )
    assert [(t["function"], t["change"], t["startLine"]) for t in got] == [("test_a", "modified", 3)]


def test_class_method_edit_selects_only_that_method(trees):
    base = {
        "tests/test_c.py": """
        class TestCart:
            def test_add(self):
                assert 1

            def test_remove(self):
                assert 1
    """
    }
    head = {
        "tests/test_c.py": """
        class TestCart:
            def test_add(self):
                assert 1

            def test_remove(self):
                assert 0 == 0
    """
    }
    got = select(trees, base, head)
    assert [(t["cls"], t["function"], t["change"]) for t in got] == [("TestCart", "test_remove", "modified")]


def test_unittest_testcase_subclass_collected(trees):
    got = select(
        trees,
        {},
        {
            "tests/test_u.py": """
        import unittest

        class CartCase(unittest.TestCase):
            def test_x(self):
                self.assertEqual(1, 1)
    """
        },
    )
    assert [(t["cls"], t["function"]) for t in got] == [("CartCase", "test_x")]


def test_parametrize_appended_cases_are_new_cases(trees):
    base = {
        "tests/test_p.py": """
        import pytest

        @pytest.mark.parametrize("a,b", [(1, 2), (2, 3)])
        def test_inc(a, b):
            assert a + 1 == b
    """
    }
    head = {
        "tests/test_p.py": """
        import pytest

        @pytest.mark.parametrize("a,b", [
            (1, 2),
            (2, 3),
            (5, 6),
            pytest.param(9, 10, id="nine"),
        ])
        def test_inc(a, b):
            assert a + 1 == b
    """
    }
    [t] = select(trees, base, head)
    assert t["change"] == "modified"
    assert t["newCases"] == [2, 3]


def test_parametrize_inserted_case_index(trees):
    base = {"tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1, 3])\ndef test_x(x):\n    assert x\n"}
    head = {
        "tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1, 2, 3])\ndef test_x(x):\n    assert x\n"
    }
    [t] = select(trees, base, head)
    assert t["newCases"] == [1]


def test_parametrize_with_body_change_runs_all_cases(trees):
    base = {"tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1])\ndef test_x(x):\n    assert x\n"}
    head = {
        "tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1, 2])\ndef test_x(x):\n    assert x > 0\n"
    }
    [t] = select(trees, base, head)
    assert t["change"] == "modified" and t["newCases"] is None


def test_parametrize_edited_case_runs_all_cases(trees):
    base = {"tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1, 2])\ndef test_x(x):\n    assert x\n"}
    head = {
        "tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1, 5, 6])\ndef test_x(x):\n    assert x\n"
    }
    [t] = select(trees, base, head)
    assert t["newCases"] is None


def test_parametrize_keyword_argvalues_and_ids(trees):
    base = {
        "tests/test_p.py": "import pytest\n@pytest.mark.parametrize(argnames='x', argvalues=[1], ids=['one'])\ndef test_x(x):\n    assert x\n"
    }
    head = {
        "tests/test_p.py": "import pytest\n@pytest.mark.parametrize(argnames='x', argvalues=[1, 2], ids=['one', 'two'])\ndef test_x(x):\n    assert x\n"
    }
    [t] = select(trees, base, head)
    assert t["newCases"] == [1]


def test_stacked_parametrize_indices_follow_pytest_order(trees):
    # pytest order: the topmost decorator varies fastest: [10-0],[10-1],[20-0],[20-1],[30-0],[30-1]
    base = {
        "tests/test_p.py": """
        import pytest

        @pytest.mark.parametrize("x", [0, 1])
        @pytest.mark.parametrize("y", [10, 20])
        def test_xy(x, y):
            assert x < y
    """
    }
    head = {
        "tests/test_p.py": """
        import pytest

        @pytest.mark.parametrize("x", [0, 1])
        @pytest.mark.parametrize("y", [10, 20, 30])
        def test_xy(x, y):
            assert x < y
    """
    }
    [t] = select(trees, base, head)
    assert t["newCases"] == [4, 5]


def test_comment_only_change_is_modified_with_all_cases(trees):
    base = {"tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1])\ndef test_x(x):\n    assert x\n"}
    head = {
        "tests/test_p.py": "import pytest\n@pytest.mark.parametrize('x', [1])\ndef test_x(x):\n    assert x  # nosec\n"
    }
    [t] = select(trees, base, head)
    assert t["change"] == "modified" and t["newCases"] is None


def test_deleted_and_non_matching_files_ignored(trees):
    got = select(
        trees,
        {"tests/test_gone.py": "def test_a():\n    pass\n"},
        {"tests/helpers.py": "def test_like():\n    pass\n", "src/mod.py": "def test_thing():\n    pass\n"},
    )
    assert got == []


def test_unparsable_test_file_selects_nothing(trees):
    assert select(trees, {}, {"tests/test_bad.py": "def test_a(:\n"}) == []


def test_last_definition_wins(trees):
    got = select(trees, {}, {"tests/test_dup.py": "def test_a():\n    pass\n\ndef test_a():\n    assert 1\n"})
    assert [(t["function"], t["startLine"]) for t in got] == [("test_a", 4)]


# --- selection from pytest's collection (tg_evaluate._select_from_collection) --------------


def _selector(trees, base_files, head_files, raw_lines, fixtures=None, helper_targets=()):
    """An Evaluator holding only what _select_from_collection reads, with the diff's raw
    lines given: a line diff may pair lines of look-alike neighbours, and selection must not
    depend on that."""
    import tg_diff
    import tg_evaluate

    base, head = trees(base_files, head_files)
    ev = tg_evaluate.Evaluator.__new__(tg_evaluate.Evaluator)
    ev.base, ev.head = base, head
    ev.tree_diff = tg_diff.TreeDiff([], {}, raw_lines)
    ev.raw_line_sets = {f: set(v) for f, v in raw_lines.items()}
    ev.fixtures_changed = dict(fixtures or {})
    ev.helper_targets = set(helper_targets)
    return ev


def _item(nodeid, function, code_file, code_line, code_end, code_name, line, cls=None, fixtures=()):
    return {
        "nodeid": nodeid,
        "function": function,
        "cls": cls,
        "codeFile": code_file,
        "codeLine": code_line,
        "codeEnd": code_end,
        "codeName": code_name,
        "line": line,
        "fixtures": list(fixtures),
        "file": code_file,
    }


def test_a_plain_def_is_left_to_the_ast_even_when_diff_lines_touch_it(trees):
    old = "def test_old():\n    assert 1\n"
    ev = _selector(
        trees,
        {"tests/test_a.py": old},
        {"tests/test_a.py": old + "\n\ndef test_new():\n    assert 2\n"},
        {"tests/test_a.py": [2, 3, 4, 5, 6]},
    )  # line 2 is test_old's, as a diff may pair it
    tests = [{"nodeid": "tests/test_a.py::test_new", "file": "tests/test_a.py", "function": "test_new"}]
    ev._select_from_collection(
        "tests/test_a.py",
        [
            _item("tests/test_a.py::test_old", "test_old", "tests/test_a.py", 1, 2, "test_old", 1),
            _item("tests/test_a.py::test_new", "test_new", "tests/test_a.py", 5, 6, "test_new", 5),
        ],
        tests,
    )
    assert [t["nodeid"] for t in tests] == ["tests/test_a.py::test_new"]


def test_inherited_factory_and_fixture_tests_are_selected_by_what_changed(trees):
    checks_base = "class Checks:\n    def test_small(self):\n        assert 1\n"
    checks_head = checks_base + "\n    def test_neg(self):\n        assert -1\n"
    factory = "def _make(n):\n    def test():\n        assert n\n    return test\n\n\ntest_one = _make(1)\n"
    ev = _selector(
        trees,
        {
            "tests/checks.py": checks_base,
            "tests/test_i.py": "from tests.checks import Checks\n\n\nclass TestI(Checks):\n    pass\n",
            "tests/test_f.py": factory,
        },
        {
            "tests/checks.py": checks_head,
            "tests/test_i.py": "from tests.checks import Checks\n\n\nclass TestI(Checks):\n    pass\n",
            "tests/test_f.py": factory + "test_two = _make(2)\n",
        },
        {"tests/checks.py": [3, 4, 5, 6], "tests/test_f.py": [8]},
        fixtures={"two": "tests/conftest.py"},
    )
    tests = []
    ev._select_from_collection(
        "tests/test_i.py",
        [
            _item(
                "tests/test_i.py::TestI::test_small",
                "test_small",
                "tests/checks.py",
                2,
                3,
                "Checks.test_small",
                2,
                "TestI",
            ),
            _item(
                "tests/test_i.py::TestI::test_neg", "test_neg", "tests/checks.py", 5, 6, "Checks.test_neg", 5, "TestI"
            ),
        ],
        tests,
    )
    ev._select_from_collection(
        "tests/test_f.py",
        [
            _item(
                "tests/test_f.py::test_one",
                "test_one",
                "tests/test_f.py",
                2,
                3,
                "_make.<locals>.test",
                2,
                fixtures=["two"],
            ),
            _item("tests/test_f.py::test_two", "test_two", "tests/test_f.py", 2, 3, "_make.<locals>.test", 2),
        ],
        tests,
    )
    got = {t["nodeid"]: (t["change"], t["startLine"]) for t in tests}
    assert got == {
        # Inherited, new in the base class: shown at the class that pulls it in.
        "tests/test_i.py::TestI::test_neg": ("added", 4),
        # Bound on a changed line.
        "tests/test_f.py::test_two": ("added", 8),
        # Unchanged, but runs a fixture the PR changed.
        "tests/test_f.py::test_one": ("uses", 2),
    }
