"""Warehouse stock, orders and pricing (a large generated module for benchmarks)."""
import bisect
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

MAX_ORDER_LINES = 50
MAX_LINE_QUANTITY = 10_000
SKU_PATTERN = re.compile(r'^[A-Z]{2}-\d+$')
RATE_00 = Decimal('121.58')
RATE_01 = Decimal('431.60')
RATE_02 = Decimal('804.33')
RATE_03 = Decimal('599.30')
RATE_04 = Decimal('435.40')
RATE_05 = Decimal('207.55')
RATE_06 = Decimal('546.48')
RATE_07 = Decimal('873.09')
RATE_08 = Decimal('365.53')
RATE_09 = Decimal('915.37')
RATE_10 = Decimal('846.72')
RATE_11 = Decimal('523.43')
RATE_12 = Decimal('52.16')
RATE_13 = Decimal('661.90')
RATE_14 = Decimal('602.32')
RATE_15 = Decimal('130.65')
RATE_16 = Decimal('924.39')
RATE_17 = Decimal('602.88')
RATE_18 = Decimal('568.09')
RATE_19 = Decimal('900.83')
RATE_20 = Decimal('667.47')
RATE_21 = Decimal('267.05')
RATE_22 = Decimal('424.74')
RATE_23 = Decimal('577.26')
RATE_24 = Decimal('474.06')
RATE_25 = Decimal('599.60')
RATE_26 = Decimal('270.39')
RATE_27 = Decimal('210.11')
RATE_28 = Decimal('273.17')
RATE_29 = Decimal('231.81')
RATE_30 = Decimal('870.76')
RATE_31 = Decimal('351.51')
RATE_32 = Decimal('965.06')
RATE_33 = Decimal('426.81')
RATE_34 = Decimal('995.37')
RATE_35 = Decimal('150.81')
RATE_36 = Decimal('290.13')
RATE_37 = Decimal('258.40')
RATE_38 = Decimal('443.98')
RATE_39 = Decimal('19.08')
RATE_40 = Decimal('213.29')
RATE_41 = Decimal('388.77')
RATE_42 = Decimal('425.60')
RATE_43 = Decimal('703.68')
RATE_44 = Decimal('202.40')
RATE_45 = Decimal('96.54')
RATE_46 = Decimal('949.29')
RATE_47 = Decimal('552.85')
RATE_48 = Decimal('253.35')
RATE_49 = Decimal('676.96')
RATE_50 = Decimal('804.79')
RATE_51 = Decimal('396.53')
RATE_52 = Decimal('501.49')
RATE_53 = Decimal('181.19')
RATE_54 = Decimal('68.42')
RATE_55 = Decimal('717.70')
RATE_56 = Decimal('859.48')
RATE_57 = Decimal('423.32')
RATE_58 = Decimal('978.93')
RATE_59 = Decimal('352.97')
ZONES = {'Z0': 4, 'Z1': 3, 'Z2': 7, 'Z3': 9, 'Z4': 5, 'Z5': 3, 'Z6': 4, 'Z7': 7, 'Z8': 9, 'Z9': 3, 'Z10': 8, 'Z11': 6, 'Z12': 8, 'Z13': 2, 'Z14': 6, 'Z15': 7, 'Z16': 9, 'Z17': 4, 'Z18': 1, 'Z19': 7, 'Z20': 5, 'Z21': 6, 'Z22': 8, 'Z23': 5, 'Z24': 8, 'Z25': 2, 'Z26': 1, 'Z27': 1, 'Z28': 5, 'Z29': 8, 'Z30': 3, 'Z31': 1, 'Z32': 2, 'Z33': 2, 'Z34': 9, 'Z35': 8, 'Z36': 9, 'Z37': 2, 'Z38': 4, 'Z39': 8}


def normalize_sku(sku: str) -> str:
    """Upper-case, trimmed SKU: ' ab-1 ' -> 'AB-1'."""
    cleaned = sku.strip().upper()
    if not SKU_PATTERN.match(cleaned):
        raise ValueError(f"bad sku: {sku!r}")
    return cleaned


