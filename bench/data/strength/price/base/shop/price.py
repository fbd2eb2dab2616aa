def parse_price(text):
    return round(float(text), 2)
