SYMBOLS = "$€£"


def parse_price(text):
    cleaned = text.strip().lstrip(SYMBOLS).replace(",", "")
    value = float(cleaned)
    if value < 0:
        raise ValueError("negative price: %r" % text)
    return round(value, 2)
