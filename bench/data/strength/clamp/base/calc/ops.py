def clamp(value, low, high):
    """Clamp value to at least low."""
    if value < low:
        return low
    return value
