"""A tiny calculator used by Testgate's demo."""
from calc.ops import add, mul
from calc.parse import parse_amount

__all__ = ["add", "mul", "parse_amount"]
