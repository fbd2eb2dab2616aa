class Cart:
    def __init__(self, member=False):
        self.items = []
        self.member = member

    def add(self, name, cents, quantity=1):
        self.items.append((name, cents, quantity))

    def total(self):
        return sum(cents * quantity for _name, cents, quantity in self.items)
