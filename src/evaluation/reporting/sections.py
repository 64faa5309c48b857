"""Building blocks of the report pages: narrative output and descriptive tables.

Notebooks stay thin (load, one or two calls, narrative): what they would otherwise compute
twice lives here. Everything returns aggregated tables with the number of firms behind each
statistic, ready for :func:`evaluation.reporting.tables.publish_table`; nothing here returns
firm-level rows. Narrative is printed through :func:`say`/:func:`heading`, which take message
ids of the catalogue, so a page reads the same in English and Spanish.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.reporting.translations import has_message, t, variable_label

UNIT = "firm_id"
# Money variables screened for extreme values (on the log scale, within country).
SCREENED = ("sales_usd", "intermediate_inputs_usd", "value_added_usd", "employees",
            "capital_stock_usd", "labor_productivity")  # fmt: skip
# Variables whose missingness among responding firm-years is reported.
REPORTED = ("sales_usd", "intermediate_inputs_usd", "employees", "wage_bill_usd",
            "capital_stock_usd", "exports_usd", "linkages", "log_labor_productivity")  # fmt: skip


# --- narrative -----------------------------------------------------------------------
def _display(obj) -> None:
    try:
        from IPython.display import display

        display(obj)
    except ImportError:  # outside IPython (scripts, tests): print the text
        print(getattr(obj, "data", obj))


class Trusted(str):
    """Text our own code formatted on purpose (e.g. Markdown emphasis): :func:`escape` keeps it.

    Only code may wrap a value in it, never data: a value from the data, the configuration, a
    path or an exception is plain text and is escaped.
    """


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\u2028\u2029]+")


def escape(value: object) -> str:
    """A value as inert Markdown/HTML text ("text is text").

    HTML-special characters become entities (``<`` -> ``&lt;``), so no tag or attribute of a
    value reaches the page; Markdown-special ones (``* _ [ ] ` | ~ # ! \\``) are
    backslash-escaped (CommonMark), so a value cannot open a link, an image or emphasis; line
    breaks become spaces, so it cannot start a heading, a list or a table. :class:`Trusted`
    text (our own formatting) passes unchanged.
    """
    if isinstance(value, Trusted):
        return str(value)
    text = _LINE_BREAKS.sub(" ", str(value))
    text = html.escape(text, quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown(key: str, language: str, /, **values) -> str:
    """Catalogue text ``key`` (our own Markdown) with every value escaped (:func:`escape`)."""
    return t(key, language, **{name: escape(value) for name, value in values.items()})


def say(key: str, language: str, /, **values) -> None:
    """Display one catalogue sentence as Markdown; the values are escaped (:func:`escape`)."""
    from IPython.display import Markdown

    _display(Markdown(markdown(key, language, **values)))


def heading(key: str, language: str, /, level: int = 2, **values) -> None:
    """Display a catalogue heading (``##`` by default); HTML pages build their contents from it.

    ``values`` fill the heading's placeholders, escaped like :func:`say`'s.
    """
    from IPython.display import Markdown

    _display(Markdown(f"{'#' * level} {markdown(key, language, **values)}"))


def show(obj) -> None:
    """Display a table, or a figure as an embedded PNG.

    Figures are built without pyplot (no global state), so IPython has no formatter for them:
    they are rendered here, at a fixed resolution and without a software stamp, so the page
    is the same on every run.
    """
    from matplotlib.figure import Figure

    if isinstance(obj, Figure):
        import io

        from IPython.display import Image

        buffer = io.BytesIO()
        obj.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        _display(Image(data=buffer.getvalue(), format="png"))
        return
    _display(obj)


def resolve(path: str | Path) -> Path:
    """A parameter path: absolute as given, relative ones against the repository root."""
    from evaluation.config import find_root

    path = Path(path)
    return path if path.is_absolute() else find_root() / path


def cluster_name(cluster: str, language: str) -> str:
    """The inference cluster in words (``stratum`` -> "stratum"/"estrato")."""
    key = f"cluster.{cluster}"
    return t(key, language) if has_message(key) else cluster


def inline(label: str) -> str:
    """A label used inside a sentence: first letter lower-cased unless it starts an acronym."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def sample_label(sample: str, language: str) -> str:
    """A sample name in words ("women-led firms"); other samples as given."""
    key = f"sample.{sample}"
    return t(key, language) if has_message(key) else sample


def group_label(participant: int | bool, language: str) -> str:
    return t("common.participants" if participant else "common.comparison", language)


def cohort_label(cohort: int, language: str) -> str:
    if not cohort:
        return t("common.comparison", language)
    return f"{t('common.cohort', language)} {int(cohort)}"


# --- the specification that ran (estimation pages) ------------------------------------
def outcome_label(name: str, language: str, ctx=None) -> str:
    """An outcome's report label: a declared outcome's own label (``outcomes.<name>.label``
    in config, via the study context), else :func:`variable_label`."""
    if ctx is not None:
        label = ctx.outcome(name).label
        if label and label.get(language):
            return str(label[language])
    return variable_label(name, language)


def covariates_text(covariates: str | Sequence[str], language: str, ctx=None) -> str:
    """Covariates as words ("sector" and declared labels translated); none -> "no covariates"."""
    names = (
        [c.strip() for c in covariates.split(",")] if isinstance(covariates, str) else covariates
    )
    names = [c for c in names if c]
    if not names:
        return t("spec.covariates.none", language)
    return ", ".join(
        t("spec.covariate.sector", language) if c == "sector" else outcome_label(c, language, ctx)
        for c in names
    )


def spec_text(spec: dict, estimator: str, nobs: int, sample: str, language: str, ctx=None) -> str:
    """One sentence stating what ran: estimator, comparison group, covariates actually used,
    cluster variable and its number of clusters, sample and its size (``Effect.spec``)."""
    control = spec.get("control_group", "") or ""
    return markdown(
        "spec.ran",
        language,
        estimator=estimator,
        control=t(f"spec.control.{control}", language),
        covariates=t("spec.covariates.none", language)
        if not spec.get("covariates")
        else t(
            "spec.covariates.some",
            language,
            covariates=covariates_text(spec["covariates"], language, ctx),
        ),
        cluster=cluster_name(spec.get("cluster", UNIT), language),
        n_clusters=int(spec.get("n_clusters") or 0),
        sample=sample_label(sample, language),
        nobs=int(nobs),
    )


def conditioning_text(covariates: Sequence[str], sectors: bool, language: str, ctx=None) -> str:
    """The conditioning of the estimators as it ran (replaces a fixed "sector and size" note):
    sector-by-year effects only with a sector, one trend per covariate actually used."""
    if not covariates and not sectors:
        return t("spec.unconditional", language)
    controls = [t("spec.sector_year", language)] if sectors else []
    controls += [
        t("spec.trend_in", language, covariate=outcome_label(c, language, ctx)) for c in covariates
    ]
    cs = [outcome_label(c, language, ctx) for c in covariates]
    cs += [t("spec.sector_indicators", language)] if sectors else []
    return t(
        "spec.conditional",
        language,
        controls=", ".join(controls),
        cs_controls=", ".join(cs),
    )


def context_notes(ctx, language: str, *, money: bool = False) -> list[str]:
    """Notes every page reporting inference carries: the cluster fallback (the configured
    cluster is not in the data, so firms are the clusters), configured covariates that are
    absent, and with ``money`` the nominal-money caveat."""
    notes = []
    if ctx.cluster_fallback and ctx.settings.analysis.cluster:
        notes.append(
            t(
                "cluster.fallback",
                language,
                requested=ctx.settings.analysis.cluster,
                n_clusters=ctx.n_clusters,
            )
        )
    if ctx.covariates_dropped:
        notes.append(
            t(
                "sample.covariates_dropped",
                language,
                covariates=covariates_text(list(ctx.covariates_dropped), language, ctx),
            )
        )
    if money and ctx.money == "nominal":
        notes.append(t("money.nominal", language))
    return notes


def exclusion_notes(data: pd.DataFrame, language: str, ctx=None) -> list[str]:
    """The firms an estimation sample left out, by reason (``data.attrs["excluded"]``)."""
    excluded = data.attrs.get("excluded", {}) if hasattr(data, "attrs") else {}
    notes = []
    if excluded.get("always_treated"):
        year = ctx.years.first if ctx is not None else int(data["year"].min())
        notes.append(
            t("sample.excluded.always_treated", language, n=excluded["always_treated"], year=year)
        )
    if excluded.get("missing_covariates"):
        notes.append(
            t(
                "sample.excluded.missing_covariates",
                language,
                n=excluded["missing_covariates"],
                covariates=covariates_text(list(ctx.covariates) if ctx else [], language, ctx),
            )
        )
    return notes


# --- data quality --------------------------------------------------------------------
def _observed(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())


def answered(panel: pd.DataFrame) -> pd.DataFrame:
    """Responding firm-years; without a ``responded`` indicator every firm-year present."""
    return panel[panel["responded"] == 1] if _observed(panel, "responded") else panel


def _participant(frame: pd.DataFrame) -> pd.Series:
    if _observed(frame, "participant"):
        return frame["participant"].fillna(0).astype(int)
    return (pd.to_numeric(frame["cohort"], errors="coerce").fillna(0) > 0).astype(int)


def composition(panel: pd.DataFrame, language: str) -> pd.DataFrame:
    """Counts describing the panel (firms, participants, clusters, firm-years, ...).

    Rows whose column the data do not hold (women-led flag, business clusters, strata,
    response indicator, value added) are left out rather than shown as zero.
    """
    firms = panel.drop_duplicates(UNIT)
    part = _participant(firms)
    cohort = pd.to_numeric(firms["cohort"], errors="coerce").fillna(0)
    rows = {
        "nb01.row.firms": len(firms),
        "nb01.row.participants": int(part.sum()),
        "nb01.row.comparison": int((part == 0).sum()),
    }
    if _observed(firms, "women_led"):
        rows["nb01.row.women_led"] = int(firms["women_led"].fillna(0).sum())
    if _observed(firms, "cluster_id"):
        rows["nb01.row.clusters"] = int(firms["cluster_id"].dropna().nunique())
    if _observed(firms, "stratum"):
        rows["nb01.row.strata"] = int(firms["stratum"].nunique())
    rows["nb01.row.cohorts"] = int(cohort[cohort > 0].nunique())
    rows["nb01.row.firm_years"] = len(panel)
    if _observed(panel, "responded"):
        rows["nb01.row.responding"] = int(panel["responded"].sum())
    if _observed(panel, "va_nonpositive"):
        rows["nb01.row.va_nonpositive"] = int(panel["va_nonpositive"].fillna(0).sum())
    frame = pd.DataFrame({t("common.value", language): list(rows.values())})
    frame.index = pd.Index([t(k, language) for k in rows], name=t("common.variable", language))
    return frame


def response_by_year(panel: pd.DataFrame, language: str) -> pd.DataFrame:
    """Firms in the panel and share responding, by year, for participants and comparison.

    Columns ``n_<group>`` (firms) and ``rate_<group>``; the rate rests on ``n_<group>`` firms.
    """
    out = {}
    for flag, name in ((1, "participants"), (0, "comparison")):
        sub = panel[panel["participant"] == flag]
        grouped = sub.groupby("year")
        out[f"n_{name}"] = grouped[UNIT].nunique()
        out[f"rate_{name}"] = grouped["responded"].mean()
    frame = pd.DataFrame(out)
    frame.index.name = t("common.year", language)
    return frame


def response_long(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The response table reshaped for :func:`figures.trend_figure` (suppressed rates as NaN)."""
    rows = []
    for name in ("participants", "comparison"):
        rows.append(
            pd.DataFrame(
                {
                    "year": table.index.to_numpy(),
                    "rate": table[f"rate_{name}"].to_numpy(dtype=float),
                    "group": t(f"common.{name}", language),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def missingness(
    panel: pd.DataFrame, language: str, variables: Sequence[str] = REPORTED
) -> pd.DataFrame:
    """Share of responding firm-years with each variable missing, by group, with firm counts.

    Variables the data do not hold at all are left out (they are not "missing" cells)."""
    responding = answered(panel).assign(participant=lambda f: _participant(f))
    rows = []
    for var in variables:
        if not _observed(panel, var):
            continue
        row = {}
        for flag, name in ((1, "participants"), (0, "comparison")):
            sub = responding[responding["participant"] == flag]
            row[f"n_{name}"] = sub[UNIT].nunique()
            row[f"missing_{name}"] = float(sub[var].isna().mean()) if len(sub) else np.nan
        rows.append(pd.Series(row, name=variable_label(var, language)))
    columns = ["n_participants", "missing_participants", "n_comparison", "missing_comparison"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.index.name = t("common.variable", language)
    for name in ("participants", "comparison"):
        frame[f"n_{name}"] = frame[f"n_{name}"].astype(int)
    return frame


def outliers(
    panel: pd.DataFrame,
    language: str,
    variables: Sequence[str] = SCREENED,
    k: float = 3.0,
) -> pd.DataFrame:
    """Firm-years (and firms) beyond ``k`` IQRs of the log variable's quartiles, by country.

    Tukey's fences on the log scale, within country (money is comparable within a country;
    scales differ between them). Columns ``firm_years_<country>`` and ``firms_<country>``:
    the number of extreme firm-years and of distinct firms with one; without a country column
    one group, ``all``.
    """
    responding = answered(panel)
    if _observed(responding, "country"):
        countries = sorted(responding["country"].dropna().unique())
    else:
        responding = responding.assign(country="all")
        countries = ["all"]
    rows = []
    for var in variables:
        if not _observed(panel, var):
            continue
        row = {}
        for country in countries:
            sub = responding[responding["country"] == country]
            values = sub[var].where(sub[var] > 0)
            logs = np.log(values.astype(float))
            q1, q3 = logs.quantile(0.25), logs.quantile(0.75)
            iqr = q3 - q1
            extreme = (logs < q1 - k * iqr) | (logs > q3 + k * iqr)
            row[f"firm_years_{country}"] = int(extreme.sum())
            row[f"firms_{country}"] = int(sub.loc[extreme, UNIT].nunique())
        rows.append(pd.Series(row, name=variable_label(var, language)))
    frame = pd.DataFrame(rows)
    frame.index.name = t("common.variable", language)
    return frame


# --- descriptives --------------------------------------------------------------------
def baseline(panel: pd.DataFrame, base_year: int | None = None) -> pd.DataFrame:
    """The last pre-program year's responding firm-years (one row per firm)."""
    if base_year is None:
        first = panel.loc[panel["cohort"] > 0, "cohort"]
        base_year = int(first.min()) - 1 if len(first) else int(panel["year"].min())
    rows = panel[(panel["year"] == base_year) & (panel["responded"] == 1)]
    return rows.drop_duplicates(UNIT)


def means_by_group(
    data: pd.DataFrame,
    variables: Sequence[str],
    by: Sequence[str],
    language: str,
) -> pd.DataFrame:
    """Means of ``variables`` by the groups ``by`` plus the participant split, with firm counts.

    One row per group; columns ``n_participants``, ``n_comparison`` and for each variable
    ``<var>|participants`` and ``<var>|comparison``. Each mean rests on the firms with a
    non-missing value, counted in ``n_<group>|<var>`` columns the suppression reads.
    """
    rows = []
    keys = list(by)
    groups = data.groupby(keys, dropna=False) if keys else [((), data)]
    for key, frame in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = " · ".join(
            level_label(col, val, language) for col, val in zip(keys, key, strict=True)
        )
        row: dict[str, float] = {}
        for flag, name in ((1, "participants"), (0, "comparison")):
            sub = frame[frame["participant"] == flag]
            row[f"n_{name}"] = sub[UNIT].nunique()
            for var in variables:
                valid = sub[[UNIT, var]].dropna()
                row[f"{var}|{name}"] = float(valid[var].mean()) if len(valid) else np.nan
                row[f"n|{var}|{name}"] = valid[UNIT].nunique()
        rows.append(pd.Series(row, name=label or t("common.all", language)))
    out = pd.DataFrame(rows)
    for column in out.columns:
        if column.startswith("n"):
            out[column] = out[column].astype(int)
    return out


def level_label(column: str, value, language: str) -> str:
    if column == "country":
        from evaluation.reporting.translations import country_name

        return country_name(value, language)
    if column == "women_led":
        return t("common.women_led" if value else "common.men_led", language)
    if column == "sector":
        return t(f"sector.{value}", language) if has_message(f"sector.{value}") else str(value)
    if column == "cohort":
        return cohort_label(value, language)
    if column == "participant":
        return group_label(value, language)
    return str(value)


def publish_means(
    means: pd.DataFrame,
    variables: Sequence[str],
    language: str,
    *,
    min_cell: int,
    caption: str = "",
    digits: int = 2,
):
    """Publish :func:`means_by_group` output: counts and means, small cells withheld."""
    from evaluation.reporting.tables import publish_table

    stat_counts = {
        f"{var}|{name}": f"n|{var}|{name}"
        for var in variables
        for name in ("participants", "comparison")
    }
    table = publish_table(
        means,
        count_columns={
            **stat_counts,
            "n_participants": "n_participants",
            "n_comparison": "n_comparison",
        },
        min_cell=min_cell,
        language=language,
        digits=digits,
        caption=caption,
    )
    shown = ["n_participants", "n_comparison", *stat_counts]
    table.frame = table.frame[shown]
    headings = {
        "n_participants": f"{t('common.n_firms', language)}: {t('common.participants', language).lower()}",
        "n_comparison": f"{t('common.n_firms', language)}: {t('common.comparison', language).lower()}",
    }
    for var in variables:
        for name in ("participants", "comparison"):
            headings[f"{var}|{name}"] = (
                f"{variable_label(var, language).split(' (')[0]}: "
                f"{t(f'common.{name}', language).lower()}"
            )
    # one column per group, one row per statistic: reads down like a codebook
    table.frame = table.frame.rename(columns=headings).T
    table.frame.index.name = t("common.variable", language)
    return table


def outcome_trend(
    panel: pd.DataFrame, outcome: str, language: str, *, min_cell: int
) -> pd.DataFrame:
    """Mean outcome by year for comparison firms and each cohort; means of < ``min_cell`` firms NaN."""
    data = panel[(panel["responded"] == 1) & panel[outcome].notna()]
    grouped = data.groupby(["cohort", "year"])
    frame = pd.DataFrame(
        {"mean": grouped[outcome].mean(), "firms": grouped[UNIT].nunique()}
    ).reset_index()
    frame.loc[frame["firms"] < min_cell, "mean"] = np.nan
    frame["group"] = [cohort_label(c, language) for c in frame["cohort"]]
    return frame


def not_available(key: str, language: str, /, **values) -> None:
    """Say on the page that an analysis was not run and why (a ``missing.*`` message).

    A page whose data lack what an analysis needs renders this note instead of failing: the
    job succeeds and the reader learns what is missing and what would enable it. Values are
    escaped like :func:`say`'s.
    """
    from IPython.display import Markdown

    note = f"> **{t('missing.heading', language)}:** {markdown(key, language, **values)}"
    _display(Markdown(note))
