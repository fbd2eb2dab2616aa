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
        word = word.strip(".,;:!?\"'()")
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