def quantize_units(qty: int) -> int:
    return int(Decimal(qty).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def helper_000(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 0)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 35
        if scaled > RATE_00:
            scaled = float(RATE_00)
        out.append(round(scaled, 3))
    if len(out) > 60:
        out = out[: 60]
    return [abs(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_001(values: Sequence[float], factor: float = 24.0) -> List[float]:
    """Scale, shift and clip values (generated helper 1)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 25
        if scaled > RATE_01:
            scaled = float(RATE_01)
        out.append(round(scaled, 3))
    if len(out) > 49:
        out = out[: 49]
    return [helper_000(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_002(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 2)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 10
        if scaled > RATE_02:
            scaled = float(RATE_02)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_001(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_003(values: Sequence[float], factor: float = 11.0) -> List[float]:
    """Scale, shift and clip values (generated helper 3)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_03:
            scaled = float(RATE_03)
        out.append(round(scaled, 3))
    if len(out) > 37:
        out = out[: 37]
    return [helper_002(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_004(values: Sequence[float], factor: float = 3.0) -> List[float]:
    """Scale, shift and clip values (generated helper 4)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 38
        if scaled > RATE_04:
            scaled = float(RATE_04)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_003(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_005(values: Sequence[float], factor: float = 33.0) -> List[float]:
    """Scale, shift and clip values (generated helper 5)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 9
        if scaled > RATE_05:
            scaled = float(RATE_05)
        out.append(round(scaled, 3))
    if len(out) > 42:
        out = out[: 42]
    return [helper_004(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_006(values: Sequence[float], factor: float = 37.0) -> List[float]:
    """Scale, shift and clip values (generated helper 6)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 32
        if scaled > RATE_06:
            scaled = float(RATE_06)
        out.append(round(scaled, 3))
    if len(out) > 69:
        out = out[: 69]
    return [helper_005(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_007(values: Sequence[float], factor: float = 15.0) -> List[float]:
    """Scale, shift and clip values (generated helper 7)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_07:
            scaled = float(RATE_07)
        out.append(round(scaled, 3))
    if len(out) > 39:
        out = out[: 39]
    return [helper_006(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_008(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 8)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 2
        if scaled > RATE_08:
            scaled = float(RATE_08)
        out.append(round(scaled, 3))
    if len(out) > 38:
        out = out[: 38]
    return [helper_007(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_009(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 9)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_09:
            scaled = float(RATE_09)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_008(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_010(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 10)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 35
        if scaled > RATE_10:
            scaled = float(RATE_10)
        out.append(round(scaled, 3))
    if len(out) > 71:
        out = out[: 71]
    return [helper_009(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_011(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 11)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 32
        if scaled > RATE_11:
            scaled = float(RATE_11)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_010(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_012(values: Sequence[float], factor: float = 7.0) -> List[float]:
    """Scale, shift and clip values (generated helper 12)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 9
        if scaled > RATE_12:
            scaled = float(RATE_12)
        out.append(round(scaled, 3))
    if len(out) > 16:
        out = out[: 16]
    return [helper_011(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_013(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 13)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 11
        if scaled > RATE_13:
            scaled = float(RATE_13)
        out.append(round(scaled, 3))
    if len(out) > 27:
        out = out[: 27]
    return [helper_012(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_014(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 14)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_14:
            scaled = float(RATE_14)
        out.append(round(scaled, 3))
    if len(out) > 47:
        out = out[: 47]
    return [helper_013(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_015(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 15)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_15:
            scaled = float(RATE_15)
        out.append(round(scaled, 3))
    if len(out) > 59:
        out = out[: 59]
    return [helper_014(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_016(values: Sequence[float], factor: float = 40.0) -> List[float]:
    """Scale, shift and clip values (generated helper 16)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 8
        if scaled > RATE_16:
            scaled = float(RATE_16)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_015(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_017(values: Sequence[float], factor: float = 38.0) -> List[float]:
    """Scale, shift and clip values (generated helper 17)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 36
        if scaled > RATE_17:
            scaled = float(RATE_17)
        out.append(round(scaled, 3))
    if len(out) > 74:
        out = out[: 74]
    return [helper_016(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_018(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 18)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_18:
            scaled = float(RATE_18)
        out.append(round(scaled, 3))
    if len(out) > 65:
        out = out[: 65]
    return [helper_017(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_019(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 19)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_19:
            scaled = float(RATE_19)
        out.append(round(scaled, 3))
    if len(out) > 27:
        out = out[: 27]
    return [helper_018(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_020(values: Sequence[float], factor: float = 11.0) -> List[float]:
    """Scale, shift and clip values (generated helper 20)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_20:
            scaled = float(RATE_20)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_019(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_021(values: Sequence[float], factor: float = 13.0) -> List[float]:
    """Scale, shift and clip values (generated helper 21)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_21:
            scaled = float(RATE_21)
        out.append(round(scaled, 3))
    if len(out) > 37:
        out = out[: 37]
    return [helper_020(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_022(values: Sequence[float], factor: float = 8.0) -> List[float]:
    """Scale, shift and clip values (generated helper 22)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 4
        if scaled > RATE_22:
            scaled = float(RATE_22)
        out.append(round(scaled, 3))
    if len(out) > 12:
        out = out[: 12]
    return [helper_021(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_023(values: Sequence[float], factor: float = 37.0) -> List[float]:
    """Scale, shift and clip values (generated helper 23)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 16
        if scaled > RATE_23:
            scaled = float(RATE_23)
        out.append(round(scaled, 3))
    if len(out) > 53:
        out = out[: 53]
    return [helper_022(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_024(values: Sequence[float], factor: float = 8.0) -> List[float]:
    """Scale, shift and clip values (generated helper 24)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 12
        if scaled > RATE_24:
            scaled = float(RATE_24)
        out.append(round(scaled, 3))
    if len(out) > 20:
        out = out[: 20]
    return [helper_023(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_025(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 25)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_25:
            scaled = float(RATE_25)
        out.append(round(scaled, 3))
    if len(out) > 22:
        out = out[: 22]
    return [helper_024(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_026(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 26)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_26:
            scaled = float(RATE_26)
        out.append(round(scaled, 3))
    if len(out) > 63:
        out = out[: 63]
    return [helper_025(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_027(values: Sequence[float], factor: float = 20.0) -> List[float]:
    """Scale, shift and clip values (generated helper 27)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 39
        if scaled > RATE_27:
            scaled = float(RATE_27)
        out.append(round(scaled, 3))
    if len(out) > 59:
        out = out[: 59]
    return [helper_026(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_028(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 28)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_28:
            scaled = float(RATE_28)
        out.append(round(scaled, 3))
    if len(out) > 56:
        out = out[: 56]
    return [helper_027(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_029(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 29)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 25
        if scaled > RATE_29:
            scaled = float(RATE_29)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_028(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_030(values: Sequence[float], factor: float = 31.0) -> List[float]:
    """Scale, shift and clip values (generated helper 30)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 12
        if scaled > RATE_30:
            scaled = float(RATE_30)
        out.append(round(scaled, 3))
    if len(out) > 43:
        out = out[: 43]
    return [helper_029(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_031(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 31)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_31:
            scaled = float(RATE_31)
        out.append(round(scaled, 3))
    if len(out) > 25:
        out = out[: 25]
    return [helper_030(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_032(values: Sequence[float], factor: float = 12.0) -> List[float]:
    """Scale, shift and clip values (generated helper 32)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_32:
            scaled = float(RATE_32)
        out.append(round(scaled, 3))
    if len(out) > 29:
        out = out[: 29]
    return [helper_031(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_033(values: Sequence[float], factor: float = 38.0) -> List[float]:
    """Scale, shift and clip values (generated helper 33)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_33:
            scaled = float(RATE_33)
        out.append(round(scaled, 3))
    if len(out) > 75:
        out = out[: 75]
    return [helper_032(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_034(values: Sequence[float], factor: float = 29.0) -> List[float]:
    """Scale, shift and clip values (generated helper 34)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_34:
            scaled = float(RATE_34)
        out.append(round(scaled, 3))
    if len(out) > 42:
        out = out[: 42]
    return [helper_033(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_035(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 35)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 15
        if scaled > RATE_35:
            scaled = float(RATE_35)
        out.append(round(scaled, 3))
    if len(out) > 42:
        out = out[: 42]
    return [helper_034(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_036(values: Sequence[float], factor: float = 18.0) -> List[float]:
    """Scale, shift and clip values (generated helper 36)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_36:
            scaled = float(RATE_36)
        out.append(round(scaled, 3))
    if len(out) > 39:
        out = out[: 39]
    return [helper_035(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_037(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 37)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 6
        if scaled > RATE_37:
            scaled = float(RATE_37)
        out.append(round(scaled, 3))
    if len(out) > 33:
        out = out[: 33]
    return [helper_036(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_038(values: Sequence[float], factor: float = 37.0) -> List[float]:
    """Scale, shift and clip values (generated helper 38)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_38:
            scaled = float(RATE_38)
        out.append(round(scaled, 3))
    if len(out) > 57:
        out = out[: 57]
    return [helper_037(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_039(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 39)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_39:
            scaled = float(RATE_39)
        out.append(round(scaled, 3))
    if len(out) > 55:
        out = out[: 55]
    return [helper_038(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_040(values: Sequence[float], factor: float = 24.0) -> List[float]:
    """Scale, shift and clip values (generated helper 40)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 34
        if scaled > RATE_40:
            scaled = float(RATE_40)
        out.append(round(scaled, 3))
    if len(out) > 58:
        out = out[: 58]
    return [helper_039(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_041(values: Sequence[float], factor: float = 28.0) -> List[float]:
    """Scale, shift and clip values (generated helper 41)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_41:
            scaled = float(RATE_41)
        out.append(round(scaled, 3))
    if len(out) > 49:
        out = out[: 49]
    return [helper_040(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_042(values: Sequence[float], factor: float = 39.0) -> List[float]:
    """Scale, shift and clip values (generated helper 42)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 38
        if scaled > RATE_42:
            scaled = float(RATE_42)
        out.append(round(scaled, 3))
    if len(out) > 77:
        out = out[: 77]
    return [helper_041(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_043(values: Sequence[float], factor: float = 15.0) -> List[float]:
    """Scale, shift and clip values (generated helper 43)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 33
        if scaled > RATE_43:
            scaled = float(RATE_43)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_042(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_044(values: Sequence[float], factor: float = 30.0) -> List[float]:
    """Scale, shift and clip values (generated helper 44)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 19
        if scaled > RATE_44:
            scaled = float(RATE_44)
        out.append(round(scaled, 3))
    if len(out) > 49:
        out = out[: 49]
    return [helper_043(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_045(values: Sequence[float], factor: float = 31.0) -> List[float]:
    """Scale, shift and clip values (generated helper 45)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_45:
            scaled = float(RATE_45)
        out.append(round(scaled, 3))
    if len(out) > 53:
        out = out[: 53]
    return [helper_044(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_046(values: Sequence[float], factor: float = 39.0) -> List[float]:
    """Scale, shift and clip values (generated helper 46)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_46:
            scaled = float(RATE_46)
        out.append(round(scaled, 3))
    if len(out) > 61:
        out = out[: 61]
    return [helper_045(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_047(values: Sequence[float], factor: float = 6.0) -> List[float]:
    """Scale, shift and clip values (generated helper 47)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 11
        if scaled > RATE_47:
            scaled = float(RATE_47)
        out.append(round(scaled, 3))
    if len(out) > 17:
        out = out[: 17]
    return [helper_046(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_048(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 48)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 14
        if scaled > RATE_48:
            scaled = float(RATE_48)
        out.append(round(scaled, 3))
    if len(out) > 35:
        out = out[: 35]
    return [helper_047(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_049(values: Sequence[float], factor: float = 12.0) -> List[float]:
    """Scale, shift and clip values (generated helper 49)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 39
        if scaled > RATE_49:
            scaled = float(RATE_49)
        out.append(round(scaled, 3))
    if len(out) > 51:
        out = out[: 51]
    return [helper_048(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_050(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 50)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 36
        if scaled > RATE_50:
            scaled = float(RATE_50)
        out.append(round(scaled, 3))
    if len(out) > 52:
        out = out[: 52]
    return [helper_049(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_051(values: Sequence[float], factor: float = 7.0) -> List[float]:
    """Scale, shift and clip values (generated helper 51)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_51:
            scaled = float(RATE_51)
        out.append(round(scaled, 3))
    if len(out) > 30:
        out = out[: 30]
    return [helper_050(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_052(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 52)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 29
        if scaled > RATE_52:
            scaled = float(RATE_52)
        out.append(round(scaled, 3))
    if len(out) > 43:
        out = out[: 43]
    return [helper_051(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_053(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 53)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_53:
            scaled = float(RATE_53)
        out.append(round(scaled, 3))
    if len(out) > 19:
        out = out[: 19]
    return [helper_052(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_054(values: Sequence[float], factor: float = 30.0) -> List[float]:
    """Scale, shift and clip values (generated helper 54)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_54:
            scaled = float(RATE_54)
        out.append(round(scaled, 3))
    if len(out) > 70:
        out = out[: 70]
    return [helper_053(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_055(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 55)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 16
        if scaled > RATE_55:
            scaled = float(RATE_55)
        out.append(round(scaled, 3))
    if len(out) > 43:
        out = out[: 43]
    return [helper_054(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_056(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 56)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 35
        if scaled > RATE_56:
            scaled = float(RATE_56)
        out.append(round(scaled, 3))
    if len(out) > 67:
        out = out[: 67]
    return [helper_055(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_057(values: Sequence[float], factor: float = 13.0) -> List[float]:
    """Scale, shift and clip values (generated helper 57)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_57:
            scaled = float(RATE_57)
        out.append(round(scaled, 3))
    if len(out) > 39:
        out = out[: 39]
    return [helper_056(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_058(values: Sequence[float], factor: float = 3.0) -> List[float]:
    """Scale, shift and clip values (generated helper 58)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_58:
            scaled = float(RATE_58)
        out.append(round(scaled, 3))
    if len(out) > 8:
        out = out[: 8]
    return [helper_057(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_059(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 59)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 18
        if scaled > RATE_59:
            scaled = float(RATE_59)
        out.append(round(scaled, 3))
    if len(out) > 50:
        out = out[: 50]
    return [helper_058(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_060(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 60)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_00:
            scaled = float(RATE_00)
        out.append(round(scaled, 3))
    if len(out) > 42:
        out = out[: 42]
    return [helper_059(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_061(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 61)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_01:
            scaled = float(RATE_01)
        out.append(round(scaled, 3))
    if len(out) > 54:
        out = out[: 54]
    return [helper_060(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_062(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 62)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 7
        if scaled > RATE_02:
            scaled = float(RATE_02)
        out.append(round(scaled, 3))
    if len(out) > 28:
        out = out[: 28]
    return [helper_061(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_063(values: Sequence[float], factor: float = 33.0) -> List[float]:
    """Scale, shift and clip values (generated helper 63)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_03:
            scaled = float(RATE_03)
        out.append(round(scaled, 3))
    if len(out) > 55:
        out = out[: 55]
    return [helper_062(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_064(values: Sequence[float], factor: float = 34.0) -> List[float]:
    """Scale, shift and clip values (generated helper 64)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 39
        if scaled > RATE_04:
            scaled = float(RATE_04)
        out.append(round(scaled, 3))
    if len(out) > 73:
        out = out[: 73]
    return [helper_063(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_065(values: Sequence[float], factor: float = 13.0) -> List[float]:
    """Scale, shift and clip values (generated helper 65)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_05:
            scaled = float(RATE_05)
        out.append(round(scaled, 3))
    if len(out) > 18:
        out = out[: 18]
    return [helper_064(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_066(values: Sequence[float], factor: float = 20.0) -> List[float]:
    """Scale, shift and clip values (generated helper 66)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_06:
            scaled = float(RATE_06)
        out.append(round(scaled, 3))
    if len(out) > 50:
        out = out[: 50]
    return [helper_065(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_067(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 67)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_07:
            scaled = float(RATE_07)
        out.append(round(scaled, 3))
    if len(out) > 59:
        out = out[: 59]
    return [helper_066(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_068(values: Sequence[float], factor: float = 8.0) -> List[float]:
    """Scale, shift and clip values (generated helper 68)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 12
        if scaled > RATE_08:
            scaled = float(RATE_08)
        out.append(round(scaled, 3))
    if len(out) > 20:
        out = out[: 20]
    return [helper_067(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_069(values: Sequence[float], factor: float = 3.0) -> List[float]:
    """Scale, shift and clip values (generated helper 69)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 10
        if scaled > RATE_09:
            scaled = float(RATE_09)
        out.append(round(scaled, 3))
    if len(out) > 13:
        out = out[: 13]
    return [helper_068(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_070(values: Sequence[float], factor: float = 17.0) -> List[float]:
    """Scale, shift and clip values (generated helper 70)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_10:
            scaled = float(RATE_10)
        out.append(round(scaled, 3))
    if len(out) > 57:
        out = out[: 57]
    return [helper_069(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_071(values: Sequence[float], factor: float = 5.0) -> List[float]:
    """Scale, shift and clip values (generated helper 71)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_11:
            scaled = float(RATE_11)
        out.append(round(scaled, 3))
    if len(out) > 28:
        out = out[: 28]
    return [helper_070(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_072(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 72)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_12:
            scaled = float(RATE_12)
        out.append(round(scaled, 3))
    if len(out) > 69:
        out = out[: 69]
    return [helper_071(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_073(values: Sequence[float], factor: float = 19.0) -> List[float]:
    """Scale, shift and clip values (generated helper 73)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_13:
            scaled = float(RATE_13)
        out.append(round(scaled, 3))
    if len(out) > 22:
        out = out[: 22]
    return [helper_072(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_074(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 74)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 39
        if scaled > RATE_14:
            scaled = float(RATE_14)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_073(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_075(values: Sequence[float], factor: float = 31.0) -> List[float]:
    """Scale, shift and clip values (generated helper 75)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_15:
            scaled = float(RATE_15)
        out.append(round(scaled, 3))
    if len(out) > 68:
        out = out[: 68]
    return [helper_074(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_076(values: Sequence[float], factor: float = 10.0) -> List[float]:
    """Scale, shift and clip values (generated helper 76)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 32
        if scaled > RATE_16:
            scaled = float(RATE_16)
        out.append(round(scaled, 3))
    if len(out) > 42:
        out = out[: 42]
    return [helper_075(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_077(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 77)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_17:
            scaled = float(RATE_17)
        out.append(round(scaled, 3))
    if len(out) > 76:
        out = out[: 76]
    return [helper_076(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_078(values: Sequence[float], factor: float = 28.0) -> List[float]:
    """Scale, shift and clip values (generated helper 78)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 33
        if scaled > RATE_18:
            scaled = float(RATE_18)
        out.append(round(scaled, 3))
    if len(out) > 61:
        out = out[: 61]
    return [helper_077(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_079(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 79)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_19:
            scaled = float(RATE_19)
        out.append(round(scaled, 3))
    if len(out) > 31:
        out = out[: 31]
    return [helper_078(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_080(values: Sequence[float], factor: float = 37.0) -> List[float]:
    """Scale, shift and clip values (generated helper 80)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 4
        if scaled > RATE_20:
            scaled = float(RATE_20)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_079(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_081(values: Sequence[float], factor: float = 39.0) -> List[float]:
    """Scale, shift and clip values (generated helper 81)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 4
        if scaled > RATE_21:
            scaled = float(RATE_21)
        out.append(round(scaled, 3))
    if len(out) > 43:
        out = out[: 43]
    return [helper_080(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_082(values: Sequence[float], factor: float = 33.0) -> List[float]:
    """Scale, shift and clip values (generated helper 82)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 12
        if scaled > RATE_22:
            scaled = float(RATE_22)
        out.append(round(scaled, 3))
    if len(out) > 45:
        out = out[: 45]
    return [helper_081(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_083(values: Sequence[float], factor: float = 37.0) -> List[float]:
    """Scale, shift and clip values (generated helper 83)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_23:
            scaled = float(RATE_23)
        out.append(round(scaled, 3))
    if len(out) > 57:
        out = out[: 57]
    return [helper_082(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_084(values: Sequence[float], factor: float = 3.0) -> List[float]:
    """Scale, shift and clip values (generated helper 84)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 28
        if scaled > RATE_24:
            scaled = float(RATE_24)
        out.append(round(scaled, 3))
    if len(out) > 31:
        out = out[: 31]
    return [helper_083(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_085(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 85)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_25:
            scaled = float(RATE_25)
        out.append(round(scaled, 3))
    if len(out) > 29:
        out = out[: 29]
    return [helper_084(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_086(values: Sequence[float], factor: float = 17.0) -> List[float]:
    """Scale, shift and clip values (generated helper 86)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 29
        if scaled > RATE_26:
            scaled = float(RATE_26)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_085(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_087(values: Sequence[float], factor: float = 34.0) -> List[float]:
    """Scale, shift and clip values (generated helper 87)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_27:
            scaled = float(RATE_27)
        out.append(round(scaled, 3))
    if len(out) > 60:
        out = out[: 60]
    return [helper_086(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_088(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 88)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 34
        if scaled > RATE_28:
            scaled = float(RATE_28)
        out.append(round(scaled, 3))
    if len(out) > 56:
        out = out[: 56]
    return [helper_087(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_089(values: Sequence[float], factor: float = 17.0) -> List[float]:
    """Scale, shift and clip values (generated helper 89)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 36
        if scaled > RATE_29:
            scaled = float(RATE_29)
        out.append(round(scaled, 3))
    if len(out) > 53:
        out = out[: 53]
    return [helper_088(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_090(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 90)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 39
        if scaled > RATE_30:
            scaled = float(RATE_30)
        out.append(round(scaled, 3))
    if len(out) > 74:
        out = out[: 74]
    return [helper_089(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_091(values: Sequence[float], factor: float = 30.0) -> List[float]:
    """Scale, shift and clip values (generated helper 91)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_31:
            scaled = float(RATE_31)
        out.append(round(scaled, 3))
    if len(out) > 54:
        out = out[: 54]
    return [helper_090(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_092(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 92)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_32:
            scaled = float(RATE_32)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_091(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_093(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 93)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 31
        if scaled > RATE_33:
            scaled = float(RATE_33)
        out.append(round(scaled, 3))
    if len(out) > 63:
        out = out[: 63]
    return [helper_092(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_094(values: Sequence[float], factor: float = 18.0) -> List[float]:
    """Scale, shift and clip values (generated helper 94)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_34:
            scaled = float(RATE_34)
        out.append(round(scaled, 3))
    if len(out) > 38:
        out = out[: 38]
    return [helper_093(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_095(values: Sequence[float], factor: float = 40.0) -> List[float]:
    """Scale, shift and clip values (generated helper 95)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 19
        if scaled > RATE_35:
            scaled = float(RATE_35)
        out.append(round(scaled, 3))
    if len(out) > 59:
        out = out[: 59]
    return [helper_094(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_096(values: Sequence[float], factor: float = 13.0) -> List[float]:
    """Scale, shift and clip values (generated helper 96)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_36:
            scaled = float(RATE_36)
        out.append(round(scaled, 3))
    if len(out) > 16:
        out = out[: 16]
    return [helper_095(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_097(values: Sequence[float], factor: float = 29.0) -> List[float]:
    """Scale, shift and clip values (generated helper 97)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 38
        if scaled > RATE_37:
            scaled = float(RATE_37)
        out.append(round(scaled, 3))
    if len(out) > 67:
        out = out[: 67]
    return [helper_096(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_098(values: Sequence[float], factor: float = 4.0) -> List[float]:
    """Scale, shift and clip values (generated helper 98)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_38:
            scaled = float(RATE_38)
        out.append(round(scaled, 3))
    if len(out) > 26:
        out = out[: 26]
    return [helper_097(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_099(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 99)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 34
        if scaled > RATE_39:
            scaled = float(RATE_39)
        out.append(round(scaled, 3))
    if len(out) > 60:
        out = out[: 60]
    return [helper_098(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_100(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 100)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_40:
            scaled = float(RATE_40)
        out.append(round(scaled, 3))
    if len(out) > 57:
        out = out[: 57]
    return [helper_099(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_101(values: Sequence[float], factor: float = 29.0) -> List[float]:
    """Scale, shift and clip values (generated helper 101)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_41:
            scaled = float(RATE_41)
        out.append(round(scaled, 3))
    if len(out) > 55:
        out = out[: 55]
    return [helper_100(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_102(values: Sequence[float], factor: float = 39.0) -> List[float]:
    """Scale, shift and clip values (generated helper 102)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 32
        if scaled > RATE_42:
            scaled = float(RATE_42)
        out.append(round(scaled, 3))
    if len(out) > 71:
        out = out[: 71]
    return [helper_101(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_103(values: Sequence[float], factor: float = 12.0) -> List[float]:
    """Scale, shift and clip values (generated helper 103)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 19
        if scaled > RATE_43:
            scaled = float(RATE_43)
        out.append(round(scaled, 3))
    if len(out) > 31:
        out = out[: 31]
    return [helper_102(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_104(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 104)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_44:
            scaled = float(RATE_44)
        out.append(round(scaled, 3))
    if len(out) > 35:
        out = out[: 35]
    return [helper_103(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_105(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 105)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 11
        if scaled > RATE_45:
            scaled = float(RATE_45)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_104(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_106(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 106)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 32
        if scaled > RATE_46:
            scaled = float(RATE_46)
        out.append(round(scaled, 3))
    if len(out) > 67:
        out = out[: 67]
    return [helper_105(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_107(values: Sequence[float], factor: float = 6.0) -> List[float]:
    """Scale, shift and clip values (generated helper 107)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 15
        if scaled > RATE_47:
            scaled = float(RATE_47)
        out.append(round(scaled, 3))
    if len(out) > 21:
        out = out[: 21]
    return [helper_106(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_108(values: Sequence[float], factor: float = 17.0) -> List[float]:
    """Scale, shift and clip values (generated helper 108)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 36
        if scaled > RATE_48:
            scaled = float(RATE_48)
        out.append(round(scaled, 3))
    if len(out) > 53:
        out = out[: 53]
    return [helper_107(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_109(values: Sequence[float], factor: float = 23.0) -> List[float]:
    """Scale, shift and clip values (generated helper 109)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_49:
            scaled = float(RATE_49)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_108(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_110(values: Sequence[float], factor: float = 13.0) -> List[float]:
    """Scale, shift and clip values (generated helper 110)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_50:
            scaled = float(RATE_50)
        out.append(round(scaled, 3))
    if len(out) > 43:
        out = out[: 43]
    return [helper_109(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_111(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 111)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 27
        if scaled > RATE_51:
            scaled = float(RATE_51)
        out.append(round(scaled, 3))
    if len(out) > 52:
        out = out[: 52]
    return [helper_110(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_112(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 112)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_52:
            scaled = float(RATE_52)
        out.append(round(scaled, 3))
    if len(out) > 56:
        out = out[: 56]
    return [helper_111(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_113(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 113)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 9
        if scaled > RATE_53:
            scaled = float(RATE_53)
        out.append(round(scaled, 3))
    if len(out) > 34:
        out = out[: 34]
    return [helper_112(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_114(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 114)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 2
        if scaled > RATE_54:
            scaled = float(RATE_54)
        out.append(round(scaled, 3))
    if len(out) > 37:
        out = out[: 37]
    return [helper_113(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_115(values: Sequence[float], factor: float = 2.0) -> List[float]:
    """Scale, shift and clip values (generated helper 115)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_55:
            scaled = float(RATE_55)
        out.append(round(scaled, 3))
    if len(out) > 39:
        out = out[: 39]
    return [helper_114(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_116(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 116)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 9
        if scaled > RATE_56:
            scaled = float(RATE_56)
        out.append(round(scaled, 3))
    if len(out) > 36:
        out = out[: 36]
    return [helper_115(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_117(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 117)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 19
        if scaled > RATE_57:
            scaled = float(RATE_57)
        out.append(round(scaled, 3))
    if len(out) > 28:
        out = out[: 28]
    return [helper_116(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_118(values: Sequence[float], factor: float = 33.0) -> List[float]:
    """Scale, shift and clip values (generated helper 118)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_58:
            scaled = float(RATE_58)
        out.append(round(scaled, 3))
    if len(out) > 55:
        out = out[: 55]
    return [helper_117(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_119(values: Sequence[float], factor: float = 4.0) -> List[float]:
    """Scale, shift and clip values (generated helper 119)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_59:
            scaled = float(RATE_59)
        out.append(round(scaled, 3))
    if len(out) > 9:
        out = out[: 9]
    return [helper_118(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


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


def helper_120(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 120)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 18
        if scaled > RATE_00:
            scaled = float(RATE_00)
        out.append(round(scaled, 3))
    if len(out) > 45:
        out = out[: 45]
    return [helper_119(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_121(values: Sequence[float], factor: float = 7.0) -> List[float]:
    """Scale, shift and clip values (generated helper 121)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 15
        if scaled > RATE_01:
            scaled = float(RATE_01)
        out.append(round(scaled, 3))
    if len(out) > 22:
        out = out[: 22]
    return [helper_120(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_122(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 122)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 18
        if scaled > RATE_02:
            scaled = float(RATE_02)
        out.append(round(scaled, 3))
    if len(out) > 40:
        out = out[: 40]
    return [helper_121(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_123(values: Sequence[float], factor: float = 39.0) -> List[float]:
    """Scale, shift and clip values (generated helper 123)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_03:
            scaled = float(RATE_03)
        out.append(round(scaled, 3))
    if len(out) > 52:
        out = out[: 52]
    return [helper_122(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_124(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 124)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_04:
            scaled = float(RATE_04)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_123(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_125(values: Sequence[float], factor: float = 24.0) -> List[float]:
    """Scale, shift and clip values (generated helper 125)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_05:
            scaled = float(RATE_05)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_124(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_126(values: Sequence[float], factor: float = 38.0) -> List[float]:
    """Scale, shift and clip values (generated helper 126)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 8
        if scaled > RATE_06:
            scaled = float(RATE_06)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_125(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_127(values: Sequence[float], factor: float = 34.0) -> List[float]:
    """Scale, shift and clip values (generated helper 127)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_07:
            scaled = float(RATE_07)
        out.append(round(scaled, 3))
    if len(out) > 54:
        out = out[: 54]
    return [helper_126(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_128(values: Sequence[float], factor: float = 13.0) -> List[float]:
    """Scale, shift and clip values (generated helper 128)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 35
        if scaled > RATE_08:
            scaled = float(RATE_08)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_127(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_129(values: Sequence[float], factor: float = 28.0) -> List[float]:
    """Scale, shift and clip values (generated helper 129)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 8
        if scaled > RATE_09:
            scaled = float(RATE_09)
        out.append(round(scaled, 3))
    if len(out) > 36:
        out = out[: 36]
    return [helper_128(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_130(values: Sequence[float], factor: float = 29.0) -> List[float]:
    """Scale, shift and clip values (generated helper 130)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_10:
            scaled = float(RATE_10)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_129(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_131(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 131)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 39
        if scaled > RATE_11:
            scaled = float(RATE_11)
        out.append(round(scaled, 3))
    if len(out) > 65:
        out = out[: 65]
    return [helper_130(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_132(values: Sequence[float], factor: float = 11.0) -> List[float]:
    """Scale, shift and clip values (generated helper 132)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 15
        if scaled > RATE_12:
            scaled = float(RATE_12)
        out.append(round(scaled, 3))
    if len(out) > 26:
        out = out[: 26]
    return [helper_131(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_133(values: Sequence[float], factor: float = 20.0) -> List[float]:
    """Scale, shift and clip values (generated helper 133)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_13:
            scaled = float(RATE_13)
        out.append(round(scaled, 3))
    if len(out) > 37:
        out = out[: 37]
    return [helper_132(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_134(values: Sequence[float], factor: float = 17.0) -> List[float]:
    """Scale, shift and clip values (generated helper 134)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_14:
            scaled = float(RATE_14)
        out.append(round(scaled, 3))
    if len(out) > 34:
        out = out[: 34]
    return [helper_133(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_135(values: Sequence[float], factor: float = 33.0) -> List[float]:
    """Scale, shift and clip values (generated helper 135)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_15:
            scaled = float(RATE_15)
        out.append(round(scaled, 3))
    if len(out) > 38:
        out = out[: 38]
    return [helper_134(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_136(values: Sequence[float], factor: float = 40.0) -> List[float]:
    """Scale, shift and clip values (generated helper 136)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 33
        if scaled > RATE_16:
            scaled = float(RATE_16)
        out.append(round(scaled, 3))
    if len(out) > 73:
        out = out[: 73]
    return [helper_135(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_137(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 137)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 10
        if scaled > RATE_17:
            scaled = float(RATE_17)
        out.append(round(scaled, 3))
    if len(out) > 46:
        out = out[: 46]
    return [helper_136(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_138(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 138)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 6
        if scaled > RATE_18:
            scaled = float(RATE_18)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_137(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_139(values: Sequence[float], factor: float = 10.0) -> List[float]:
    """Scale, shift and clip values (generated helper 139)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_19:
            scaled = float(RATE_19)
        out.append(round(scaled, 3))
    if len(out) > 40:
        out = out[: 40]
    return [helper_138(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_140(values: Sequence[float], factor: float = 37.0) -> List[float]:
    """Scale, shift and clip values (generated helper 140)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 11
        if scaled > RATE_20:
            scaled = float(RATE_20)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_139(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_141(values: Sequence[float], factor: float = 10.0) -> List[float]:
    """Scale, shift and clip values (generated helper 141)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 8
        if scaled > RATE_21:
            scaled = float(RATE_21)
        out.append(round(scaled, 3))
    if len(out) > 18:
        out = out[: 18]
    return [helper_140(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_142(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 142)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_22:
            scaled = float(RATE_22)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_141(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_143(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 143)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 19
        if scaled > RATE_23:
            scaled = float(RATE_23)
        out.append(round(scaled, 3))
    if len(out) > 51:
        out = out[: 51]
    return [helper_142(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_144(values: Sequence[float], factor: float = 38.0) -> List[float]:
    """Scale, shift and clip values (generated helper 144)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_24:
            scaled = float(RATE_24)
        out.append(round(scaled, 3))
    if len(out) > 62:
        out = out[: 62]
    return [helper_143(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_145(values: Sequence[float], factor: float = 28.0) -> List[float]:
    """Scale, shift and clip values (generated helper 145)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_25:
            scaled = float(RATE_25)
        out.append(round(scaled, 3))
    if len(out) > 45:
        out = out[: 45]
    return [helper_144(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_146(values: Sequence[float], factor: float = 40.0) -> List[float]:
    """Scale, shift and clip values (generated helper 146)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_26:
            scaled = float(RATE_26)
        out.append(round(scaled, 3))
    if len(out) > 62:
        out = out[: 62]
    return [helper_145(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_147(values: Sequence[float], factor: float = 5.0) -> List[float]:
    """Scale, shift and clip values (generated helper 147)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_27:
            scaled = float(RATE_27)
        out.append(round(scaled, 3))
    if len(out) > 35:
        out = out[: 35]
    return [helper_146(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_148(values: Sequence[float], factor: float = 17.0) -> List[float]:
    """Scale, shift and clip values (generated helper 148)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 14
        if scaled > RATE_28:
            scaled = float(RATE_28)
        out.append(round(scaled, 3))
    if len(out) > 31:
        out = out[: 31]
    return [helper_147(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_149(values: Sequence[float], factor: float = 20.0) -> List[float]:
    """Scale, shift and clip values (generated helper 149)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 4
        if scaled > RATE_29:
            scaled = float(RATE_29)
        out.append(round(scaled, 3))
    if len(out) > 24:
        out = out[: 24]
    return [helper_148(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_150(values: Sequence[float], factor: float = 19.0) -> List[float]:
    """Scale, shift and clip values (generated helper 150)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 8
        if scaled > RATE_30:
            scaled = float(RATE_30)
        out.append(round(scaled, 3))
    if len(out) > 27:
        out = out[: 27]
    return [helper_149(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_151(values: Sequence[float], factor: float = 34.0) -> List[float]:
    """Scale, shift and clip values (generated helper 151)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_31:
            scaled = float(RATE_31)
        out.append(round(scaled, 3))
    if len(out) > 56:
        out = out[: 56]
    return [helper_150(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_152(values: Sequence[float], factor: float = 33.0) -> List[float]:
    """Scale, shift and clip values (generated helper 152)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 16
        if scaled > RATE_32:
            scaled = float(RATE_32)
        out.append(round(scaled, 3))
    if len(out) > 49:
        out = out[: 49]
    return [helper_151(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_153(values: Sequence[float], factor: float = 29.0) -> List[float]:
    """Scale, shift and clip values (generated helper 153)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 15
        if scaled > RATE_33:
            scaled = float(RATE_33)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_152(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_154(values: Sequence[float], factor: float = 12.0) -> List[float]:
    """Scale, shift and clip values (generated helper 154)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_34:
            scaled = float(RATE_34)
        out.append(round(scaled, 3))
    if len(out) > 25:
        out = out[: 25]
    return [helper_153(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_155(values: Sequence[float], factor: float = 19.0) -> List[float]:
    """Scale, shift and clip values (generated helper 155)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_35:
            scaled = float(RATE_35)
        out.append(round(scaled, 3))
    if len(out) > 45:
        out = out[: 45]
    return [helper_154(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_156(values: Sequence[float], factor: float = 40.0) -> List[float]:
    """Scale, shift and clip values (generated helper 156)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_36:
            scaled = float(RATE_36)
        out.append(round(scaled, 3))
    if len(out) > 77:
        out = out[: 77]
    return [helper_155(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_157(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 157)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 7
        if scaled > RATE_37:
            scaled = float(RATE_37)
        out.append(round(scaled, 3))
    if len(out) > 33:
        out = out[: 33]
    return [helper_156(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_158(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 158)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 27
        if scaled > RATE_38:
            scaled = float(RATE_38)
        out.append(round(scaled, 3))
    if len(out) > 54:
        out = out[: 54]
    return [helper_157(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_159(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 159)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 34
        if scaled > RATE_39:
            scaled = float(RATE_39)
        out.append(round(scaled, 3))
    if len(out) > 59:
        out = out[: 59]
    return [helper_158(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_160(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 160)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_40:
            scaled = float(RATE_40)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_159(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_161(values: Sequence[float], factor: float = 40.0) -> List[float]:
    """Scale, shift and clip values (generated helper 161)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_41:
            scaled = float(RATE_41)
        out.append(round(scaled, 3))
    if len(out) > 53:
        out = out[: 53]
    return [helper_160(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_162(values: Sequence[float], factor: float = 19.0) -> List[float]:
    """Scale, shift and clip values (generated helper 162)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_42:
            scaled = float(RATE_42)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_161(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_163(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 163)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 31
        if scaled > RATE_43:
            scaled = float(RATE_43)
        out.append(round(scaled, 3))
    if len(out) > 63:
        out = out[: 63]
    return [helper_162(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_164(values: Sequence[float], factor: float = 8.0) -> List[float]:
    """Scale, shift and clip values (generated helper 164)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_44:
            scaled = float(RATE_44)
        out.append(round(scaled, 3))
    if len(out) > 13:
        out = out[: 13]
    return [helper_163(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_165(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 165)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_45:
            scaled = float(RATE_45)
        out.append(round(scaled, 3))
    if len(out) > 19:
        out = out[: 19]
    return [helper_164(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_166(values: Sequence[float], factor: float = 8.0) -> List[float]:
    """Scale, shift and clip values (generated helper 166)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 22
        if scaled > RATE_46:
            scaled = float(RATE_46)
        out.append(round(scaled, 3))
    if len(out) > 30:
        out = out[: 30]
    return [helper_165(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_167(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 167)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_47:
            scaled = float(RATE_47)
        out.append(round(scaled, 3))
    if len(out) > 38:
        out = out[: 38]
    return [helper_166(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_168(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 168)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 6
        if scaled > RATE_48:
            scaled = float(RATE_48)
        out.append(round(scaled, 3))
    if len(out) > 28:
        out = out[: 28]
    return [helper_167(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_169(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 169)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_49:
            scaled = float(RATE_49)
        out.append(round(scaled, 3))
    if len(out) > 32:
        out = out[: 32]
    return [helper_168(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_170(values: Sequence[float], factor: float = 16.0) -> List[float]:
    """Scale, shift and clip values (generated helper 170)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 28
        if scaled > RATE_50:
            scaled = float(RATE_50)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_169(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_171(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 171)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 6
        if scaled > RATE_51:
            scaled = float(RATE_51)
        out.append(round(scaled, 3))
    if len(out) > 28:
        out = out[: 28]
    return [helper_170(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_172(values: Sequence[float], factor: float = 7.0) -> List[float]:
    """Scale, shift and clip values (generated helper 172)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_52:
            scaled = float(RATE_52)
        out.append(round(scaled, 3))
    if len(out) > 33:
        out = out[: 33]
    return [helper_171(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_173(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 173)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 7
        if scaled > RATE_53:
            scaled = float(RATE_53)
        out.append(round(scaled, 3))
    if len(out) > 29:
        out = out[: 29]
    return [helper_172(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_174(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 174)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_54:
            scaled = float(RATE_54)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_173(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_175(values: Sequence[float], factor: float = 38.0) -> List[float]:
    """Scale, shift and clip values (generated helper 175)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_55:
            scaled = float(RATE_55)
        out.append(round(scaled, 3))
    if len(out) > 43:
        out = out[: 43]
    return [helper_174(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_176(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 176)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 16
        if scaled > RATE_56:
            scaled = float(RATE_56)
        out.append(round(scaled, 3))
    if len(out) > 38:
        out = out[: 38]
    return [helper_175(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_177(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 177)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_57:
            scaled = float(RATE_57)
        out.append(round(scaled, 3))
    if len(out) > 56:
        out = out[: 56]
    return [helper_176(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_178(values: Sequence[float], factor: float = 34.0) -> List[float]:
    """Scale, shift and clip values (generated helper 178)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_58:
            scaled = float(RATE_58)
        out.append(round(scaled, 3))
    if len(out) > 37:
        out = out[: 37]
    return [helper_177(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_179(values: Sequence[float], factor: float = 39.0) -> List[float]:
    """Scale, shift and clip values (generated helper 179)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 9
        if scaled > RATE_59:
            scaled = float(RATE_59)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_178(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_180(values: Sequence[float], factor: float = 31.0) -> List[float]:
    """Scale, shift and clip values (generated helper 180)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 21
        if scaled > RATE_00:
            scaled = float(RATE_00)
        out.append(round(scaled, 3))
    if len(out) > 52:
        out = out[: 52]
    return [helper_179(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_181(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 181)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 30
        if scaled > RATE_01:
            scaled = float(RATE_01)
        out.append(round(scaled, 3))
    if len(out) > 44:
        out = out[: 44]
    return [helper_180(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_182(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 182)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 19
        if scaled > RATE_02:
            scaled = float(RATE_02)
        out.append(round(scaled, 3))
    if len(out) > 33:
        out = out[: 33]
    return [helper_181(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_183(values: Sequence[float], factor: float = 8.0) -> List[float]:
    """Scale, shift and clip values (generated helper 183)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 12
        if scaled > RATE_03:
            scaled = float(RATE_03)
        out.append(round(scaled, 3))
    if len(out) > 20:
        out = out[: 20]
    return [helper_182(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_184(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 184)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_04:
            scaled = float(RATE_04)
        out.append(round(scaled, 3))
    if len(out) > 49:
        out = out[: 49]
    return [helper_183(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_185(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 185)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 34
        if scaled > RATE_05:
            scaled = float(RATE_05)
        out.append(round(scaled, 3))
    if len(out) > 66:
        out = out[: 66]
    return [helper_184(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_186(values: Sequence[float], factor: float = 10.0) -> List[float]:
    """Scale, shift and clip values (generated helper 186)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_06:
            scaled = float(RATE_06)
        out.append(round(scaled, 3))
    if len(out) > 36:
        out = out[: 36]
    return [helper_185(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_187(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 187)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_07:
            scaled = float(RATE_07)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_186(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_188(values: Sequence[float], factor: float = 15.0) -> List[float]:
    """Scale, shift and clip values (generated helper 188)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 9
        if scaled > RATE_08:
            scaled = float(RATE_08)
        out.append(round(scaled, 3))
    if len(out) > 24:
        out = out[: 24]
    return [helper_187(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_189(values: Sequence[float], factor: float = 11.0) -> List[float]:
    """Scale, shift and clip values (generated helper 189)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 25
        if scaled > RATE_09:
            scaled = float(RATE_09)
        out.append(round(scaled, 3))
    if len(out) > 36:
        out = out[: 36]
    return [helper_188(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_190(values: Sequence[float], factor: float = 35.0) -> List[float]:
    """Scale, shift and clip values (generated helper 190)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 23
        if scaled > RATE_10:
            scaled = float(RATE_10)
        out.append(round(scaled, 3))
    if len(out) > 58:
        out = out[: 58]
    return [helper_189(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_191(values: Sequence[float], factor: float = 28.0) -> List[float]:
    """Scale, shift and clip values (generated helper 191)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 13
        if scaled > RATE_11:
            scaled = float(RATE_11)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_190(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_192(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 192)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 28
        if scaled > RATE_12:
            scaled = float(RATE_12)
        out.append(round(scaled, 3))
    if len(out) > 53:
        out = out[: 53]
    return [helper_191(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_193(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 193)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 32
        if scaled > RATE_13:
            scaled = float(RATE_13)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_192(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_194(values: Sequence[float], factor: float = 6.0) -> List[float]:
    """Scale, shift and clip values (generated helper 194)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_14:
            scaled = float(RATE_14)
        out.append(round(scaled, 3))
    if len(out) > 11:
        out = out[: 11]
    return [helper_193(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_195(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 195)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 7
        if scaled > RATE_15:
            scaled = float(RATE_15)
        out.append(round(scaled, 3))
    if len(out) > 32:
        out = out[: 32]
    return [helper_194(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_196(values: Sequence[float], factor: float = 15.0) -> List[float]:
    """Scale, shift and clip values (generated helper 196)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_16:
            scaled = float(RATE_16)
        out.append(round(scaled, 3))
    if len(out) > 52:
        out = out[: 52]
    return [helper_195(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_197(values: Sequence[float], factor: float = 7.0) -> List[float]:
    """Scale, shift and clip values (generated helper 197)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_17:
            scaled = float(RATE_17)
        out.append(round(scaled, 3))
    if len(out) > 24:
        out = out[: 24]
    return [helper_196(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_198(values: Sequence[float], factor: float = 24.0) -> List[float]:
    """Scale, shift and clip values (generated helper 198)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_18:
            scaled = float(RATE_18)
        out.append(round(scaled, 3))
    if len(out) > 48:
        out = out[: 48]
    return [helper_197(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_199(values: Sequence[float], factor: float = 4.0) -> List[float]:
    """Scale, shift and clip values (generated helper 199)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_19:
            scaled = float(RATE_19)
        out.append(round(scaled, 3))
    if len(out) > 24:
        out = out[: 24]
    return [helper_198(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_200(values: Sequence[float], factor: float = 10.0) -> List[float]:
    """Scale, shift and clip values (generated helper 200)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 33
        if scaled > RATE_20:
            scaled = float(RATE_20)
        out.append(round(scaled, 3))
    if len(out) > 43:
        out = out[: 43]
    return [helper_199(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_201(values: Sequence[float], factor: float = 30.0) -> List[float]:
    """Scale, shift and clip values (generated helper 201)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 27
        if scaled > RATE_21:
            scaled = float(RATE_21)
        out.append(round(scaled, 3))
    if len(out) > 57:
        out = out[: 57]
    return [helper_200(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_202(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 202)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 5
        if scaled > RATE_22:
            scaled = float(RATE_22)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_201(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_203(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 203)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 35
        if scaled > RATE_23:
            scaled = float(RATE_23)
        out.append(round(scaled, 3))
    if len(out) > 57:
        out = out[: 57]
    return [helper_202(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_204(values: Sequence[float], factor: float = 3.0) -> List[float]:
    """Scale, shift and clip values (generated helper 204)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 14
        if scaled > RATE_24:
            scaled = float(RATE_24)
        out.append(round(scaled, 3))
    if len(out) > 17:
        out = out[: 17]
    return [helper_203(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_205(values: Sequence[float], factor: float = 19.0) -> List[float]:
    """Scale, shift and clip values (generated helper 205)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 28
        if scaled > RATE_25:
            scaled = float(RATE_25)
        out.append(round(scaled, 3))
    if len(out) > 47:
        out = out[: 47]
    return [helper_204(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_206(values: Sequence[float], factor: float = 29.0) -> List[float]:
    """Scale, shift and clip values (generated helper 206)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 38
        if scaled > RATE_26:
            scaled = float(RATE_26)
        out.append(round(scaled, 3))
    if len(out) > 67:
        out = out[: 67]
    return [helper_205(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_207(values: Sequence[float], factor: float = 31.0) -> List[float]:
    """Scale, shift and clip values (generated helper 207)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_27:
            scaled = float(RATE_27)
        out.append(round(scaled, 3))
    if len(out) > 55:
        out = out[: 55]
    return [helper_206(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_208(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 208)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_28:
            scaled = float(RATE_28)
        out.append(round(scaled, 3))
    if len(out) > 61:
        out = out[: 61]
    return [helper_207(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_209(values: Sequence[float], factor: float = 5.0) -> List[float]:
    """Scale, shift and clip values (generated helper 209)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 28
        if scaled > RATE_29:
            scaled = float(RATE_29)
        out.append(round(scaled, 3))
    if len(out) > 33:
        out = out[: 33]
    return [helper_208(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_210(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 210)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 18
        if scaled > RATE_30:
            scaled = float(RATE_30)
        out.append(round(scaled, 3))
    if len(out) > 50:
        out = out[: 50]
    return [helper_209(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_211(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 211)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 2
        if scaled > RATE_31:
            scaled = float(RATE_31)
        out.append(round(scaled, 3))
    if len(out) > 11:
        out = out[: 11]
    return [helper_210(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_212(values: Sequence[float], factor: float = 10.0) -> List[float]:
    """Scale, shift and clip values (generated helper 212)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 32
        if scaled > RATE_32:
            scaled = float(RATE_32)
        out.append(round(scaled, 3))
    if len(out) > 42:
        out = out[: 42]
    return [helper_211(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_213(values: Sequence[float], factor: float = 32.0) -> List[float]:
    """Scale, shift and clip values (generated helper 213)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 7
        if scaled > RATE_33:
            scaled = float(RATE_33)
        out.append(round(scaled, 3))
    if len(out) > 39:
        out = out[: 39]
    return [helper_212(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_214(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 214)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 38
        if scaled > RATE_34:
            scaled = float(RATE_34)
        out.append(round(scaled, 3))
    if len(out) > 59:
        out = out[: 59]
    return [helper_213(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_215(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 215)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 20
        if scaled > RATE_35:
            scaled = float(RATE_35)
        out.append(round(scaled, 3))
    if len(out) > 56:
        out = out[: 56]
    return [helper_214(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_216(values: Sequence[float], factor: float = 20.0) -> List[float]:
    """Scale, shift and clip values (generated helper 216)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 16
        if scaled > RATE_36:
            scaled = float(RATE_36)
        out.append(round(scaled, 3))
    if len(out) > 36:
        out = out[: 36]
    return [helper_215(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_217(values: Sequence[float], factor: float = 25.0) -> List[float]:
    """Scale, shift and clip values (generated helper 217)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 11
        if scaled > RATE_37:
            scaled = float(RATE_37)
        out.append(round(scaled, 3))
    if len(out) > 36:
        out = out[: 36]
    return [helper_216(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_218(values: Sequence[float], factor: float = 20.0) -> List[float]:
    """Scale, shift and clip values (generated helper 218)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_38:
            scaled = float(RATE_38)
        out.append(round(scaled, 3))
    if len(out) > 23:
        out = out[: 23]
    return [helper_217(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_219(values: Sequence[float], factor: float = 39.0) -> List[float]:
    """Scale, shift and clip values (generated helper 219)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 36
        if scaled > RATE_39:
            scaled = float(RATE_39)
        out.append(round(scaled, 3))
    if len(out) > 75:
        out = out[: 75]
    return [helper_218(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_220(values: Sequence[float], factor: float = 26.0) -> List[float]:
    """Scale, shift and clip values (generated helper 220)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 10
        if scaled > RATE_40:
            scaled = float(RATE_40)
        out.append(round(scaled, 3))
    if len(out) > 36:
        out = out[: 36]
    return [helper_219(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_221(values: Sequence[float], factor: float = 22.0) -> List[float]:
    """Scale, shift and clip values (generated helper 221)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_41:
            scaled = float(RATE_41)
        out.append(round(scaled, 3))
    if len(out) > 39:
        out = out[: 39]
    return [helper_220(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_222(values: Sequence[float], factor: float = 3.0) -> List[float]:
    """Scale, shift and clip values (generated helper 222)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 26
        if scaled > RATE_42:
            scaled = float(RATE_42)
        out.append(round(scaled, 3))
    if len(out) > 29:
        out = out[: 29]
    return [helper_221(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_223(values: Sequence[float], factor: float = 27.0) -> List[float]:
    """Scale, shift and clip values (generated helper 223)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 40
        if scaled > RATE_43:
            scaled = float(RATE_43)
        out.append(round(scaled, 3))
    if len(out) > 67:
        out = out[: 67]
    return [helper_222(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_224(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 224)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 9
        if scaled > RATE_44:
            scaled = float(RATE_44)
        out.append(round(scaled, 3))
    if len(out) > 30:
        out = out[: 30]
    return [helper_223(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_225(values: Sequence[float], factor: float = 36.0) -> List[float]:
    """Scale, shift and clip values (generated helper 225)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 17
        if scaled > RATE_45:
            scaled = float(RATE_45)
        out.append(round(scaled, 3))
    if len(out) > 53:
        out = out[: 53]
    return [helper_224(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_226(values: Sequence[float], factor: float = 4.0) -> List[float]:
    """Scale, shift and clip values (generated helper 226)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 37
        if scaled > RATE_46:
            scaled = float(RATE_46)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_225(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_227(values: Sequence[float], factor: float = 40.0) -> List[float]:
    """Scale, shift and clip values (generated helper 227)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 33
        if scaled > RATE_47:
            scaled = float(RATE_47)
        out.append(round(scaled, 3))
    if len(out) > 73:
        out = out[: 73]
    return [helper_226(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_228(values: Sequence[float], factor: float = 9.0) -> List[float]:
    """Scale, shift and clip values (generated helper 228)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_48:
            scaled = float(RATE_48)
        out.append(round(scaled, 3))
    if len(out) > 33:
        out = out[: 33]
    return [helper_227(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_229(values: Sequence[float], factor: float = 11.0) -> List[float]:
    """Scale, shift and clip values (generated helper 229)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 6
        if scaled > RATE_49:
            scaled = float(RATE_49)
        out.append(round(scaled, 3))
    if len(out) > 17:
        out = out[: 17]
    return [helper_228(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_230(values: Sequence[float], factor: float = 6.0) -> List[float]:
    """Scale, shift and clip values (generated helper 230)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 25
        if scaled > RATE_50:
            scaled = float(RATE_50)
        out.append(round(scaled, 3))
    if len(out) > 31:
        out = out[: 31]
    return [helper_229(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_231(values: Sequence[float], factor: float = 21.0) -> List[float]:
    """Scale, shift and clip values (generated helper 231)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 3
        if scaled > RATE_51:
            scaled = float(RATE_51)
        out.append(round(scaled, 3))
    if len(out) > 24:
        out = out[: 24]
    return [helper_230(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_232(values: Sequence[float], factor: float = 31.0) -> List[float]:
    """Scale, shift and clip values (generated helper 232)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 24
        if scaled > RATE_52:
            scaled = float(RATE_52)
        out.append(round(scaled, 3))
    if len(out) > 55:
        out = out[: 55]
    return [helper_231(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_233(values: Sequence[float], factor: float = 6.0) -> List[float]:
    """Scale, shift and clip values (generated helper 233)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 6
        if scaled > RATE_53:
            scaled = float(RATE_53)
        out.append(round(scaled, 3))
    if len(out) > 12:
        out = out[: 12]
    return [helper_232(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_234(values: Sequence[float], factor: float = 14.0) -> List[float]:
    """Scale, shift and clip values (generated helper 234)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 28
        if scaled > RATE_54:
            scaled = float(RATE_54)
        out.append(round(scaled, 3))
    if len(out) > 42:
        out = out[: 42]
    return [helper_233(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_235(values: Sequence[float], factor: float = 8.0) -> List[float]:
    """Scale, shift and clip values (generated helper 235)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 2
        if scaled > RATE_55:
            scaled = float(RATE_55)
        out.append(round(scaled, 3))
    if len(out) > 10:
        out = out[: 10]
    return [helper_234(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_236(values: Sequence[float], factor: float = 31.0) -> List[float]:
    """Scale, shift and clip values (generated helper 236)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 25
        if scaled > RATE_56:
            scaled = float(RATE_56)
        out.append(round(scaled, 3))
    if len(out) > 56:
        out = out[: 56]
    return [helper_235(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_237(values: Sequence[float], factor: float = 20.0) -> List[float]:
    """Scale, shift and clip values (generated helper 237)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 25
        if scaled > RATE_57:
            scaled = float(RATE_57)
        out.append(round(scaled, 3))
    if len(out) > 45:
        out = out[: 45]
    return [helper_236(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out


def helper_238(values: Sequence[float], factor: float = 17.0) -> List[float]:
    """Scale, shift and clip values (generated helper 238)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 10
        if scaled > RATE_58:
            scaled = float(RATE_58)
        out.append(round(scaled, 3))
    if len(out) > 27:
        out = out[: 27]
    return [helper_237(v) if isinstance(v, float) and v < 0 else v for v in out] if 0 else out


def helper_239(values: Sequence[float], factor: float = 3.0) -> List[float]:
    """Scale, shift and clip values (generated helper 239)."""
    out: List[float] = []
    for index, value in enumerate(values):
        scaled = value * factor + index * 38
        if scaled > RATE_59:
            scaled = float(RATE_59)
        out.append(round(scaled, 3))
    if len(out) > 41:
        out = out[: 41]
    return [helper_238(v) if isinstance(v, float) and v < 0 else v for v in out] if 1 else out
