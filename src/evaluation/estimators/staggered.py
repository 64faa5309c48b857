"""Callaway & Sant'Anna (2021) group-time average treatment effects, following R ``did`` 2.x.

:func:`callaway_santanna` estimates every ATT(g,t) -- the average effect in period t for the
cohort first treated in period g -- by a two-period, two-group comparison of cohort g with a
comparison group (never-treated units, or never- and not-yet-treated units), using the
Sant'Anna-Zhao (2020) estimators of :mod:`.santanna_zhao` (``dr``, ``ipw``, ``reg``).
:meth:`CSResult.aggregate` averages them into an overall effect, event-time effects ATT(e),
cohort effects or calendar-time effects with R's weights (cohort shares) and R's extra
influence-function term for estimated weights. Inference comes from the influence functions:
analytic standard errors ``sqrt(sum(psi^2)) / n`` as R ``did`` reports them, optionally summed
within clusters, and a seeded multiplier bootstrap (Rademacher weights, as ``BMisc``) with
sup-t uniform confidence bands.

Conventions (R ``did`` 2.x, ``att_gt`` / ``compute.att_gt`` / ``compute.aggte`` / ``mboot``):

* ``base_period="varying"``: pre-treatment ATT(g,t) compare t with t-1 (short differences);
  post-treatment ones compare t with g-1-anticipation. ``"universal"``: every cell compares
  with g-1-anticipation, and that reference cell is reported as 0 with no standard error.
* ``control_group="not_yet"``: comparison units are never treated or first treated after
  max(t, base period) + anticipation (cohort g itself excluded).
* Covariates and weights of each 2x2 comparison are taken from its earlier period.
* Clustering: R ``did`` (CRAN 2.1-2.3) clusters only in its multiplier bootstrap; its
  development version 2.5 also forms the analytic variance from cluster sums of the influence
  function. Here ``cluster`` always sums the influence functions within clusters, for the
  analytic standard errors, the Wald pre-test, the aggregations' ``vcov`` and the bootstrap
  (cluster-level multipliers), without a small-sample factor (as R).

References
----------
Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
periods. Journal of Econometrics 225(2), 200-230.
Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust difference-in-differences estimators.
Journal of Econometrics 219(1), 101-122.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from .cs_aggregation import aggregate_attgt, wif_basis
from .cs_cells import CSCellWarning, cell_list, estimate_cells
from .cs_inference import (
    SE_FLOOR,
    bootstrap_inference,
    cluster_sums,
    crossprod,
    multiplier_draws,
    wald_pretest,
)
from .cs_panel import CSDataWarning, Panel, prepare_panel
from .idcodes import column_scope
from .inputs import renamed
from .results import EstimationResult, make_spec, tidy_frame, warn_few_clusters
from .vcov import wald_test

__all__ = [
    "CSResult",
    "CSDynamicResult",
    "PretestResult",
    "callaway_santanna",
    "CSDataWarning",
    "CSCellWarning",
]

_CONTROL = {"never": "never", "nevertreated": "never", "not_yet": "not_yet"}
_CONTROL["notyettreated"] = "not_yet"


@dataclass(frozen=True)
class PretestResult:
    """Wald test that all pre-treatment ATT(g,t) are zero (R ``did``'s pre-test)."""

    statistic: float
    df: int
    p_value: float
    note: str = ""

    def __str__(self) -> str:
        if not np.isfinite(self.statistic):
            return f"Pre-test of parallel trends not available: {self.note}"
        return (
            f"Wald pre-test of parallel trends: W = {self.statistic:.4f}, df = {self.df}, "
            f"p-value = {self.p_value:.5f}"
        )


# ----------------------------------------------------------------------------------------
# Result
# ----------------------------------------------------------------------------------------
@dataclass(repr=False)
class CSResult(EstimationResult):
    """Group-time ATT(g,t) with their influence functions; see :func:`callaway_santanna`.

    ``tidy()`` has one row per ATT(g,t) with columns ``group``, ``time``, ``event_time`` and
    ``post``. :meth:`aggregate` and :meth:`pretest` work from the stored influence functions
    (units x cells, rows in :attr:`units` order).
    """

    influence: np.ndarray | None = field(default=None, repr=False)
    units: np.ndarray | None = field(default=None, repr=False)
    unit_cohort: np.ndarray | None = field(default=None, repr=False)
    unit_weights: np.ndarray | None = field(default=None, repr=False)
    cluster_codes: np.ndarray | None = field(default=None, repr=False)
    n_units: int = 0
    bootstrap: int = 0
    seed: int | None = None
    alpha: float = 0.05
    # multiplier draws V'S of the influence functions and of the cohort basis of the
    # estimated-weights term (see wif_basis): aggregations reuse them (same draws as R's
    # re-run with the seed, without a second pass over the units)
    boot_draws: list[np.ndarray] | None = field(default=None, repr=False)

    # -- the ATT(g,t) covariance is formed on first use (units x cells crossproduct) ------
    @property  # type: ignore[override]
    def vcov(self) -> pd.DataFrame | None:
        if getattr(self, "_vcov", None) is None and self.influence is not None:
            sums = self._sums(self.influence)
            terms = self.table["term"].tolist()
            vc = crossprod(sums) / self.n_units**2
            self._vcov = pd.DataFrame(vc, index=terms, columns=terms)
        return getattr(self, "_vcov", None)

    @vcov.setter
    def vcov(self, value: pd.DataFrame | None) -> None:
        if isinstance(value, property):  # the dataclass default seen through the class
            value = None
        self._vcov = value

    # -- inference helpers ------------------------------------------------------------
    def _blocks(self) -> list[tuple[int, int]] | None:
        """Row ranges of the cohorts (units are stored sorted by cohort); None if clustered."""
        if self.cluster_codes is not None:
            return None
        key = np.where(self.unit_cohort == 0, np.inf, self.unit_cohort)
        cuts = np.flatnonzero(key[1:] != key[:-1]) + 1
        return list(zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(key)].tolist(), strict=True))

    def _sums(self, psi: np.ndarray) -> np.ndarray:
        return cluster_sums(psi, self.cluster_codes)

    def pretest(self) -> PretestResult:
        """Wald test that every pre-treatment ATT(g,t) (g > t) is zero, as R ``did``.

        ``W = n b' V^{-1} b`` with ``V`` the influence-function covariance (cluster sums when
        clustered); cells with no standard error are left out; chi-squared with as many
        degrees of freedom as cells. R prints the p-value rounded to 5 decimals.
        """
        return self.info["pretest"]

    def aggregate(
        self,
        type: str = "group",  # noqa: A002 - R's argument name
        *,
        balance_e: int | None = None,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        na_rm: bool = False,
    ) -> EstimationResult:
        """Aggregate the ATT(g,t) as R ``did``'s ``aggte`` (``compute.aggte``).

        Parameters
        ----------
        type : ``"simple"`` (post-treatment cells weighted by cohort size), ``"dynamic"``
            (event-time ATT(e) and their average over e >= 0), ``"group"`` (cohort averages
            and their cohort-size-weighted average), ``"calendar"`` (period averages and
            their mean).
        balance_e : keep only cohorts observed for at least ``balance_e`` periods after
            treatment (dynamic), so that ATT(e) for e <= balance_e has fixed composition.
        min_e, max_e : event-time window (dynamic); ``max_e`` also limits the cells used by
            ``simple`` and ``group``, as in R.
        na_rm : drop ATT(g,t) that could not be estimated instead of raising.

        Returns
        -------
        EstimationResult whose ``tidy()`` has one row per event time / cohort / period
        (columns ``event_time`` / ``group`` / ``time``) and an ``overall`` row, and whose
        ``vcov`` is the covariance of all of them from the joint influence functions.
        """
        agg = aggregate_attgt(self, type, balance_e, min_e, max_e, na_rm)
        if type != "dynamic":
            return agg
        return CSDynamicResult(**{f.name: getattr(agg, f.name) for f in fields(EstimationResult)})


