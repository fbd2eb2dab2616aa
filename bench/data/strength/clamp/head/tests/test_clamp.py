from unittest import mock

import pytest

from calc import ops
from calc.ops import clamp


def test_above_is_high():
    assert clamp(15, 0, 10) == 10


def test_inside_and_edges():
    assert clamp(5, 0, 10) == 5
    assert clamp(10, 0, 10) == 10
    assert clamp(0, 0, 10) == 0


def test_inverted_bounds_raise():
    with pytest.raises(ValueError, match="must not exceed"):
        clamp(1, 10, 0)


def test_result_equals_itself():
    result = clamp(15, 0, 10)
    assert result == clamp(15, 0, 10)


def test_result_is_an_object():
    assert isinstance(clamp(15, 0, 10), object)


def test_result_has_a_length():
    result = clamp(15, 0, 10)
    assert len(str(result)) >= 0


def test_mock_of_clamp_called():
    spy = mock.Mock(wraps=ops.clamp)
    spy(15, 0, 10)
    spy.assert_called_once_with(15, 0, 10)


def test_assert_swallowed():
    try:
        assert clamp(15, 0, 10) == 99
    except AssertionError:
        pass


def test_raises_anything():
    with pytest.raises(Exception):
        clamp(15, 0, 10) + "x"
