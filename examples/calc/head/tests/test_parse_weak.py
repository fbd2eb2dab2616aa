"""One more assistant-written test, in a file of its own: it imports only what the base has,
so it runs (and passes) over the code before the change too."""
from calc import parse_amount


def test_parse_amount_weak():
    # weak-oracle: runs the new code, but "positive" is true of every mutant of it too
    # (rounding to 3 digits, `<` made `<=`), and of the old code: its assert does not check
    # what the change computes.
    assert parse_amount("2.5") > 0
