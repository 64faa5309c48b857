"""Influence-function inference for Callaway-Sant'Anna: analytic SEs, cluster sums, the
multiplier bootstrap with sup-t bands (R ``did``'s ``mboot``) and the Wald pre-test."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

_SE_FLOOR = math.sqrt(np.finfo(float).eps) * 10  # R: se <= sqrt(eps) * 10 is reported as NA
_BOOT_CHUNK = 64
_BOOT_WORKSPACE = 64 * 2**20  # bytes of +-1 multipliers in floating point at a time


# ----------------------------------------------------------------------------------------
# Influence-function inference helpers
# ----------------------------------------------------------------------------------------
# Tall products (units x cells) run in row chunks small enough that OpenBLAS stays on one
# thread (its threading threshold is ~2.6e5 multiply-adds per call): threaded BLAS spins and
# thrashes on busy machines, and these products are memory-bound anyway.
_BLAS_CHUNK_WORK = 200_000


def _crossprod(a: np.ndarray) -> np.ndarray:
    """a' a for a tall matrix, in single-threaded row chunks."""
    k = a.shape[1]
    rows = max(16, _BLAS_CHUNK_WORK // max(k * k, 1))
    out = np.zeros((k, k))
    for i in range(0, a.shape[0], rows):
        block = a[i : i + rows]
        out += block.T @ block
    return out


def _tall_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a tall a (units x cells) and a small b, in row chunks; Fortran-order out."""
    rows = max(16, _BLAS_CHUNK_WORK // max(a.shape[1] * b.shape[1], 1))
    out = np.empty((a.shape[0], b.shape[1]), order="F")
    for i in range(0, a.shape[0], rows):
        out[i : i + rows] = a[i : i + rows] @ b
    return out


def _cluster_sums(psi: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    if cluster is None:
        return psi
    n_cl = int(cluster.max()) + 1
    out = np.zeros((n_cl, psi.shape[1]))
    for j in range(psi.shape[1]):
        out[:, j] = np.bincount(cluster, weights=psi[:, j], minlength=n_cl)
    return out


def _analytic_se(sums: np.ndarray, n: int) -> np.ndarray:
    se = np.sqrt(np.einsum("ij,ij->j", sums, sums)) / n
    se[~(se > _SE_FLOOR)] = np.nan
    return se


def _type1_quantile(sorted_values: np.ndarray, p: float) -> float:
    """R's quantile(type = 1) of already sorted values (inverse of the empirical cdf)."""
    m = len(sorted_values)
    j = max(int(math.ceil(m * p - 4 * np.finfo(float).eps * m)), 1)
    return float(sorted_values[min(j, m) - 1])


def _multiplier_bootstrap(
    sums: np.ndarray,
    n: int,
    reps: int,
    seed: int | None,
    alpha: float,
    band: np.ndarray | None = None,
    blocks: list[tuple[int, int]] | None = None,
) -> tuple[np.ndarray, float]:
    """Multiplier bootstrap of R ``did``'s ``mboot``: IQR-based SEs and a sup-t critical value.

    ``sums`` holds the influence functions (units x estimates) or their cluster sums. Each
    draw multiplies them by independent Rademacher weights (one per unit or cluster, as
    ``BMisc::multiplier_bootstrap``); the draws come from ``numpy.random.default_rng(seed)``
    in fixed chunks, so the same seed gives the same draws on any machine. ``band`` selects
    the columns of the uniform band (default all); ``blocks`` are row ranges (cohorts) used
    to skip the columns that are zero within a block (same draws, fewer operations).
    """
    m, k = sums.shape
    rng = np.random.default_rng(seed)
    draws = np.empty((reps, k))
    # Row blocks (cohorts) touch only some columns: multiply each block by its own columns.
    pieces = []
    for s, e in blocks if blocks is not None else [(0, m)]:
        cols = np.flatnonzero(np.any(sums[s:e] != 0, axis=0))
        if len(cols) == k:
            pieces.append((s, e, slice(None), sums[s:e]))
        elif len(cols):
            pieces.append((s, e, cols, np.asfortranarray(sums[s:e][:, cols])))
    # Draws come in fixed blocks of _BOOT_CHUNK (so the stream, hence the result, does not
    # depend on memory); each block is applied in row slices to bound the float workspace.
    step = max(1, _BOOT_WORKSPACE // (8 * m))
    for start in range(0, reps, _BOOT_CHUNK):
        b = min(_BOOT_CHUNK, reps - start)
        # Rademacher signs from random bits: 8 per random byte
        bits = np.frombuffer(rng.bytes((b * m + 7) // 8), dtype=np.uint8)
        signs = np.unpackbits(bits, count=b * m).reshape(b, m)
        for r in range(0, b, step):
            u = signs[r : r + step].astype(np.float64)
            u *= 2.0
            u -= 1.0
            out = np.zeros((u.shape[0], k))
            for s, e, cols, mat in pieces:
                out[:, cols] += u[:, s:e] @ mat
            draws[start + r : start + min(r + step, b)] = out
    # R: bres = sqrt(m) * (U' S) / m ; se = IQR(bres) / IQR(N(0,1)) * sqrt(m) / n
    bres = draws / math.sqrt(m)
    ok = np.isfinite(bres).all(axis=0) & ((bres**2).sum(axis=0) > _SE_FLOOR)
    iqr_norm = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)
    se = np.full(k, np.nan)
    sigma = np.full(k, np.nan)
    for j in np.flatnonzero(ok):
        col = np.sort(bres[:, j])
        sigma[j] = (_type1_quantile(col, 0.75) - _type1_quantile(col, 0.25)) / iqr_norm
    se[ok] = sigma[ok] * math.sqrt(m) / n
    usable = ok & (sigma > _SE_FLOOR)
    if band is not None:
        usable &= band
    if usable.any():
        t_max = np.max(np.abs(bres[:, usable] / sigma[usable]), axis=1)
        crit = _type1_quantile(np.sort(t_max[np.isfinite(t_max)]), 1 - alpha)
    else:
        crit = float("nan")
    se[~(se > _SE_FLOOR)] = np.nan
    return se, crit


def _wald(att: np.ndarray, gram: np.ndarray, n: int) -> tuple[float, int, float, str]:
    """R ``did``'s pre-test: W = n b' V^{-1} b with V = S'S / n (``gram`` = S'S)."""
    if len(att) == 0:
        return float("nan"), 0, float("nan"), "no pre-treatment ATT(g,t)"
    v = gram / n
    if 1.0 / np.linalg.cond(v) <= np.finfo(float).eps:
        return float("nan"), len(att), float("nan"), "singular pre-treatment covariance"
    w = float(n * att @ np.linalg.solve(v, att))
    return w, len(att), float(stats.chi2.sf(w, len(att))), ""
