"""Pick a few cases per target: greedy set cover over changed lines and branches.

Every reachable changed `raise` gets a case first (the gate's `misses-error-path` policy
asks for them); then cases are added while they cover something new, changed code first.
"""

from __future__ import annotations

from typing import Any

# Weights of what a case newly covers. Changed code dominates; other arcs only break ties
# between cases that add the same changed coverage.
W_CHANGED_LINE = 10.0
W_CHANGED_ARC = 6.0
W_TARGET_ARC = 1.0
W_OTHER_ARC = 0.2


def case_features(case: dict[str, Any]) -> tuple[set[int], set[tuple[int, int]]]:
    arcs = {(int(a), int(b)) for a, b in case.get('arcs', [])}
    lines = {a for a, _ in arcs if a > 0} | {b for _, b in arcs if b > 0}
    return lines, arcs


def choose(
    cases: list[dict[str, Any]], changed: set[int], raise_lines: set[int], span: tuple[int, int], limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` cases in pick order; `cases` should come simplest first (ties keep the simplest)."""
    if limit <= 0 or not cases:
        return []
    start, end = span
    feats = [case_features(c) for c in cases]
    covered_lines: set[int] = set()
    covered_arcs: set[tuple[int, int]] = set()
    picked: list[int] = []

    def gain(i: int) -> float:
        lines, arcs = feats[i]
        new_lines = lines - covered_lines
        new_arcs = arcs - covered_arcs
        score = W_CHANGED_LINE * len(new_lines & changed)
        for a, b in new_arcs:
            if abs(a) in changed:
                score += W_CHANGED_ARC
            elif start <= abs(a) <= end or start <= abs(b) <= end:
                score += W_TARGET_ARC
            else:
                score += W_OTHER_ARC
        if cases[i]['outcome']['kind'] == 'instance':
            score *= 0.5  # `isinstance` pins less behaviour than an equality
        return score

    def take(i: int) -> None:
        picked.append(i)
        covered_lines.update(feats[i][0])
        covered_arcs.update(feats[i][1])

    for line in sorted(raise_lines):
        if len(picked) >= limit:
            break
        if line in covered_lines:
            continue
        for i, c in enumerate(cases):
            o = c['outcome']
            if i not in picked and o['kind'] == 'raise' and (o.get('line') == line or line in feats[i][0]):
                take(i)
                break
    while len(picked) < limit:
        best, best_gain = -1, 0.0
        for i in range(len(cases)):
            if i in picked:
                continue
            g = gain(i)
            if g > best_gain:
                best, best_gain = i, g
        if best < 0:
            break
        take(best)
    return [cases[i] for i in picked]


def covered_changed(cases: list[dict[str, Any]], changed: set[int]) -> list[int]:
    out: set[int] = set()
    for c in cases:
        out |= case_features(c)[0] & changed
    return sorted(out)
