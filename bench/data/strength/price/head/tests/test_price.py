from unittest import mock

import pytest

from shop import price
from shop.price import parse_price


def test_symbol_and_thousands():
    assert parse_price("$1,234.50") == 1234.5


def test_zero_is_a_price():
    assert parse_price("0") == 0


def test_negative_refused():
    with pytest.raises(ValueError, match="negative"):
        parse_price("-3")


def test_small_negative_refused():
    with pytest.raises(ValueError):
        parse_price("-0.5")


def test_not_none():
    assert parse_price("5") is not None


def test_same_twice():
    first = parse_price("7")
    assert first == parse_price("7")


def test_type_is_a_number():
    assert isinstance(parse_price("9"), (int, float))


def test_patched_parse():
    with mock.patch.object(price, "parse_price", wraps=price.parse_price) as spy:
        price.parse_price("2")
        assert spy.called


def test_raises_on_anything():
    with pytest.raises(Exception):
        parse_price("5") + "x"


def test_swallowed_check():
    try:
        assert parse_price("-1") == 1
    except (AssertionError, ValueError):
        pass
