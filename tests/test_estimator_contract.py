"""One contract for every panel estimator, checked on mpdta (R did's county panel).

Tolerances: shuffled rows and recoded ids must give the same numbers to 1e-12 (the same
arithmetic up to summation order); everything else is exact.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import callaway_santanna, event_study, twfe
from evaluation.estimators.constants import TIDY_COLUMNS

MPDTA = Path(__file__).parent / "data" / "mpdta.csv"


def _mpdta() -> pd.DataFrame:
    d = pd.read_csv(MPDTA)
    post = (d["first.treat"] > 0) & (d["year"] >= d["first.treat"])
    return d.assign(post=post.astype(int), cohort=d["first.treat"])


ESTIMATORS: dict[str, Callable[[pd.DataFrame, str], object]] = {
    "twfe": lambda d, u: twfe(d, "lemp", u, "year", "post"),
    "event_study_twfe": lambda d, u: event_study(d, "lemp", u, "year", "cohort"),
    "event_study_sunab": lambda d, u: event_study(d, "lemp", u, "year", "cohort", method="sunab"),
    "event_study_imputation": lambda d, u: event_study(
        d, "lemp", u, "year", "cohort", method="imputation"
    ),
    "callaway_santanna": lambda d, u: callaway_santanna(d, "lemp", u, "year", "cohort"),
}


def _fit(name: str, data: pd.DataFrame, unit: str = "countyreal"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ESTIMATORS[name](data, unit)


def _numbers(res) -> np.ndarray:
    return res.table[["estimate", "std_error"]].to_numpy(float)


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return _mpdta()


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_contract(name, mpdta):
    res = _fit(name, mpdta)
    assert list(res.table.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert isinstance(res.nobs, int) and res.nobs == 2500
    spec = res.spec
    assert spec is not None and spec.outcome == "lemp" and spec.n_input == 2500
    assert "data" not in spec and spec.fingerprint
    assert isinstance(res.summary(), str) and "lemp" in res.summary()
    assert "<table" in res._repr_html_() and len(repr(res)) < 200
    with pytest.raises(AttributeError):
        res.table = None
    # shuffled rows: same numbers
    shuffled = _fit(name, mpdta.sample(frac=1.0, random_state=11))
    np.testing.assert_allclose(_numbers(shuffled), _numbers(res), rtol=1e-12, atol=1e-12)
    # string and categorical ids: same numbers
    for recode in (lambda s: "c" + s.astype(str), lambda s: s.astype(str).astype("category")):
        other = _fit(name, mpdta.assign(unit_id=recode(mpdta["countyreal"])), "unit_id")
        np.testing.assert_allclose(_numbers(other), _numbers(res), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_missing_column_named(name, mpdta):
    with pytest.raises(ValueError, match="lemp"):
        _fit(name, mpdta.drop(columns="lemp"))


@pytest.mark.parametrize("name", ["twfe", "event_study_twfe", "event_study_sunab"])
def test_missing_outcome_rows_dropped_and_counted(name, mpdta):
    holes = mpdta.copy()
    holes.loc[holes.index[[3, 50, 900]], "lemp"] = np.nan
    res = _fit(name, holes)
    assert dict(res.spec.dropped)["missing outcome"] == 3
    assert any("3 row(s) with a missing outcome" in n for n in res.notes)
    assert res.nobs <= 2497


def test_event_time_is_float64_everywhere(mpdta):
    """``event_time`` has one dtype in every table that has it (float64, see results.py): the
    event studies (all methods, also through Callaway-Sant'Anna), the ATT(g,t) table and its
    event-time aggregation, whose ``overall`` row has NaN there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs = callaway_santanna(mpdta, "lemp", "countyreal", "year", "cohort")
        tables = {
            "cs": cs.tidy(),
            "cs dynamic": cs.aggregate("dynamic").tidy(),
            **{
                f"event_study {m}": event_study(
                    mpdta, "lemp", "countyreal", "year", "cohort", method=m
                ).tidy()
                for m in ("twfe", "sunab", "imputation", "cs")
            },
        }
    for name, tab in tables.items():
        assert tab["event_time"].dtype == np.float64, (name, tab["event_time"].dtype)
        whole = tab["event_time"].dropna()
        assert (whole == np.round(whole)).all(), name
    assert tables["cs dynamic"]["event_time"].isna().sum() == 1


def test_every_result_class_keeps_the_one_line_repr():
    """A dataclass subclass of EstimationResult regenerates ``__repr__`` (dumping every field,
    the whole table included) unless declared with ``repr=False``: every result class must use
    the short repr of the base class (or define its own)."""
    import importlib
    import pkgutil

    import evaluation.estimators as est
    from evaluation.estimators.results import EstimationResult

    for info in pkgutil.iter_modules(est.__path__):
        importlib.import_module(f"evaluation.estimators.{info.name}")
    offenders = []
    stack = list(EstimationResult.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        own = cls.__dict__.get("__repr__")
        code = getattr(own, "__code__", None)
        if code is not None and Path(code.co_filename).name == "dataclasses.py":
            offenders.append(f"{cls.__module__}.{cls.__name__}")
    assert not offenders, f"result classes with a generated dataclass repr: {offenders}"
