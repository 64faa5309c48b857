"""Design of the simulated PROMIPYME data (used by :mod:`evaluation.data.simulate`): the
parameters, the random streams, strata (territory x sector), business clusters of about ten SMEs
with staggered entry cohorts, participant and comparison firms and their personal data.

See :mod:`evaluation.data.simulate` for the full description of the generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data import synthetic_names as names

# The public pseudonymization key of the simulated data (see evaluation.data.keys).
SIMULATION_KEY = b"promipyme-simulated-data--public-default-key"
# The simulated programme's domain (also in config/evaluation.yml `domain:`, which the
# validator reads; the simulator keeps its own copy so that it never depends on settings).
COUNTRIES = ("CO", "EC")
LOCAL_CURRENCY = {"CO": "COP", "EC": "USD"}
# ISIC Rev.4 sections an SME program of this kind recruits from.
SECTORS = ("A", "C", "F", "G", "H", "I", "J", "M", "N")
LINK_TYPES = ("supplier", "client", "joint_purchase", "joint_sales", "knowledge")
# How the simulator's codebook.csv documents its own data (the generic codebook is neutral).
SIMULATED_CODEBOOK = {
    ("firms", "tax_id"): {"description": "Tax identifier (NIT in Colombia, RUC in Ecuador)"},
    ("firms", "country"): {"allowed": COUNTRIES},
    ("firms", "territory"): {"description": "Department (CO) or province (EC)"},
    ("firms", "sector"): {"allowed": SECTORS},
    ("firms", "participant"): {"description": "Firm joined a PROMIPYME business cluster"},
    ("links", "link_type"): {"allowed": LINK_TYPES},
    ("organizations", "country"): {"allowed": COUNTRIES},
    ("prices", "country"): {"allowed": COUNTRIES},
}

# Sector constants: mean latent log size, productivity level offset, intermediate-input share.
_SECTOR_SIZE = dict(zip(SECTORS, (2.3, 2.6, 2.5, 2.2, 2.4, 2.3, 2.1, 2.0, 2.4), strict=True))
_SECTOR_LEVEL = dict(zip(SECTORS, (-0.3, 0.1, 0.0, -0.1, 0.0, -0.35, 0.4, 0.3, -0.2), strict=True))
_SECTOR_INPUTS = dict(zip(SECTORS, (0.55, 0.6, 0.55, 0.7, 0.5, 0.5, 0.35, 0.3, 0.4), strict=True))
_COUNTRY_LEVEL = {"CO": 9.45, "EC": 9.65}  # log base-year USD of value added per employee
# Decimals of money written in each local currency: whole pesos; cents of a dollar.
MONEY_DECIMALS = {"COP": 0, "USD": 2}

# Stream keys of the random generator (one independent stream per component; the simulation
# outcomes module draws from the prices, links, organizations and panel streams).
STREAM_DESIGN, STREAM_FIRMS, STREAM_NAMES, STREAM_PRICES = 0, 1, 2, 3
STREAM_LINKS, STREAM_ORGS, STREAM_PANEL = 4, 5, 6


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


def random_stream(params: SimulationParameters, *key: int) -> np.random.Generator:
    """The independent PCG64 stream of one component: the seed spawned with ``key``.

    Keys are a ``STREAM_*`` constant, optionally followed by a chunk number.
    """
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


def draw_design(params: SimulationParameters) -> dict[str, Any]:
    """Clusters, their strata, organizations, cohorts and sizes (one row per cluster)."""
    rng = random_stream(params, STREAM_DESIGN)
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
    walk = draw_sector_effects(params)
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


def draw_firms(params: SimulationParameters, clusters: pd.DataFrame) -> pd.DataFrame:
    """One row per firm with its design attributes and latent traits, in firm_id order."""
    rng = random_stream(params, STREAM_FIRMS)
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


def draw_personal(params: SimulationParameters, firms: pd.DataFrame) -> pd.DataFrame:
    """Synthetic tax id, firm name, owner name and email of each firm, in ``firms`` order."""
    rng = random_stream(params, STREAM_NAMES)
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


def draw_sector_effects(params: SimulationParameters) -> np.ndarray:
    """d[sector, year]: sector-specific random walks with drift, zero in the base year."""
    rng = random_stream(params, STREAM_PRICES, 1)
    n_y = len(params.years)
    drift = rng.uniform(params.sector_drift_low, params.sector_drift_high, size=len(SECTORS))
    shocks = params.sector_shock_sd * rng.standard_normal((len(SECTORS), n_y))
    walk = np.cumsum(drift[:, None] + shocks, axis=1)
    b = params.base_year - params.first_year
    return walk - walk[:, b : b + 1]