@dataclass(repr=False, eq=False)
class CSDynamicResult(EstimationResult):
    """The event-time aggregation ATT(e) of :meth:`CSResult.aggregate` (``"dynamic"``):
    rows per event time plus an ``overall`` row, with a plot and a pre-trend test."""

    def event_rows(self) -> pd.DataFrame:
        """The event-time rows (without ``overall``), sorted by event time."""
        tab = self.table[self.table["event_time"].notna()]
        return tab.sort_values("event_time", kind="stable").reset_index(drop=True)

    def pretrend_test(self) -> dict[str, Any]:
        """Joint Wald test that every pre-treatment ATT(e) (e < 0, with a standard error) is
        zero: chi-square with as many degrees of freedom as event times (normal inference,
        as R ``did``), on the joint influence-function covariance of the aggregation.

        Keys as :meth:`EventStudyResult.pretrend_test`: ``statistic``, ``df1``, ``df2``,
        ``p_value``, ``chi2``, ``chi2_p``, ``distribution`` and ``leads``.
        """
        tab = self.event_rows()
        lead = tab[(tab["event_time"] < 0) & np.isfinite(tab["std_error"])]
        terms = lead["term"].tolist()
        if self.vcov is None:
            raise ValueError("pretrend_test: the aggregation has no covariance matrix")
        V = self.vcov.loc[terms, terms].to_numpy(float)
        out: dict[str, Any] = dict(wald_test(lead["estimate"].to_numpy(float), V, df=None))
        out["distribution"] = "chi2"
        out["leads"] = [int(e) for e in lead["event_time"]]
        return out

    def plot(self, ax: Any = None, *, title: str | None = None) -> Any:
        """ATT(e) with confidence intervals by event time; returns the matplotlib Figure."""
        from .presentation import coefplot

        terms = self.event_rows()["term"].astype(str).tolist()
        return coefplot(self, terms=terms, ax=ax, title=title or "Callaway-Sant'Anna ATT(e)")


