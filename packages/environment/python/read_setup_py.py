"""Reads install_requires, extras_require and python_requires out of a setup.py without
running it: the file is parsed (ast.parse) and only literal values are taken, directly in
the setup() call or through a module-level name bound to a literal. Input on stdin, JSON on
stdout. Runs on the trusted side: nothing of the file is executed, imported or evaluated
beyond ast.literal_eval of constants."""
import ast
import json
import sys


def main() -> None:
    out = {"installRequires": None, "extras": {}, "pythonRequires": None}
    try:
        tree = ast.parse(sys.stdin.read())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        print(json.dumps(out))
        return
    names = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                names[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                pass

    def value(node):
        if isinstance(node, ast.Name):
            return names.get(node.id)
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            return None

    def strings(v):
        if isinstance(v, str):
            v = v.splitlines()
        return [s for s in v if isinstance(s, str)] if isinstance(v, (list, tuple)) else None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name != "setup":
            continue
        for kw in node.keywords:
            if kw.arg == "install_requires":
                out["installRequires"] = strings(value(kw.value))
            elif kw.arg == "extras_require":
                extras = value(kw.value)
                if isinstance(extras, dict):
                    out["extras"] = {str(k): strings(v) or [] for k, v in extras.items()}
            elif kw.arg == "python_requires":
                v = value(kw.value)
                out["pythonRequires"] = v if isinstance(v, str) else None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
