"""Goodman-Bacon (2021) decomposition of the two-way fixed effects DiD coefficient.

With a balanced panel, an absorbing binary treatment and no covariates, the TWFE coefficient on
the treatment dummy is a weighted average of every 2x2 DiD that compares two timing groups
(Goodman-Bacon 2021, Theorem 1):

- ``treated_vs_never``: cohort ``k`` against the never treated (``control = 0``), whole panel;
- ``earlier_vs_later``: earlier cohort ``k`` against a later cohort ``l`` *before* ``l`` is
  treated (a clean comparison);
- ``later_vs_earlier``: later cohort ``l`` against an earlier cohort ``k`` *after* ``k`` is
  treated (the "forbidden" comparison: ``k``'s changing effect moves the estimate). Units
  treated from the first period (always treated) appear only here, as controls.

Weights are proportional to the group sizes and to the variance of the treatment dummy inside
each 2x2 window (the paper's ``s`` terms, equations 10a-10e), normalized by the variance of the
two-way demeaned treatment dummy; they sum to one and the weighted 2x2 estimates sum to the
TWFE coefficient exactly (checked here to 1e-10 against the within estimator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.estimators.fixed_effects import demean, factorize
from evaluation.estimators.results import TIDY_COLUMNS, EstimationResult

__all__ = ["bacon_decomposition", "BaconDecomposition"]

TYPES = ("treated_vs_never", "earlier_vs_later", "later_vs_earlier")
_BACON_COLUMNS = ["term", "treated", "control", "type", "estimate", "weight"]


@dataclass
class BaconDecomposition(EstimationResult):
    """Result of :func:`bacon_decomposition`.

    ``tidy()`` has one row per 2x2 comparison with columns ``term, treated, control, type,
    estimate, weight`` (``control`` 0 = never treated); :meth:`by_type` sums the weights and
    averages the estimates within each comparison type.
    """

    def __repr__(self) -> str:
        coef = self.info.get("twfe_coefficient", np.nan)
        return (
            f"<BaconDecomposition: {self.outcome or '-'}; {len(self.table)} comparison(s); "
            f"TWFE coefficient {coef:.4g}; {self.nobs:,} obs>"
        )

    def tidy(self) -> pd.DataFrame:
        return self.table[_BACON_COLUMNS].copy()

    def by_type(self) -> pd.DataFrame:
        """Weight and weighted-average estimate of each comparison type (bacondecomp's print)."""
        t = self.table
        rows = []
        for kind in TYPES:
            part = t[t["type"] == kind]
            if part.empty:
                continue
            w = part["weight"].sum()
            avg = float((part["weight"] * part["estimate"]).sum() / w) if w > 0 else np.nan
            rows.append({"type": kind, "weight": w, "estimate": avg, "n_comparisons": len(part)})
        return pd.DataFrame(rows)

    def summary(self, digits: int = 4) -> str:
        body = self.by_type().to_string(index=False, float_format=lambda v: f"{v:.{digits}f}")
        coef = self.info["twfe_coefficient"]
        return "\n".join(
            [
                *self._header(),
                f"TWFE coefficient: {coef:.{digits}f} (= sum of weight x estimate)",
                "",
                body,
                *(f"Note: {n}" for n in self.notes),
            ]
        )

    def plot(self, ax=None):
        """Goodman-Bacon's figure: each 2x2 estimate against its weight, by type."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        markers = {"treated_vs_never": "o", "earlier_vs_later": "^", "later_vs_earlier": "s"}
        for kind in TYPES:
            part = self.table[self.table["type"] == kind]
            if not part.empty:
                ax.scatter(part["weight"], part["estimate"], marker=markers[kind], label=kind)
        ax.axhline(self.info["twfe_coefficient"], color="black", lw=1, ls="--", label="TWFE")
        ax.set_xlabel("weight")
        ax.set_ylabel("2x2 DiD estimate")
        ax.legend(frameon=False)
        return ax


def _check_panel(
    data: pd.DataFrame, outcome: str, unit: str, time: str, treatment: str, balance: str
) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    for col in (outcome, unit, time, treatment):
        if col not in data.columns:
            raise KeyError(f"bacon_decomposition: column {col!r} not in the data")
    frame = data[[unit, time, outcome, treatment]].copy()
    for col in (unit, time, treatment, outcome):
        bad = np.flatnonzero(frame[col].isna().to_numpy())
        if bad.size:
            if balance == "drop" and col == outcome:
                continue
            raise ValueError(
                f"bacon_decomposition: column {col!r} has {bad.size} missing value(s) "
                f"(e.g. rows {frame.index[bad[:5]].tolist()})"
            )
    d = pd.to_numeric(frame[treatment], errors="coerce")
    nonbinary = ~d.isin([0, 1])
    if nonbinary.any():
        rows = frame.index[np.flatnonzero(nonbinary.to_numpy())[:5]].tolist()
        raise ValueError(
            f"bacon_decomposition: treatment {treatment!r} must be binary 0/1; "
            f"{int(nonbinary.sum())} row(s) are not (e.g. rows {rows})"
        )
    frame[treatment] = d.astype(float)
    dup = frame.duplicated([unit, time])
    if dup.any():
        rows = frame.index[np.flatnonzero(dup.to_numpy())[:5]].tolist()
        raise ValueError(
            f"bacon_decomposition: {int(dup.sum())} duplicated ({unit}, {time}) pair(s) "
            f"(e.g. rows {rows}); one row per unit and period is expected"
        )
    if balance == "drop":
        missing_y = frame[outcome].isna()
        if missing_y.any():
            drop_units = frame.loc[missing_y, unit].unique()
            frame = frame[~frame[unit].isin(drop_units)]
            notes.append(f"{len(drop_units)} unit(s) with a missing outcome dropped")
    periods = np.sort(frame[time].unique())
    counts = frame.groupby(unit, sort=False)[time].nunique()
    short = counts[counts < periods.size]
    if len(short):
        if balance == "drop":
            frame = frame[~frame[unit].isin(short.index)]
            notes.append(
                f"unbalanced panel: {len(short)} unit(s) not observed in all {periods.size} "
                "periods dropped"
            )
        else:
            raise ValueError(
                f"bacon_decomposition needs a balanced panel: {len(short)} unit(s) are not "
                f"observed in all {periods.size} periods (e.g. {short.index[:5].tolist()}); "
                "pass balance='drop' to keep only the complete units"
            )
    if frame.empty:
        raise ValueError("bacon_decomposition: no complete units left")
    return frame, notes


def bacon_decomposition(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    *,
    balance: str = "error",
) -> BaconDecomposition:
    """Decompose the TWFE DiD coefficient into all 2x2 comparisons (Goodman-Bacon 2021).

    Parameters
    ----------
    data : long panel, one row per unit and period.
    outcome, unit, time : column names (unit ids of any type; time sortable).
    treatment : binary absorbing treatment dummy (0 before, 1 from the first treated period on).
    balance : ``"error"`` (default) raises on an unbalanced panel; ``"drop"`` keeps only units
        observed in every period (with a note).

    Returns
    -------
    BaconDecomposition; ``tidy()`` columns ``term, treated, control, type, estimate, weight``
    where ``treated``/``control`` are cohorts (first treated period; ``control = 0`` for never
    treated). ``info["twfe_coefficient"]`` is the TWFE coefficient computed directly by the
    within transformation; ``info["weighted_sum"]`` the weighted sum of the 2x2 estimates.

    Notes
    -----
    With ``n_k`` the share of units in timing group ``k``, ``D_k`` the share of periods in which
    it is treated, and ``V`` the variance of the two-way demeaned treatment, the weights are
    (``k`` earlier than ``l``; ``n_ab = n_a / (n_a + n_b)``)::

        s_kU = (n_k + n_U)^2 n_kU (1 - n_kU) D_k (1 - D_k) / V
        s_kl = ((n_k + n_l)(1 - D_l))^2 n_kl (1 - n_kl) (D_k - D_l)(1 - D_k) / (1 - D_l)^2 / V
        s_lk = ((n_k + n_l) D_k)^2 n_kl (1 - n_kl) D_l (D_k - D_l) / D_k^2 / V

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> d["post"] = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
    >>> res = bacon_decomposition(d, "lemp", "countyreal", "year", "post")
    >>> print(res.by_type().round(4).to_string(index=False))
                type  weight  estimate  n_comparisons
    treated_vs_never  0.8628   -0.0407              3
    earlier_vs_later  0.0833   -0.0198              3
    later_vs_earlier  0.0539    0.0046              3
    """
    if balance not in ("error", "drop"):
        raise ValueError("bacon_decomposition: balance must be 'error' or 'drop'")
    frame, notes = _check_panel(data, outcome, unit, time, treatment, balance)
    periods = np.sort(frame[time].unique())
    T = periods.size
    if T < 2:
        raise ValueError("bacon_decomposition: at least two periods are needed")
    uc, tc, Y, Dm = _wide(frame, outcome, unit, time, treatment, periods)
    first, groups, counts = _timing_groups(Dm, T)
    N = Y.shape[0]
    share = dict(zip(groups.tolist(), (counts / N).tolist(), strict=True))
    dbar = {g: (T - g) / T for g in groups.tolist()}  # share of periods treated
    ymean = {g: Y[first == g].mean(axis=0) for g in groups.tolist()}  # per-period group means
    V, twfe_coef = _twfe(frame, outcome, treatment, uc, tc)
    rows = _comparisons(groups, share, dbar, ymean, T, V)
    if 0 in share:
        notes.append(
            f"{int(round(share[0] * N))} unit(s) treated in every period (always treated) serve "
            "only as controls in later_vs_earlier comparisons"
        )
    table = _bacon_table(rows, periods, T)
    weighted_sum = float((table["weight"] * table["estimate"]).sum())
    gap = abs(weighted_sum - twfe_coef)
    if gap > 1e-8 * max(1.0, abs(twfe_coef)):
        raise RuntimeError(
            f"bacon_decomposition: weighted 2x2 estimates ({weighted_sum}) do not add up to the "
            f"TWFE coefficient ({twfe_coef}); please report this with the data"
        )
    return BaconDecomposition(
        estimator="bacon_decomposition",
        table=table.reset_index(drop=True),
        nobs=int(N * T),
        outcome=outcome,
        notes=notes,
        info={
            "twfe_coefficient": twfe_coef,
            "weighted_sum": weighted_sum,
            "weight_total": float(table["weight"].sum()),
            "n_units": int(N),
            "n_periods": int(T),
            "variance_demeaned_treatment": V,
        },
    )


def _wide(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    periods: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit and period codes and the units x periods outcome and treatment matrices; the
    treatment must be absorbing (an error names units that switch back to 0)."""
    uc, n_units = factorize(frame[unit], unit)
    tc = np.searchsorted(periods, frame[time].to_numpy())
    T = periods.size
    Y = np.full((n_units, T), np.nan)
    Dm = np.full((n_units, T), np.nan)
    Y[uc, tc] = frame[outcome].to_numpy(dtype=float)
    Dm[uc, tc] = frame[treatment].to_numpy(dtype=float)
    # absorbing: never switches off
    switch_off = (np.diff(Dm, axis=1) < 0).any(axis=1)
    if switch_off.any():
        ids = pd.unique(frame[unit].to_numpy()[np.isin(uc, np.flatnonzero(switch_off))])[:5]
        raise ValueError(
            f"bacon_decomposition: treatment {treatment!r} is not absorbing: "
            f"{int(switch_off.sum())} unit(s) switch from 1 back to 0 (e.g. {ids.tolist()})"
        )
    return uc, tc, Y, Dm


def _timing_groups(Dm: np.ndarray, T: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unit's cohort index (first treated period; ``T`` = never treated in the panel),
    the cohorts and their sizes; at least two cohorts are needed."""
    n_treated_periods = Dm.sum(axis=1).astype(int)
    first = np.where(n_treated_periods > 0, T - n_treated_periods, T)
    groups, counts = np.unique(first, return_counts=True)
    if groups.size < 2:
        raise ValueError(
            "bacon_decomposition: every unit has the same treatment timing; there is no "
            "comparison to decompose"
        )
    return first, groups, counts


def _twfe(
    frame: pd.DataFrame, outcome: str, treatment: str, uc: np.ndarray, tc: np.ndarray
) -> tuple[float, float]:
    """Variance of the two-way demeaned treatment (balanced: exact one-pass demeaning) and
    the TWFE coefficient computed directly by the within transformation."""
    d_flat = frame[treatment].to_numpy(dtype=float)
    d_tilde = demean(d_flat, [uc, tc])
    V = float(np.mean(d_tilde**2))
    if V <= 1e-14:
        raise ValueError(
            "bacon_decomposition: the treatment has no variation after unit and time effects"
        )
    y_tilde = demean(frame[outcome].to_numpy(dtype=float), [uc, tc])
    return V, float(d_tilde @ y_tilde / (d_tilde @ d_tilde))


def _comparisons(
    groups: np.ndarray,
    share: dict[int, float],
    dbar: dict[int, float],
    ymean: dict[int, np.ndarray],
    T: int,
    V: float,
) -> list[tuple]:
    """Every 2x2 comparison ``(treated, control, type, estimate, weight)`` with the weights
    of Goodman-Bacon (2021, eq. 10a-10g) in cohort-index terms."""

    def window_mean(g: int, lo: int, hi: int) -> float:
        return float(ymean[g][lo:hi].mean())

    rows = []
    timed = [g for g in groups.tolist() if g < T]
    never = T in share
    for k in timed:
        if k == 0:
            continue  # always treated: no untreated period, only a control for later cohorts
        if never:
            nk, nu = share[k], share[T]
            nku = nk / (nk + nu)
            w = (nk + nu) ** 2 * nku * (1 - nku) * dbar[k] * (1 - dbar[k]) / V
            est = (window_mean(k, k, T) - window_mean(k, 0, k)) - (
                window_mean(T, k, T) - window_mean(T, 0, k)
            )
            rows.append((k, T, "treated_vs_never", est, w))
    for i, k in enumerate(timed):
        for l in timed[i + 1 :]:  # noqa: E741 - the paper's notation
            nk, nl = share[k], share[l]
            nkl = nk / (nk + nl)
            dk, dl = dbar[k], dbar[l]
            if k > 0:
                # earlier k treated vs later l not yet treated, periods [0, l)
                w = ((nk + nl) * (1 - dl)) ** 2 * nkl * (1 - nkl) * (dk - dl) * (1 - dk)
                w /= (1 - dl) ** 2 * V
                est = (window_mean(k, k, l) - window_mean(k, 0, k)) - (
                    window_mean(l, k, l) - window_mean(l, 0, k)
                )
                rows.append((k, l, "earlier_vs_later", est, w))
            # later l treated vs earlier k already treated, periods [k, T)
            w = ((nk + nl) * dk) ** 2 * nkl * (1 - nkl) * dl * (dk - dl) / dk**2 / V
            est = (window_mean(l, l, T) - window_mean(l, k, l)) - (
                window_mean(k, l, T) - window_mean(k, k, l)
            )
            rows.append((l, k, "later_vs_earlier", est, w))
    return rows


def _bacon_table(rows: list[tuple], periods: np.ndarray, T: int) -> pd.DataFrame:
    """The comparisons as a table with cohort labels (0 = never treated) and the tidy columns."""

    def label(g: int) -> object:
        if g >= T:
            return 0
        return periods[g].item() if hasattr(periods[g], "item") else periods[g]

    table = pd.DataFrame(rows, columns=["t_idx", "c_idx", "type", "estimate", "weight"])
    table["treated"] = [label(g) for g in table["t_idx"]]
    table["control"] = [label(g) for g in table["c_idx"]]
    table["term"] = [
        f"{t} vs {'never' if c == 0 else c}"
        for t, c in zip(table["treated"], table["control"], strict=True)
    ]
    for col in TIDY_COLUMNS:
        if col not in table.columns:
            table[col] = np.nan
    return table.drop(columns=["t_idx", "c_idx"])[
        _BACON_COLUMNS + [c for c in TIDY_COLUMNS if c not in _BACON_COLUMNS]
    ]
