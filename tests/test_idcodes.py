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
    string_code_count,
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
        counted = string_code_count(values)
        np.testing.assert_array_equal(counted[0], want_codes)
        assert counted[1] == len(want_uniques)


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
        first = string_codes(s.to_numpy())[0]
        assert string_codes(s.to_numpy())[0] is first  # the same column is coded once
    assert string_codes(s.to_numpy())[0] is not first  # outside the scope nothing is cached


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


ARROW_DTYPES = ["str", "string[pyarrow]", "large_string[pyarrow]"]


def _as_dtype(values: np.ndarray, dtype: str) -> pd.Series:
    if dtype == "large_string[pyarrow]":
        import pyarrow as pa

        return pd.Series(values, dtype=pd.ArrowDtype(pa.large_string()))
    return pd.Series(values, dtype=dtype)


@pytest.mark.parametrize("dtype", ARROW_DTYPES)
@pytest.mark.parametrize("seed", range(3))
def test_arrow_backed_columns_coded_from_arrow_as_pandas(dtype: str, seed: int) -> None:
    """A string column stored in Arrow (pandas 3's ``str``, ``string[pyarrow]``, ArrowDtype) is
    coded from its buffers with pandas' codes and distinct ids - with missing ids, after a
    row filter (an offset into the buffers) and after a shuffle (several chunks joined)."""
    rng = np.random.default_rng(seed)
    choices = np.array([*POOL, None], dtype=object)
    for _ in range(100):
        values = np.asarray(rng.choice(choices, size=int(rng.integers(2, 60))), dtype=object)
        if pd.isna(values).all():
            continue
        series = _as_dtype(values, dtype)
        parts = [series, series.iloc[1:], series.iloc[rng.permutation(len(series))]]
        parts.append(pd.concat([series.iloc[:1], series.iloc[1:]]))  # two chunks
        for part in parts:
            got = string_codes(part)
            assert got is not None, dtype
            want_codes, want_uniques = pd.factorize(part.to_numpy(dtype=object), sort=False)
            np.testing.assert_array_equal(got[0], want_codes)
            assert list(got[1]) == list(want_uniques)
            assert got[1].dtype == object


def test_non_arrow_extension_columns_go_to_pandas() -> None:
    assert string_codes(pd.Series(["a", "b"], dtype="category")) is None
    assert string_codes(pd.Series(["a", "b"], dtype="string[python]")) is None
    assert string_codes(pd.Series([1, 2], dtype="Int64")) is None
    codes, n = factorize(pd.Series(["b", "a", "b"], dtype="category"), "unit")
    assert n == 2 and codes.tolist() == [0, 1, 0]


@pytest.mark.parametrize("dtype", ARROW_DTYPES)
def test_arrow_missing_id_raises_naming_rows(dtype: str) -> None:
    with pytest.raises(
        ValueError, match=r"column 'unit' has 1 missing value\(s\) \(e.g. rows \[1\]"
    ):
        factorize(_as_dtype(np.array(["a", None, "b"], dtype=object), dtype), "unit")


@pytest.mark.parametrize("dtype", [*ARROW_DTYPES, "category", "string[python]"])
def test_estimates_identical_across_id_storage(dtype: str) -> None:
    """Object, Arrow-backed and categorical string ids give the same codes, hence the same
    numbers exactly (TWFE fast path and Callaway-Sant'Anna on an unbalanced shuffled panel)."""
    df = _messy()
    other = df.assign(unit=_as_dtype(df["unit"].to_numpy(dtype=object), dtype).array)
    kw = dict(covariates=["x"], method="dr", allow_unbalanced=True)

    def fits(frame: pd.DataFrame) -> tuple[float, ...]:
        a = twfe(frame, "y", "unit", "year", "treat", cluster="cluster")
        c = callaway_santanna(frame, "y", "unit", "year", "cohort", **kw).aggregate("simple")
        t = c.tidy()
        return (
            float(a.coef["treat"]),
            float(a.vcov.loc["treat", "treat"]),
            float(t["estimate"].iloc[0]),
            float(t["std_error"].iloc[0]),
        )

    assert str(other["unit"].dtype) != "object"
    assert fits(other) == fits(df)


@pytest.mark.parametrize("width", [1, 3, 4, 7, 9, 12, 15, 17, 23, 31])
def test_same_length_ids_read_in_place_equal_zero_padded_words(width: int) -> None:
    """Ids of one byte length that is not a multiple of 8 are read as words in place (strided,
    masked); the words equal the zero-padded bytes exactly, also for an Arrow slice (an offset
    into the buffer) and at the buffer's end (the last rows are copied)."""
    import pyarrow as pa

    from evaluation.estimators.idcodes import _utf8_words

    rng = np.random.default_rng(width)
    alphabet = np.array(list("ABCDEFGHIJ0123456789"))
    ids = ["".join(rng.choice(alphabet, size=width)) for _ in range(500)]
    for strings in (pa.array(ids), pa.array(ids).slice(37, 400), pa.array(ids[:1])):
        words = _utf8_words(strings)
        raw = [s.as_py().encode() for s in strings]
        k = -(-width // 8)
        want = np.frombuffer(b"".join(b.ljust(8 * k, b"\0") for b in raw), dtype=np.uint64)
        np.testing.assert_array_equal(words, want.reshape(len(raw), k))
