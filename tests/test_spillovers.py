"""Spillovers through the business network (issue 14, part 3).

Three ways:

- exposure on a hand-made network, every value worked out by hand (exact);
- the estimator against an independent fit, ``pyfixest.feols`` on the same design columns
  (point estimates and CRV1/iid/HC1 standard errors to 1e-8 relative);
- Monte Carlo with known truth on 30 random networks x 5 outcome draws (seeded): bias of the direct effect and of
  the spillover on non-participants within 4 Monte Carlo standard errors, CRV1 coverage of the
  95% intervals in [0.88, 0.99]; with no spillover in the outcome, the placebo exposure on
  links formed after treatment has mean ~0 (4 MC SEs) and rejects at most 12% at 5%.

Published spillover results reproducible from data available here do not exist (Butts 2021
uses proprietary data), so none is used.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from evaluation.analysis import spillovers as sp
from evaluation.estimators.results import FewClustersWarning
from evaluation.estimators.spillovers import (
    spillover_bootstrap,
    spillover_design,
    spillover_did,
)
from evaluation.reporting.network import spillover_figure, spillover_rows

YEARS = list(range(2014, 2020))
BASE = 2015


# --- exposure on a hand-made network ---------------------------------------------------------


def _hand_made() -> tuple[pd.DataFrame, pd.DataFrame]:
    firms = pd.DataFrame({"firm_id": list("ABCDEF"), "cohort": [2016, 2017, 0, 0, np.nan, 0]})
    links = pd.DataFrame(
        [
            ("C", "A", 2014, "client"),
            ("A", "C", 2015, "client"),  # same pair, reversed: one link
            ("C", "B", 2015, "supplier"),
            ("C", "D", 2015, "client"),
            ("D", "A", 2015, "supplier"),
            ("D", "A", 2016, "client"),  # the pair is in the baseline network, not as client
            ("D", "B", 2017, "client"),  # formed after the baseline: placebo only
            ("E", "A", 2018, "knowledge"),  # idem
            ("C", "C", 2014, "client"),  # self-link: dropped
        ],
        columns=["firm_a", "firm_b", "year", "link_type"],
    )
    return links, firms


def test_exposure_on_a_hand_made_network() -> None:
    links, firms = _hand_made()
    e = sp.exposure_panel(links, firms, [2014, 2015, 2016, 2017, 2018], BASE)
    e = e.set_index(["firm_id", "year"])
    assert sp.link_types(links) == ["client", "knowledge", "supplier"]

    def col(name: str, firm: str) -> list[float]:
        return e.loc[firm, name].tolist()

    # C: baseline partners A (2016), B (2017), D (never)
    assert col("partners", "C") == [3] * 5
    np.testing.assert_allclose(
        col("exposure", "C"), [0, 0, 1 / 3, 2 / 3, 2 / 3], rtol=0, atol=1e-15
    )
    assert col("exposed", "C") == [0, 0, 1, 1, 1]
    np.testing.assert_allclose(col("exposure__client", "C"), [0, 0, 0.5, 0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(col("exposure__supplier", "C"), [0, 0, 0, 1, 1], atol=1e-15)
    # D: baseline partners C and A (supplier); the A-D client link is formed in 2016
    np.testing.assert_allclose(col("exposure", "D"), [0, 0, 0.5, 0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(col("exposure__client", "D"), [0] * 5, atol=1e-15)
    np.testing.assert_allclose(col("exposure__supplier", "D"), [0, 0, 1, 1, 1], atol=1e-15)
    assert col("placebo_partners", "D") == [1] * 5  # B, linked in 2017
    np.testing.assert_allclose(col("placebo_exposure", "D"), [0, 0, 0, 1, 1], atol=1e-15)
    # A and B: partners never treated; E: no baseline partner, later partner A (2016)
    assert col("exposure", "A") == [0] * 5 and col("partners", "A") == [2] * 5
    assert col("exposure", "B") == [0] * 5 and col("partners", "B") == [1] * 5
    assert col("partners", "E") == [0] * 5 and col("exposure", "E") == [0] * 5
    np.testing.assert_allclose(col("placebo_exposure", "E"), [0, 0, 1, 1, 1], atol=1e-15)
    assert col("partners", "F") == [0] * 5 and col("placebo_partners", "F") == [0] * 5
    assert col("exposure__knowledge", "E") == [0] * 5  # knowledge link formed after baseline


def test_exposure_edge_cases() -> None:
    links, firms = _hand_made()
    untyped = sp.exposure_panel(links.drop(columns="link_type"), firms, [2017], BASE)
    assert "exposure__unknown" in untyped and sp.link_types(links.drop(columns="link_type")) == [
        "unknown"
    ]
    np.testing.assert_allclose(untyped["exposure"], untyped["exposure__unknown"])
    empty = sp.exposure_panel(links.iloc[:0], firms, [2017], BASE)
    assert (empty["exposure"] == 0).all() and (empty["partners"] == 0).all()
    bad = pd.concat([links, pd.DataFrame([("A", "Z", 2014, "client")], columns=links.columns)])
    with pytest.raises(ValueError, match=r"spillovers: links rows \[9\] name firms"):
        sp.exposure_panel(bad.reset_index(drop=True).iloc[[9, 0]], firms, [2017], BASE)


# --- simulation: random network with known direct and spillover effects -----------------------


def _network(
    rng: np.random.Generator, *, n: int = 300, n_clusters: int = 40, degree: float = 3.0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Firms, links (baseline and later) and the firm-year exposure of a random network.

    Cohorts 2016/2017 (30% of firms) or never; baseline pairs formed 2014-2015, later pairs
    2016-2019 (independent of outcomes), about ``degree`` partners per firm in each.
    """
    ids = np.array([f"f{i:04d}" for i in range(n)])
    cohort = np.where(rng.uniform(size=n) < 0.3, rng.choice([2016, 2017], n), 0)
    firms = pd.DataFrame({"firm_id": ids, "cohort": cohort})
    firms["stratum"] = rng.integers(0, n_clusters, n)

    def pairs(m: int, years: list[int]) -> pd.DataFrame:
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        return pd.DataFrame(
            {
                "firm_a": ids[a],
                "firm_b": ids[b],
                "year": rng.choice(years, m),
                "link_type": rng.choice(["client", "supplier"], m),
            }  # fmt: skip
        )

    m = int(degree * n / 2)
    links = pd.concat([pairs(m, [2014, 2015]), pairs(m, [2016, 2017, 2018, 2019])])
    panel = sp.exposure_panel(links, firms, YEARS, BASE).merge(firms, on="firm_id")
    D = (panel["cohort"] > 0) & (panel["year"] >= panel["cohort"])
    panel["D"] = D.astype(int)
    return firms, links, panel


