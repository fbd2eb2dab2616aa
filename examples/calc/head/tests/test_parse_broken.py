# error: the file cannot be collected (calc.money does not exist).
from calc.money import to_cents


def test_to_cents():
    assert to_cents("1.00") == 100
