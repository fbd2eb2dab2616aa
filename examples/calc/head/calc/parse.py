def parse_amount(text: str) -> float:
    """Parse an amount such as '12.50', ' 3 ' or '1,000.25' (rounded to cents)."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        raise ValueError("empty amount")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if value < 0:
        raise ValueError(f"negative amount: {text!r}")
    return round(value, 2)