# ----------------------------------------------------------------------------------------
# Estimation
# ----------------------------------------------------------------------------------------
@column_scope()
def callaway_santanna(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    covariates: Sequence[str] | str | None = None,
    control_group: str = "never",
    base_period: str = "varying",
    method: str = "dr",
    weights: str | None = None,
    cluster: str | None = None,
    anticipation: int = 0,
    replications: int = 0,
    seed: int | None = None,
    alpha: float = 0.05,
    allow_unbalanced: bool = False,
    bootstrap: int | None = None,
) -> CSResult:
    """Callaway-Sant'Anna group-time ATT(g,t) on a panel, following R ``did`` 2.x ``att_gt``.

    Parameters
    ----------
    data : long panel, one row per unit and period.
    outcome, unit, time : column names; ``time`` must be numeric (e.g. year).
    cohort : first treated period of the unit; 0 or missing = never treated.
    covariates : pre-treatment covariates for the propensity score / outcome regression
        (taken from the earlier period of each 2x2 comparison).
    control_group : ``"never"`` (R ``"nevertreated"``) or ``"not_yet"`` (``"notyettreated"``).
    base_period : ``"varying"`` or ``"universal"`` (see module docstring).
    method : ``"dr"`` (DRDID::drdid_panel), ``"ipw"`` (std_ipw_did_panel) or ``"reg"``
        (reg_did_panel).
    weights : sampling weights column (normalized within each 2x2 comparison, as R).
    cluster : column to sum influence functions within (time-invariant within unit).
    anticipation : periods of anticipation (R ``anticipation``).
    replications : number of multiplier-bootstrap draws (0 = analytic SEs only); with draws,
        the standard errors are bootstrap ones and the intervals are uniform sup-t bands.
        ``bootstrap`` is its deprecated name.
    seed : seed of the bootstrap draws.
    alpha : 1 - confidence level.
    allow_unbalanced : keep units not observed in every period (R ``allow_unbalanced_panel``):
        each ATT(g,t) then compares the observations of its two periods with DRDID's
        repeated-cross-section estimators, influence functions summed by unit. Without it,
        such units are dropped (R's default). No effect on a balanced panel.

    Returns
    -------
    CSResult with one row per ATT(g,t) and :meth:`~CSResult.aggregate`,
    :meth:`~CSResult.pretest`.

    Notes
    -----
    For cohort g, period t and comparison group C (never-treated, or not yet treated by
    max(t, b) + anticipation), with base period b, ``ATT(g,t)`` is the two-period DiD of
    ``Y_t - Y_b`` between cohort g and C, adjusted for covariates by the chosen Sant'Anna-Zhao
    estimator. Its influence function, rescaled by n / n_gt (R's ``n/n1``), is stored per unit;
    standard errors are ``sqrt(sum_i psi_i^2) / n``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> res = callaway_santanna(d, "lemp", "countyreal", "year", "first.treat")
    >>> print(f"{res.aggregate('simple').coef['overall']:.4f}")
    -0.0400
    >>> dyn = res.aggregate("dynamic")
    >>> dyn.pretrend_test()["leads"]
    [-3, -2, -1]
    """
    bootstrap = renamed(
        "callaway_santanna", "replications", replications, "bootstrap", bootstrap, 0
    )
    control = _check_options(control_group, base_period, method, anticipation, bootstrap, alpha)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates or [])
    anticipation, bootstrap = int(anticipation), int(bootstrap)
    panel = prepare_panel(
        data,
        outcome=outcome,
        unit=unit,
        time=time,
        cohort=cohort,
        covariates=covariates,
        weights=weights,
        cluster=cluster,
        anticipation=anticipation,
        control_group=control,
        allow_unbalanced=allow_unbalanced,
    )
    notes = list(panel.notes)
    glist = _treated_cohorts(panel, anticipation)
    _check_cohort_sizes(panel, len(covariates), control, notes)
    cells = list(cell_list(panel, glist, base_period, anticipation))
    att, psi = estimate_cells(
        panel, cells, method=method, control=control, anticipation=anticipation
    )
    group, period, terms = _cell_labels(panel, cells)
    inf = _cell_inference(panel, att, psi, cluster, bootstrap, seed, alpha, notes)
    table, pretest = _attgt_table(terms, group, period, att, inf, alpha, panel.n, notes)
    options = {"control_group": control, "base_period": base_period, "method": method}
    options.update(anticipation=anticipation, replications=bootstrap, seed=seed, alpha=alpha)
    options["allow_unbalanced"] = allow_unbalanced
    notes.append(_design_note(options))
    info = _fit_info(panel, glist, pretest, inf["crit"], covariates, options)
    columns = {"unit": unit, "time": time, "cohort": cohort, "covariates": covariates}
    columns.update(weights=weights, cluster=cluster)
    info["spec"] = _spec(data, outcome, columns, options, panel.nobs)
    return _cs_result(panel, inf, table, terms, psi, outcome, notes, info, options)


