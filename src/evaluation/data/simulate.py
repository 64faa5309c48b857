"""``evaluation simulate``: a seeded simulated PROMIPYME raw dataset with known true effects.

The generator mirrors the program (DESIGN.md section 1 and 3): two countries (Colombia in
COP, Ecuador in USD), ``n_clusters`` business clusters of about ten SMEs, each recruiting in one
stratum (territory x sector) and supported by one of four entrepreneurial organizations,
staggered entry (cohorts 2016 and 2017), at least 25% women-led firms in every cluster, and a
comparison group drawn from the same strata with a comparison/participant ratio that varies
across strata.

Outcome model (log labor productivity in base-year USD per employee, firm i, year t)::

    Y_it(0) = a_i + d_{sector(i), t} + gamma * (s_i - s0) * (t - base_year) + u_it
    u_it    = rho * u_i,t-1 + e_it                          (stationary AR(1))
    Y_it(1) = Y_it(0) + tau_it,
    tau_it  = theta(t - g_i) * m_cohort(g_i) * m_women(i) * (1 + h * z_i)   for t >= g_i

``s_i`` is the firm's latent log size (log-normal employees), ``d`` a sector-specific random
walk. Participants are larger (``s_i`` shifted up) and younger, and strata of faster-growing
sectors have fewer comparison firms per participant, so *unconditional* parallel trends fail;
conditional on sector-by-year effects and baseline size they hold by construction (Callaway and
Sant'Anna 2021, Assumption 4; Roth et al. 2023, section 3). ``theta(e)`` grows with time since
entry up to a plateau (effects persist after support ends in 2018). No anticipation:
``tau_it = 0`` before entry.

Observed money follows from ``Y``: employees ``E`` (integers), real value added
``VA = exp(Y) * E``, sales and intermediate inputs with a firm-specific input share so that
``sales - inputs = VA``; nominal local-currency values are real values times
``(ppi_t / ppi_base) * usd_rate_base`` from the simulated prices table, which is exactly what
``prepare`` undoes (deflate by the PPI, then convert at the base year's rate). A few firm-years
get intermediate inputs above sales (non-positive value added, flagged downstream).

Attrition (switch ``attrition``): after the baseline year a firm leaves the survey for good
with a probability that falls with its productivity in the previous year, and answers are
missing at random in 3% of other firm-years; with ``attrition=False`` every firm answers every
year. Non-responding firm-years stay as rows with ``responded = 0`` and empty values.

The truth (``truth.json``) is finite-sample: ATT(g,t) is the mean of the simulated individual
effects ``Y_it(1) - Y_it(0)`` over the treated firm-years of cohort g in year t that responded
and (for productivity) have positive value added, i.e. the firm-years an estimator sees.

Reproducibility: all draws are element-wise from ``numpy.random.Generator(PCG64)`` streams
keyed by component (and chunk of firms); no linear algebra; floats are rounded to fixed decimals
before writing; CSV is UTF-8 with ``\\n`` line endings. The only residual machine dependence is
``numpy.exp``/``log`` in the last bit, which the rounding hides except at an exact rounding
boundary (probability of the order of 1e-7 per value).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data import synthetic_names as names
from evaluation.data.codebook import (
    LINK_TYPES,
    LOCAL_CURRENCY,
    RAW_TABLES,
    SECTORS,
    codebook_frame,
    columns,
)

MANIFEST = ".simulate.json"
TRUTH = "truth.json"
CODEBOOK = "codebook.csv"

# Sector constants: mean latent log size, productivity level offset, intermediate-input share.
_SECTOR_SIZE = dict(zip(SECTORS, (2.3, 2.6, 2.5, 2.2, 2.4, 2.3, 2.1, 2.0, 2.4), strict=True))
_SECTOR_LEVEL = dict(zip(SECTORS, (-0.3, 0.1, 0.0, -0.1, 0.0, -0.35, 0.4, 0.3, -0.2), strict=True))
_SECTOR_INPUTS = dict(zip(SECTORS, (0.55, 0.6, 0.55, 0.7, 0.5, 0.5, 0.35, 0.3, 0.4), strict=True))
_COUNTRY_LEVEL = {"CO": 9.45, "EC": 9.65}  # log base-year USD of value added per employee
_MONEY_DECIMALS = {"COP": 0, "USD": 2}  # whole pesos; cents of a dollar

# Stream keys of the random generator (one independent stream per component).
_DESIGN, _FIRMS, _NAMES, _PRICES, _LINKS, _ORGS, _PANEL = range(7)


class SimulationError(ValueError):
    """Bad simulation parameters or an unsafe output folder (nothing was written)."""


@dataclass(frozen=True)
class SimulationParameters:
    """Every knob of the simulation; all sizes are parameters.

    Effects are in log points of labor productivity. ``effect_path`` gives theta(e) for
    e = 0, 1, 2, ... (the last value holds for later event times).
    """

    seed: int = 20160601
    participants: int = 260
    comparison: int | None = None  # None: twice the participants
    first_year: int = 2014
    last_year: int = 2020
    base_year: int = 2015
    attrition: bool = True
    n_clusters: int = 26
    n_organizations: int = 4
    cohorts: tuple[int, ...] = (2016, 2017)
    support_end: int = 2018
    min_women_share: float = 0.25
    women_share_participants: float = 0.35
    women_share_comparison: float = 0.22
    # selection on observables: participants are larger and younger
    participant_size_shift: float = 0.45
    participant_age_factor: float = 0.7
    size_sd: float = 0.8
    sector_selection: float = 15.0  # fewer comparison firms per participant in growing sectors
    # counterfactual outcome
    size_growth: float = 0.04  # gamma: extra yearly productivity growth per log size unit
    size_center: float = 2.4  # s0
    sector_drift_low: float = -0.02
    sector_drift_high: float = 0.05
    sector_shock_sd: float = 0.03
    firm_effect_sd: float = 0.35
    ar_rho: float = 0.5
    noise_sd: float = 0.12
    # treatment effects
    effect_path: tuple[float, ...] = (0.04, 0.07, 0.10, 0.12)
    cohort_multipliers: tuple[float, ...] = (1.0, 0.75)
    women_multiplier: float = 1.3
    effect_heterogeneity: float = 0.4  # h
    employment_effect_ratio: float = 0.3  # log employment effect = ratio x tau
    # attrition and reporting
    exit_rate: float = 0.04
    exit_productivity_slope: float = 1.5
    missing_rate: float = 0.03
    nonpositive_va_rate: float = 0.004
    # scale
    chunk_firms: int = 50_000
    background_link_firms: int = 50_000  # above this many firms, link rates are thinned

    @property
    def n_comparison(self) -> int:
        return 2 * self.participants if self.comparison is None else self.comparison

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def baseline_year(self) -> int:
        """Last year before any support (recruitment survey; everyone answers)."""
        return min(self.cohorts) - 1

    def check(self) -> None:
        """Raise ``SimulationError`` naming the parameter that makes the design impossible."""
        problems = []
        if self.last_year < self.first_year:
            problems.append(f"years {self.first_year}-{self.last_year}: last before first")
        if len(self.cohorts) != len(self.cohort_multipliers):
            problems.append("cohort_multipliers must have one value per cohort")
        for g in self.cohorts:
            if not self.first_year < g <= self.last_year:
                problems.append(
                    f"cohort {g} must fall inside the panel years after the first "
                    f"({self.first_year}-{self.last_year}): at least one pre-program year"
                )
        if self.n_clusters < 2:
            problems.append(f"n_clusters={self.n_clusters}: need at least 2 (one per country)")
        if self.participants < 2 * self.n_clusters:
            problems.append(
                f"participants={self.participants}: need at least 2 per cluster "
                f"({2 * self.n_clusters} for {self.n_clusters} clusters)"
            )
        if self.n_comparison < self.n_clusters:
            problems.append(
                f"comparison={self.n_comparison}: need at least one comparison firm per "
                f"stratum ({self.n_clusters})"
            )
        if not 2 <= self.n_organizations <= self.n_clusters:
            problems.append(f"n_organizations={self.n_organizations}: need 2..n_clusters")
        if self.participants + self.n_comparison > 9_999_999:
            problems.append("more than 9,999,999 firms do not fit the firm_id format")
        if not self.first_year <= self.base_year <= self.last_year:
            problems.append(f"base_year={self.base_year} outside the panel years")
        if self.seed < 0:
            problems.append(f"seed={self.seed}: must be a non-negative integer")
        if problems:
            raise SimulationError("invalid simulation parameters: " + "; ".join(problems))


@dataclass
class SimulatedData:
    """The raw tables (typed DataFrames, as written), the truth and the latent firm-years.

    ``latent`` has one row per firm-year with the potential outcomes ``y0``, ``y1`` (log labor
    productivity), ``tau = y1 - y0``, ``treated``, ``observed`` (responded and value added > 0)
    and the firm's latent log size ``size``: what tests and Monte Carlo studies compare against.
    """

    params: SimulationParameters
    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any]
    latent: pd.DataFrame = field(repr=False)


# --------------------------------------------------------------------------------------------
# random streams


def _rng(params: SimulationParameters, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(params.seed, spawn_key=key)))


# --------------------------------------------------------------------------------------------
# design: strata, clusters, organizations, firms


def _largest_remainder(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integers >= ``minimum`` summing to ``total``, proportional to ``weights``."""
    spare = total - minimum * len(weights)
    share = spare * weights / weights.sum()
    counts = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: spare - int(counts.sum())]] += 1
    return counts + minimum


