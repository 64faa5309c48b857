"""TWFE, 2x2 DiD and DDD against independent implementations, and input errors.

References and tolerances:
- ``twfe`` against ``pyfixest.feols`` (itself tested against R fixest) on an unbalanced panel
  with string ids, singletons, covariates, with/without analytic weights, iid/hetero/CRV1
  (cluster nested and not nested in the unit): coefficients 1e-8 relative, SEs 1e-6 relative,
  p-values 1e-8 absolute, N equal.
- ``did_2x2`` against ``statsmodels`` OLS/WLS with ``cov_type="cluster"`` (its default
  small-sample factor ``G/(G-1) (N-1)/(N-K)``, the fixest one) and ``"HC1"``: 1e-10 relative.
- ``triple_differences`` against the explicit saturated regression in pyfixest (1e-8).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from evaluation.estimators import FewClustersWarning, did_2x2, triple_differences, twfe


def _panel(seed: int = 3, n_units: int = 240, T: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "firm": np.repeat([f"firm-{i:03d}" for i in range(n_units)], T),
            "year": np.tile(np.arange(2014, 2014 + T), n_units),
        }
    )
    df["stratum"] = np.repeat(rng.integers(0, 26, n_units), T)
    df["women_led"] = np.repeat(rng.integers(0, 2, n_units), T)
    df["x"] = rng.normal(size=len(df))
    df["D"] = (rng.uniform(size=len(df)) < 0.3).astype(int)
    df["w"] = rng.uniform(0.5, 2.0, len(df))
    unit_fe = np.repeat(rng.normal(size=n_units), T)
    df["y"] = (
        0.5 * df["D"] + df["x"] + unit_fe + 0.1 * (df["year"] - 2014) + rng.normal(size=len(df))
    )
    df = df.sample(frac=0.8, random_state=1)  # unbalanced, shuffled rows
    # two firms observed once: singletons that fixest/pyfixest drop
    extra = df.iloc[:2].copy()
    extra["firm"] = ["lonely-1", "lonely-2"]
    return pd.concat([df, extra], ignore_index=True)


CASES = [("iid", None), ("hetero", None), ("CRV1", "stratum"), ("CRV1", "firm"), ("CRV1", "year")]


@pytest.mark.parametrize("weights", [None, "w"])
@pytest.mark.parametrize(("vcov", "cluster"), CASES)
def test_twfe_matches_pyfixest(vcov: str, cluster: str | None, weights: str | None) -> None:
    df = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        got = twfe(
            df,
            "y",
            "firm",
            "year",
            "D",
            covariates="x",
            weights=weights,
            cluster=cluster,
            vcov=vcov,
        )
    exp = pf.feols(
        "y ~ D + x | firm + year",
        data=df,
        vcov=vcov if cluster is None else {"CRV1": cluster},
        weights=weights,
    )
    assert got.nobs == exp._N
    assert got.coef.index.tolist() == ["D", "x"]
    np.testing.assert_allclose(got.coef.to_numpy(), exp.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(got.se.to_numpy(), exp.se().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(got.pvalue.to_numpy(), exp.pvalue().to_numpy(), atol=1e-8)
    ci = exp.confint().to_numpy()
    np.testing.assert_allclose(got.confint().to_numpy(), ci, rtol=1e-6)
    np.testing.assert_allclose(got.vcov.to_numpy(), exp._vcov, rtol=1e-6)
    assert any("singleton" in n for n in got.notes)
    spec = got.info["spec"]
    assert spec["kind"] == "twfe" and spec["treatment"] == ["D"] and "data" not in spec
    assert got.spec is spec and spec.source() is df and spec.nobs == got.nobs
    if cluster == "stratum":
        assert got.n_clusters == 26


def test_twfe_list_of_treatments_and_extra_fe() -> None:
    df = _panel()
    df["D2"] = (df["x"] > 1).astype(int)
    df["sector_year"] = df["stratum"].astype(str) + "-" + df["year"].astype(str)
    got = twfe(df, "y", "firm", "year", ["D", "D2"], fixed_effects="sector_year", vcov="hetero")
    exp = pf.feols("y ~ D + D2 | firm + year + sector_year", data=df, vcov="hetero")
    np.testing.assert_allclose(got.coef.to_numpy(), exp.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(got.se.to_numpy(), exp.se().to_numpy(), rtol=1e-6)


def test_twfe_default_clusters_by_unit_and_warns_few_clusters() -> None:
    df = _panel()
    res = twfe(df, "y", "firm", "year", "D")
    assert res.info["spec"]["cluster"] == "firm"
    assert res.n_clusters == df["firm"].nunique() - 2  # the two singletons dropped
    with pytest.warns(FewClustersWarning, match="26 clusters"):
        res = twfe(df, "y", "firm", "year", "D", cluster="stratum")
    assert res.n_clusters == 26
    assert "Clusters: 26" in res.summary()
    assert "<table" in res._repr_html_()


@pytest.mark.parametrize("weights", [None, "w"])
def test_did_2x2_matches_statsmodels(weights: str | None) -> None:
    rng = np.random.default_rng(11)
    n = 800
    df = pd.DataFrame(
        {
            "treated": rng.integers(0, 2, n),
            "post": rng.integers(0, 2, n),
            "x": rng.normal(size=n),
            "g": rng.integers(0, 40, n),
            "w": rng.uniform(0.5, 2, n),
        }
    )
    df["y"] = (
        1
        + 0.3 * df.treated
        + 0.2 * df.post
        + 0.7 * df.treated * df.post
        + df.x
        + rng.normal(size=n)
    )
    X = sm.add_constant(
        pd.DataFrame(
            {"tp": df.treated * df.post, "treated": df.treated, "post": df.post, "x": df.x}
        )
    )
    model = sm.WLS(df.y, X, weights=df.w) if weights else sm.OLS(df.y, X)
    for vcov, cluster, kw in [
        ("CRV1", "g", {"cov_type": "cluster", "cov_kwds": {"groups": df.g}, "use_t": True}),
        ("hetero", None, {"cov_type": "HC1", "use_t": True}),
        ("iid", None, {"use_t": True}),
    ]:
        got = did_2x2(
            df, "y", "treated", "post", covariates="x", weights=weights, cluster=cluster, vcov=vcov
        )
        exp = model.fit(**kw)
        order = ["tp", "treated", "post", "x", "const"]
        assert got.coef.index.tolist() == ["treated:post", "treated", "post", "x", "(Intercept)"]
        np.testing.assert_allclose(got.coef.to_numpy(), exp.params[order].to_numpy(), rtol=1e-10)
        np.testing.assert_allclose(got.se.to_numpy(), exp.bse[order].to_numpy(), rtol=1e-10)
        if vcov == "CRV1":
            # statsmodels uses G-1 df for cluster t tests as well
            np.testing.assert_allclose(
                got.pvalue.to_numpy(), exp.pvalues[order].to_numpy(), rtol=1e-8
            )
            assert got.n_clusters == 40


def test_did_2x2_without_cluster_falls_back_to_hc1() -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {"t": rng.integers(0, 2, 100), "p": rng.integers(0, 2, 100), "y": rng.normal(size=100)}
    )
    res = did_2x2(df, "y", "t", "p")
    assert res.vcov_type.startswith("heteroskedasticity") and res.n_clusters is None


def test_triple_differences_matches_saturated_regression() -> None:
    df = _panel(seed=5)
    df = df[~df["firm"].str.startswith("lonely")]
    df["inter"] = df["D"] * df["women_led"]
    df["year_wl"] = df["year"].astype(str) + "_" + df["women_led"].astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        got = triple_differences(df, "y", "firm", "year", "D", "women_led", cluster="stratum")
    exp = pf.feols("y ~ D + inter | firm + year_wl", data=df, vcov={"CRV1": "stratum"})
    np.testing.assert_allclose(got.coef.to_numpy()[:2], exp.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(got.se.to_numpy()[:2], exp.se().to_numpy(), rtol=1e-6)
    b = exp.coef().to_numpy()
    V = exp._vcov
    assert got.coef.iloc[2] == pytest.approx(b.sum(), rel=1e-8)
    assert got.se.iloc[2] == pytest.approx(np.sqrt(V.sum()), rel=1e-6)


# --- input errors ----------------------------------------------------------------------


def test_errors_name_the_problem() -> None:
    df = _panel()
    with pytest.raises(ValueError, match=r"column\(s\) \['nope'\] not in the data"):
        twfe(df, "y", "firm", "year", "nope")
    bad = df.copy()
    bad.loc[bad.index[[3, 7]], "x"] = np.nan
    with pytest.raises(ValueError, match=r"column 'x' has missing values in 2 row\(s\)"):
        twfe(bad, "y", "firm", "year", "D", covariates="x")
    bad = df.copy()
    bad.loc[bad.index[5], "D"] = 2
    with pytest.raises(ValueError, match=r"'D' must be binary 0/1.*\[2\.0\]"):
        twfe(bad, "y", "firm", "year", "D")
    one = df.assign(c="only")
    with pytest.raises(ValueError, match=r"cluster column 'c' has a single value"):
        twfe(one, "y", "firm", "year", "D", cluster="c")
    with pytest.raises(ValueError, match=r"treatment 'D' has no variation"):
        twfe(df.assign(D=1), "y", "firm", "year", "D")
    # treatment constant within firm: absorbed by the unit fixed effects
    for kw in ({"vcov": "hetero"}, {"cluster": "stratum"}, {"vcov": "iid"}):  # both paths
        with pytest.raises(ValueError, match=r"no variation left after absorbing"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FewClustersWarning)
                twfe(df, "y", "firm", "year", "women_led", **kw)
    with pytest.raises(ValueError, match="vcov must be one of"):
        twfe(df, "y", "firm", "year", "D", vcov="HC3")
    with pytest.raises(ValueError, match=r"cluster='stratum' given but vcov='iid'"):
        twfe(df, "y", "firm", "year", "D", cluster="stratum", vcov="iid")
    with pytest.raises(ValueError, match="weights column 'w' must be positive"):
        twfe(df.assign(w=-1.0), "y", "firm", "year", "D", weights="w", vcov="hetero")
    with pytest.raises(ValueError, match=r"\(treated, post\) cell"):
        did_2x2(df.assign(P=df["D"]), "y", "D", "P", vcov="hetero")
    with pytest.raises(ValueError, match="must be constant within 'firm'"):
        triple_differences(df, "y", "firm", "year", "D", "D")


def test_missing_outcome_dropped_with_note() -> None:
    df = _panel()
    df.loc[df.index[:4], "y"] = np.nan
    res = twfe(df, "y", "firm", "year", "D", vcov="hetero")
    ref = twfe(df.dropna(subset=["y"]), "y", "firm", "year", "D", vcov="hetero")
    assert res.coef["D"] == ref.coef["D"]
    assert any("4 row(s) with a missing outcome" in n for n in res.notes)


@pytest.mark.parametrize(
    ("vcov", "cluster", "weights"),
    [("iid", None, None), ("CRV1", "stratum", "w"), ("CRV1", "firm", None)],
)
def test_twfe_fast_path_equals_alternating_projections(
    vcov: str, cluster: str | None, weights: str | None
) -> None:
    df = _panel(seed=12)
    df["D2"] = (df["x"] > 0.8).astype(int)
    kw = {"covariates": "x", "weights": weights, "cluster": cluster, "vcov": vcov}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        fast = twfe(df, "y", "firm", "year", ["D", "D2"], **kw)
        slow = twfe(df, "y", "firm", "year", ["D", "D2"], fast=False, **kw)
    assert fast.info["path"] == "cells" and slow.info["path"] == "projections"  # the paths differ
    np.testing.assert_allclose(fast.coef.to_numpy(), slow.coef.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(fast.se.to_numpy(), slow.se.to_numpy(), rtol=1e-10)
    assert fast.nobs == slow.nobs and fast.info["df_t"] == slow.info["df_t"]


@pytest.mark.parametrize(
    ("vcov", "cluster", "weights"), [("iid", None, None), ("CRV1", "stratum", "w")]
)
def test_twfe_sorted_balanced_panel_path_equals_other_paths(
    vcov: str, cluster: str | None, weights: str | None
) -> None:
    """A balanced panel sorted by unit and year takes the reshape route of the cell fast path;
    the same rows shuffled take the bincount route and ``fast=False`` alternating projections:
    all three must agree."""
    rng = np.random.default_rng(8)
    n_units, T = 150, 6
    df = pd.DataFrame(
        {
            "firm": np.repeat([f"firm-{i:03d}" for i in range(n_units)], T),
            "year": np.tile(np.arange(2014, 2014 + T), n_units),
            "stratum": np.repeat(rng.integers(0, 26, n_units), T),
        }
    )
    df["x"] = rng.normal(size=len(df))
    df["D"] = (rng.uniform(size=len(df)) < 0.3).astype(int)
    df["w"] = rng.uniform(0.5, 2.0, len(df))
    df["y"] = (
        0.5 * df["D"] + df["x"] + np.repeat(rng.normal(size=n_units), T) + rng.normal(size=len(df))
    )
    shuffled = df.sample(frac=1.0, random_state=2)
    kw = {"covariates": "x", "weights": weights, "cluster": cluster, "vcov": vcov}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        grid = twfe(df, "y", "firm", "year", "D", **kw)
        other = twfe(shuffled, "y", "firm", "year", "D", **kw)
        slow = twfe(df, "y", "firm", "year", "D", fast=False, **kw)
    for ref in (other, slow):
        np.testing.assert_allclose(grid.coef.to_numpy(), ref.coef.to_numpy(), rtol=1e-10)
        np.testing.assert_allclose(grid.se.to_numpy(), ref.se.to_numpy(), rtol=1e-10)
        assert grid.nobs == ref.nobs == len(df)
