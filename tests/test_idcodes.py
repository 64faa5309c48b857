"""String id coding (estimators/idcodes.py): exactly pandas' codes, faster; per-call memo.

The fast path must be indistinguishable from ``pandas.factorize(sort=False)`` - same codes in
the same order, same distinct ids - so that estimates on string ids are bit-identical to
before; anything it cannot code exactly (bytes, numbers, mixed) goes back to pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import callaway_santanna, twfe
from evaluation.estimators.fixed_effects import factorize, factorize_sorted
from evaluation.estimators.idcodes import (
    MAX_WORD_BYTES,
    column_scope,
    missing_count,
    string_codes,
)

POOL = [
    "",
    "a",
    "a\x00",  # differs from "a" only by a trailing NUL byte
    "ñandú",
    "日本",
    "F1",
    "F01",
    "abcdefgh",  # exactly one 64-bit word
    "abcdefghi",
    "x" * MAX_WORD_BYTES,
    "x" * (MAX_WORD_BYTES - 1) + "y",
    "x" * (MAX_WORD_BYTES + 8),  # longer than the word path: Arrow dictionary
    "x" * (MAX_WORD_BYTES + 7) + "y",
]


@pytest.mark.parametrize("seed", range(4))
def test_codes_equal_pandas_on_random_ids(seed: int) -> None:
    rng = np.random.default_rng(seed)
    choices = np.array([*POOL, None, np.nan], dtype=object)
    for _ in range(300):
        values = np.asarray(rng.choice(choices, size=int(rng.integers(1, 40))), dtype=object)
        got = string_codes(values)
        want_codes, want_uniques = pd.factorize(values, sort=False)
        if pd.isna(values).all():
            assert got is None  # nothing to code: pandas handles it
            continue
        assert got is not None
        np.testing.assert_array_equal(got[0], want_codes)
        assert list(got[1]) == list(want_uniques)


@pytest.mark.parametrize("width", [3, 8, 12, 20])
def test_fixed_width_registry_ids_equal_pandas(width: int) -> None:
    rng = np.random.default_rng(width)
    labels = np.array([f"F{i:0{width - 1}d}" for i in range(5_000)], dtype=object)
    values = labels[rng.integers(0, labels.size, size=40_000)]
    codes, uniques = string_codes(values)
    want_codes, want_uniques = pd.factorize(values, sort=False)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(uniques, want_uniques)
    # the sorted variant equals pandas' sort=True
    s_codes, s_levels = factorize_sorted(values, "unit")
    w_codes, w_levels = pd.factorize(values, sort=True)
    np.testing.assert_array_equal(s_codes, w_codes)
    np.testing.assert_array_equal(s_levels, np.asarray(w_levels))


def test_non_strings_fall_back_to_pandas() -> None:
    assert string_codes(np.array(["a", b"a"], dtype=object)) is None  # bytes are not str
    assert string_codes(np.array(["a", 1], dtype=object)) is None
    # and factorize still codes them as pandas does (b"a" and "a" are different ids)
    codes, n = factorize(np.array(["a", b"a", "a"], dtype=object), "unit")
    assert n == 2 and codes.tolist() == [0, 1, 0]


def test_missing_string_id_still_raises_naming_rows() -> None:
    with pytest.raises(
        ValueError, match=r"column 'unit' has 1 missing value\(s\) \(e.g. rows \[2\]"
    ):
        factorize(np.array(["a", "b", None], dtype=object), "unit")


def test_memo_only_inside_a_scope() -> None:
    s = pd.Series(["a", None, "b"], dtype=object)
    assert missing_count(s) == 1
    with column_scope():
        assert missing_count(s) == 1
        first = string_codes(s.to_numpy())
        assert string_codes(s.to_numpy()) is first  # the same column is coded once
    assert string_codes(s.to_numpy()) is not first  # outside the scope nothing is cached


def _messy(seed: int = 7) -> pd.DataFrame:
    """A small shuffled, unbalanced staggered panel with string ids and NaN never-treated cohort."""
    rng = np.random.default_rng(seed)
    n, periods = 300, np.arange(2010, 2018)
    unit = np.repeat(np.arange(n), periods.size)
    year = np.tile(periods, n)
    cohort = rng.choice([0, 2013, 2015], size=n)[unit]
    treat = ((cohort > 0) & (year >= cohort)).astype(float)
    x = rng.normal(size=n)[unit]
    y = (
        rng.normal(size=n)[unit]
        + 0.1 * (year - 2010)
        + 0.3 * treat
        + 0.2 * x
        + rng.normal(size=unit.size)
    )
    df = pd.DataFrame(
        {
            "unit": np.array([f"F{u:05d}" for u in range(n)], dtype=object)[unit],
            "year": year,
            "cluster": unit % 30,
            "cohort": np.where(cohort > 0, cohort, np.nan),
            "treat": treat,
            "x": x,
            "y": y,
        }
    )
    keep = rng.uniform(size=len(df)) >= 0.15
    return df.loc[keep].iloc[rng.permutation(int(keep.sum()))].reset_index(drop=True)


def test_estimates_bit_identical_to_pandas_coded_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """String ids through the fast path and through pandas' factorize (the fast path switched
    off) give the same codes, hence identical numbers - equality, no tolerance."""
    import evaluation.estimators.cs_panel as cs_panel
    import evaluation.estimators.fixed_effects as fixed_effects

    df = _messy()
    kw = dict(covariates=["x"], method="dr", allow_unbalanced=True)

    def fits() -> tuple[float, float, float, float]:
        a = twfe(df, "y", "unit", "year", "treat", cluster="cluster")
        c = callaway_santanna(df, "y", "unit", "year", "cohort", **kw).aggregate("simple").tidy()
        return (
            float(a.coef["treat"]),
            float(a.vcov.loc["treat", "treat"]),
            float(c["estimate"].iloc[0]),
            float(c["std_error"].iloc[0]),
        )

    fast = fits()
    monkeypatch.setattr(fixed_effects, "string_codes", lambda values: None)
    monkeypatch.setattr(cs_panel, "string_codes", lambda values: None)
    assert fits() == fast