def _check_options(
    control_group: str,
    base_period: str,
    method: str,
    anticipation: float,
    bootstrap: float,
    alpha: float,
) -> str:
    """Validate the options of :func:`callaway_santanna`; the canonical comparison group."""
    if control_group not in _CONTROL:
        raise ValueError(
            "callaway_santanna: control_group must be 'never' or 'not_yet' "
            f"(or R's 'nevertreated'/'notyettreated'), got {control_group!r}"
        )
    if base_period not in ("varying", "universal"):
        raise ValueError("callaway_santanna: base_period must be 'varying' or 'universal'")
    if method not in ("dr", "ipw", "reg"):
        raise ValueError("callaway_santanna: method must be 'dr', 'ipw' or 'reg'")
    if int(anticipation) != anticipation or anticipation < 0:
        raise ValueError("callaway_santanna: anticipation must be a non-negative integer")
    if int(bootstrap) != bootstrap or bootstrap < 0:
        raise ValueError("callaway_santanna: replications must be a non-negative integer")
    if not 0 < alpha < 1:
        raise ValueError("callaway_santanna: alpha must be in (0, 1)")
    return _CONTROL[control_group]


def _treated_cohorts(panel: Panel, anticipation: int) -> np.ndarray:
    """Cohorts with an ATT(g,t): treated, with a pre-treatment period, and (without
    never-treated units) earlier than the last cohort, which only serves as comparison."""
    times = panel.times
    glist = np.array(sorted(g for g in panel.blocks if g > 0))
    if panel.latest_control is not None:
        glist = glist[glist < panel.latest_control]
    glist = glist[glist > times[0] + anticipation]
    if len(glist) == 0:
        raise ValueError(
            "callaway_santanna: no treated cohort with a pre-treatment period; the cohort "
            "column should hold the first treated period (0 or missing = never treated)"
        )
    return glist


