from tg_diff import changed_functions, changed_line_numbers, diff_trees, is_test_path


def test_is_test_path_conventions():
    assert is_test_path("tests/test_a.py")
    assert is_test_path("pkg/test_b.py")
    assert is_test_path("pkg/b_test.py")
    assert is_test_path("conftest.py")
    assert is_test_path("tests/helpers.py")
    assert is_test_path("test/data/x.json")
    assert not is_test_path("pkg/testing_utils.py")
    assert not is_test_path("pkg/contest.py")
    assert not is_test_path("latest/mod.py")


def test_changed_files_statuses_and_test_flags(trees):
    base, head = trees(
        {"calc.py": "a = 1\n", "old.py": "x = 1\n", "tests/test_calc.py": "def test_a(): pass\n", "same.py": "s = 1\n"},
        {
            "calc.py": "a = 2\n",
            "new.py": "y = 1\n",
            "tests/test_calc.py": "def test_a(): assert 1\n",
            "same.py": "s = 1\n",
            "README.md": "hi\n",
        },
    )
    files, lines = diff_trees(base, head)
    assert files == [
        {"path": "README.md", "status": "added", "isTest": False},
        {"path": "calc.py", "status": "modified", "isTest": False},
        {"path": "new.py", "status": "added", "isTest": False},
        {"path": "old.py", "status": "deleted", "isTest": False},
        {"path": "tests/test_calc.py", "status": "modified", "isTest": True},
    ]
    # Only non-test .py files in head carry changed lines; deleted files none.
    assert lines == {"calc.py": [1], "new.py": [1]}


def test_empty_base_means_everything_added(tmp_path):
    head = tmp_path / "head"
    head.mkdir()
    (head / "m.py").write_text("a = 1\nb = 2\n")
    files, lines = diff_trees(str(tmp_path / "missing-base"), str(head))
    assert files == [{"path": "m.py", "status": "added", "isTest": False}]
    assert lines == {"m.py": [1, 2]}


def test_changed_lines_inserted_and_modified_not_deleted():
    base = "a = 1\nb = 2\nc = 3\nd = 4\n"
    head = "a = 1\nB = 2\nc = 3\nnew = 0\n"
    assert changed_line_numbers(base, head) == [2, 4]
    assert changed_line_numbers("a\nb\nc\n", "a\nc\n") == []
    assert changed_line_numbers("a\n", "x\na\n") == [1]


def test_line_numbers_follow_python_not_str_splitlines():
    # A form feed is not a line break for Python; \r\n is one.
    base = "a = 1\r\nb = '\x0c'\r\nc = 3\r\n"
    head = "a = 1\r\nb = '\x0c'\r\nc = 4\r\n"
    assert changed_line_numbers(base, head) == [3]


def test_changed_functions_qualnames_nested_and_error_lines(trees):
    base_src = '''
        def untouched():
            return 1

        def parse(s):
            return int(s)

        class Cart:
            def add(self, item):
                self.items.append(item)

            def total(self):
                return 0
    '''
    head_src = '''
        def untouched():
            return 1

        def parse(s):
            def helper(x):
                raise ValueError(x)
            try:
                return int(s)
            except TypeError:
                raise ValueError(
                    "bad")

        class Cart:
            def add(self, item):
                if item is None:
                    raise TypeError("item")
                self.items.append(item)

            def total(self):
                return 0
    '''
    base, head = trees({"shop.py": base_src}, {"shop.py": head_src})
    _files, lines = diff_trees(base, head)
    fns = changed_functions(head, lines)
    by_name = {f["qualname"]: f for f in fns}
    assert set(by_name) == {"parse", "Cart.add"}  # nested helper belongs to parse; total untouched
    parse = by_name["parse"]
    assert parse["file"] == "shop.py"
    assert parse["startLine"] == 4 and parse["endLine"] == 11
    assert parse["raiseLines"] == [6, 10]
    assert parse["exceptLines"] == [9]
    add = by_name["Cart.add"]
    assert add["raiseLines"] == [16]
    assert add["exceptLines"] == []
    assert add["changedLines"] == [15, 16]


def test_unchanged_raise_in_changed_function_is_not_listed(trees):
    base, head = trees(
        {"m.py": "def f(x):\n    if x:\n        raise ValueError()\n    return 1\n"},
        {"m.py": "def f(x):\n    if x:\n        raise ValueError()\n    return 2\n"},
    )
    _f, lines = diff_trees(base, head)
    [fn] = changed_functions(head, lines)
    assert fn["changedLines"] == [4] and fn["raiseLines"] == []


def test_decorator_change_counts_for_function(trees):
    base, head = trees(
        {"m.py": "import functools\n\ndef f():\n    return 1\n"},
        {"m.py": "import functools\n\n@functools.lru_cache\ndef f():\n    return 1\n"},
    )
    _f, lines = diff_trees(base, head)
    [fn] = changed_functions(head, lines)
    assert fn["qualname"] == "f" and fn["startLine"] == 3


def test_syntax_error_file_yields_no_functions(trees):
    base, head = trees({}, {"bad.py": "def f(:\n"})
    _f, lines = diff_trees(base, head)
    assert lines == {"bad.py": [1]}
    assert changed_functions(head, lines) == []


def test_bom_and_coding_cookie_files_parse(tmp_path):
    from tg_diff import read_source

    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfdef f():\n    return 1\n")
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9'\n")
    assert read_source(str(bom)).startswith("def f")
    assert "\u00e9" in read_source(str(latin))
    fns = changed_functions(str(tmp_path), {"bom.py": [1, 2]})
    assert [f["qualname"] for f in fns] == ["f"]
