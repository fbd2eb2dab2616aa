def median(values):
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of nothing")
    return ordered[len(ordered) // 2]
