"""Softmax and the small softmax regression both stacked heads (sentiment, urgency) are fitted with."""

from __future__ import annotations

import numpy as np


def softmax_rows(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fit_softmax(
    x: np.ndarray,
    y: np.ndarray,
    *,
    l2: float,
    iterations: int = 3000,
    row_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Weights of a softmax regression of one-hot `y` on `x`, by full-batch Adam from zeros: deterministic, no
    seed needed. `row_weights` weigh the rows (all 1 by default)."""
    row_w = np.ones((len(x), 1)) if row_weights is None else row_weights.reshape(-1, 1)
    total = float(row_w.sum())
    w = np.zeros((x.shape[1], y.shape[1]))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, iterations + 1):
        p = softmax_rows(x @ w)
        g = x.T @ ((p - y) * row_w) / total + l2 * w / total
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w
