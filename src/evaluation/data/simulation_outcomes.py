"""Outcomes of the simulated PROMIPYME data (used by :mod:`evaluation.data.simulate`): price
indices and exchange rates, sector shocks, entrepreneurial organizations, firm links, the
firm-year panel (potential outcomes, effects, attrition, observed money) and the finite-sample
truth.

See :mod:`evaluation.data.simulate` for the outcome model and the definition of the truth.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.codebook import (
    columns,
)
from evaluation.data.simulation_design import (
    LINK_TYPES,
    LOCAL_CURRENCY,
    MONEY_DECIMALS,
    SECTORS,
    STREAM_LINKS,
    STREAM_ORGS,
    STREAM_PANEL,
    STREAM_PRICES,
    SimulationParameters,
    random_stream,
)

# --------------------------------------------------------------------------------------------
# prices, sector shocks, organizations


def draw_prices(params: SimulationParameters) -> pd.DataFrame:
    """CPI and PPI (base year = 100) and the average rate, local currency per USD.

    Colombia: inflation about 3.5-7% a year, COP/USD about 2,700 in the base year, drifting
    up with the 2015-2020 devaluation and kept within 2,400-3,750. Ecuador is dollarized
    (rate 1) with low inflation (0-4%).
    """
    rng = random_stream(params, STREAM_PRICES)
    years = np.arange(params.first_year, params.last_year + 1)
    rows = []
    for country, (lo, hi) in (("CO", (0.035, 0.07)), ("EC", (0.0, 0.04))):
        infl = rng.uniform(lo, hi, size=len(years))
        ppi_gap = 0.01 * rng.standard_normal(len(years))
        rate_step = 0.035 + 0.05 * rng.standard_normal(len(years))
        rate0 = rng.uniform(2650.0, 2850.0)
        b = int(np.flatnonzero(years == params.base_year)[0])
        log_cpi = np.cumsum(np.log1p(infl))
        log_ppi = np.cumsum(np.log1p(infl + ppi_gap))
        log_rate = np.cumsum(rate_step)
        cpi = 100 * np.exp(log_cpi - log_cpi[b])
        ppi = 100 * np.exp(log_ppi - log_ppi[b])
        rate = np.clip(rate0 * np.exp(log_rate - log_rate[b]), 2400.0, 3750.0)
        if country == "EC":
            rate = np.ones(len(years))
        for i, y in enumerate(years):
            rows.append((country, int(y), round(cpi[i], 4), round(ppi[i], 4), round(rate[i], 2)))
    return pd.DataFrame(rows, columns=["country", "year", "cpi", "ppi", "usd_rate"])


def draw_organizations(params: SimulationParameters, design: dict[str, Any]) -> pd.DataFrame:
    """Yearly BDS indicators of each organization, rising during the program years."""
    rng = random_stream(params, STREAM_ORGS)
    clusters = design["clusters"]
    org_names = {
        "ORG-CO-1": "Cámara de Comercio del Nororiente (simulada)",
        "ORG-CO-2": "Corporación Empresarial Andina (simulada)",
        "ORG-EC-1": "Cámara de la Pequeña Industria de la Sierra (simulada)",
        "ORG-EC-2": "Federación de Empresarios del Litoral (simulada)",
    }
    start = min(params.cohorts)
    rows = []
    for org, country in design["organizations"].itertuples(index=False):
        mine = clusters[clusters["organization"] == org]
        services0 = 3 + int(rng.poisson(4))
        clients0 = 20 + int(rng.poisson(30))
        fee = rng.uniform(120.0, 260.0)
        for y in params.years:
            during = start <= y <= params.support_end
            after = y > params.support_end
            served = int(mine.loc[(mine["cohort"] <= y), "participants"].sum()) if during else 0
            k = min(max(y - start + 1, 0), params.support_end - start + 1)
            services = services0 + 2 * k + int(rng.poisson(1))
            clients = clients0 + served + int(rng.poisson(8 * k + 2))
            staff = int(rng.poisson(12 if during else (5 if after else 2)))
            agreements = int(rng.poisson(3.0 if during else (1.5 if after else 0.4)))
            revenue = round(clients * fee * (1 + 0.1 * k) * rng.uniform(0.9, 1.1), 2)
            rows.append((org, org_names.get(org, f"Organización {org}"), country, y,
                         services, clients, staff, revenue, agreements))  # fmt: skip
    cols = [c.name for c in columns("organizations")]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------
# links


def _pool_draw(
    rng: np.random.Generator,
    group_of_firm: np.ndarray,
    members: np.ndarray,
    draw_for: np.ndarray,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """For each firm in ``draw_for``, a uniformly drawn member (``members`` mask) of its group.

    ``target`` gives another group to draw from (one per firm of ``draw_for``); -1 marks
    firms whose group has no member.
    """
    groups = group_of_firm[members]
    pool = np.flatnonzero(members)[np.argsort(groups, kind="stable")]
    n_groups = int(group_of_firm.max()) + 1
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    g = group_of_firm[draw_for] if target is None else target
    size = counts[g]
    ok = size > 0
    pick = np.full(len(draw_for), -1, dtype=np.int64)
    pick[ok] = pool[starts[g[ok]] + np.floor(rng.random(int(ok.sum())) * size[ok]).astype(np.int64)]
    return pick


def draw_links(params: SimulationParameters, firms: pd.DataFrame, clusters: pd.DataFrame) -> dict:
    """Inter-firm links as index arrays (firm_a < firm_b, year, type), unique and sorted.

    Background links form at random within strata for every firm; after entry participants
    form program links, mostly inside their cluster (women-led firms preferentially with other
    women-led firms: the women's business network), some with other clusters of the same
    organization, a few across countries. Each link lasts a geometric number of years. Above
    ``background_link_firms`` firms, all link rates are scaled down by that many over the
    number of firms, so a registry-sized panel keeps a manageable links table.
    """
    rng = random_stream(params, STREAM_LINKS)
    n = len(firms)
    years = np.array(params.years)
    n_y = len(years)
    part = firms["participant"].to_numpy()
    women = firms["women_led"].to_numpy()
    cohort = firms["cohort"].to_numpy()
    cl = firms["cluster_index"].to_numpy()
    org_code = pd.factorize(clusters["organization"])[0][cl]
    country_code = (clusters["country"].to_numpy()[cl] == "EC").astype(np.int64)
    cl_women = cl * 2 + women.astype(np.int64)
    thin = min(1.0, params.background_link_firms / n)  # links are thinned at registry scale
    types = np.array(LINK_TYPES)
    bg_types = np.array([0, 0, 1, 1, 4])  # supplier, client, knowledge
    prog_types = np.array([0, 1, 2, 2, 3, 3, 4, 4, 4])
    a_all, b_all, start_all, dur_all, type_all = [], [], [], [], []
    all_firms = np.arange(n)
    for t_i, t in enumerate(years):
        # background: within the stratum (the cluster index identifies the stratum)
        k = rng.poisson(0.12 * thin, size=n)
        src = np.repeat(all_firms, k)
        dst = _pool_draw(rng, cl, np.ones(n, bool), src)
        a_all.append(src)
        b_all.append(dst)
        start_all.append(np.full(len(src), t_i))
        dur_all.append(rng.geometric(0.35, size=len(src)))
        type_all.append(bg_types[rng.integers(0, len(bg_types), size=len(src))])
        # program links of participants after entry
        active = part & (cohort <= t)
        rate = (0.7 if t <= params.support_end else 0.3) * thin
        k = np.where(active, rng.poisson(rate, size=n), 0)
        src = np.repeat(all_firms, k)
        u = rng.random(len(src))
        w_src = women[src]
        same_women = w_src & (rng.random(len(src)) < 0.6)
        dst = np.full(len(src), -1, dtype=np.int64)
        m = (u < 0.8) & same_women
        dst[m] = _pool_draw(rng, cl_women, part & women, src[m])
        m = (u < 0.8) & ~same_women
        dst[m] = _pool_draw(rng, cl, part, src[m])
        m = (u >= 0.8) & (u < 0.93)
        dst[m] = _pool_draw(rng, org_code, part, src[m])
        m = u >= 0.93
        dst[m] = _pool_draw(rng, country_code, part, src[m], target=1 - country_code[src[m]])
        a_all.append(src)
        b_all.append(dst)
        start_all.append(np.full(len(src), t_i))
        dur_all.append(rng.geometric(0.2, size=len(src)))
        type_all.append(prog_types[rng.integers(0, len(prog_types), size=len(src))])
    a = np.concatenate(a_all)
    b = np.concatenate(b_all)
    start = np.concatenate(start_all)
    dur = np.concatenate(dur_all)
    kind = np.concatenate(type_all)
    keep = (b >= 0) & (a != b)
    a, b, start, dur, kind = a[keep], b[keep], start[keep], dur[keep], kind[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    end = np.minimum(start + dur, n_y)  # exclusive
    reps = end - start
    row = np.repeat(np.arange(len(lo)), reps)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(reps) - reps, reps)
    year_i = start[row] + offset
    key = ((lo[row] * n + hi[row]) * n_y + year_i) * len(types) + kind[row]
    key = np.unique(key)  # sorted: firm_a, firm_b, year, type; duplicates removed
    kind_u = key % len(types)
    rest = key // len(types)
    year_u = rest % n_y
    pair = rest // n_y
    return {"firm_a": pair // n, "firm_b": pair % n, "year_index": year_u, "type": kind_u}


# --------------------------------------------------------------------------------------------
# the firm-year panel, in chunks of firms


def _theta(params: SimulationParameters, event_time: np.ndarray) -> np.ndarray:
    path = np.asarray(params.effect_path)
    e = np.clip(event_time, 0, len(path) - 1)
    return np.where(event_time >= 0, path[e], 0.0)


def draw_panel_chunk(
    params: SimulationParameters,
    chunk: int,
    f: pd.DataFrame,
    sector_effects: np.ndarray,
    price_factor: dict[str, np.ndarray],
    degree: np.ndarray,
) -> dict[str, np.ndarray]:
    """Firm-years of the firms in ``f`` (one chunk): observed columns and latent outcomes.

    Arrays are (firms, years) and returned raveled firm-major, the order of firm_years.csv.
    """
    rng = random_stream(params, STREAM_PANEL, chunk)
    years = np.array(params.years)
    n, n_y = len(f), len(years)
    t_rel = (years - params.base_year)[None, :]
    sector_i = np.searchsorted(np.array(SECTORS), f["sector"].to_numpy())
    size = f["size"].to_numpy()[:, None]
    level = f["level"].to_numpy()[:, None]
    part = f["participant"].to_numpy()[:, None]
    cohort = f["cohort"].to_numpy()[:, None]
    women = f["women_led"].to_numpy()[:, None]
    # AR(1) noise, stationary from the first year
    e = rng.standard_normal((n, n_y))
    u = np.empty((n, n_y))
    u[:, 0] = params.noise_sd * e[:, 0]
    innov = params.noise_sd * math.sqrt(1 - params.ar_rho**2)
    for j in range(1, n_y):
        u[:, j] = params.ar_rho * u[:, j - 1] + innov * e[:, j]
    trend = sector_effects[sector_i] + params.size_growth * (size - params.size_center) * t_rel
    y0 = level + trend + u
    treated = part & (years[None, :] >= cohort)
    g_index = np.searchsorted(np.array(params.cohorts), f["cohort"].to_numpy())
    g_mult = np.where(f["participant"].to_numpy(), np.asarray(params.cohort_multipliers)[
        np.minimum(g_index, len(params.cohorts) - 1)], 0.0)[:, None]  # fmt: skip
    het = 1 + params.effect_heterogeneity * f["effect_z"].to_numpy()[:, None]
    w_mult = np.where(women, params.women_multiplier, 1.0)
    tau = np.where(treated, _theta(params, years[None, :] - cohort) * g_mult * w_mult * het, 0.0)
    y1 = y0 + tau
    y = np.where(treated, y1, y0)
    # employees: log-normal sizes, integer headcounts; a smaller effect on employment
    log_e0 = size + 0.02 * t_rel + 0.08 * rng.standard_normal((n, n_y))
    emp0 = np.maximum(1.0, np.rint(np.exp(log_e0)))
    emp1 = np.maximum(1.0, np.rint(np.exp(log_e0 + params.employment_effect_ratio * tau)))
    emp = np.where(treated, emp1, emp0)
    # response: baseline year complete; productivity-related exit afterwards
    responded = np.ones((n, n_y), dtype=bool)
    if params.attrition:
        alive = np.ones(n, dtype=bool)
        b = params.baseline_year - params.first_year
        base_logit = math.log(params.exit_rate / (1 - params.exit_rate))
        # deviation from the country-sector-year norm: persistently weak firms leave more
        norm = f["norm"].to_numpy()[:, None] + trend
        for j in range(n_y):
            if j > b:
                dev = y[:, j - 1] - norm[:, j - 1]
                hazard = 1 / (1 + np.exp(-(base_logit - params.exit_productivity_slope * dev)))
                alive &= rng.random(n) >= hazard
            missing = (rng.random(n) < params.missing_rate) & (j != b)
            responded[:, j] = alive & ~missing
    # money, real base-year USD
    va = np.exp(y) * emp
    m = np.clip(f["input_share"].to_numpy()[:, None] + 0.02 * rng.standard_normal((n, n_y)),
                0.1, 0.9)  # fmt: skip
    sales = va / (1 - m)
    inputs = sales - va
    bad = rng.random((n, n_y)) < params.nonpositive_va_rate
    inputs = np.where(bad, sales * rng.uniform(1.0, 1.15, size=(n, n_y)), inputs)
    wage = va * f["labor_share"].to_numpy()[:, None] * np.exp(0.05 * rng.standard_normal((n, n_y)))
    capital = (
        va * f["capital_ratio"].to_numpy()[:, None] * np.exp(0.1 * rng.standard_normal((n, n_y)))
    )
    export_start = rng.random((n, n_y)) < np.where(treated, 0.08, 0.01)
    exporting = f["exporter"].to_numpy()[:, None] | (np.cumsum(export_start, axis=1) > 0)
    exports = np.where(exporting, sales * rng.uniform(0.05, 0.5, size=(n, n_y)), 0.0)
    support = part & (years[None, :] >= cohort) & (years[None, :] <= params.support_end)
    hours = np.where(support, rng.gamma(4.0, 15.0, size=(n, n_y)), 0.0)
    market_bds = rng.random((n, n_y)) < np.where(part, 0.10, 0.05)
    hours = np.where(~support & market_bds, rng.uniform(2.0, 20.0, size=(n, n_y)), hours)
    # nominal local currency: real x (ppi_t / ppi_base) x rate_base, rounded per currency
    country = f["country"].to_numpy()
    factor = np.empty((n, n_y))
    decimals = np.empty(n, dtype=np.int64)
    for code, fac in price_factor.items():
        rows = country == code
        factor[rows] = fac[None, :]
        decimals[rows] = MONEY_DECIMALS[LOCAL_CURRENCY[code]]

    def money(x: np.ndarray) -> np.ndarray:
        out = x * factor
        scale = (10.0**decimals)[:, None]
        return np.where(responded, np.rint(out * scale) / scale + 0.0, np.nan)

    def keep(x: np.ndarray) -> np.ndarray:
        return np.where(responded, x, np.nan)

    observed = responded & ~bad
    return {
        "firm_index": np.repeat(f.index.to_numpy(), n_y),
        "year": np.tile(years, n),
        "responded": responded.ravel(),
        "sales": money(sales).ravel(),
        "employees": keep(emp).ravel(),
        "wage_bill": money(wage).ravel(),
        "intermediate_inputs": money(inputs).ravel(),
        "capital_stock": money(capital).ravel(),
        "exports": money(exports).ravel(),
        "bds_hours": keep(np.round(hours, 1) + 0.0).ravel(),
        "linkages": keep(degree[f.index.to_numpy()].astype(float)).ravel(),
        # latent
        "y0": y0.ravel(),
        "y1": y1.ravel(),
        "tau": tau.ravel(),
        "treated": treated.ravel(),
        "observed": observed.ravel(),
        "d_log_employees": (np.log(emp1) - np.log(emp0)).ravel(),
        "d_log_sales": (tau + np.log(emp1) - np.log(emp0)).ravel(),
    }


# --------------------------------------------------------------------------------------------
# the truth


_OUTCOMES = {
    "log_labor_productivity": (
        "tau",
        "observed",
        "treated firm-years that responded and have positive value added (the firm-years whose "
        "log labor productivity an estimator sees)",
    ),
    "log_sales": ("d_log_sales", "responded", "treated firm-years that responded"),
    "log_employees": ("d_log_employees", "responded", "treated firm-years that responded"),
}


class TruthAccumulator:
    """Sums of individual effects per (cohort, year, women_led) cell, added chunk by chunk.

    Sums use ``np.bincount`` (sequential, so the same numbers on every machine).
    """

    def __init__(self, params: SimulationParameters) -> None:
        self.params = params
        self.cohorts = np.asarray(params.cohorts)
        self.n_cells = len(self.cohorts) * len(params.years) * 2
        self.sums = {k: np.zeros(self.n_cells) for k in _OUTCOMES}
        self.counts = {k: np.zeros(self.n_cells, dtype=np.int64) for k in _OUTCOMES}
        self.firms = {k: np.zeros(2, dtype=np.int64) for k in _OUTCOMES}  # by women_led
        self.treated_rows = 0

    def add(self, chunk: dict[str, np.ndarray], women: np.ndarray, cohort: np.ndarray) -> None:
        n_y = len(self.params.years)
        treated = chunk["treated"]
        self.treated_rows += int(treated.sum())
        g = np.searchsorted(self.cohorts, np.repeat(cohort, n_y))
        y = chunk["year"] - self.params.first_year
        w = np.repeat(women, n_y).astype(np.int64)
        cell = (np.minimum(g, len(self.cohorts) - 1) * n_y + y) * 2 + w
        for name, (effect, mask_name, _) in _OUTCOMES.items():
            mask = treated & chunk[mask_name]
            self.sums[name] += np.bincount(
                cell[mask], weights=chunk[effect][mask], minlength=self.n_cells
            )
            self.counts[name] += np.bincount(cell[mask], minlength=self.n_cells)
            per_firm = mask.reshape(-1, n_y).any(axis=1)
            self.firms[name] += np.bincount(women[per_firm].astype(np.int64), minlength=2)

    def result(self) -> dict[str, Any]:
        p = self.params
        n_y = len(p.years)
        out: dict[str, Any] = {}
        for name, (_, _, over) in _OUTCOMES.items():
            s = self.sums[name].reshape(len(self.cohorts), n_y, 2)
            c = self.counts[name].reshape(len(self.cohorts), n_y, 2)

            def cell(total: float, count: int) -> dict[str, Any]:
                att = round(float(total) / int(count), 8) if count else None
                return {"att": att, "n_firm_years": int(count)}

            att_gt, att_gt_w = [], []
            for gi, g in enumerate(p.cohorts):
                for yi, year in enumerate(p.years):
                    if year < g:
                        continue
                    att_gt.append({"cohort": g, "year": year, "event_time": year - g,
                                   **cell(s[gi, yi].sum(), c[gi, yi].sum())})  # fmt: skip
                    for w in (0, 1):
                        att_gt_w.append({"cohort": g, "year": year, "event_time": year - g,
                                         "women_led": bool(w), **cell(s[gi, yi, w], c[gi, yi, w])})  # fmt: skip
            event = np.array(p.years)[None, :] - np.asarray(p.cohorts)[:, None]
            att_e, att_e_w = [], []
            for e in range(0, int(event.max()) + 1):
                sel = event == e
                att_e.append({"event_time": e, **cell(s[sel].sum(), c[sel].sum())})
                for w in (0, 1):
                    att_e_w.append({"event_time": e, "women_led": bool(w),
                                    **cell(s[sel][:, w].sum(), c[sel][:, w].sum())})  # fmt: skip
            firms = self.firms[name]
            overall = cell(s.sum(), c.sum())
            overall["n_firms"] = int(firms[0] + firms[1])
            by_w = {}
            for w, key in ((0, "false"), (1, "true")):
                by_w[key] = cell(s[:, :, w].sum(), c[:, :, w].sum())
                by_w[key]["n_firms"] = int(firms[w])
            out[name] = {
                "averages_over": over,
                "overall": overall,
                "by_women_led": by_w,
                "att_gt": att_gt,
                "att_gt_by_women_led": att_gt_w,
                "att_e": att_e,
                "att_e_by_women_led": att_e_w,
            }
        return out


def truth_document(
    params: SimulationParameters, design: dict, acc: TruthAccumulator, extra: dict
) -> dict:
    """The content of ``truth.json``: parameters, effect model, design and the estimands of
    ``acc`` (finite-sample true effects) plus the ``extra`` design counts."""
    p = asdict(params)
    p["comparison"] = params.n_comparison
    clusters = design["clusters"]
    return {
        "description": (
            "True effects of the simulated PROMIPYME data, in log points (differences of "
            "natural logs). Each 'att' is the finite-sample mean of the simulated individual "
            "effects Y_it(1) - Y_it(0) over the firm-years named in 'averages_over' that fall in "
            "the cell: att_gt = cohort g (first support year) in calendar year t >= g; att_e = "
            "event time e = t - g, pooling cohorts; overall = every such firm-year (so it is "
            "the n_firm_years-weighted mean of att_gt, not the cohort-size-weighted 'simple' "
            "aggregation of R did); by_women_led = the same restricted to women-led or other "
            "firms. Effects are exactly zero before entry (no anticipation) and for "
            "comparison firms. Y(0) satisfies parallel trends conditional on sector-by-year "
            "effects and baseline size, not unconditionally."
        ),
        "seed": params.seed,
        "parameters": p,
        "effect_model": {
            "tau_it": "theta(t - g) * cohort_multiplier(g) * women_multiplier^women_led * "
            "(1 + effect_heterogeneity * z_i), z_i ~ N(0, 1), for t >= g",
            "expected_att_e_by_cohort": {
                str(g): [round(v * m, 8) for v in params.effect_path]
                for g, m in zip(params.cohorts, params.cohort_multipliers, strict=True)
            },
        },
        "design": {
            "participants": int(clusters["participants"].sum()),
            "comparison": int(clusters["comparison"].sum()),
            "clusters": clusters[
                [
                    "cluster_id",
                    "stratum",
                    "organization",
                    "cohort",
                    "participants",
                    "women_led",
                    "comparison",
                ]
            ].to_dict(orient="records"),  # fmt: skip
            **extra,
        },
        "estimands": acc.result(),
    }
