"""Sampling helpers that keep planted rates exact at small sizes.

Rates are planted as quotas (exactly ``round(rate * n)`` members drawn at random) rather than
independent coin flips, so that a world of a few thousand conversations already shows the
planted value within a fraction of a point.
"""

from __future__ import annotations

import numpy as np


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``shares`` that add up exactly."""
    raw = np.asarray(shares, dtype=float) * total / np.sum(shares)
    counts = np.floor(raw).astype(int)
    short = total - counts.sum()
    if short:
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def quota_mask(rng: np.random.Generator, n: int, rate: float,
               weights: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask with ``rate * n`` True values (rounded up or down at random, so that many
    small quotas add up without bias), drawn at random.

    With ``weights``, members are drawn without replacement with probability proportional to
    their weight (Efraimidis-Spirakis keys), so a quota can still carry an effect.
    """
    expected = rate * n
    k = int(np.floor(expected)) + int(rng.random() < expected - np.floor(expected))
    mask = np.zeros(n, dtype=bool)
    if k <= 0 or n == 0:
        return mask
    if weights is None:
        mask[rng.choice(n, size=min(k, n), replace=False)] = True
        return mask
    keys = np.log(rng.random(n)) / np.asarray(weights, dtype=float)
    mask[np.argpartition(-keys, min(k, n) - 1)[: min(k, n)]] = True
    return mask


def quota_labels(rng: np.random.Generator, n: int, mix: dict[str, float]) -> np.ndarray:
    """``n`` labels whose counts follow ``mix`` exactly (largest remainder), shuffled."""
    names = list(mix)
    counts = largest_remainder(n, np.array([mix[k] for k in names]))
    labels = np.repeat(np.array(names, dtype=object), counts)
    rng.shuffle(labels)
    return labels


def grouped_quota(rng: np.random.Generator, groups: np.ndarray, rates: dict,
                  weights: np.ndarray | None = None) -> np.ndarray:
    """Apply :func:`quota_mask` within each group, with a rate per group key."""
    mask = np.zeros(len(groups), dtype=bool)
    for key in sorted(set(groups.tolist())):
        idx = np.flatnonzero(groups == key)
        w = None if weights is None else weights[idx]
        mask[idx] = quota_mask(rng, len(idx), rates[key], w)
    return mask


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def intercept_for_mean(linear: np.ndarray, target: float) -> float:
    """Intercept ``a`` such that ``mean(sigmoid(a + linear)) == target`` (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if sigmoid(mid + linear).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
