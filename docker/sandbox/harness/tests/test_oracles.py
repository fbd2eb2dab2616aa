"""tg_oracles: what a test compares against, as the host's suspected-bug check reads it."""

import ast
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tg_oracles  # noqa: E402


def values(source: str) -> list:
    return tg_oracles.expected_values(ast.parse(source).body[0])


def test_literals_on_either_side_of_equality_and_the_expected_exception():
    assert values(
        'def test_x():\n'
        '    assert clamp(15, 0, 10) == 10\n'
        '    assert "abc" != f(1)\n'
        '    assert g() == [1, -2, (3, "x")]\n'
        '    with pytest.raises(ValueError):\n'
        '        f(-1)\n'
    ) == ['10', "'abc'", "[1, -2, (3, 'x')]", 'ValueError']


def test_names_calls_and_other_comparisons_are_not_expected_values():
    assert values(
        'def test_x():\n'
        '    assert f(1) == f(1)\n'
        '    assert f(2) < 3\n'
        '    assert f(3) is None\n'
        '    assert f(4) == expected\n'
        '    assert f(5) == f(5) == 5\n'
    ) == ['5']


def test_the_values_of_a_method_and_a_file_that_does_not_parse(tmp_path):
    import tg_evaluate

    path = tmp_path / 'test_m.py'
    path.write_text(
        'def test_a():\n    assert a() == 1\n\n\nclass TestB:\n    def test_b(self):\n        assert b() == 2\n'
    )
    functions = tg_evaluate._file_functions(str(path))
    assert {key: tg_oracles.expected_values(node) for key, node in functions.items()} == {
        (None, 'test_a'): ['1'],
        ('TestB', 'test_b'): ['2'],
    }
    path.write_text('def test_a(:\n')
    assert tg_evaluate._file_functions(str(path)) == {}
