"""The statistics of the checks: PSI, chi-square goodness of fit, the confidence histogram."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: The floor of a share in PSI and chi-square (an empty bin would make the logarithm infinite).
DEFAULT_EPSILON = 1e-4


def _shares(values: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    total = array.sum()
    if total <= 0:
        raise ValueError("a distribution with nothing in it")
    return array / total


def psi_terms(
    expected: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray, epsilon: float = DEFAULT_EPSILON
) -> np.ndarray:
    """Each bin's share of the PSI: ``(a - e) * ln(a / e)``, ``a`` and ``e`` shares floored at ``epsilon``.

    ``expected`` and ``actual`` are counts or shares over the same bins (each is normalised). A
    bin empty on one side would make the logarithm infinite: its share is raised to ``epsilon``
    (1e-4 by default, so a category never seen in training and now 1 % of traffic adds about
    0.046). Every term is >= 0.
    """
    e = np.maximum(_shares(expected), epsilon)
    a = np.maximum(_shares(actual), epsilon)
    return (a - e) * np.log(a / e)


def psi(
    expected: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray, epsilon: float = DEFAULT_EPSILON
) -> float:
    """Population stability index of ``actual`` against ``expected`` (0 for identical distributions)."""
    return float(psi_terms(expected, actual, epsilon).sum())


def chi_square(
    observed: Sequence[float] | np.ndarray,
    expected_shares: Sequence[float] | np.ndarray,
    epsilon: float = DEFAULT_EPSILON,
) -> tuple[float, float, int]:
    """Chi-square goodness of fit of ``observed`` counts to ``expected_shares``: statistic, p-value, degrees of freedom.

    Expected shares are floored at ``epsilon`` and renormalised, so a category absent from the
    reference but served gives a huge statistic (p near 0) instead of a division by zero.
    One bin, or no observation, is no test: (0, 1, 0).
    """
    from scipy.stats import chisquare

    counts = np.asarray(observed, dtype=float)
    total = counts.sum()
    if counts.size < 2 or total <= 0:
        return 0.0, 1.0, 0
    shares = np.maximum(_shares(expected_shares), epsilon)
    result = chisquare(counts, shares / shares.sum() * total)
    return float(result.statistic), float(result.pvalue), int(counts.size - 1)


def confidence_histogram(confidences: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Counts of the finite confidences over ``bins`` equal-width bins of [0, 1], and the edges."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    finite = confidences[np.isfinite(confidences)]
    counts, _ = np.histogram(np.clip(finite, 0.0, 1.0), bins=edges)
    return counts, edges


__all__ = [
    "DEFAULT_EPSILON",
    "chi_square",
    "confidence_histogram",
    "psi",
    "psi_terms",
]
