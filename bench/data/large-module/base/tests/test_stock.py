import pytest

from warehouse.stock import Ledger, normalize_sku


def test_normalize_sku():
    assert normalize_sku(" ab-1 ") == "AB-1"


def test_ledger_balance():
    ledger = Ledger()
    ledger.record("ab-1", 3)
    ledger.record("AB-1", -1)
    assert ledger.balance("ab-1") == 2
