DISCOUNT_FROM = 10_000
DISCOUNT_PERCENT = 5


class Cart:
    def __init__(self, member=False):
        self.items = []
        self.member = member

    def add(self, name, cents, quantity=1):
        self.items.append((name, cents, quantity))

    def total(self):
        gross = sum(cents * quantity for _name, cents, quantity in self.items)
        if self.member and gross >= DISCOUNT_FROM:
            gross -= gross * DISCOUNT_PERCENT // 100
        return gross