def _design(params: SimulationParameters) -> dict[str, Any]:
    """Clusters, their strata, organizations, cohorts and sizes (one row per cluster)."""
    rng = _rng(params, _DESIGN)
    k = params.n_clusters
    k_co = max(1, min(k - 1, round(k * 14 / 26)))
    orgs_co = max(1, params.n_organizations // 2)
    per_country = {"CO": (k_co, orgs_co), "EC": (k - k_co, params.n_organizations - orgs_co)}
    rows = []
    org_rows = []
    for country in ("CO", "EC"):
        n_c, n_org = per_country[country]
        terr = names.TERRITORIES[country]
        cells = [(ti, s) for ti in range(len(terr)) for s in SECTORS]
        if n_c > len(cells):
            raise SimulationError(f"{n_c} clusters in {country} exceed its {len(cells)} strata")
        pick = np.sort(rng.permutation(len(cells))[:n_c])  # sorted: by territory, then sector
        blocks = np.array_split(np.arange(n_c), n_org)
        for j, block in enumerate(blocks):
            org = f"ORG-{country}-{j + 1}"
            org_rows.append((org, country))
            for pos, b in enumerate(block):
                ti, sector = cells[pick[b]]
                code, territory = terr[ti]
                cohort = params.cohorts[(pos + j) % len(params.cohorts)]
                rows.append((country, code, territory, sector, org, cohort))
    clusters = pd.DataFrame(
        rows, columns=["country", "territory_code", "territory", "sector", "organization", "cohort"]
    )
    width = max(2, len(str(k)))
    clusters.insert(0, "cluster_id", [f"CL{i + 1:0{width}d}" for i in range(k)])
    clusters["stratum"] = (
        clusters["country"] + "-" + clusters["territory_code"] + "-" + clusters["sector"]
    )
    # about participants / k firms per cluster: even split, then random pairwise transfers
    base, extra = divmod(params.participants, k)
    sizes = np.full(k, base, dtype=np.int64)
    sizes[rng.permutation(k)[:extra]] += 1
    perm = rng.permutation(k)
    moves = rng.integers(0, 3, size=k // 2)
    for j in range(k // 2):
        a, b = perm[2 * j], perm[2 * j + 1]
        step = int(min(moves[j], sizes[a] - 2))
        sizes[a] -= step
        sizes[b] += step
    # women-led: a binomial draw, never below the 25% floor of the logframe (exact per cluster)
    floor = np.array([math.ceil(round(params.min_women_share * n, 9)) for n in sizes])
    women = np.maximum(floor, rng.binomial(sizes, params.women_share_participants))
    # comparison firms per stratum: the ratio to participants varies across strata, and is
    # lower where the sector grows faster (the program recruited in dynamic sectors, where
    # the comparison pool is thinner), so sector trends also confound a naive comparison
    ratio = rng.uniform(0.6, 1.6, size=k)
    walk = _sector_effects(params)
    growth = (walk[:, -1] - walk[:, 0]) / max(walk.shape[1] - 1, 1)
    cluster_growth = growth[np.searchsorted(np.array(SECTORS), clusters["sector"].to_numpy())]
    ratio = ratio * np.exp(-params.sector_selection * (cluster_growth - cluster_growth.mean()))
    ratio = np.clip(ratio / ratio.mean(), 0.55, 1.6)  # at least about 1.1x everywhere (at 2x)
    comparison = _largest_remainder(params.n_comparison, sizes * ratio, 1)
    clusters["participants"] = sizes
    clusters["women_led"] = women
    clusters["comparison"] = comparison
    orgs = pd.DataFrame(org_rows, columns=["organization", "country"])
    return {"clusters": clusters, "organizations": orgs}


def _firms(params: SimulationParameters, clusters: pd.DataFrame) -> pd.DataFrame:
    """One row per firm with its design attributes and latent traits, in firm_id order."""
    rng = _rng(params, _FIRMS)
    n_part = clusters["participants"].to_numpy()
    n_comp = clusters["comparison"].to_numpy()
    per_cluster = n_part + n_comp
    idx = np.repeat(np.arange(len(clusters)), per_cluster)
    start = np.repeat(np.cumsum(per_cluster) - per_cluster, per_cluster)
    pos = np.arange(len(idx)) - start  # position inside the stratum block
    participant = pos < n_part[idx]
    women_part = pos < clusters["women_led"].to_numpy()[idx]
    n = len(idx)
    women_comp = rng.random(n) < params.women_share_comparison
    women = np.where(participant, women_part, women_comp)
    # random firm_id order, so ids carry no information on participation
    order = rng.permutation(n)
    idx, participant, women = idx[order], participant[order], women[order]
    c = clusters.iloc[idx].reset_index(drop=True)
    sector = c["sector"].to_numpy()
    size = (
        np.array([_SECTOR_SIZE[s] for s in sector])
        + params.participant_size_shift * participant
        - 0.15 * women
        + params.size_sd * rng.standard_normal(n)
    )
    age = np.exp(
        np.log(12.0)
        + np.log(params.participant_age_factor) * participant
        + 0.6 * rng.standard_normal(n)
    )
    founded = params.base_year - np.clip(np.rint(age), 1, 80).astype(np.int64)
    norm = np.array([_COUNTRY_LEVEL[x] for x in c["country"].to_numpy()]) + np.array(
        [_SECTOR_LEVEL[s] for s in sector]
    )
    level = (
        norm
        + 0.15 * (size - params.size_center)
        + 0.05 * participant
        + params.firm_effect_sd * rng.standard_normal(n)
    )
    input_share = np.clip(
        np.array([_SECTOR_INPUTS[s] for s in sector]) + 0.05 * rng.standard_normal(n), 0.15, 0.85
    )
    capital_ratio = np.exp(0.3 * rng.standard_normal(n)) * np.where(sector == "C", 1.6, 1.0)
    labor_share = rng.uniform(0.35, 0.65, size=n)
    exporter = rng.random(n) < 1 / (
        1 + np.exp(-(-1.8 + 0.6 * (size - params.size_center) + 0.8 * np.isin(sector, ["A", "C"])))
    )
    firms = pd.DataFrame(
        {
            "firm_id": [f"F{i + 1:07d}" for i in range(n)],
            "country": c["country"].to_numpy(),
            "territory_code": c["territory_code"].to_numpy(),
            "territory": c["territory"].to_numpy(),
            "sector": sector,
            "women_led": women,
            "founded": founded,
            "participant": participant,
            "cluster_id": np.where(participant, c["cluster_id"].to_numpy(), None),
            "cohort": np.where(participant, c["cohort"].to_numpy(), 0).astype(np.int64),
            "organization": np.where(participant, c["organization"].to_numpy(), None),
            "stratum": c["stratum"].to_numpy(),
            "cluster_index": idx,
            "size": size,
            "level": level,
            "norm": norm,
            "input_share": input_share,
            "capital_ratio": capital_ratio,
            "labor_share": labor_share,
            "exporter": exporter,
            "effect_z": rng.standard_normal(n),
        }
    )
    return firms


def _personal(params: SimulationParameters, firms: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(params, _NAMES)
    country = firms["country"].to_numpy()
    owner, firm_name, email = names.people_and_firms(
        rng,
        country=country,
        sector=firms["sector"].to_numpy(),
        women_led=firms["women_led"].to_numpy(),
    )
    tax = names.tax_ids(rng, country, firms["territory_code"].to_numpy(), np.arange(len(firms)))
    return pd.DataFrame(
        {"tax_id": tax, "firm_name": firm_name, "owner_name": owner, "email": email}
    )


# --------------------------------------------------------------------------------------------
# prices, sector shocks, organizations


def _prices(params: SimulationParameters) -> pd.DataFrame:
    """CPI and PPI (base year = 100) and the average rate, local currency per USD.

    Colombia: inflation about 3.5-7% a year, COP/USD about 2,700 in the base year, drifting
    up with the 2015-2020 devaluation and kept within 2,400-3,750. Ecuador is dollarized
    (rate 1) with low inflation (0-4%).
    """
    rng = _rng(params, _PRICES)
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


def _sector_effects(params: SimulationParameters) -> np.ndarray:
    """d[sector, year]: sector-specific random walks with drift, zero in the base year."""
    rng = _rng(params, _PRICES, 1)
    n_y = len(params.years)
    drift = rng.uniform(params.sector_drift_low, params.sector_drift_high, size=len(SECTORS))
    shocks = params.sector_shock_sd * rng.standard_normal((len(SECTORS), n_y))
    walk = np.cumsum(drift[:, None] + shocks, axis=1)
    b = params.base_year - params.first_year
    return walk - walk[:, b : b + 1]


def _organizations(params: SimulationParameters, design: dict[str, Any]) -> pd.DataFrame:
    """Yearly BDS indicators of each organization, rising during the program years."""
    rng = _rng(params, _ORGS)
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


def _links(params: SimulationParameters, firms: pd.DataFrame, clusters: pd.DataFrame) -> dict:
    """Inter-firm links as index arrays (firm_a < firm_b, year, type), unique and sorted.

    Background links form at random within strata for every firm; after entry participants
    form program links, mostly inside their cluster (women-led firms preferentially with other
    women-led firms: the women's business network), some with other clusters of the same
    organization, a few across countries. Each link lasts a geometric number of years. Above
    ``background_link_firms`` firms, all link rates are scaled down by that many over the
    number of firms, so a registry-sized panel keeps a manageable links table.
    """
    rng = _rng(params, _LINKS)
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


def _panel_chunk(
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
    rng = _rng(params, _PANEL, chunk)
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
        decimals[rows] = _MONEY_DECIMALS[LOCAL_CURRENCY[code]]

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


class _TruthAccumulator:
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


def _truth(params: SimulationParameters, design: dict, acc: _TruthAccumulator, extra: dict) -> dict:
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


# --------------------------------------------------------------------------------------------
# orchestration


_DECIMALS = {
    "sales": 2, "wage_bill": 2, "intermediate_inputs": 2, "capital_stock": 2, "exports": 2,
    "employees": 0, "bds_hours": 1, "linkages": 0, "cpi": 4, "ppi": 4, "usd_rate": 2,
    "bds_revenue": 2,
}  # fmt: skip


class _Run:
    """Everything drawn before the firm-year panel, which is then generated chunk by chunk."""

    def __init__(self, params: SimulationParameters) -> None:
        params.check()
        self.params = params
        self.design = _design(params)
        clusters = self.design["clusters"]
        self.firms = _firms(params, clusters)
        personal = _personal(params, self.firms)
        for col in personal.columns:
            self.firms[col] = personal[col].to_numpy()
        self.prices = _prices(params)
        self.sector_effects = _sector_effects(params)
        self.organizations = _organizations(params, self.design)
        self.links = _links(params, self.firms, clusters)
        n_y = len(params.years)
        n = len(self.firms)
        self.degree = (
            np.bincount(self.links["firm_a"] * n_y + self.links["year_index"], minlength=n * n_y)
            + np.bincount(self.links["firm_b"] * n_y + self.links["year_index"], minlength=n * n_y)
        ).reshape(n, n_y)
        self.price_factor = {}
        for code in ("CO", "EC"):
            pr = self.prices[self.prices["country"] == code].set_index("year")
            ppi = pr["ppi"].to_numpy()
            base = pr.loc[params.base_year]
            self.price_factor[code] = ppi / base["ppi"] * base["usd_rate"]
        self.truth_acc = _TruthAccumulator(params)

    def chunks(self) -> Iterator[dict[str, np.ndarray]]:
        step = self.params.chunk_firms
        for c, start in enumerate(range(0, len(self.firms), step)):
            f = self.firms.iloc[start : start + step]
            chunk = _panel_chunk(
                self.params, c, f, self.sector_effects, self.price_factor, self.degree
            )
            self.truth_acc.add(chunk, f["women_led"].to_numpy(), f["cohort"].to_numpy())
            yield chunk

    def firms_table(self) -> dict[str, np.ndarray]:
        f = self.firms
        out = {}
        for c in columns("firms"):
            v = f[c.name].to_numpy()
            if c.dtype == "string":  # pandas may hold missing strings as NaN: make them None
                v = np.array([x if isinstance(x, str) else None for x in v], dtype=object)
            out[c.name] = v
        out["cohort"] = np.where(f["participant"], f["cohort"], -1)  # -1: missing
        return out

    def links_table(self) -> dict[str, np.ndarray]:
        ids = self.firms["firm_id"].to_numpy()
        return {
            "firm_a": ids[self.links["firm_a"]],
            "firm_b": ids[self.links["firm_b"]],
            "year": np.asarray(self.params.years)[self.links["year_index"]],
            "link_type": np.asarray(LINK_TYPES)[self.links["type"]],
        }

    def truth(self) -> dict[str, Any]:
        extra = {
            "firms": len(self.firms),
            "firm_years": len(self.firms) * len(self.params.years),
            "links": len(self.links["firm_a"]),
            "background_links_thinned": len(self.firms) > self.params.background_link_firms,
            "treated_firm_years": self.truth_acc.treated_rows,
        }
        return _truth(self.params, self.design, self.truth_acc, extra)


def _panel_table(chunk: dict[str, np.ndarray], firm_ids: np.ndarray) -> dict[str, np.ndarray]:
    out = {"firm_id": firm_ids[chunk["firm_index"]]}
    for c in columns("firm_years")[1:]:
        out[c.name] = chunk[c.name]
    return out


def _typed(table: str, data: dict[str, np.ndarray]) -> pd.DataFrame:
    """A raw table as a DataFrame with codebook types (missing: None / <NA> / NaN)."""
    frame = {}
    for c in columns(table):
        v = data[c.name]
        if c.dtype == "int":
            s = pd.array(v, dtype="Int64")
            if c.nullable:
                s[np.asarray(v) < 0] = pd.NA  # -1 marks a missing value (comparison cohorts)
            frame[c.name] = s
        elif c.dtype == "float":
            frame[c.name] = np.asarray(v, dtype=np.float64)
        elif c.dtype == "bool":
            frame[c.name] = np.asarray(v, dtype=bool)
        else:
            frame[c.name] = pd.array(
                [x if isinstance(x, str) and x else None for x in v], dtype="object"
            )
    return pd.DataFrame(frame)


def simulate(
    seed: int | None = None,
    participants: int = 260,
    comparison: int | None = None,
    years: tuple[int, int] = (2014, 2020),
    attrition: bool = True,
    **options: Any,
) -> SimulatedData:
    """Simulate the PROMIPYME raw data in memory (tables as written, truth, latent outcomes).

    Parameters
    ----------
    seed : the random seed (default: SimulationParameters.seed, the config's analysis.seed).
    participants, comparison : numbers of firms (comparison defaults to twice participants).
    years : first and last panel year.
    attrition : productivity-related attrition and random non-response; False gives a
        balanced panel (for Monte Carlo studies of the estimators).
    **options : any other field of :class:`SimulationParameters`.

    Examples
    --------
    >>> data = simulate(seed=1)
    >>> data.truth["estimands"]["log_labor_productivity"]["overall"]["att"]  # doctest: +SKIP
    """
    params = SimulationParameters(
        seed=SimulationParameters.seed if seed is None else seed,
        participants=participants,
        comparison=comparison,
        first_year=years[0],
        last_year=years[1],
        attrition=attrition,
        **options,
    )
    return _simulate(params)


def _simulate(params: SimulationParameters) -> SimulatedData:
    run = _Run(params)
    ids = run.firms["firm_id"].to_numpy()
    chunks = list(run.chunks())
    panel = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    tables = {
        "firms": _typed("firms", run.firms_table()),
        "firm_years": _typed("firm_years", _panel_table(panel, ids)),
        "links": _typed("links", run.links_table()),
        "organizations": _typed("organizations", dict(run.organizations.items())),
        "prices": _typed("prices", dict(run.prices.items())),
    }
    f = run.firms.iloc[panel["firm_index"]]
    latent = pd.DataFrame(
        {
            "firm_id": ids[panel["firm_index"]],
            "year": panel["year"],
            "sector": f["sector"].to_numpy(),
            "stratum": f["stratum"].to_numpy(),
            "participant": f["participant"].to_numpy(),
            "women_led": f["women_led"].to_numpy(),
            "cohort": f["cohort"].to_numpy(),
            "size": f["size"].to_numpy(),
            "y0": panel["y0"],
            "y1": panel["y1"],
            "tau": panel["tau"],
            "treated": panel["treated"],
            "responded": panel["responded"],
            "observed": panel["observed"],
        }
    )
    return SimulatedData(params=params, tables=tables, truth=run.truth(), latent=latent)


# --------------------------------------------------------------------------------------------
# writing: fixed-decimal CSV or Parquet, atomic, never over files simulate did not write


def _csv_column(table: str, name: str, values: np.ndarray) -> list[str]:
    c = next(c for c in columns(table) if c.name == name)
    if c.dtype == "bool":
        return ["1" if v else "0" for v in values]
    if c.dtype == "int":
        return ["" if v < 0 else str(int(v)) for v in values]
    if c.dtype == "float":
        d = _DECIMALS[name]
        return ["" if v != v else f"{v:.{d}f}" for v in values]
    return [v if isinstance(v, str) else "" for v in values]


def _csv_lines(table: str, data: dict[str, np.ndarray], header: bool) -> str:
    names_ = [c.name for c in columns(table)]
    cols = [_csv_column(table, n, data[n]) for n in names_]
    for col in cols:
        for i, v in enumerate(col):
            if any(ch in v for ch in ',"\n'):
                col[i] = '"' + v.replace('"', '""') + '"'
    lines = [",".join(row) for row in zip(*cols, strict=True)]
    if header:
        lines.insert(0, ",".join(names_))
    return "\n".join(lines) + "\n" if lines else ""


def _arrow_schema(table: str):  # -> pyarrow.Schema
    import pyarrow as pa

    kinds = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    return pa.schema([(c.name, kinds[c.dtype]) for c in columns(table)])


def _arrow_batch(table: str, data: dict[str, np.ndarray]):  # -> pyarrow.RecordBatch
    import pyarrow as pa

    arrays = []
    for c in columns(table):
        v = data[c.name]
        if c.dtype == "int":
            v = np.asarray(v, dtype=np.int64)
            arrays.append(pa.array(v, mask=v < 0, type=pa.int64()))
        elif c.dtype == "float":
            v = np.asarray(v, dtype=np.float64)
            arrays.append(pa.array(v, mask=np.isnan(v), type=pa.float64()))
        elif c.dtype == "bool":
            arrays.append(pa.array(np.asarray(v, dtype=bool), type=pa.bool_()))
        else:
            arrays.append(pa.array(v, type=pa.string()))  # None -> null
    return pa.RecordBatch.from_arrays(arrays, schema=_arrow_schema(table))


class _TableWriter:
    """Writes one raw table (possibly in several pieces) to a temporary file."""

    def __init__(self, table: str, path: Path, fmt: str) -> None:
        self.table, self.path, self.fmt = table, path, fmt
        self.first = True
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(path, _arrow_schema(table), compression="zstd")
        else:
            self.handle = open(path, "w", encoding="utf-8", newline="\n")

    def write(self, data: dict[str, np.ndarray]) -> None:
        if self.fmt == "parquet":
            self.writer.write_batch(_arrow_batch(self.table, data))
        else:
            self.handle.write(_csv_lines(self.table, data, self.first))
        self.first = False

    def close(self) -> None:
        if self.fmt == "parquet":
            self.writer.close()
        else:
            if self.first:  # an empty table still gets its header
                self.handle.write(",".join(c.name for c in columns(self.table)) + "\n")
            self.handle.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(raw: Path) -> dict[str, str]:
    path = raw / MANIFEST
    if not path.exists():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        if not isinstance(files, dict):
            raise TypeError
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError) as err:
        raise SimulationError(
            f"{path} exists but is not a simulate manifest; refusing to write into {raw}"
        ) from err


def target_files(fmt: str = "csv") -> tuple[str, ...]:
    """Names of the files ``simulate`` writes for a format (tables, codebook, truth)."""
    if fmt not in ("csv", "parquet"):
        raise SimulationError(f"format {fmt!r}: expected 'csv' or 'parquet'")
    return (*(f"{t}.{fmt}" for t in RAW_TABLES), CODEBOOK, TRUTH)


def check_writable(raw: Path, fmt: str = "csv") -> dict[str, str]:
    """The manifest of ``raw``; raise if any target file exists and simulate did not write it.

    A file counts as simulate's own only if the manifest lists it with its current sha256
    (so a simulated file edited by hand is protected too).
    """
    manifest = _read_manifest(raw)
    foreign = []
    for name in target_files(fmt):
        path = raw / name
        if path.exists() and (name not in manifest or _sha256(path) != manifest[name]):
            foreign.append(name)
    if foreign:
        raise SimulationError(
            f"refusing to overwrite {', '.join(foreign)} in {raw}: not written by "
            f"'evaluation simulate' (absent from {MANIFEST} or changed since). Nothing was "
            "written; choose another --raw folder or move these files away."
        )
    return manifest


def write_simulation(
    raw_dir: Path | str, params: SimulationParameters | None = None, *, fmt: str = "csv"
) -> dict[str, Any]:
    """Simulate and write the raw files, codebook, truth and manifest into ``raw_dir``.

    The firm-year panel is generated and streamed in chunks of ``params.chunk_firms`` firms,
    so registry-sized panels fit in memory. Every file is written to a temporary name and
    renamed only when all succeeded; files of an earlier simulation (unchanged) that this
    format does not write are removed, so the folder never mixes two simulations.
    Returns the truth.
    """
    params = params or SimulationParameters()
    params.check()
    raw = Path(raw_dir)
    raw.mkdir(parents=True, exist_ok=True)
    manifest = check_writable(raw, fmt)
    targets = target_files(fmt)
    tmp = {name: raw / f".{name}.tmp-{os.getpid()}" for name in (*targets, MANIFEST)}
    try:
        run = _Run(params)
        ids = run.firms["firm_id"].to_numpy()
        static = {
            "firms": run.firms_table(),
            "links": run.links_table(),
            "organizations": dict(run.organizations.items()),
            "prices": dict(run.prices.items()),
        }
        for table, data in static.items():
            w = _TableWriter(table, tmp[f"{table}.{fmt}"], fmt)
            w.write(data)
            w.close()
        w = _TableWriter("firm_years", tmp[f"firm_years.{fmt}"], fmt)
        for chunk in run.chunks():
            w.write(_panel_table(chunk, ids))
        w.close()
        book = codebook_frame()
        book.to_csv(tmp[CODEBOOK], index=False, lineterminator="\n", encoding="utf-8")
        truth = run.truth()
        tmp[TRUTH].write_text(
            json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
            newline="\n",
        )
        hashes = {name: _sha256(tmp[name]) for name in targets}
        record = {
            "files": hashes,
            "note": "files written by 'evaluation simulate'; it overwrites only files listed "
            "here with this sha256",
            "seed": params.seed,
        }
        tmp[MANIFEST].write_text(
            json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8", newline="\n"
        )
        for name in targets:
            os.replace(tmp[name], raw / name)
        for name, digest in sorted(manifest.items()):
            stale = raw / name
            if name not in targets and stale.exists() and _sha256(stale) == digest:
                stale.unlink()
        os.replace(tmp[MANIFEST], raw / MANIFEST)
    finally:
        for path in tmp.values():
            path.unlink(missing_ok=True)
    return truth


# --------------------------------------------------------------------------------------------
# command line


def _parse_years(text: str) -> tuple[int, int]:
    try:
        first, last = (int(x) for x in str(text).split("-"))
    except ValueError as err:
        raise SimulationError(f"--years {text!r}: expected FIRST-LAST, e.g. 2014-2020") from err
    return first, last


def command(args: Any, settings: Any) -> int:
    """``evaluation simulate``: write the simulated raw data; exit status 0 on success."""
    import sys

    try:
        first, last = _parse_years(args.years)
        params = SimulationParameters(
            seed=settings.analysis.seed if args.seed is None else args.seed,
            participants=args.participants,
            comparison=args.comparison,
            first_year=first,
            last_year=last,
            base_year=settings.analysis.base_year,
            attrition=not args.no_attrition,
        )
        raw = Path(args.raw) if args.raw else settings.path("raw")
        truth = write_simulation(raw, params, fmt=args.format)
    except (SimulationError, OSError) as err:
        print(f"evaluation simulate: error: {err}", file=sys.stderr)
        return 2
    est = truth["estimands"]["log_labor_productivity"]
    print(
        f"wrote {truth['design']['firms']} firms x {len(params.years)} years "
        f"({truth['design']['participants']} participants, {truth['design']['comparison']} "
        f"comparison) to {raw} (seed {params.seed}); true overall ATT on log labor "
        f"productivity {est['overall']['att']:.4f}"
    )
    return 0
