"""Writes the large-module fixture: base/ and head/ trees of a package whose one module
has over 3,000 lines; head changes `allocate_order` (new error paths). Deterministic:
run `python3 generate.py` after editing this file and commit the result."""
import pathlib
import random
import shutil

HERE = pathlib.Path(__file__).parent
rng = random.Random(20240601)

IMPORTS = """import bisect
import collections
import csv
import dataclasses
import datetime as dt
import decimal
import enum
import functools
import hashlib
import heapq
import io
import itertools
import json
import logging
import math
import operator
import re
import statistics
import string
import textwrap
import typing
from collections import OrderedDict, defaultdict, deque
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
"""

ALLOCATE_BASE = '''
def allocate_order(stock: Dict[str, int], order: Dict[str, int]) -> Dict[str, int]:
    """Reserve `order` from `stock`; returns the quantities taken per SKU."""
    taken = {}
    for sku, qty in order.items():
        available = stock.get(normalize_sku(sku), 0)
        take = min(available, qty)
        taken[normalize_sku(sku)] = take
    return taken
'''

ALLOCATE_HEAD = '''
def allocate_order(stock: Dict[str, int], order: Dict[str, int]) -> Dict[str, int]:
    """Reserve `order` from `stock`; returns the quantities taken per SKU.

    Quantities above MAX_LINE_QUANTITY are refused, and so is an order that asks for
    more than the stock holds:

    >>> allocate_order({"AB-1": 5}, {"ab-1": 2})
    {'AB-1': 2}
    """
    if len(order) > MAX_ORDER_LINES:
        raise ValueError(f"too many lines: {len(order)}")
    taken: Dict[str, int] = {}
    for sku, qty in order.items():
        key = normalize_sku(sku)
        if qty <= 0 or qty > MAX_LINE_QUANTITY:
            raise ValueError(f"bad quantity for {key}: {qty}")
        available = stock.get(key, 0)
        if available < qty:
            raise LookupError(f"short of {key}: {available} < {qty}")
        taken[key] = quantize_units(qty)
    return taken
'''


def constants() -> str:
    lines = ["MAX_ORDER_LINES = 50", "MAX_LINE_QUANTITY = 10_000", "SKU_PATTERN = re.compile(r'^[A-Z]{2}-\\d+$')"]
    for i in range(60):
        lines.append(f"RATE_{i:02d} = Decimal('{rng.randint(1, 999)}.{rng.randint(0, 99):02d}')")
    lines.append("ZONES = {" + ", ".join(f"'Z{i}': {rng.randint(1, 9)}" for i in range(40)) + "}")
    return "\n".join(lines) + "\n"


def helper(i: int) -> str:
    a, b = rng.randint(2, 40), rng.randint(2, 40)
    other = f"helper_{i - 1:03d}" if i > 0 else "abs"
    return f'''

def helper_{i:03d}(values: Sequence[float], factor: float = {a}.0) -> List[float]:
    """Scale, shift and clip values (generated helper {i})."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * {b}
        if scaled > RATE_{i % 60:02d}:
            scaled = float(RATE_{i % 60:02d})
        out.append(round(scaled, 3))
    if len(out) > {a + b}:
        out = out[: {a + b}]
    return [{other}(v) if isinstance(v, float) and v < 0 else v for v in out] if {i % 2} else out
'''


CLASS = '''

class Ledger:
    """An append-only ledger of stock movements."""

    currency = "EUR"
    precision = 2

    def __init__(self) -> None:
        self.entries: List[Tuple[str, int]] = []

    def record(self, sku: str, delta: int) -> None:
        self.entries.append((normalize_sku(sku), delta))

    def balance(self, sku: str) -> int:
        key = normalize_sku(sku)
        return sum(delta for name, delta in self.entries if name == key)
'''

NEAR = '''

def normalize_sku(sku: str) -> str:
    """Upper-case, trimmed SKU: ' ab-1 ' -> 'AB-1'."""
    cleaned = sku.strip().upper()
    if not SKU_PATTERN.match(cleaned):
        raise ValueError(f"bad sku: {sku!r}")
    return cleaned


def quantize_units(qty: int) -> int:
    return int(Decimal(qty).quantize(Decimal(1), rounding=ROUND_HALF_UP))
'''


def module(allocate: str) -> str:
    rng.seed(20240601)
    parts = ['"""Warehouse stock, orders and pricing (a large generated module for benchmarks)."""\n', IMPORTS, "\n", constants(), NEAR]
    for i in range(120):
        parts.append(helper(i))
    parts.append(CLASS)
    parts.append("\n" + allocate)
    for i in range(120, 240):
        parts.append(helper(i))
    return "".join(parts).rstrip() + "\n"


TEST = '''import pytest

from warehouse.stock import Ledger, normalize_sku


def test_normalize_sku():
    assert normalize_sku(" ab-1 ") == "AB-1"


def test_ledger_balance():
    ledger = Ledger()
    ledger.record("ab-1", 3)
    ledger.record("AB-1", -1)
    assert ledger.balance("ab-1") == 2
'''


def write(tree: str, allocate: str) -> None:
    root = HERE / tree
    if root.exists():
        shutil.rmtree(root)
    (root / "warehouse").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "warehouse" / "__init__.py").write_text('"""Warehouse fixture package."""\n')
    (root / "warehouse" / "stock.py").write_text(module(allocate))
    (root / "tests" / "test_stock.py").write_text(TEST)
    (root / "pyproject.toml").write_text('[project]\nname = "warehouse"\nversion = "0.1.0"\n')


write("base", ALLOCATE_BASE)
write("head", ALLOCATE_HEAD)
print(len((HERE / "head" / "warehouse" / "stock.py").read_text().splitlines()), "lines")
