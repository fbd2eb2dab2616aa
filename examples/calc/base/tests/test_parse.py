import pytest

from calc import parse_amount


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("1", 1.0, id="int"),
        pytest.param("2.5", 2.5, id="decimal"),
    ],
)
def test_parse_amount_cases(text, expected):
    assert parse_amount(text) == expected
