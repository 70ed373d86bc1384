"""Evaluation metrics shared by training, evaluation and the controlled experiments.

``pass_at_k`` is the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on
Code", arXiv 2107.03374), the one A-GRAE (arXiv 2602.05548) reports for k = 1..256: with n samples of which
c are correct, ``pass@k = 1 − C(n−c, k) / C(n, k)``. It is computed as a running product
``Π_{i=n−c+1..n} (1 − k/i)`` so that no binomial coefficient is ever formed (they overflow floats for
n ≳ 1000). This module imports only numpy (no torch), so evaluation code can use it anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from ``n`` samples with ``c`` correct: ``1 − C(n−c, k) / C(n, k)``.

    Stable form: ``C(n−c, k) / C(n, k) = Π_{i=n−c+1}^{n} (1 − k / i)``; when ``n − c < k`` every size-k
    subset holds a correct sample, so the result is exactly 1.

    Example::

        >>> round(pass_at_k(5, 1, 1), 6)
        0.2
        >>> round(pass_at_k(10, 2, 5), 6)   # 1 - C(8,5)/C(10,5) = 1 - 56/252
        0.777778
        >>> pass_at_k(4, 0, 2), pass_at_k(4, 3, 2)
        (0.0, 1.0)
    """
    n, c, k = int(n), int(c), int(k)
    if n < 1 or k < 1 or not 0 <= c <= n:
        raise ValueError(f"pass_at_k needs n >= 1, k >= 1 and 0 <= c <= n; got n={n}, c={c}, k={k}")
    if k > n:
        raise ValueError(f"pass_at_k needs k <= n (cannot draw {k} of {n} samples)")
    if n - c < k:
        return 1.0
    if c == 0:
        return 0.0
    i = np.arange(n - c + 1, n + 1, dtype=np.float64)  # [c]
    return float(1.0 - np.prod(1.0 - k / i))


def pass_at_k_curve(
    n_samples: int | Sequence[int] | np.ndarray,
    n_correct: Sequence[int] | np.ndarray,
    ks: Sequence[int] | np.ndarray,
) -> np.ndarray:
    """Mean unbiased pass@k over problems, for every k in ``ks`` at once.

    Args:
        n_samples: samples drawn per problem, an int (same for all) or ``[P]``.
        n_correct: correct samples per problem, ``[P]``.
        ks: the k values, each ``<=`` every entry of ``n_samples``.

    Returns:
        ``[len(ks)]`` float64: the average over the P problems of ``pass_at_k(n_p, c_p, k)``.

    Vectorised in log space: ``log Π_{i=n−c+1}^{n} (1 − k/i)`` is a masked sum over ``i ≤ max n``; a factor
    ``1 − k/i ≤ 0`` (i ≤ k) means the ratio is 0 and pass@k is 1.

    Example::

        >>> pass_at_k_curve(10, [0, 2, 10], [1, 5]).round(6).tolist()   # mean over 3 problems
        [0.4, 0.592593]
    """
    n_correct = np.asarray(n_correct, dtype=np.int64).reshape(-1)  # [P]
    n = np.broadcast_to(np.asarray(n_samples, dtype=np.int64), n_correct.shape)  # [P]
    ks = np.asarray(ks, dtype=np.int64).reshape(-1)  # [K]
    if n_correct.size == 0:
        raise ValueError("pass_at_k_curve needs at least one problem")
    if (n < 1).any() or (n_correct < 0).any() or (n_correct > n).any():
        raise ValueError("pass_at_k_curve needs n >= 1 and 0 <= c <= n for every problem")
    if (ks < 1).any() or ks.max(initial=1) > n.min():
        raise ValueError(f"every k must satisfy 1 <= k <= min(n_samples) = {int(n.min())}; got {ks.tolist()}")
    i = np.arange(1, int(n.max()) + 1, dtype=np.float64)  # [I]
    in_product = (i[None, :] > (n - n_correct)[:, None]) & (i[None, :] <= n[:, None])  # [P, I]
    factor = 1.0 - ks[:, None].astype(np.float64) / i[None, :]  # [K, I]
    has_nonpositive = ((factor[:, None, :] <= 0) & in_product[None, :, :]).any(-1)  # [K, P]
    log_factor = np.log(np.clip(factor, 1e-300, None))  # [K, I]
    log_ratio = (log_factor[:, None, :] * in_product[None, :, :]).sum(-1)  # [K, P]
    ratio = np.where(has_nonpositive, 0.0, np.exp(log_ratio))  # [K, P]
    return (1.0 - ratio).mean(axis=1)  # [K]
