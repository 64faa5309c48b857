"""Input handling shared by every estimator: column checks, missing-row policy, numeric and
binary columns, weights, the data fingerprint and deprecated option names.

One policy everywhere (the estimators import these functions rather than re-implementing them):

- a requested column absent from the data is a ``ValueError`` naming it and the columns present;
- rows whose *outcome* is missing are dropped and counted (``"missing outcome"``), as fixest and
  R ``did`` do - non-response is not a data error;
- a missing value in any other column used (unit, period, treatment, weight, cluster, covariate)
  is a ``ValueError`` naming the column and the first rows, since it is a data problem;
- :func:`fingerprint` summarises the columns used without holding them, so a result can check
  that data passed back to it later (``with_vcov``, the wild bootstrap) is the data it was fitted on.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators.constants import FINGERPRINT_DIGITS
from evaluation.estimators.idcodes import missing_count

__all__ = [
    "MissingColumnError",
    "as_list",
    "binary_column",
    "check_columns",
    "check_no_missing",
    "check_weights",
    "fingerprint",
    "numeric_column",
    "prepare_sample",
    "renamed",
    "rows_excerpt",
]


class MissingColumnError(ValueError, KeyError):
    """A requested column is not in the data (a ValueError, and a KeyError for older callers)."""

    __str__ = Exception.__str__


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """``None`` -> [], a column name -> [name], a sequence -> list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def check_columns(data: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    """Raise a ValueError naming every requested column absent from ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{where}: data must be a pandas DataFrame (got {type(data).__name__})")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"{where}: column(s) {missing} not in the data (available: {list(data.columns)[:20]})"
        )


def rows_excerpt(mask: np.ndarray, index: pd.Index) -> str:
    """``"<count> row(s), e.g. index [...]"`` for the rows flagged in ``mask``."""
    idx = index[np.flatnonzero(mask)[:5]].tolist()
    return f"{int(mask.sum())} row(s), e.g. index {idx}"


def check_no_missing(data: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    """Raise a ValueError naming the column and rows where a used value is missing."""
    for c in columns:
        if not missing_count(data[c]):
            continue  # counted once per call (idcodes.column_scope); the fingerprint reuses it
        miss = data[c].isna().to_numpy()
        if miss.any():
            raise ValueError(
                f"{where}: column {c!r} has missing values in {rows_excerpt(miss, data.index)}; "
                "drop or impute them before estimation"
            )


def numeric_column(data: pd.DataFrame, column: str, where: str) -> np.ndarray:
    """The column as float64, or a ValueError saying it must be numeric."""
    s = data[column]
    if s.dtype == bool:
        return s.to_numpy(dtype=float)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "fiu":
        # plain numpy numbers: no pd.to_numeric (which copies the column into a new Series)
        return s.to_numpy(dtype=float)
    try:
        return pd.to_numeric(s, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: column {column!r} must be numeric (dtype {s.dtype})") from err


def binary_column(data: pd.DataFrame, column: str, where: str) -> np.ndarray:
    """The column as 0/1 floats; a ValueError naming offending values/rows otherwise."""
    x = numeric_column(data, column, where)
    bad = ~np.isin(x, (0.0, 1.0))
    if bad.any():
        vals = pd.unique(x[bad])[:5].tolist()
        raise ValueError(
            f"{where}: column {column!r} must be binary 0/1 (or boolean); found values {vals} "
            f"in {rows_excerpt(bad, data.index)}"
        )
    return x


def check_weights(w: np.ndarray, column: str, index: pd.Index, where: str) -> None:
    """Raise a ValueError unless every weight is positive and finite."""
    bad = ~(w > 0) | ~np.isfinite(w)
    if bad.any():
        raise ValueError(
            f"{where}: weights column {column!r} must be positive and finite; "
            f"offending {rows_excerpt(bad, index)}"
        )


def prepare_sample(
    data: pd.DataFrame, outcome: str, used: Sequence[str], where: str
) -> tuple[pd.DataFrame, list[str]]:
    """Check columns and missing values; drop rows with a missing outcome (noted)."""
    cols = list(dict.fromkeys([outcome, *used]))
    check_columns(data, cols, where)
    notes: list[str] = []
    y_miss = data[outcome].isna().to_numpy()
    if y_miss.all():
        raise ValueError(f"{where}: outcome {outcome!r} is missing in every row")
    if y_miss.any():
        notes.append(f"{int(y_miss.sum())} row(s) with a missing outcome {outcome!r} dropped")
        data = data.loc[~y_miss]
    check_no_missing(data, [c for c in cols if c != outcome], where)
    y = numeric_column(data, outcome, where)
    if not np.isfinite(y).all():
        raise ValueError(f"{where}: outcome {outcome!r} has infinite values")
    return data, notes


def fingerprint(data: pd.DataFrame, columns: Sequence[str]) -> str:
    """A short hash of the columns used, independent of row order, that holds no data.

    Hashes the number of rows, each column's name and dtype and, for numeric and boolean
    columns, the sum of its non-missing values and the count of missing ones rounded to
    :data:`FINGERPRINT_DIGITS` significant digits (one pass per column, memory-bandwidth
    bound, so the fast paths stay fast). Non-numeric columns contribute their number of
    missing values. Two data sets with the same fingerprint are not proven equal; different
    fingerprints prove they differ - enough to refuse data that is not the fitted data.
    """
    parts: list[str] = [str(len(data))]
    for c in dict.fromkeys(c for c in columns if c is not None and c in data.columns):
        s = data[c]
        missing = missing_count(s)
        item = f"{c}|{s.dtype}|{missing}"
        total = None
        if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iub":
            total = float(s.to_numpy().sum())  # integers: an exact sum, no float copy
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            values = s.to_numpy(dtype=float, na_value=np.nan)
            # np.nansum copies the column to zero its NaNs; without NaNs the sum is the same
            total = float(np.nansum(values) if missing else values.sum())
        if total is not None:
            item += f"|{total:.{FINGERPRINT_DIGITS}g}"
        parts.append(item)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def renamed(where: str, new: str, value: Any, old: str, old_value: Any, default: Any = None) -> Any:
    """Resolve an option renamed from ``old`` to ``new`` (the old name is deprecated).

    Returns ``old_value`` (with a ``DeprecationWarning`` naming the new option) when the old
    name was used, else ``value``; both given is a ``TypeError``. ``default`` is the new
    option's default, used to tell "given" from "not given" for the new name.
    """
    if old_value is None:
        return value
    if value is not default and not _same(value, default):
        raise TypeError(f"{where}: give {new}= only ({old}= is its deprecated old name)")
    warnings.warn(
        f"{where}: option {old}= is deprecated; use {new}= (same meaning)",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
