"""Typed configuration: where data lives, the programme's facts, the analysis choices.

One place defines paths and settings (cookiecutter-data-science convention). Versioned
settings live in ``config/evaluation.yml``; machine-only values (a real-data location, the
pseudonymization key) come from the environment or the git-ignored ``config/local.yml``, which
overrides the versioned file key by key -- except ``program``, which ``local.yml`` replaces
whole, so no fact of the default programme can leak into another programme's pages.

Nothing here knows a programme: the code defaults are neutral (no countries, no outcome
beyond ``log_sales``, inference clustered by firm) and the default programme's facts live in
``config/evaluation.yml``. :func:`resolve_years` is the one rule that turns the configured
and observed years into the panel span, baseline and end line every page uses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGES = ("en", "es")


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest parent holding ``pyproject.toml`` and ``config/``.

    ``EVALUATION_ROOT`` overrides it; outside a checkout the current directory is used.
    """
    env = os.environ.get("EVALUATION_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file() and (candidate / "config").is_dir():
            return candidate
    return here


def code_root() -> Path | None:
    """The checkout holding this package (``<checkout>/src/evaluation``), or None when the
    package is installed elsewhere. Notebooks and the pipeline file live there even when
    ``EVALUATION_ROOT`` points at another programme's configuration folder."""
    candidate = Path(__file__).resolve().parents[2]
    return candidate if (candidate / "pyproject.toml").is_file() else None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in the report languages. A plain string in YAML serves every language."""

    en: str = Field(description="English text")
    es: str | None = Field(None, description="Spanish text (default: the English one)")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": value, "es": value}
        return value

    def get(self, language: str) -> str:
        """The text in ``language`` (English when no translation was given)."""
        return (self.es if language == "es" else None) or self.en


class Paths(_Strict):
    """Data locations, relative to the repository root unless absolute."""

    raw: Path = Field(Path("data/raw"), description="raw data folder (read-only)")
    processed: Path = Field(Path("data/processed"), description="processed Parquet folder")
    reports: Path = Field(Path("reports"), description="report pages and estimates")
    column_mapping: Path | None = Field(
        None, description="column mapping YAML for real exports (renames, recodes, expressions)"
    )
    narrative: Path | None = Field(
        None,
        description="final report narrative blocks <folder>/<en|es>/<section>.md (none: drafts)",
    )


OutcomeKind = Literal["log", "level", "share", "binary"]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Outcome(_Strict):
    """A user-declared outcome: a DuckDB expression over the processed panel's columns.

    ``kind: log`` means ``expr`` is already on the log scale (effects read as approximate
    proportional changes); to log a level write ``ln(sales_usd)``. ``level``, ``share`` and
    ``binary`` effects read in the outcome's own units (shares and binaries as points).
    """

    expr: str = Field(description="DuckDB SQL expression over processed panel columns")
    label: Text | None = Field(None, description="label on the pages ({en, es} or one string)")
    kind: OutcomeKind = Field("level", description="log | level | share | binary")
    unit: Text | None = Field(None, description="unit of a level outcome, e.g. 'USD'")


class Production(_Strict):
    """Production function behind the log-TFP outcome (``evaluation.analysis.productivity``).

    Columns are panel columns in levels (money deflated, as the panel holds them); the
    analysis takes logs and leaves out firm-years with a zero or negative value. Absent
    columns turn the TFP analysis off with a message saying which to provide.
    """

    output: str = Field(description="output column (value added, or gross output/sales)")
    labour: str = Field(description="labour input column (free input), e.g. employees")
    capital: str = Field(description="capital stock column (state input)")
    intermediates: str | None = Field(
        None, description="intermediate inputs column: the LP/ACF proxy (gross output: an input)"
    )
    investment: str | None = Field(None, description="investment column: the OP proxy")
    method: Literal["acf", "op", "lp"] = Field("acf", description="estimator of log TFP")
    form: Literal["cobb_douglas", "translog"] = Field("cobb_douglas", description="technology")
    value_added: bool = Field(True, description="output is value added (else gross output)")


class Analysis(_Strict):
    """Analysis choices fixed in advance (pre-specification)."""

    primary_outcome: str = Field(
        "log_sales", description="outcome the report leads with (panel column or declared)"
    )
    secondary_outcomes: tuple[str, ...] = Field((), description="further outcomes")
    primary_estimator: Literal["cs", "twfe", "sunab", "imputation"] = Field(
        "cs", description="estimator of the headline effect"
    )
    cluster: str | None = Field(
        None,
        description="inference cluster column; absent or missing in the data -> firm",
    )
    base_year: int | None = Field(
        None, description="price base year (ignored without a price index)"
    )
    first_year: int | None = Field(None, description="first panel year (default: the data's)")
    last_year: int | None = Field(None, description="last panel year (default: the data's)")
    baseline_year: int | None = Field(
        None, description="baseline year (default: the year before the earliest cohort)"
    )
    endline_year: int | None = Field(
        None,
        description="end-line year (default: the last year of program.period inside the "
        "panel, else last_year)",
    )
    covariates: tuple[str, ...] = Field(
        (), description="baseline covariates of the conditional parallel-trends assumption"
    )
    index_outcomes: tuple[str, ...] = Field(
        (),
        description="outcomes combined in the summary index of the multiple-testing page "
        "(default: the primary and secondary outcomes)",
    )
    min_cell: int = Field(5, ge=1, description="published cells with fewer firms are suppressed")
    seed: int = Field(20160601, description="seed of every random draw")
    bootstrap_reps: int = Field(9999, ge=99, description="wild cluster bootstrap draws")
    alpha: float = Field(0.05, gt=0, lt=0.5, description="1 - confidence level")
    production: Production | None = Field(
        None, description="production function of the log-TFP outcome (absent: no TFP page)"
    )

    @model_validator(mode="after")
    def _years_ordered(self) -> Analysis:
        if self.first_year is not None and self.last_year is not None:
            if self.first_year >= self.last_year:
                raise ValueError(
                    f"analysis.first_year ({self.first_year}) must be before "
                    f"analysis.last_year ({self.last_year})"
                )
        return self

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The primary outcome, then the secondary ones (no repeats)."""
        return tuple(dict.fromkeys((self.primary_outcome, *self.secondary_outcomes)))


class Winsorize(_Strict):
    """Quantiles at which ``prepare`` winsorizes the productivity outcomes (``*_w`` columns).

    ``lower = 0`` and ``upper = 1`` switch the treatment off (the ``*_w`` columns then equal
    the originals and ``winsorized`` is 0 everywhere).
    """

    lower: float = Field(0.01, ge=0.0, lt=0.5, description="lower quantile")
    upper: float = Field(0.99, gt=0.5, le=1.0, description="upper quantile")


class Preparation(_Strict):
    """Choices of ``evaluation prepare`` that change the processed values."""

    winsorize: Winsorize = Field(Winsorize(), description="outlier treatment")


class Domain(_Strict):
    """The legal values of the raw data. ``None`` (the default) accepts any value.

    The default programme's lists live in ``config/evaluation.yml``; another programme sets
    its own (or none) in ``config/local.yml``.
    """

    countries: tuple[str, ...] | None = Field(None, description="legal country codes")
    currencies: dict[str, str] = Field(
        default_factory=dict, description="country -> local currency code (for labels)"
    )
    sectors: tuple[str, ...] | None = Field(None, description="legal sector codes")
    link_types: tuple[str, ...] | None = Field(None, description="legal kinds of business link")
    min_year: int = Field(1900, description="earliest plausible year in any table")
    max_year: int = Field(2100, description="latest plausible year in any table")


class LogframeTarget(_Strict):
    """One row of the programme's results framework (see ``evaluation.analysis.indicators``)."""

    id: str = Field(description="short identifier of the target")
    indicator: Text = Field(description="the indicator as the logframe words it")
    definition: Text = Field(description="how it is measured")
    baseline: float | None = Field(None, description="value at baseline")
    target: float | None = Field(None, description="value the programme promised")
    threshold: float | None = Field(None, description="a share the measure compares against")
    evidence: Literal["count", "effect", "not_measurable"] = Field(
        description="count (descriptive), effect (needs a causal estimate) or not_measurable"
    )
    measure: str = Field(description="function of evaluation.analysis.indicators that computes it")


Criterion = Literal[
    "relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability"
]


class Question(_Strict):
    """An evaluation question of the final report."""

    id: str = Field(description="short identifier")
    text: Text = Field(description="the question")
    criterion: Criterion | None = Field(None, description="OECD-DAC criterion it answers")
    outcomes: tuple[str, ...] = Field((), description="outcomes that answer it")


class Costs(_Strict):
    """What the programme cost, for cost-effectiveness (``evaluation.analysis.cost_effectiveness``).

    Give the programme's ``total`` and/or a ``table`` of costs by ``level`` (``cluster``: one
    row per cluster with ``cluster_id`` and ``amount``; ``firm``: one row per supported firm
    with ``firm_id`` and ``amount``). With a table and no total, the total is the table's sum;
    with both, the total counts (it may include overheads the table does not) and the table
    says where the money went. Amounts are in ``currency`` at ``year`` prices; say in ``note``
    what they include and where they come from (the page shows it).
    """

    total: float | None = Field(None, gt=0, description="total cost of the support, in currency")
    currency: str = Field(description="currency code of the amounts, e.g. USD")
    year: int | None = Field(None, description="price year of the amounts")
    level: Literal["programme", "cluster", "firm"] = Field(
        "programme", description="programme (a total), cluster or firm (a table of amounts)"
    )
    table: Path | None = Field(
        None,
        description="CSV with an id column (cluster_id or firm_id, per level) and amount; "
        "relative to the repository root unless absolute",
    )
    note: Text | None = Field(
        None, description="source and coverage of the costs, shown on the page"
    )

    @model_validator(mode="after")
    def _complete(self) -> Costs:
        if self.total is None and self.table is None:
            raise ValueError("program.costs: give a total, a table of costs, or both")
        if self.level == "programme" and self.table is not None:
            raise ValueError("program.costs: a table needs level: cluster or level: firm")
        if self.level != "programme" and self.table is None:
            raise ValueError(f"program.costs: level {self.level} needs a table of costs")
        return self


class Program(_Strict):
    """The programme evaluated. Only ``name`` is required; absent facts are left off pages."""

    name: str = Field(description="programme name (titles, bundle names)")
    title: Text | None = Field(None, description="long title on the report cover")
    description: Text | None = Field(None, description="one paragraph on what it did")
    donor: str | None = Field(None, description="funder")
    implementer: str | None = Field(None, description="lead implementer(s)")
    countries: tuple[str, ...] = Field((), description="countries, as named on the pages")
    period: tuple[int, int] | None = Field(None, description="years of support [first, last]")
    logframe: tuple[LogframeTarget, ...] = Field((), description="results framework targets")
    questions: tuple[Question, ...] = Field((), description="evaluation questions")
    costs: Costs | None = Field(None, description="programme costs (cost-effectiveness page)")

    @field_validator("name")
    @classmethod
    def _name_present(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("program.name must not be empty")
        return value.strip()

    @property
    def slug(self) -> str:
        """A file-name form of the name (bundle names, pseudonym label)."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return slug or "programme"


class Settings(_Strict):
    """Everything a command needs: paths, analysis choices, domain, programme, outcomes."""

    root: Path
    paths: Paths = Paths()
    analysis: Analysis = Analysis()
    preparation: Preparation = Preparation()
    domain: Domain = Domain()
    program: Program = Program(name="Programme")
    outcomes: dict[str, Outcome] = Field(
        default_factory=dict, description="declared outcomes: name -> {expr, label, kind}"
    )

    @field_validator("outcomes")
    @classmethod
    def _outcome_names(cls, value: dict[str, Outcome]) -> dict[str, Outcome]:
        for name in value:
            if not _NAME.match(name):
                raise ValueError(
                    f"outcomes.{name}: an outcome name must be a plain identifier "
                    "(letters, digits, underscores)"
                )
        return value

    def path(self, name: str) -> Path:
        """An absolute data location by name (``raw``, ``processed``, ``reports``)."""
        value = getattr(self.paths, name)
        return value if value.is_absolute() else self.root / value

    def mapping_path(self) -> Path | None:
        """The configured column mapping, absolute (None when there is none)."""
        value = self.paths.column_mapping
        if value is None:
            return None
        return value if value.is_absolute() else self.root / value


# --------------------------------------------------------------------------- years
@dataclass(frozen=True)
class Years:
    """The years every page uses, resolved once by :func:`resolve_years`.

    ``first``/``last``: the analysis panel; ``baseline``: the last pre-programme year;
    ``endline``: the year outcomes are compared at; ``base``: the price base year (None
    without a price index).
    """

    first: int
    last: int
    baseline: int
    endline: int
    base: int | None

    def as_dict(self) -> dict[str, int | None]:
        return {
            "first_year": self.first,
            "last_year": self.last,
            "baseline_year": self.baseline,
            "endline_year": self.endline,
            "base_year": self.base,
        }


def resolve_years(
    analysis: Analysis,
    data_years: Iterable[int],
    cohorts: Iterable[int] = (),
    *,
    has_prices: bool = False,
    period: tuple[int, int] | None = None,
) -> Years:
    """Panel span, baseline and end line from config, falling back on the data.

    ``first_year``/``last_year`` default to the observed span; ``baseline_year`` to the year
    before the earliest cohort inside the span (the first year when nobody is treated);
    ``endline_year`` to the last year of the programme's ``period`` when that lies inside the
    span, else ``last_year``. ``base_year`` only matters with a price index.
    """
    years = sorted({int(y) for y in data_years})
    if not years and (analysis.first_year is None or analysis.last_year is None):
        raise ValueError("resolve_years: the data hold no years and config sets none")
    first = analysis.first_year if analysis.first_year is not None else years[0]
    last = analysis.last_year if analysis.last_year is not None else years[-1]
    treated = sorted(int(c) for c in cohorts if c and first < int(c) <= last)
    if analysis.baseline_year is not None:
        baseline = analysis.baseline_year
    else:
        baseline = treated[0] - 1 if treated else first
    if analysis.endline_year is not None:
        endline = analysis.endline_year
    elif period is not None and first < period[1] <= last:
        endline = int(period[1])
    else:
        endline = last
    base = analysis.base_year if has_prices else None
    return Years(first=first, last=last, baseline=baseline, endline=endline, base=base)


# --------------------------------------------------------------------------- loading
REPLACED_WHOLE = ("program", "outcomes", "domain")  # local.yml replaces these, never merges
# Facts of the versioned (default) programme's data, dropped when local.yml describes another
# programme (has a ``program`` block): its own values or the neutral code defaults apply.
PROGRAMME_SPECIFIC = {
    "program": None,
    "outcomes": None,
    "domain": None,
    "analysis": (
        "primary_outcome", "secondary_outcomes", "cluster", "covariates", "index_outcomes",
        "first_year",
        "last_year", "base_year", "baseline_year", "endline_year",
        "production",  # column names of the default data
    ),
    "paths": ("narrative",),  # the default programme's report text
}  # fmt: skip


def _drop_programme(data: dict) -> dict:
    """The versioned settings without the default programme's facts (see PROGRAMME_SPECIFIC)."""
    out = dict(data)
    for block, keys in PROGRAMME_SPECIFIC.items():
        if keys is None:
            out.pop(block, None)
        elif isinstance(out.get(block), dict):
            out[block] = {k: v for k, v in out[block].items() if k not in keys}
    return out


def _merge(base: dict, override: dict, *, top: bool = True) -> dict:
    out = dict(base)
    for key, value in override.items():
        whole = top and key in REPLACED_WHOLE
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not whole:
            out[key] = _merge(out[key], value, top=False)
        else:
            out[key] = value
    return out


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested settings as ``{"dotted.key": value}`` (lists and empty mappings are values)."""
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


ENVIRONMENT = {
    "EVALUATION_RAW": "paths.raw",
    "EVALUATION_PROCESSED": "paths.processed",
    "EVALUATION_REPORTS": "paths.reports",
}


class ConfigError(ValueError):
    """A configuration file cannot be read or holds an invalid value (the message says where)."""


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read as YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return data


def load_layers(
    config: Path | str | None = None, *, root: Path | None = None
) -> tuple[Path, dict, dict[str, str]]:
    """The merged configuration dictionary and, per dotted key, where its value came from.

    Layers, later winning: ``config/evaluation.yml`` (or ``config``), ``config/local.yml``
    (only without an explicit ``config``), the environment (``EVALUATION_RAW``,
    ``EVALUATION_PROCESSED``, ``EVALUATION_REPORTS``).
    """
    root = (root or find_root()).resolve()
    # EVALUATION_CONFIG: the runner hands a command's --config file on to its kernels
    config = config or os.environ.get("EVALUATION_CONFIG") or None
    main = Path(config) if config else root / "config" / "evaluation.yml"
    data: dict = {}
    sources: dict[str, str] = {}
    if main.is_file():
        data = _read_yaml(main)
        sources.update(dict.fromkeys(flatten(data), main.name))
    elif config is not None:
        raise ConfigError(f"{main}: settings file not found")
    local = root / "config" / "local.yml"
    if config is None and local.is_file():
        over = _read_yaml(local)
        if "program" in over:  # another programme: none of the default one's facts apply
            data = _drop_programme(data)
            sources = {k: v for k, v in sources.items() if k in flatten(data)}
        for key in REPLACED_WHOLE:
            if key in over:
                sources = {k: v for k, v in sources.items() if not k.startswith(key + ".")}
        data = _merge(data, over)
        sources.update(dict.fromkeys(flatten(over), "local.yml"))
    paths = dict(data.get("paths") or {})
    for env, dotted in ENVIRONMENT.items():
        if os.environ.get(env):
            paths[dotted.split(".")[1]] = os.environ[env]
            sources[dotted] = f"environment {env}"
    data["paths"] = paths
    return root, data, sources


def load_settings(config: Path | str | None = None, *, root: Path | None = None) -> Settings:
    """Read ``config/evaluation.yml`` (or ``config``), then ``config/local.yml`` over it.

    ``EVALUATION_RAW``, ``EVALUATION_PROCESSED`` and ``EVALUATION_REPORTS`` override the data
    locations, so a confidential data set can stay outside the repository without editing
    versioned files. An invalid value raises :class:`ConfigError` naming the key.
    """
    from pydantic import ValidationError

    root, data, sources = load_layers(config, root=root)
    try:
        return Settings(root=root, **data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            where = sources.get(key) or next(
                (v for k, v in sources.items() if k.startswith(key + ".")), "defaults"
            )
            problems.append(f"{key} ({where}): {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