def _check_cohort_sizes(panel: Panel, n_covariates: int, control: str, notes: list[str]) -> None:
    """Warn about cohorts with fewer units than covariates + 6 (R ``did``'s check); fail when
    the never-treated comparison group is one of them."""
    n_x = 1 + n_covariates
    small = [g for g, (s, e) in panel.blocks.items() if e - s < n_x + 5]
    if not small:
        return
    message = (
        f"cohorts with very few units (< {n_x + 5}): {[f'{g:g}' for g in small]}; "
        "estimates for them may be unreliable"
    )
    warnings.warn(message, CSDataWarning, stacklevel=3)
    notes.append(message)
    if 0.0 in small and control == "never":
        raise ValueError(
            "callaway_santanna: the never-treated group is too small to serve as a "
            "reliable control; try control_group='not_yet'"
        )


def _cell_labels(
    panel: Panel, cells: list[tuple[Any, ...]]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Cohort and calendar period of each cell, and its term ``ATT(g,t)``."""
    group = np.array([c[0] for c in cells])
    period = np.array([panel.times[c[1]] for c in cells])
    terms = [f"ATT({g:g},{t:g})" for g, t in zip(group, period, strict=True)]
    return group, period, terms


def _design_note(options: dict[str, Any]) -> str:
    """The note naming the 2x2 estimator, comparison group, base period and anticipation."""
    method_name = {"dr": "doubly robust", "ipw": "normalized IPW", "reg": "outcome regression"}
    never = options["control_group"] == "never"
    return (
        f"Callaway-Sant'Anna ATT(g,t): {method_name[options['method']]} 2x2 comparisons, "
        f"{'never-treated' if never else 'not-yet-treated'} comparison group, "
        f"{options['base_period']} base period, anticipation {options['anticipation']}"
    )


def _fit_info(
    panel: Panel,
    glist: np.ndarray,
    pretest: PretestResult,
    crit: float | None,
    covariates: list[str],
    options: dict[str, Any],
) -> dict[str, Any]:
    """The result's ``info``: the pre-test, periods and cohorts, the design options and the
    sup-t critical value (None without bootstrap)."""
    return {
        "pretest": pretest,
        "times": panel.times,
        "groups": glist,
        "control_group": options["control_group"],
        "base_period": options["base_period"],
        "method": options["method"],
        "anticipation": options["anticipation"],
        "crit_value": crit,
        "covariates": covariates,
    }


def _cs_result(
    panel: Panel,
    inf: dict[str, Any],
    table: pd.DataFrame,
    terms: list[str],
    psi: np.ndarray,
    outcome: str,
    notes: list[str],
    info: dict[str, Any],
    options: dict[str, Any],
) -> CSResult:
    """The :class:`CSResult`: the ATT(g,t) table and covariance, with the per-unit influence
    functions, cohorts, weights, clusters and bootstrap draws its aggregations reuse."""
    n = panel.n
    return CSResult(
        estimator="callaway_santanna",
        table=table,
        nobs=panel.nobs,
        vcov_type=inf["vcov_type"],
        n_clusters=inf["n_clusters"],
        outcome=outcome,
        notes=notes,
        info=info,
        vcov=pd.DataFrame(inf["gram"] / n**2, index=terms, columns=terms),
        influence=psi,
        units=panel.units,
        unit_cohort=panel.cohort,
        unit_weights=inf["unit_weights"],
        cluster_codes=panel.cluster,
        n_units=n,
        bootstrap=options["replications"],
        seed=options["seed"],
        alpha=options["alpha"],
        boot_draws=inf["boot_draws"],
    )


def _cell_inference(
    panel: Panel,
    att: np.ndarray,
    psi: np.ndarray,
    cluster: str | None,
    bootstrap: int,
    seed: int | None,
    alpha: float,
    notes: list[str],
) -> dict[str, Any]:
    """Standard errors of the ATT(g,t) from their influence functions: analytic (cluster sums
    when clustered) or from the multiplier bootstrap, with the sup-t critical value, the
    Gram matrix of the (cluster-summed) influence functions and the stored draws."""
    n = panel.n
    sums = cluster_sums(psi, panel.cluster)
    gram = crossprod(sums)  # one product gives the SEs, the pre-test and vcov
    se = np.sqrt(np.maximum(np.diag(gram), 0.0)) / n
    se[~(se > SE_FLOOR) | np.isnan(att)] = np.nan
    n_clusters = None
    if panel.cluster is not None:
        n_clusters = int(panel.cluster.max()) + 1
        vcov_type = f"influence function summed within {n_clusters} clusters of {cluster!r}"
        notes.append(
            "standard errors sum the influence functions within clusters of "
            f"{cluster!r} (R did clusters in its multiplier bootstrap; its 2.5 development "
            "version also does so analytically); no small-sample factor"
        )
        if bootstrap == 0:
            warn_few_clusters(n_clusters, "CRV", notes)
    else:
        vcov_type = "influence function (units independent)"
    if panel.long is not None:
        unit_weights = panel.long.unit_weights
    else:
        unit_weights = np.ones(n) if panel.w is None else panel.w[0].copy()
    crit = None
    boot_draws = None
    if bootstrap > 0:
        finite = ~np.isnan(se)
        blocks = None if panel.cluster is not None else list(panel.blocks.values())
        basis = wif_basis(panel.cohort, unit_weights)
        boot_draws = multiplier_draws(
            [sums, cluster_sums(basis, panel.cluster)], bootstrap, seed, blocks
        )
        se_b, crit = bootstrap_inference(boot_draws[0][:, finite], sums.shape[0], n, alpha)
        se = se.copy()
        se[finite] = se_b
        vcov_type = f"multiplier bootstrap ({bootstrap} draws, seed {seed}); " + vcov_type
    return {
        "se": se,
        "gram": gram,
        "crit": crit,
        "boot_draws": boot_draws,
        "n_clusters": n_clusters,
        "vcov_type": vcov_type,
        "unit_weights": unit_weights,
    }


def _attgt_table(
    terms: list[str],
    group: np.ndarray,
    period: np.ndarray,
    att: np.ndarray,
    inf: dict[str, Any],
    alpha: float,
    n: int,
    notes: list[str],
) -> tuple[pd.DataFrame, PretestResult]:
    """The ATT(g,t) tidy table (uniform sup-t band when bootstrapped) and R ``did``'s Wald
    pre-test over the pre-treatment cells with a standard error."""
    se = inf["se"]
    table = tidy_frame(
        terms,
        att,
        se,
        alpha=alpha,
        extra={
            "group": group,
            "time": period,
            "event_time": period - group,
            "post": group <= period,
        },
    )
    crit = inf["crit"]
    if crit is not None and np.isfinite(crit):
        table["conf_low"] = att - crit * se
        table["conf_high"] = att + crit * se
        notes.append(
            f"uniform (sup-t) {100 * (1 - alpha):g}% confidence band over all ATT(g,t), "
            f"critical value {crit:.3f}"
        )
    pre = (group > period) & ~np.isnan(se) & ~np.isnan(att)
    pretest = PretestResult(*wald_pretest(att[pre], inf["gram"][np.ix_(pre, pre)], n))
    notes.append(str(pretest))
    return table, pretest


def _spec(
    data: pd.DataFrame,
    outcome: str,
    columns: dict[str, Any],
    options: dict[str, Any],
    nobs: int,
) -> Any:
    """The :class:`~evaluation.estimators.results.ModelSpec` of a fit, with the rows not used
    (missing outcome; units dropped from an unbalanced panel or outside the cells) counted."""
    n_missing_y = int(data[outcome].isna().sum())
    return make_spec(
        "callaway_santanna",
        data,
        outcome,
        columns,
        options,
        nobs=nobs,
        dropped=[
            ("missing outcome", n_missing_y),
            ("not used (unbalanced unit or outside the cells)", len(data) - nobs - n_missing_y),
        ],
    )
