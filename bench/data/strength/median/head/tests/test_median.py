from unittest import mock

from stats import central
from stats.central import median


def test_even_length_is_the_mean_of_the_middle_two():
    assert median([4, 1, 3, 2]) == 2.5


def test_odd_length_is_the_middle():
    assert median([5, 1, 3]) == 3


def test_even_median_equals_itself():
    assert median([1, 2, 3, 4]) == median([4, 3, 2, 1])


def test_even_median_is_an_object():
    assert isinstance(median([1, 2, 3, 4]), object)


def test_even_median_has_text():
    assert len(str(median([1, 2, 3, 4]))) >= 0


def test_mocked_median():
    with mock.patch.object(central, "median", wraps=central.median) as spy:
        central.median([1, 2, 3, 4])
    spy.assert_called_once()
