import json

from conftest import write_tree
from tg_context import analyze

BASE = {
    "src/shop/__init__.py": "",
    "src/shop/cart.py": '''
        from __future__ import annotations

        import math
        from decimal import Decimal

        TAX = Decimal("0.2")
        UNUSED = 1


        def _round(x):
            return math.floor(x * 100) / 100


        def _with_tax(x):
            return _round(x * (1 + TAX))


        class Cart:
            """A cart."""
            currency = "EUR"

            def __init__(self, items=None):
                self.items = items or []

            def total(self):
                return sum(self.items)
    ''',
    "tests/test_cart.py": '''
        from shop.cart import Cart


        def test_total():
            assert Cart([1, 2]).total() == 3
    ''',
    "tests/test_other.py": "import json\n",
}


def head_files():
    head = dict(BASE)
    head["src/shop/cart.py"] = (
        BASE["src/shop/cart.py"].replace(
            "                return sum(self.items)",
            "                if not self.items:\n                    raise ValueError('empty')\n                return _with_tax(sum(self.items))",
        )
        + '''

        def price(x):
            try:
                return _with_tax(x)
            except TypeError:
                raise ValueError(x)
    '''
    )
    return head


def run(tmp_path):
    write_tree(tmp_path / "base", BASE)
    write_tree(tmp_path / "head", head_files())
    events = []
    report = analyze(
        str(tmp_path),
        {"protocol": 1, "mode": "analyze", "settings": {}},
        lambda phase, message, done=None, total=None: events.append((phase, message)),
    )
    return report, events


def test_analysis_report_shape(tmp_path):
    report, events = run(tmp_path)
    json.dumps(report)  # JSON-serialisable as the protocol needs
    assert report["protocol"] == 1 and report["mode"] == "analyze"
    assert report["project"] == {"layout": "src", "packages": ["shop"], "importable": True}
    assert set(report["changedLines"]) == {"src/shop/cart.py"}
    assert {f["qualname"] for f in report["functions"]} == {"Cart.total", "price"}
    assert report["durationMs"] >= 0
    assert events and all(phase == "collect" for phase, _ in events)


def test_method_context(tmp_path):
    report, _ = run(tmp_path)
    ctx = next(c for c in report["contexts"] if c["qualname"] == "Cart.total")
    assert ctx["file"] == "src/shop/cart.py"
    assert ctx["module"] == "shop.cart"
    assert ctx["source"].strip().startswith("def total(self):")
    assert "raise ValueError('empty')" in ctx["source"]
    assert ctx["imports"] == "from __future__ import annotations\nimport math\nfrom decimal import Decimal"
    header = ctx["classHeader"]
    assert header.startswith("class Cart:")
    assert 'currency = "EUR"' in header and "def __init__(self, items=None):" in header
    names = [u["name"] for u in ctx["uses"]]
    # direct use first, then what it uses (one level), nearest first
    assert names == ["_with_tax", "_round", "TAX"]
    assert ctx["uses"][0]["source"].startswith("def _with_tax(x):")
    assert ctx["testStyle"]["path"] == "tests/test_cart.py"
    assert "from shop.cart import Cart" in ctx["testStyle"]["source"]


def test_function_context_has_no_class_header(tmp_path):
    report, _ = run(tmp_path)
    ctx = next(c for c in report["contexts"] if c["qualname"] == "price")
    assert "classHeader" not in ctx
    assert [u["name"] for u in ctx["uses"]][:1] == ["_with_tax"]
    fn = next(f for f in report["functions"] if f["qualname"] == "price")
    assert len(fn["raiseLines"]) == 1 and len(fn["exceptLines"]) == 1


def test_no_changes_no_contexts(tmp_path):
    write_tree(tmp_path / "base", BASE)
    write_tree(tmp_path / "head", BASE)
    report = analyze(str(tmp_path), {}, lambda *a, **k: None)
    assert report["functions"] == [] and report["contexts"] == [] and report["changedLines"] == {}


def test_a_function_docstring_goes_with_its_context(tmp_path):
    write_tree(tmp_path / "base", {"m.py": "def f(x):\n    return x\n\n\ndef g(x):\n    return x\n"})
    write_tree(
        tmp_path / "head",
        {"m.py": 'def f(x):\n    """Doubles: f(2) == 4."""\n    return 2 * x\n\n\ndef g(x):\n    return -x\n'},
    )
    report = analyze(str(tmp_path), {"protocol": 1, "mode": "analyze", "settings": {}}, lambda *a, **k: None)
    by_name = {c["qualname"]: c for c in report["contexts"]}
    assert by_name["f"]["docstring"] == "Doubles: f(2) == 4."
    assert "docstring" not in by_name["g"]
