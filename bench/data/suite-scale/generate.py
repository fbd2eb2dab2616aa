"""Writes bench/data/suite-scale/{base,head}: a pull request that adds 200 plain pytest tests.

`textkit` is a small text-utility package of our own (stdlib only). The base commit has its
older half; the head adds the newer half (the changed lines) and tests/test_textkit.py with
200 test functions: 160 of the new functions, 40 of the old ones (tests that do not touch the
changed lines). Every expected value is computed by calling the head's code, so every test
passes. Run: python3 bench/data/suite-scale/generate.py
"""
import importlib
import os
import shutil
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))

OLD = '''
"""textkit: small text utilities."""
import unicodedata


def slugify(text, separator="-"):
    """Lower-case ASCII words joined by separator."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = []
    word = []
    for ch in text.lower():
        if ch.isalnum():
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return separator.join(words)


def is_palindrome(text):
    """True when the letters and digits read the same both ways."""
    kept = [ch.lower() for ch in text if ch.isalnum()]
    return kept == kept[::-1]


def word_count(text):
    """Counts of each lower-cased word, most frequent first, ties alphabetical."""
    counts = {}
    for word in text.lower().split():
        word = word.strip(".,;:!?\\"'()")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def caesar(text, shift):
    """Shifts letters by shift places, keeping case; other characters stay."""
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + shift) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + shift) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


def title_case(text, minor=("a", "an", "the", "of", "and", "or", "in", "on")):
    """Capitalises words except minor ones that are not first."""
    words = text.split()
    out = []
    for i, word in enumerate(words):
        if i > 0 and word.lower() in minor:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:].lower())
    return " ".join(out)


def chunk(items, size):
    """Consecutive slices of at most size items."""
    if size <= 0:
        raise ValueError("size must be positive")
    return [items[i:i + size] for i in range(0, len(items), size)]


def flatten(nested):
    """Flattens lists and tuples of any depth."""
    out = []
    stack = [iter([nested])]
    while stack:
        for item in stack[-1]:
            if isinstance(item, (list, tuple)):
                stack.append(iter(item))
                break
            out.append(item)
        else:
            stack.pop()
    return out


def reverse_words(text):
    """Words in reverse order, single-spaced."""
    return " ".join(reversed(text.split()))
'''

