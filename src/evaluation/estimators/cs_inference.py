"""Influence-function inference for Callaway-Sant'Anna: analytic SEs, cluster sums, the
multiplier bootstrap with sup-t bands (R ``did``'s ``mboot``) and the Wald pre-test.

Internal module of :func:`~evaluation.estimators.callaway_santanna` (not in the export table).
Distribution functions come from :mod:`.distributions` (``scipy.special``, imported on use).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .distributions import chi2_sf, norm_ppf

SE_FLOOR = math.sqrt(np.finfo(float).eps) * 10  # R: se <= sqrt(eps) * 10 is reported as NA
_BOOT_UNITS = 512  # rows per block of the multiplier stream (part of the seed's meaning)


# ----------------------------------------------------------------------------------------
# Influence-function inference helpers
# ----------------------------------------------------------------------------------------
# Tall products (units x cells) run in row chunks small enough that OpenBLAS stays on one
# thread (its threading threshold is ~2.6e5 multiply-adds per call): threaded BLAS spins and
# thrashes on busy machines, and these products are memory-bound anyway.
_BLAS_CHUNK_WORK = 200_000


def crossprod(a: np.ndarray) -> np.ndarray:
    """a' a for a tall matrix, in single-threaded row chunks."""
    k = a.shape[1]
    rows = max(16, _BLAS_CHUNK_WORK // max(k * k, 1))
    out = np.zeros((k, k))
    for i in range(0, a.shape[0], rows):
        block = a[i : i + rows]
        out += block.T @ block
    return out


def tall_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a tall a (units x cells) and a small b, in row chunks; Fortran-order out."""
    rows = max(16, _BLAS_CHUNK_WORK // max(a.shape[1] * b.shape[1], 1))
    out = np.empty((a.shape[0], b.shape[1]), order="F")
    for i in range(0, a.shape[0], rows):
        out[i : i + rows] = a[i : i + rows] @ b
    return out


@functools.cache
def _openblas_threads() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """Get/set of the thread count of the OpenBLAS bundled with numpy's wheels, or None
    (another BLAS, or not found): what ``threadpoolctl`` does, for this one library."""
    root = Path(np.__file__).resolve().parent
    for folder in (root.parent / "numpy.libs", root / ".dylibs"):
        for path in sorted(folder.glob("*openblas*")) if folder.is_dir() else []:
            try:
                lib = ctypes.CDLL(str(path))
            except OSError:
                continue
            for prefix, suffix in (("scipy_", "64_"), ("", "64_"), ("", "")):
                get = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    get.restype = ctypes.c_int
                    set_.argtypes = [ctypes.c_int]
                    return get, set_
    return None


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run BLAS products on one thread while the block runs (process-wide), then restore.

    OpenBLAS's product depends on its thread count in the last bits (the multiplier product
    of a 3,000 x 15 matrix differed by 6e-14 between one and two threads), so a product whose
    thread count followed the machine's load would make a seeded bootstrap give different
    numbers from run to run. One thread gives the same draws every time, and is also the
    faster choice on a busy machine, where OpenBLAS threads spin waiting for each other
    (about three times the wall time at load 10 on 2 cores).
    """
    api = _openblas_threads()
    if api is None or api[0]() <= 1:
        yield
        return
    get, set_ = api
    before = get()
    set_(1)
    try:
        yield
    finally:
        set_(before)


def cluster_sums(psi: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Column sums of ``psi`` within clusters (``cluster`` codes 0..G-1); ``psi`` if None."""
    if cluster is None:
        return psi
    n_cl = int(cluster.max()) + 1
    out = np.zeros((n_cl, psi.shape[1]))
    for j in range(psi.shape[1]):
        out[:, j] = np.bincount(cluster, weights=psi[:, j], minlength=n_cl)
    return out


def analytic_se(sums: np.ndarray, n: int) -> np.ndarray:
    """``sqrt(sum(s^2)) / n`` per column (R ``did``); NaN at or below R's floor."""
    se = np.sqrt(np.einsum("ij,ij->j", sums, sums)) / n
    se[~(se > SE_FLOOR)] = np.nan
    return se


def _type1_quantile(sorted_values: np.ndarray, p: float) -> float:
    """R's quantile(type = 1) of already sorted values (inverse of the empirical cdf)."""
    m = len(sorted_values)
    j = max(int(math.ceil(m * p - 4 * np.finfo(float).eps * m)), 1)
    return float(sorted_values[min(j, m) - 1])


def multiplier_draws(
    mats: list[np.ndarray],
    reps: int,
    seed: int | None,
    blocks: list[tuple[int, int]] | None = None,
) -> list[np.ndarray]:
    """``V' M`` for each matrix ``M`` (m x k) with ``V`` (m x reps) i.i.d. Rademacher weights.

    One weight per row (unit or cluster) and draw, as ``BMisc::multiplier_bootstrap``; every
    matrix in ``mats`` is multiplied by the same ``V``, so later linear combinations of their
    columns (the aggregations) are bootstrapped with the draws of the ATT(g,t).

    The weights come from ``numpy.random.default_rng(seed)`` in fixed blocks of
    ``_BOOT_UNITS`` rows (``reps`` x block bits, 8 per random byte), so a seed gives the same
    draws on any machine, whatever the memory. Each block is a 0/1 matrix ``B`` and
    ``V' M = 2 B' M - 1' M``: the work is one dense product per block, cache-sized.
    ``blocks`` are row ranges (cohorts) within which the columns that are zero are skipped.
    """
    m = mats[0].shape[0]
    rng = np.random.default_rng(seed)
    widths = [mat.shape[1] for mat in mats]
    offsets = np.concatenate([[0], np.cumsum(widths)])
    out = np.zeros((reps, int(offsets[-1])))
    # Per row block (cohort): the nonzero columns of all matrices side by side, so that each
    # block of multipliers is read once by one product.
    pieces: list[tuple[int, int, np.ndarray, np.ndarray]] = []
    for s, e in blocks if blocks is not None else [(0, m)]:
        cols = [np.flatnonzero(np.any(mat[s:e] != 0, axis=0)) for mat in mats]
        where = np.concatenate([c + o for c, o in zip(cols, offsets, strict=False)])
        if len(where):
            sub = np.hstack([mat[s:e][:, c] for mat, c in zip(mats, cols, strict=True)])
            pieces.append((s, e, where, sub))
    with one_blas_thread():
        for start in range(0, m, _BOOT_UNITS):
            stop = min(start + _BOOT_UNITS, m)
            nbytes = (stop - start + 7) // 8
            bits = np.frombuffer(rng.bytes(reps * nbytes), dtype=np.uint8).reshape(reps, nbytes)
            ones = np.unpackbits(bits, axis=1, count=stop - start).astype(np.float64)
            for s, e, where, sub in pieces:
                a, b = max(s, start), min(e, stop)
                if a < b:
                    out[:, where] += ones[:, a - start : b - start] @ sub[a - s : b - s]
    total = np.concatenate([mat.sum(axis=0) for mat in mats])
    out = 2.0 * out - total
    return [out[:, offsets[j] : offsets[j + 1]] for j in range(len(mats))]


def bootstrap_inference(
    draws: np.ndarray,
    m: int,
    n: int,
    alpha: float,
    band: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """R ``did``'s ``mboot`` summaries of multiplier draws: IQR-based SEs and a sup-t value.

    ``draws`` are ``V' S`` (reps x k) for influence functions (or their cluster sums) ``S``
    with ``m`` rows; ``n`` is the number of units. ``band`` selects the columns of the
    uniform band (default all).
    """
    k = draws.shape[1]
    # R: bres = sqrt(m) * (U' S) / m ; se = IQR(bres) / IQR(N(0,1)) * sqrt(m) / n
    bres = draws / math.sqrt(m)
    ok = np.isfinite(bres).all(axis=0) & ((bres**2).sum(axis=0) > SE_FLOOR)
    iqr_norm = norm_ppf(0.75) - norm_ppf(0.25)
    se = np.full(k, np.nan)
    sigma = np.full(k, np.nan)
    for j in np.flatnonzero(ok):
        col = np.sort(bres[:, j])
        sigma[j] = (_type1_quantile(col, 0.75) - _type1_quantile(col, 0.25)) / iqr_norm
    se[ok] = sigma[ok] * math.sqrt(m) / n
    usable = ok & (sigma > SE_FLOOR)
    if band is not None:
        usable &= band
    if usable.any():
        t_max = np.max(np.abs(bres[:, usable] / sigma[usable]), axis=1)
        crit = _type1_quantile(np.sort(t_max[np.isfinite(t_max)]), 1 - alpha)
    else:
        crit = float("nan")
    se[~(se > SE_FLOOR)] = np.nan
    return se, crit


def multiplier_bootstrap(
    sums: np.ndarray,
    n: int,
    reps: int,
    seed: int | None,
    alpha: float,
    band: np.ndarray | None = None,
    blocks: list[tuple[int, int]] | None = None,
) -> tuple[np.ndarray, float]:
    """Multiplier bootstrap of the columns of ``sums`` (units or clusters x estimates)."""
    draws = multiplier_draws([sums], reps, seed, blocks)[0]
    return bootstrap_inference(draws, sums.shape[0], n, alpha, band)


def wald_pretest(att: np.ndarray, gram: np.ndarray, n: int) -> tuple[float, int, float, str]:
    """R ``did``'s pre-test: W = n b' V^{-1} b with V = S'S / n (``gram`` = S'S)."""
    if len(att) == 0:
        return float("nan"), 0, float("nan"), "no pre-treatment ATT(g,t)"
    v = gram / n
    if 1.0 / np.linalg.cond(v) <= np.finfo(float).eps:
        return float("nan"), len(att), float("nan"), "singular pre-treatment covariance"
    w = float(n * att @ np.linalg.solve(v, att))
    return w, len(att), float(chi2_sf(w, len(att))), ""
