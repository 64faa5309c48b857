"""What each benchmark runs: one function per (case, implementation).

Each function takes the in-memory panel (see ``panel.py``) and returns the headline estimate,
so the table can show that the implementations agree. ``ours`` and ``numpy_floor`` run in the
project's own environment (the pinned lock); the peers run in ``benchmarks/.venv-bench``.

Cases (T = 8, 26 strata as clusters):

- ``twfe``: y ~ treat | unit + year, CRV1 by stratum.
- ``event_study``: y ~ leads and lags of the event (reference -1) | unit + year, CRV1.
- ``wild_bootstrap``: WCR wild cluster bootstrap-t of treat in the TWFE model, 9,999
  Rademacher draws, 26 clusters (from the data: partialling out included).
- ``cs``: Callaway-Sant'Anna ATT(g,t), doubly robust, never-treated controls, covariate x,
  analytic standard errors.
- ``cs_boot``: the same with a 999-draw multiplier bootstrap.

On the messy panel (``panel.make_messy_panel``: string firm ids, shuffled rows, 15% of
firm-years missing, never-treated cohort NaN) each implementation gets the DataFrame as is and
does inside the timed call what its documentation asks of such data: the Callaway-Sant'Anna
implementations are asked to keep the unbalanced panel (ours ``allow_unbalanced=True``, the
peers ``allow_unbalanced_panel=True``: every ATT(g,t) a repeated-cross-section estimate, as R
``did``), and the peers that code never-treated as 0 get ``cohort.fillna(0)`` (csdid and moderndid, which
require numeric ids, also ``pandas.factorize`` of the firm ids). The numpy floor
codes the string ids with ``pandas.factorize`` and does the same bincount passes; on an
unbalanced panel one pass of two-way means is not the within transformation, so its "estimate"
is not shown there (it stays a yardstick of the irreducible work).

The numpy floor does the irreducible work of each case with ``np.bincount``: group means for
the within transformation, cluster-level score sums, (wild bootstrap) the G x B product and
(CS bootstrap) the B x units multiplier product with a units x ATT(g,t) matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

REPS_WILD = 9_999
REPS_CS = 999
Runner = Callable[[pd.DataFrame], float]


def is_messy(df: pd.DataFrame) -> bool:
    """The registry-shaped panel: string firm ids (the tidy panel has integer ids)."""
    return df["unit"].dtype == object


def _never_zero(df: pd.DataFrame) -> pd.DataFrame:
    """Never-treated cohort coded 0, as diff-diff, csdid and moderndid expect."""
    return df.assign(cohort=df["cohort"].fillna(0)) if is_messy(df) else df


def _numeric_ids(df: pd.DataFrame) -> pd.DataFrame:
    """Never-treated coded 0 and integer firm ids, as csdid and moderndid require."""
    if not is_messy(df):
        return df
    return df.assign(cohort=df["cohort"].fillna(0), unit=pd.factorize(df["unit"])[0])


# ----------------------------------------------------------------------------- ours
def ours_twfe(df: pd.DataFrame) -> float:
    from evaluation.estimators import twfe

    res = twfe(df, "y", "unit", "year", "treat", cluster="stratum")
    return float(res.coef["treat"])


def ours_event_study(df: pd.DataFrame) -> float:
    from evaluation.estimators import event_study

    res = event_study(df, "y", "unit", "year", "cohort", method="twfe", cluster="stratum")
    t = res.tidy()
    return float(t.loc[t["event_time"] == 0, "estimate"].iloc[0])


def ours_wild_bootstrap(df: pd.DataFrame) -> float:
    from evaluation.estimators import wild_cluster_bootstrap

    spec = {
        "kind": "twfe",
        "data": df,
        "outcome": "y",
        "unit": "unit",
        "time": "year",
        "treatment": "treat",
    }
    res = wild_cluster_bootstrap(spec, "treat", "stratum", replications=REPS_WILD, seed=1)
    return float(res.tidy().loc[0, "p_value"])


def _ours_cs(df: pd.DataFrame, bootstrap: int) -> float:
    from evaluation.estimators import callaway_santanna

    res = callaway_santanna(
        df,
        "y",
        "unit",
        "year",
        "cohort",
        covariates=["x"],
        method="dr",
        replications=bootstrap,
        seed=1,
        allow_unbalanced=is_messy(df),
    )
    return float(res.aggregate("simple").tidy()["estimate"].iloc[0])


def ours_cs(df: pd.DataFrame) -> float:
    return _ours_cs(df, 0)


def ours_cs_boot(df: pd.DataFrame) -> float:
    return _ours_cs(df, REPS_CS)


# ----------------------------------------------------------------------------- floor
def _within(v: np.ndarray, unit: np.ndarray, year: np.ndarray, nu: int, nt: int) -> np.ndarray:
    """Balanced two-way within transformation by four bincounts."""
    mu = np.bincount(unit, weights=v, minlength=nu) / np.bincount(unit, minlength=nu)
    mt = np.bincount(year, weights=v, minlength=nt) / np.bincount(year, minlength=nt)
    return v - mu[unit] - mt[year] + v.mean()


def _codes(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    unit = pd.factorize(df["unit"])[0] if is_messy(df) else df["unit"].to_numpy()
    year = (df["year"] - df["year"].min()).to_numpy()
    cl = df["stratum"].to_numpy()
    return unit, year, cl, int(unit.max()) + 1, int(year.max()) + 1


def floor_twfe(df: pd.DataFrame) -> float:
    unit, year, cl, nu, nt = _codes(df)
    yd = _within(df["y"].to_numpy(), unit, year, nu, nt)
    dd = _within(df["treat"].to_numpy(), unit, year, nu, nt)
    b = dd @ yd / (dd @ dd)
    s = np.bincount(cl, weights=dd * (yd - b * dd))
    _ = np.sqrt(s @ s) / (dd @ dd)
    return float("nan") if is_messy(df) else float(b)


def floor_event_study(df: pd.DataFrame) -> float:
    unit, year, cl, nu, nt = _codes(df)
    rel = df["rel"].to_numpy()
    times = [e for e in np.unique(rel[df["cohort"].to_numpy() > 0]) if e != -1]
    X = np.column_stack([_within((rel == e).astype(float), unit, year, nu, nt) for e in times])
    yd = _within(df["y"].to_numpy(), unit, year, nu, nt)
    b = np.linalg.solve(X.T @ X, X.T @ yd)
    e = yd - X @ b
    S = np.column_stack([np.bincount(cl, weights=X[:, j] * e) for j in range(X.shape[1])])
    _ = S.T @ S
    return float("nan") if is_messy(df) else float(b[times.index(0)])


def floor_wild_bootstrap(df: pd.DataFrame) -> float:
    unit, year, cl, nu, nt = _codes(df)
    yd = _within(df["y"].to_numpy(), unit, year, nu, nt)
    dd = _within(df["treat"].to_numpy(), unit, year, nu, nt)
    s = np.bincount(cl, weights=dd * yd)  # restricted (b = 0) cluster scores
    s1 = np.bincount(cl, weights=dd * dd)
    G = s.size
    V = np.random.default_rng(1).integers(0, 2, size=(G, REPS_WILD)) * 2.0 - 1.0
    num = s @ V
    delta = num / s1.sum()
    sc = s[:, None] * V - s1[:, None] * delta[None, :]
    t = delta * s1.sum() / np.sqrt((sc**2).sum(axis=0))
    t0 = (s.sum() / s1.sum()) / np.sqrt(np.sum((s - s.sum() / s1.sum() * s1) ** 2)) * s1.sum()
    return float("nan") if is_messy(df) else float(np.mean(np.abs(t) >= abs(t0)))


def floor_cs(df: pd.DataFrame) -> float:
    """Cell sums by (cohort, year) of 1, y, x, x^2, xy, and cluster-level score sums."""
    g = np.nan_to_num(df["cohort"].to_numpy(dtype=float))
    gi = np.searchsorted(np.unique(g), g)
    year = (df["year"] - df["year"].min()).to_numpy()
    nt = int(year.max()) + 1
    cell = gi * nt + year
    y, x = df["y"].to_numpy(), df["x"].to_numpy()
    _sums = [np.bincount(cell, weights=w) for w in (None, y, x, x * x, x * y)]
    cl = df["stratum"].to_numpy()
    _ = np.bincount(cl * (cell.max() + 1) + cell, weights=y)
    return float("nan")  # a floor, not an estimator


def floor_cs_boot(df: pd.DataFrame) -> float:
    """The cell sums of ``floor_cs``, then the irreducible work of a unit-level multiplier
    bootstrap: a units x ATT(g,t) matrix of influence-function size (here the outcome changes
    of each cell's treated and never-treated units) times B x units Rademacher weights, in
    float64 blocks of 512 units (weights from random bits, 8 per byte)."""
    floor_cs(df)
    years = np.sort(df["year"].unique())
    nt = len(years)
    if is_messy(df):  # units x years matrix by scatter (NaN where a firm-year is missing)
        u, labels = pd.factorize(df["unit"])
        t = np.searchsorted(years, df["year"].to_numpy())
        Y = np.full((len(labels), nt), np.nan)
        Y[u, t] = df["y"].to_numpy()
        g = np.zeros(len(labels))
        g[u] = np.nan_to_num(df["cohort"].to_numpy(dtype=float))
        Y = np.nan_to_num(Y)
    else:
        Y = df["y"].to_numpy().reshape(-1, nt)  # the panel is balanced and sorted by unit, year
        g = df["cohort"].to_numpy()[::nt]
    cols = []
    for c in np.unique(g[g > 0]):
        use = (g == c) | (g == 0)
        for t in range(1, nt):
            base = t - 1 if years[t] < c else int(np.searchsorted(years, c)) - 1
            cols.append(np.where(use, Y[:, t] - Y[:, base], 0.0))
    S = np.column_stack(cols)
    rng = np.random.default_rng(1)
    out = np.zeros((REPS_CS, S.shape[1]))
    for start in range(0, S.shape[0], 512):
        block = S[start : start + 512]
        nb = (block.shape[0] + 7) // 8
        bits = np.frombuffer(rng.bytes(REPS_CS * nb), dtype=np.uint8).reshape(REPS_CS, nb)
        v = np.unpackbits(bits, axis=1, count=block.shape[0]).astype(np.float64) * 2.0 - 1.0
        out += v @ block
    _ = np.std(out, axis=0)
    return float("nan")  # a floor, not an estimator


# ----------------------------------------------------------------------------- peers
def pyfixest_twfe(df: pd.DataFrame) -> float:
    import pyfixest as pf

    fit = pf.feols("y ~ treat | unit + year", data=df, vcov={"CRV1": "stratum"})
    return float(fit.coef()["treat"])


def pyfixest_event_study(df: pd.DataFrame) -> float:
    import pyfixest as pf

    fit = pf.feols("y ~ i(rel, ref=-1) | unit + year", data=df, vcov={"CRV1": "stratum"})
    coef = fit.coef()
    key = [k for k in coef.index if k.endswith("::0]") or k.endswith("::0")][0]
    return float(coef[key])


def pyfixest_wild_bootstrap(df: pd.DataFrame) -> float:
    import pyfixest as pf

    fit = pf.feols("y ~ treat | unit + year", data=df, vcov={"CRV1": "stratum"})
    out = fit.wildboottest(param="treat", reps=REPS_WILD, cluster="stratum", seed=1)
    return float(out["Pr(>|t|)"])


def linearmodels_twfe(df: pd.DataFrame) -> float:
    from linearmodels.panel import PanelOLS

    p = df.set_index(["unit", "year"])
    mod = PanelOLS(p["y"], p[["treat"]], entity_effects=True, time_effects=True)
    fit = mod.fit(cov_type="clustered", clusters=p["stratum"])
    return float(fit.params["treat"])


def linearmodels_event_study(df: pd.DataFrame) -> float:
    from linearmodels.panel import PanelOLS

    p = df.set_index(["unit", "year"])
    rel = p["rel"].where(p["cohort"] > 0, -1)
    dummies = pd.get_dummies(rel, prefix="e", dtype=float).drop(columns="e_-1")
    fit = PanelOLS(p["y"], dummies, entity_effects=True, time_effects=True).fit(
        cov_type="clustered", clusters=p["stratum"]
    )
    return float(fit.params["e_0"])


def _diffdiff_input(df: pd.DataFrame) -> pd.DataFrame:
    """diff-diff's static TWFE regresses on ``treatment * post`` and absorbs ``post`` as the
    time effect; passing ``post=year`` and ``treatment=treat / year`` gives D_it with year
    effects (the one extra column is built inside the timed region)."""
    return df.assign(treat_per_year=df["treat"] / df["year"])


def diffdiff_twfe(df: pd.DataFrame) -> float:
    from diff_diff import TwoWayFixedEffects

    res = TwoWayFixedEffects(cluster="stratum").fit(
        _diffdiff_input(df), outcome="y", treatment="treat_per_year", post="year", unit="unit"
    )
    return float(res.att)


def diffdiff_wild_bootstrap(df: pd.DataFrame) -> float:
    from diff_diff import TwoWayFixedEffects

    est = TwoWayFixedEffects(
        cluster="stratum", inference="wild_bootstrap", n_bootstrap=REPS_WILD, seed=1
    )
    res = est.fit(
        _diffdiff_input(df), outcome="y", treatment="treat_per_year", post="year", unit="unit"
    )
    return float(res.p_value)


def _diffdiff_cs(df: pd.DataFrame, boot: int) -> float:
    from diff_diff import CallawaySantAnna

    est = CallawaySantAnna(
        estimation_method="dr", n_bootstrap=boot, seed=1, allow_unbalanced_panel=is_messy(df)
    )
    res = est.fit(
        _never_zero(df),
        outcome="y",
        unit="unit",
        time="year",
        first_treat="cohort",
        covariates=["x"],
    )
    return float(res.overall_att)


def diffdiff_cs(df: pd.DataFrame) -> float:
    return _diffdiff_cs(df, 0)


def diffdiff_cs_boot(df: pd.DataFrame) -> float:
    return _diffdiff_cs(df, REPS_CS)


def wildboottest_wild_bootstrap(df: pd.DataFrame) -> float:
    """wildboottest on the partialled-out regression (its API takes X, Y arrays, no FE)."""
    from wildboottest.wildboottest import WildboottestCL

    from evaluation.estimators.fixed_effects import demean

    Z = demean(df[["y", "treat"]].to_numpy(), [df["unit"].to_numpy(), df["year"].to_numpy()])
    wb = WildboottestCL(
        X=Z[:, [1]],
        Y=Z[:, 0],
        cluster=df["stratum"].to_numpy(),
        R=np.array([1.0]),
        B=REPS_WILD,
        seed=1,
    )
    wb.get_scores(bootstrap_type="11", impose_null=True)
    wb.get_weights(weights_type="rademacher")
    wb.get_numer()
    wb.get_denom()
    wb.get_tboot()
    wb.get_vcov()
    wb.get_tstat()
    wb.get_pvalue(pval_type="two-tailed")
    return float(wb.pvalue)


def _csdid(df: pd.DataFrame, boot: bool) -> float:
    from csdid.att_gt import ATTgt

    att = ATTgt(
        yname="y",
        tname="year",
        idname="unit",
        gname="cohort",
        data=_numeric_ids(df),
        xformla="y ~ x",
        biters=REPS_CS,
        allow_unbalanced_panel=is_messy(df),
    )
    att.fit(est_method="dr", bstrap=boot)
    agg = att.aggte(typec="simple")
    return float(np.asarray(agg.atte["overall_att"]).ravel()[0])


def csdid_cs(df: pd.DataFrame) -> float:
    return _csdid(df, False)


def csdid_cs_boot(df: pd.DataFrame) -> float:
    return _csdid(df, True)


def _moderndid(df: pd.DataFrame, boot: bool) -> float:
    from moderndid import aggte, att_gt

    res = att_gt(
        _numeric_ids(df),
        yname="y",
        tname="year",
        idname="unit",
        gname="cohort",
        xformla="~x",
        est_method="dr",
        boot=boot,
        biters=REPS_CS,
        random_state=1,
        allow_unbalanced_panel=is_messy(df),
    )
    return float(aggte(res, type="simple").overall_att)


def moderndid_cs(df: pd.DataFrame) -> float:
    return _moderndid(df, False)


def moderndid_cs_boot(df: pd.DataFrame) -> float:
    return _moderndid(df, True)


def differences_cs(df: pd.DataFrame) -> float:
    from differences import ATTgt

    p = df.assign(cohort=df["cohort"].where(df["cohort"] > 0)).set_index(["unit", "year"])
    att = ATTgt(data=p, cohort_column="cohort")
    att.fit(formula="y ~ x", est_method="dr", control_group="never_treated")
    out = att.aggregate("simple")
    return float(np.asarray(out.iloc[0, 0]))


CASES = ["twfe", "event_study", "wild_bootstrap", "cs", "cs_boot"]
IMPLEMENTATIONS: dict[str, dict[str, tuple[str, Runner]]] = {
    # case -> impl -> (environment, function); environment "project" or "bench"
    "twfe": {
        "ours": ("project", ours_twfe),
        "numpy_floor": ("project", floor_twfe),
        "pyfixest": ("bench", pyfixest_twfe),
        "linearmodels": ("bench", linearmodels_twfe),
        "diff-diff": ("bench", diffdiff_twfe),
    },
    "event_study": {
        "ours": ("project", ours_event_study),
        "numpy_floor": ("project", floor_event_study),
        "pyfixest": ("bench", pyfixest_event_study),
        "linearmodels": ("bench", linearmodels_event_study),
    },
    "wild_bootstrap": {
        "ours": ("project", ours_wild_bootstrap),
        "numpy_floor": ("project", floor_wild_bootstrap),
        "pyfixest": ("bench", pyfixest_wild_bootstrap),
        "wildboottest": ("bench", wildboottest_wild_bootstrap),
        "diff-diff": ("bench", diffdiff_wild_bootstrap),
    },
    "cs": {
        "ours": ("project", ours_cs),
        "numpy_floor": ("project", floor_cs),
        "diff-diff": ("bench", diffdiff_cs),
        "csdid": ("bench", csdid_cs),
        "moderndid": ("bench", moderndid_cs),
        "differences": ("bench", differences_cs),
    },
    "cs_boot": {
        "ours": ("project", ours_cs_boot),
        "numpy_floor": ("project", floor_cs_boot),
        "diff-diff": ("bench", diffdiff_cs_boot),
        "csdid": ("bench", csdid_cs_boot),
        "moderndid": ("bench", moderndid_cs_boot),
    },
}


def get(case: str, impl: str) -> Runner:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return IMPLEMENTATIONS[case][impl][1]