NEW = '''

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def int_to_roman(number):
    """Roman numeral of 1..3999."""
    if not isinstance(number, int) or isinstance(number, bool):
        raise TypeError("number must be an int")
    if not 0 < number < 4000:
        raise ValueError("number must be in 1..3999")
    out = []
    for value, letters in _ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def roman_to_int(text):
    """Value of a Roman numeral; raises ValueError for one that is not canonical."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    text = text.strip().upper()
    if not text or any(ch not in values for ch in text):
        raise ValueError("not a roman numeral: %r" % text)
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        if i + 1 < len(text) and values[text[i + 1]] > value:
            total -= value
        else:
            total += value
    if int_to_roman(total) != text:
        raise ValueError("not a canonical roman numeral: %r" % text)
    return total


def levenshtein(a, b):
    """Edit distance between two strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


def camel_to_snake(name):
    """parseHTTPResponse -> parse_http_response."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper():
            prev_lower = i > 0 and (name[i - 1].islower() or name[i - 1].isdigit())
            next_lower = i + 1 < len(name) and name[i + 1].islower()
            if i > 0 and (prev_lower or (next_lower and name[i - 1].isupper())):
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


def snake_to_camel(name, upper_first=False):
    """parse_http_response -> parseHttpResponse."""
    parts = [p for p in name.split("_") if p]
    if not parts:
        return ""
    head = parts[0].capitalize() if upper_first else parts[0].lower()
    return head + "".join(p.capitalize() for p in parts[1:])


def run_length_encode(text):
    """aaabcc -> 3a1b2c."""
    if not text:
        return ""
    out = []
    current, count = text[0], 1
    for ch in text[1:]:
        if ch == current:
            count += 1
        else:
            out.append("%d%s" % (count, current))
            current, count = ch, 1
    out.append("%d%s" % (count, current))
    return "".join(out)


def run_length_decode(code):
    """3a1b2c -> aaabcc; raises ValueError on a count without a character."""
    out = []
    digits = ""
    for ch in code:
        if ch.isdigit():
            digits += ch
        else:
            if not digits:
                raise ValueError("character without a count: %r" % ch)
            out.append(ch * int(digits))
            digits = ""
    if digits:
        raise ValueError("count without a character")
    return "".join(out)


_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text):
    """'1h30m', '90s', '2d 4h', '250ms' -> seconds (float)."""
    text = text.replace(" ", "").lower()
    if not text:
        raise ValueError("empty duration")
    total = 0.0
    number = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isdigit() or ch == ".":
            number += ch
            i += 1
            continue
        unit = "ms" if text.startswith("ms", i) else ch
        if unit not in _UNITS or not number:
            raise ValueError("bad duration: %r" % text)
        total += float(number) * _UNITS[unit]
        number = ""
        i += len(unit)
    if number:
        raise ValueError("number without a unit: %r" % text)
    return total


def format_bytes(count, binary=True):
    """1536 -> '1.5 KiB' (or '1.5 kB' with binary=False)."""
    if count < 0:
        raise ValueError("count must not be negative")
    base = 1024 if binary else 1000
    units = ["B", "KiB", "MiB", "GiB", "TiB"] if binary else ["B", "kB", "MB", "GB", "TB"]
    value = float(count)
    for unit in units:
        if value < base or unit == units[-1]:
            if unit == "B":
                return "%d B" % count
            return ("%.1f %s" % (value, unit)).replace(".0 ", " ")
        value /= base
    raise AssertionError("unreachable")


def luhn_check(number):
    """Whether a digit string passes the Luhn checksum (spaces allowed)."""
    digits = number.replace(" ", "")
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def soundex(name):
    """American Soundex code of a name, e.g. Robert -> R163."""
    codes = {}
    for letters, digit in (("bfpv", "1"), ("cgjkqsxz", "2"), ("dt", "3"), ("l", "4"), ("mn", "5"), ("r", "6")):
        for ch in letters:
            codes[ch] = digit
    letters = [ch for ch in name.lower() if ch.isalpha()]
    if not letters:
        return ""
    out = [letters[0].upper()]
    last = codes.get(letters[0], "")
    for ch in letters[1:]:
        code = codes.get(ch, "")
        if code and code != last:
            out.append(code)
        if ch not in "hw":
            last = code
    return ("".join(out) + "000")[:4]


def balanced(text, pairs="()[]{}"):
    """Whether the brackets of text are balanced."""
    opening = {pairs[i + 1]: pairs[i] for i in range(0, len(pairs), 2)}
    stack = []
    for ch in text:
        if ch in opening.values():
            stack.append(ch)
        elif ch in opening:
            if not stack or stack.pop() != opening[ch]:
                return False
    return not stack


def wrap(text, width):
    """Greedy word wrap; a word longer than width gets a line of its own."""
    if width < 1:
        raise ValueError("width must be at least 1")
    lines = []
    line = ""
    for word in text.split():
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines
'''

