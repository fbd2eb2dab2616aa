def parse_amount(text: str) -> float:
    """Parse an amount such as '12.50'."""
    return float(text)