def _outcomes(
    rng: np.random.Generator,
    panel: pd.DataFrame,
    *,
    direct: float = 0.2,
    spill: float = 0.1,
    spill_treated: float = 0.05,
) -> pd.DataFrame:
    """``y`` from the model of the estimator (known truth), ``y0`` without any spillover."""
    D = panel["D"].to_numpy(float)
    E = panel["exposure"].to_numpy()
    n = panel["firm_id"].nunique()
    unit = np.repeat(rng.normal(size=n), len(YEARS))  # rows are firm-major (exposure_panel)
    base = unit + 0.05 * (panel["year"].to_numpy() - 2014) + rng.normal(scale=0.3, size=len(D))
    return panel.assign(
        y=base + direct * D + spill * (1 - D) * E + spill_treated * D * E, y0=base + direct * D
    )


def _simulate(
    rng: np.random.Generator, **network: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    firms, links, panel = _network(rng, **network)
    return firms, links, _outcomes(rng, panel)


def test_matches_pyfixest() -> None:
    rng = np.random.default_rng(11)
    _, _, panel = _simulate(rng, n=240)
    panel.loc[rng.choice(len(panel), 60, replace=False), "y"] = np.nan  # non-response
    panel = panel.sample(frac=1.0, random_state=3).reset_index(drop=True)
    lone = panel.iloc[:1].assign(firm_id="lonely", y=1.0)  # a singleton pyfixest drops
    panel = pd.concat([panel, lone], ignore_index=True)
    design = spillover_design(panel, "D", "exposure", placebo="placebo_exposure")
    frame = pd.concat([panel.drop(columns=design.columns, errors="ignore"), design], axis=1)
    rhs = "direct_effect + exposure_effect + exposure_effect_treated + placebo_exposure"
    for vcov, cluster in [("CRV1", "stratum"), ("iid", None), ("hetero", None)]:
        got = spillover_did(
            panel, "y", "firm_id", "year", "D", "exposure", placebo="placebo_exposure",
            vcov=vcov, cluster=cluster,
        )  # fmt: skip
        exp = pf.feols(
            f"y ~ {rhs} | firm_id + year",
            data=frame,
            vcov=vcov if cluster is None else {"CRV1": cluster},
        )
        assert got.coef.index.tolist() == rhs.split(" + ")
        assert got.nobs == exp._N
        np.testing.assert_allclose(got.coef.to_numpy(), exp.coef().to_numpy(), rtol=1e-8)
        np.testing.assert_allclose(got.se.to_numpy(), exp.se().to_numpy(), rtol=1e-8)
        np.testing.assert_allclose(got.pvalue.to_numpy(), exp.pvalue().to_numpy(), atol=1e-8)
        np.testing.assert_allclose(got.confint().to_numpy(), exp.confint().to_numpy(), atol=1e-9)
    assert got.estimator == "spillovers" and got.spec.kind == "spillovers"
    assert any("singleton" in note for note in got.notes)
    # Clarke (2017) form: one exposure term, for the untreated only
    clarke = spillover_did(
        panel, "y", "firm_id", "year", "D", "exposure", exposure_on_treated=False,
        cluster="stratum",
    )  # fmt: skip
    exp = pf.feols(
        "y ~ direct_effect + exposure_effect | firm_id + year", data=frame,
        vcov={"CRV1": "stratum"},
    )  # fmt: skip
    np.testing.assert_allclose(clarke.coef.to_numpy(), exp.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(clarke.se.to_numpy(), exp.se().to_numpy(), rtol=1e-8)


def test_two_stage_matches_pyfixest_did2s() -> None:
    """Gardner's two-stage DiD: pyfixest ``did2s`` with the stage-2 rows flagged as treated.

    Coefficients to 1e-8 absolute (pyfixest's first stage demeans iteratively), GMM standard
    errors to 1e-8 relative; with a trend covariate and sector-by-year effects, against the
    exact dummy-variable first stage (1e-10) and pyfixest to 1e-6; TWFE with the same controls
    against ``pyfixest.feols`` (1e-8)."""
    rng = np.random.default_rng(4)
    _, _, panel = _simulate(rng, n=240)
    panel = panel.sample(frac=1.0, random_state=2).reset_index(drop=True)
    got = spillover_did(
        panel, "y", "firm_id", "year", "D", "exposure", cluster="stratum", method="two_stage"
    )
    design = spillover_design(panel, "D", "exposure")
    frame = pd.concat([panel.drop(columns=design.columns, errors="ignore"), design], axis=1)
    frame["stage2"] = (design.to_numpy() != 0).any(axis=1)
    exp = pf.did2s(
        frame, yname="y", first_stage="~0|firm_id+year",
        second_stage="~direct_effect+exposure_effect+exposure_effect_treated",
        treatment="stage2", cluster="stratum",
    )  # fmt: skip
    assert got.coef.index.tolist() == exp.coef().index.tolist()
    np.testing.assert_allclose(got.coef.to_numpy(), exp.coef().to_numpy(), rtol=0, atol=1e-8)
    np.testing.assert_allclose(got.se.to_numpy(), exp.se().to_numpy(), rtol=1e-8)
    assert got.spec["method"] == "two_stage" and got.n_clusters == 40
    # conditional trends: a trend covariate and sector-by-year effects in place of year effects
    sector = rng.integers(0, 3, panel["firm_id"].nunique())
    codes = pd.factorize(panel["firm_id"])[0]
    frame["sector_year"] = [f"{a}:{b}" for a, b in zip(sector[codes], frame["year"], strict=True)]
    frame["size_trend"] = rng.normal(size=panel["firm_id"].nunique())[codes] * (
        frame["year"] - 2015
    )
    panel = panel.assign(sector_year=frame["sector_year"], size_trend=frame["size_trend"])
    got = spillover_did(
        panel, "y", "firm_id", "year", "D", "exposure", cluster="stratum", method="two_stage",
        covariates="size_trend", fixed_effects="sector_year",
    )  # fmt: skip
    exp = pf.did2s(
        frame, yname="y", first_stage="~size_trend|firm_id+sector_year",
        second_stage="~direct_effect+exposure_effect+exposure_effect_treated",
        treatment="stage2", cluster="stratum",
    )  # fmt: skip
    # pyfixest demeans its first stage iteratively: with a covariate its coefficients move
    # by ~2e-7; the exact reference is the dummy-variable least squares below (1e-10)
    np.testing.assert_allclose(got.coef.to_numpy(), exp.coef().to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(got.se.to_numpy(), exp.se().to_numpy(), rtol=1e-5)
    first = frame[~frame["stage2"]]
    dummies = pd.get_dummies(first[["firm_id", "sector_year"]], dtype=float)
    dummies = dummies.iloc[:, :-1].assign(size_trend=first["size_trend"])
    gamma = np.linalg.lstsq(dummies.to_numpy(), first["y"].to_numpy(), rcond=None)[0]
    every = pd.get_dummies(frame[["firm_id", "sector_year"]], dtype=float)
    every = every.reindex(columns=dummies.columns[:-1], fill_value=0.0)
    every["size_trend"] = frame["size_trend"]
    net = frame["y"].to_numpy() - every.to_numpy() @ gamma
    exact = np.linalg.lstsq(design.to_numpy(), net, rcond=None)[0]
    np.testing.assert_allclose(got.coef.to_numpy(), exact, rtol=0, atol=1e-10)
    twfe_fit = spillover_did(
        panel, "y", "firm_id", "year", "D", "exposure", cluster="stratum",
        covariates="size_trend", fixed_effects="sector_year",
    )  # fmt: skip
    exp = pf.feols(
        "y ~ direct_effect + exposure_effect + exposure_effect_treated + size_trend"
        " | firm_id + year + sector_year", data=frame, vcov={"CRV1": "stratum"},
    )  # fmt: skip
    np.testing.assert_allclose(twfe_fit.coef.to_numpy(), exp.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(twfe_fit.se.to_numpy(), exp.se().to_numpy(), rtol=1e-8)
    with pytest.raises(ValueError, match="nested in the period 'year'; 'stratum' spans"):
        spillover_did(panel, "y", "firm_id", "year", "D", "exposure", method="two_stage",
                      fixed_effects="stratum")  # fmt: skip
    with pytest.raises(ValueError, match="spillover_bootstrap: pass a spillover_did result"):
        spillover_bootstrap(got, "direct_effect", data=panel, replications=9)
    with pytest.raises(ValueError, match="two_stage' supports no weights"):
        spillover_did(panel, "y", "firm_id", "year", "D", "exposure", weights="size_trend",
                      method="two_stage")  # fmt: skip


def test_two_stage_is_unbiased_under_dynamic_effects() -> None:
    """Direct effect growing with time since support (0.1 + 0.15 per year): the two-stage
    direct effect (Clarke form) hits the mean effect over treated firm-years (4 MC SEs) over
    15 networks x 4 draws, while TWFE is pulled away from it."""
    rng = np.random.default_rng(77)
    gaps_two, gaps_twfe = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        for _ in range(15):
            _, _, net = _network(rng)
            D = net["D"].to_numpy(float)
            tau = D * (0.1 + 0.15 * (net["year"] - net["cohort"]).clip(lower=0).to_numpy())
            truth = tau[D == 1].mean()
            for _ in range(4):
                panel = _outcomes(rng, net, direct=0.0, spill_treated=0.0)
                panel["y"] = panel["y"] + tau
                args = (panel, "y", "firm_id", "year", "D", "exposure")
                kw = {"cluster": "stratum", "exposure_on_treated": False}
                gaps_two.append(spillover_did(*args, method="two_stage", **kw).coef.iloc[0] - truth)
                gaps_twfe.append(spillover_did(*args, **kw).coef.iloc[0] - truth)
    gaps = np.asarray(gaps_two)
    assert abs(gaps.mean()) < 4 * gaps.std(ddof=1) / np.sqrt(gaps.size), gaps.mean()
    assert abs(np.mean(gaps_twfe)) > 5 * abs(gaps.mean())


def test_errors_name_function_column_and_rows() -> None:
    rng = np.random.default_rng(2)
    _, _, panel = _simulate(rng, n=60)
    with pytest.raises(ValueError, match=r"spillover_did: column\(s\) \['nope'\] not in the data"):
        spillover_did(panel, "y", "firm_id", "year", "D", "nope")
    bad = panel.assign(exposure=panel["exposure"].where(panel.index != 7, np.inf))
    with pytest.raises(
        ValueError, match=r"spillover_did: column 'exposure' has 1 non-finite.*\[7\]"
    ):
        spillover_did(bad, "y", "firm_id", "year", "D", "exposure")
    with pytest.raises(ValueError, match="spillover_did: no untreated row has a non-zero exposure"):
        spillover_did(panel.assign(exposure=0.0), "y", "firm_id", "year", "D", "exposure")
    with pytest.raises(ValueError, match="spillover_did: column 'y' must be binary"):
        spillover_did(panel, "y", "firm_id", "year", "y", "exposure")


def test_monte_carlo_bias_coverage_and_placebo() -> None:
    """30 random networks x 5 outcome draws: bias within 4 MC SEs, CRV1 coverage in
    [0.88, 0.99]; without spillover the placebo is ~0 and rejects at most 12% at 5%."""
    rng = np.random.default_rng(20260601)
    truth = {"direct_effect": 0.2, "exposure_effect": 0.1}
    networks, draws = 30, 5
    R = networks * draws
    est: dict[str, list[float]] = {k: [] for k in truth}
    cover = dict.fromkeys(truth, 0)
    placebo, placebo_reject = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        for _ in range(networks):
            _, _, net = _network(rng)
            for _ in range(draws):
                panel = _outcomes(rng, net)
                res = spillover_did(
                    panel, "y", "firm_id", "year", "D", "exposure", cluster="stratum"
                )
                ci = res.confint()
                for k, v in truth.items():
                    est[k].append(res.coef[k])
                    cover[k] += int(ci.loc[k, "conf_low"] <= v <= ci.loc[k, "conf_high"])
                pl = spillover_did(
                    panel, "y0", "firm_id", "year", "D", "exposure", placebo="placebo_exposure",
                    cluster="stratum",
                )  # fmt: skip
                placebo.append(pl.coef["placebo_exposure"])
                placebo_reject += int(pl.pvalue["placebo_exposure"] < 0.05)
    for k, v in truth.items():
        x = np.asarray(est[k])
        mc_se = x.std(ddof=1) / np.sqrt(R)
        assert abs(x.mean() - v) < 4 * mc_se, (k, x.mean(), v, mc_se)
        assert 0.88 <= cover[k] / R <= 0.99, (k, cover[k] / R)
    p = np.asarray(placebo)
    assert abs(p.mean()) < 4 * p.std(ddof=1) / np.sqrt(R), p.mean()
    assert placebo_reject / R <= 0.12


def test_analysis_with_few_clusters_bootstraps_and_reports_reasons() -> None:
    rng = np.random.default_rng(5)
    firms, links, panel = _simulate(rng, n=200, n_clusters=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        out = sp.spillover_analysis(
            panel, links, firms, "y", BASE, 2018, cluster="stratum", replications=199, seed=1
        )
    assert out.main is not None and out.main.n_clusters == 12
    assert set(out.by_type) == {"client", "supplier"} and out.placebo is not None
    assert "few_clusters" in out.reasons and set(out.bootstrap) == {
        "direct_effect",
        "exposure_effect",
    }
    for term, boot in out.bootstrap.items():
        row = boot.tidy().iloc[0]
        assert row.estimate == pytest.approx(out.main.coef[term], rel=1e-10)
        assert row.std_error == pytest.approx(out.main.se[term], rel=1e-8)
        assert row.conf_low < row.estimate < row.conf_high and 0 <= row.p_value <= 1
    shown = out.main_inference().tidy().set_index("term")
    for term, boot in out.bootstrap.items():
        row = boot.tidy().iloc[0]
        assert (
            shown.loc[term, "conf_low"] == row.conf_low
            and shown.loc[term, "p_value"] == row.p_value
        )
    assert "wild cluster bootstrap" in out.main_inference().vcov_type
    table = out.table()
    assert set(table["specification"]) == {"all", "two_stage", "any", "client", "supplier",
                                           "placebo"}  # fmt: skip
    assert table["boot_p_value"].notna().sum() == 2
    assert out.counts["baseline_pairs"] > 0 and out.counts["exposed_comparison"] > 0
    # the effects pages' controls pass through to every fit and to the bootstrap
    panel["sector_year"] = (panel["stratum"] % 3).astype(str) + ":" + panel["year"].astype(str)
    panel["size_trend"] = panel["stratum"] * (panel["year"] - BASE) / 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        ctl = sp.spillover_analysis(
            panel, links, firms, "y", BASE, 2018, cluster="stratum", replications=99, seed=1,
            covariates=["size_trend"], fixed_effects="sector_year",
        )  # fmt: skip
    assert ctl.main.spec["fixed_effects"] == ["firm_id", "year", "sector_year"]
    assert ctl.two_stage.spec["fixed_effects"] == ["firm_id", "sector_year"]
    boot = ctl.bootstrap["exposure_effect"].tidy().iloc[0]
    assert boot.estimate == pytest.approx(ctl.main.coef["exposure_effect"], rel=1e-10)
    assert "size_trend" not in set(ctl.table()["term"])
    # missing pieces: reasons, not exceptions
    assert sp.spillover_analysis(panel, None, firms, "y", BASE, 2018).reasons == ("no_links",)
    late = links.assign(year=2019)
    assert sp.spillover_analysis(panel, late, firms, "y", BASE, 2018).reasons == (
        "no_baseline_links",
    )


def test_bootstrap_checks_its_input() -> None:
    rng = np.random.default_rng(8)
    _, _, panel = _simulate(rng, n=120, n_clusters=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        res = spillover_did(panel, "y", "firm_id", "year", "D", "exposure", cluster="stratum")
    with pytest.raises(ValueError, match="spillover_bootstrap: the data passed are not"):
        spillover_bootstrap(res, "exposure_effect", data=panel.iloc[5:], replications=99)
    with pytest.raises(KeyError, match="spillover_bootstrap: term 'x'"):
        spillover_bootstrap(res, "x", data=panel, replications=99)


def test_report_rows_and_figure_use_the_bootstrap_and_the_catalogue() -> None:
    from matplotlib.figure import Figure

    table = pd.DataFrame(
        {
            "term": ["direct_effect", "exposure_effect", "exposure_effect", "exposure_effect",
                     "placebo_exposure"],
            "estimate": [0.2, 0.1, 0.05, 0.3, 0.0],
            "std_error": [0.05] * 5,
            "statistic": [4.0, 2.0, 1.0, 6.0, 0.0],
            "p_value": [0.001, 0.04, 0.3, 0.001, 0.9],
            "conf_low": [0.1, 0.0, -0.05, 0.2, -0.1],
            "conf_high": [0.3, 0.2, 0.15, 0.4, 0.1],
            "specification": ["all", "all", "client", "a_new_type", "placebo"],
            "boot_p_value": [0.01, 0.2, np.nan, np.nan, np.nan],
            "boot_conf_low": [0.05, -0.1, np.nan, np.nan, np.nan],
            "boot_conf_high": [0.35, 0.3, np.nan, np.nan, np.nan],
        }
    )  # fmt: skip
    rows = spillover_rows(table, language="es", base=2015)
    assert rows["label"].tolist() == [
        "Efecto directo en las participantes (neto del efecto indirecto)",
        "Efecto indirecto en las empresas de comparación",
        "Efecto indirecto en las empresas de comparación: Cliente",
        "Efecto indirecto en las empresas de comparación: a_new_type",
        "Placebo: vínculos formados después de 2015",
    ]
    assert rows["p_value"].tolist()[:3] == [0.01, 0.2, 0.3]  # bootstrap where computed
    assert rows["conf_low"].tolist()[:2] == [0.05, -0.1]
    fig = spillover_figure(table, language="en", base=2015, outcome_label="Log sales")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["All baseline links", "Client", "a_new_type",
                            "Placebo: links formed after 2015"]  # fmt: skip