# (function, argument tuples): the head's functions are called with each to get the expected value.
NEW_CASES = [
    ("int_to_roman", [(n,) for n in (1, 4, 9, 14, 40, 90, 400, 1994, 2024, 3999, 58, 621)]),
    ("roman_to_int", [(s,) for s in ("I", "IV", "IX", "XIV", "XL", "XC", "CD", "MCMXCIV", "MMXXIV",
                                     "MMMCMXCIX", "lviii", " DCXXI ")]),
    ("levenshtein", [("kitten", "sitting"), ("", "abc"), ("abc", ""), ("flaw", "lawn"), ("same", "same"),
                     ("a", "b"), ("gumbo", "gambol"), ("book", "back"), ("abc", "cab"), ("intention", "execution"),
                     ("short", "ports"), ("x", "xyz")]),
    ("camel_to_snake", [(s,) for s in ("parseHTTPResponse", "simple", "CamelCase", "getID", "HTMLParser",
                                       "version2Update", "aB", "already_snake", "XMLHttpRequest", "userId",
                                       "A", "ioError")]),
    ("snake_to_camel", [("parse_http_response",), ("simple",), ("_leading",), ("a_b_c",), ("",),
                        ("user_id", True), ("x", True), ("double__under",), ("trailing_",), ("io_error", True),
                        ("many_small_words_here",), ("UPPER_CASE",)]),
    ("run_length_encode", [(s,) for s in ("aaabcc", "", "a", "abc", "aaaa", "aabbaa", "zzzzzzzzzzzz", "ab ba",
                                          "112233", "xxyxx", "mississippi", "  ")]),
    ("run_length_decode", [(s,) for s in ("3a1b2c", "", "1a", "12z", "2a2b2a", "10x1y", "1 1-", "3m",
                                          "1a1b1c", "4 ", "2a1b", "1q")]),
    ("parse_duration", [(s,) for s in ("1h30m", "90s", "2d 4h", "250ms", "1.5h", "0s", "1m1s", "3d",
                                       "10ms", "2h 2m 2s", "0.25m", "1d1h1m1s")]),
    ("format_bytes", [(0,), (512,), (1024,), (1536,), (1048576,), (5 * 1024 ** 3,), (1000, False),
                      (1500, False), (2 * 1000 ** 2, False), (1023,), (1024 ** 5 * 3,), (999, False)]),
    ("luhn_check", [(s,) for s in ("4539 1488 0343 6467", "8273 1232 7352 0569", "79927398713", "0",
                                   "", "12a4", "4111111111111111", "4111111111111112", "059", "18",
                                   "6011 0009 9013 9424", "378282246310005")]),
    ("soundex", [(s,) for s in ("Robert", "Rupert", "Rubin", "Ashcraft", "Tymczak", "Pfister", "Honeyman",
                                "", "Lee", "Gutierrez", "Jackson", "123")]),
    ("balanced", [(s,) for s in ("()", "([]{})", "(]", "((", "", "a(b)c", "{[()()]}", ")(", "([)]",
                                 "[[[]]]", "{", "no brackets")]),
    ("wrap", [("the quick brown fox", 10), ("", 5), ("word", 2), ("a b c d e", 3), ("one two", 7),
              ("one two", 6), ("supercalifragilistic is long", 8), ("x", 1), ("aa bb cc dd", 5),
              ("many words in a line of text", 12), ("  spaced   out  ", 4), ("tail end", 20)]),
]
# 13 functions x 12 cases = 156; four error-path tests make 160.
NEW_ERRORS = [
    ("int_to_roman", (0,), "ValueError"),
    ("roman_to_int", ("IIII",), "ValueError"),
    ("run_length_decode", ("a",), "ValueError"),
    ("parse_duration", ("5",), "ValueError"),
]
OLD_CASES = [
    ("slugify", [(s,) for s in ("Hello, World!", "  many   spaces ", "Crème brûlée", "already-a-slug", "x")]),
    ("is_palindrome", [(s,) for s in ("A man, a plan, a canal: Panama", "abc", "", "No lemon, no melon", "ab")]),
    ("word_count", [(s,) for s in ("a b a", "The the THE", "", "one, two; two!", "x y z")]),
    ("caesar", [("abc", 1), ("xyz", 3), ("Hello, World", 13), ("ABC", -1), ("", 5)]),
    ("title_case", [(s,) for s in ("the lord of the rings", "a tale", "HELLO WORLD", "war and peace", "x")]),
    ("chunk", [([1, 2, 3, 4, 5], 2), ([], 3), ([1], 1), ([1, 2, 3], 5), ([1, 2, 3, 4], 2)]),
    ("flatten", [([1, [2, [3, [4]]]],), ([],), ([(1, 2), [3]],), ([[[]]],), ([1, 2, 3],)]),
    ("reverse_words", [(s,) for s in ("one two three", "", "single", "  a  b ", "x y")]),
]


def main():
    base = os.path.join(HERE, "base")
    head = os.path.join(HERE, "head")
    for tree in (base, head):
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(os.path.join(tree, "textkit"))
    with open(os.path.join(base, "textkit", "__init__.py"), "w") as f:
        f.write(OLD.lstrip())
    with open(os.path.join(head, "textkit", "__init__.py"), "w") as f:
        f.write(OLD.lstrip() + NEW)
    sys.path.insert(0, head)
    textkit = importlib.import_module("textkit")

    tests = ["import pytest\n\nfrom textkit import *  # noqa: F403\n"]
    count = 0
    for cases in (NEW_CASES, OLD_CASES):
        for name, argsets in cases:
            for i, args in enumerate(argsets):
                expected = getattr(textkit, name)(*args)
                call = "%s(%s)" % (name, ", ".join(repr(a) for a in args))
                tests.append("\ndef test_%s_%d():\n    assert %s == %r\n" % (name, i, call, expected))
                count += 1
    for i, (name, args, error) in enumerate(NEW_ERRORS):
        call = "%s(%s)" % (name, ", ".join(repr(a) for a in args))
        tests.append("\ndef test_%s_rejects_%d():\n    with pytest.raises(%s):\n        %s\n" % (name, i, error, call))
        count += 1
    assert count == 200, count
    os.makedirs(os.path.join(head, "tests"))
    with open(os.path.join(head, "tests", "test_textkit.py"), "w") as f:
        f.write("".join(tests))
    lines = (OLD.lstrip() + NEW).count("\n")
    print("wrote %d tests; textkit is %d lines (base %d)" % (count, lines, OLD.lstrip().count("\n")))


if __name__ == "__main__":
    main()
