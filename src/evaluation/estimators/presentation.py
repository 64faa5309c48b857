"""Tables and plots of several results side by side: :func:`etable` and :func:`coefplot`.

They format what the results hold (tidy tables, inference labels); they never estimate.
Stars follow the usual economics convention (``*`` p < 0.10, ``**`` p < 0.05, ``***``
p < 0.01, as fixest's ``etable``); standard errors are shown in parentheses under each
estimate. Plots are bare matplotlib ``Figure`` objects (no pyplot global state), safe in
loops, scripts and notebooks.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators.results import EstimationResult

__all__ = ["coefplot", "etable"]

STARS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
FORMATS = ("df", "html", "latex", "md")


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return next((mark for level, mark in STARS if p < level), "")


def _column_names(results: Sequence[EstimationResult], labels: Sequence[str] | None) -> list[str]:
    if labels is not None:
        if len(labels) != len(results):
            raise ValueError(f"etable: {len(labels)} labels for {len(results)} results")
        return list(labels)
    return [f"({i + 1}) {r.outcome or r.estimator}" for i, r in enumerate(results)]


#: The rows under the estimates, in order, with their default (English) labels.
FOOT = {
    "outcome": "Outcome",
    "estimator": "Estimator",
    "nobs": "Observations",
    "inference": "Inference",
    "clusters": "Clusters",
}
NOTE = "* p < 0.10, ** p < 0.05, *** p < 0.01; standard errors in parentheses"


def _rows(
    results: Sequence[EstimationResult], terms: Sequence[str] | None, rename: Mapping[str, str]
) -> list[str]:
    """The displayed rows: ``terms`` (or every term, in order of appearance) renamed; terms
    renamed alike share one row (e.g. each estimator's treatment term as "Effect")."""
    if terms is None:
        terms = list(dict.fromkeys(t for r in results for t in map(str, r.table["term"])))
    return list(dict.fromkeys(rename.get(t, t) for t in terms))


def etable(
    *results: EstimationResult,
    type: str = "df",  # noqa: A002 - pyfixest's argument name
    digits: int = 3,
    labels: Sequence[str] | None = None,
    terms: Sequence[str] | None = None,
    rename: Mapping[str, str] | None = None,
    foot: Mapping[str, str] | None = None,
    number_format: Callable[[float], str] | None = None,
    count_format: Callable[[int], str] | None = None,
    note: str | None = None,
) -> pd.DataFrame | str:
    """One column per result: estimates with stars, standard errors below, then the
    outcome, estimator, observations, inference and clusters.

    Parameters
    ----------
    results : fitted results (any estimator of this package).
    type : ``"df"`` (a DataFrame), ``"html"``, ``"latex"`` or ``"md"`` (Markdown) text.
    digits : decimals of estimates and standard errors (ignored with ``number_format``).
    labels : column headers (default ``"(1) outcome"``...).
    terms : the terms to show, in order (default every term, in order of appearance).
    rename : display names of terms (pyfixest's ``labels``); terms given the same name share
        a row, so that estimators whose effect has different term names line up.
    foot : the rows under the estimates and their labels, keyed by ``outcome``,
        ``estimator``, ``nobs``, ``inference``, ``clusters`` (default all, in English); a
        report passes its own language's labels and leaves out what it states elsewhere.
    number_format, count_format : how estimates (and standard errors) and observation counts
        are written (default ``digits`` decimals and ``1,234``); a report passes its
        language's formats.
    note : the footnote of the text formats (default the stars convention in English).

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation.estimators import etable, twfe
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> d["post"] = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
    >>> a = twfe(d, "lemp", "countyreal", "year", "post")
    >>> b = twfe(d, "lemp", "countyreal", "year", "post", covariates="lpop", vcov="hetero")
    >>> etable(a, b).loc["post"].tolist()
    ['-0.037***', '-0.037***']
    """
    if not results:
        raise ValueError("etable: give at least one result")
    if type not in FORMATS:
        raise ValueError(f"etable: type must be one of {FORMATS} (got {type!r})")
    unknown = sorted(set(foot or {}) - set(FOOT))
    if unknown:
        raise ValueError(f"etable: unknown foot rows {unknown}; expected some of {list(FOOT)}")
    names = _column_names(results, labels)
    rename = {str(k): str(v) for k, v in (rename or {}).items()}
    number = number_format or (lambda v: f"{v:.{digits}f}")
    count = count_format or (lambda n: f"{n:,}")
    rows: dict[str, list[str]] = {}
    for shown in _rows(results, terms, rename):
        est, se = [], []
        for r in results:
            tab = r.table.assign(term=r.table["term"].astype(str))
            hit = tab[[rename.get(t, t) == shown for t in tab["term"]]]
            if terms is not None:
                hit = hit[hit["term"].isin(list(terms))]
            if len(hit):
                row = hit.iloc[0]
                est.append(f"{number(float(row['estimate']))}{_stars(float(row['p_value']))}")
                se.append(f"({number(float(row['std_error']))})")
            else:
                est += [""]
                se += [""]
        rows[shown] = est
        rows[f"{shown} "] = se  # the standard-error line under the estimate
    values = {
        "outcome": [r.outcome for r in results],
        "estimator": [r.estimator for r in results],
        "nobs": [count(int(r.nobs)) for r in results],
        "inference": [r.vcov_type for r in results],
        "clusters": ["" if r.n_clusters is None else count(int(r.n_clusters)) for r in results],
    }
    shown_foot = dict(FOOT) if foot is None else dict(foot)
    rows.update({label: values[key] for key, label in shown_foot.items()})
    frame = pd.DataFrame(rows, index=names).T
    frame.index.name = None
    if type == "df":
        return frame
    note = NOTE if note is None else note
    if type == "html":
        return frame.to_html(border=0) + f"<p><small>{html.escape(note)}</small></p>"
    if type == "latex":
        return frame.to_latex() + f"% {note}\n"
    return frame.to_markdown() + f"\n\n{note}\n"


def _x_positions(results: Sequence[EstimationResult], terms: list[str]) -> tuple[Any, bool]:
    """Event times when every result has them (an event-study plot), else term positions."""
    if all("event_time" in r.table.columns for r in results):
        return None, True
    return {t: i for i, t in enumerate(terms)}, False


def coefplot(
    *results: EstimationResult,
    labels: Sequence[str] | None = None,
    terms: Sequence[str] | None = None,
    ax: Any = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    colors: Sequence[str] | None = None,
    markers: Sequence[str] | None = None,
    line: float | Mapping[float, float] | pd.Series | None = None,
    line_label: str | None = None,
    line_color: str = "black",
    reference_label: str | None = None,
    number_format: Callable[[float], str] | None = None,
    legend_below: bool = False,
) -> Any:
    """Estimates with their confidence intervals, one colour per result; returns the Figure.

    Results with an ``event_time`` column are drawn against event time (integer ticks), with
    the reference period (``ref_period`` of an event study, default -1) marked by a hollow
    point at zero (beside the result's other points) and a dashed line before adoption;
    other results are drawn term by term.

    Every text and colour can come from the caller, so that a report draws this figure in
    its own language and palette (this module imports no reporting code):

    - ``labels``: the legend entry of each result; ``xlabel`` / ``ylabel``: the axis labels
      (default English descriptions); ``title``;
    - ``colors``: one colour per result (default matplotlib's cycle ``C0, C1, ...``);
      ``markers``: one marker per result (default ``"o"``), so that a grey print still
      tells the series apart;
    - ``line``: a number (a horizontal line, e.g. a known effect) or a mapping x -> value
      (a dashed curve, e.g. simulated true effects by event time), in ``line_color``, with
      the legend entry ``line_label``;
    - ``reference_label``: the legend entry of the hollow reference-period point (default
      none: the default x label explains it);
    - ``number_format``: the y tick labels (e.g. a decimal comma); ``legend_below``: the
      legend under the axes instead of inside them, where it can hide points.

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation.estimators import coefplot, event_study
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> es = event_study(d, "lemp", "countyreal", "year", "first.treat", method="sunab")
    >>> fig = coefplot(es)
    >>> type(fig).__name__, len(fig.axes)
    ('Figure', 1)
    """
    if not results:
        raise ValueError("coefplot: give at least one result")
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 4), layout="constrained")
        ax = fig.subplots()
    else:
        fig = ax.figure
    names = labels if labels is not None else [r.outcome or r.estimator for r in results]
    for what, given in (("label", names), ("colour", colors), ("marker", markers)):
        if given is not None and len(given) < len(results):
            raise ValueError(f"coefplot: {len(results)} result(s) but {len(given)} {what}(s)")
    if labels is not None and len(labels) != len(results):
        raise ValueError(f"coefplot: {len(results)} result(s) but {len(labels)} label(s)")
    order = list(terms) if terms is not None else []
    if terms is None:
        for r in results:
            order += [t for t in map(str, r.table["term"]) if t not in order]
    pos, by_event = _x_positions(results, order)
    width = 0.6 / max(len(results), 1)
    marked_reference = False
    for i, (r, name) in enumerate(zip(results, names, strict=True)):
        shift = (i - (len(results) - 1) / 2) * width
        color = f"C{i}" if colors is None else colors[i]
        marker = "o" if markers is None else markers[i]
        _draw_result(ax, r, str(name), order, pos, by_event, shift, color, marker)
        ref = getattr(r, "ref_period", -1) if by_event else None
        tab = r.table
        if ref is not None and ref not in set(tab["event_time"].dropna().astype(float)):
            first = reference_label is not None and not marked_reference
            ax.plot([ref + shift], [0.0], "o", mfc="white", color=color,
                    label=reference_label if first else None)  # fmt: skip
            marked_reference = True
    if line is not None:
        _draw_line(ax, line, line_label, line_color)
    _finish_axes(ax, order, by_event, xlabel, ylabel, number_format)
    if len(results) > 1 or line_label is not None or reference_label is not None:
        if legend_below:
            ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
        else:
            ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return fig


def _draw_result(
    ax: Any,
    r: EstimationResult,
    name: str,
    order: list[str],
    pos: dict[str, int] | None,
    by_event: bool,
    shift: float,
    color: str,
    marker: str,
) -> None:
    """One result's estimates (points) and confidence intervals (vertical lines)."""
    tab = r.table.assign(term=r.table["term"].astype(str))
    tab = tab[tab["term"].isin(order)]
    if by_event:
        tab = tab[tab["event_time"].notna()]
        x = tab["event_time"].to_numpy(float)
    else:
        assert pos is not None
        x = np.array([pos[t] for t in tab["term"]], dtype=float)
    x = x + shift
    ax.vlines(x, tab["conf_low"], tab["conf_high"], color=color, lw=1.5)
    ax.plot(x, tab["estimate"], marker, color=color, ls="none", label=name)


def _draw_line(
    ax: Any, line: float | Mapping[float, float] | pd.Series, label: str | None, color: str
) -> None:
    """A known value: a horizontal line, or a dashed curve by event time."""
    if isinstance(line, Mapping | pd.Series):
        curve = pd.Series(line, dtype=float).sort_index()
        ax.plot(curve.index.to_numpy(float), curve.to_numpy(float), color=color,
                ls="--", lw=1.2, marker="_", ms=12, label=label)  # fmt: skip
    else:
        ax.axhline(float(line), color=color, ls="--", lw=1.2, label=label)


def _finish_axes(
    ax: Any,
    order: list[str],
    by_event: bool,
    xlabel: str | None,
    ylabel: str | None,
    number_format: Callable[[float], str] | None,
) -> None:
    """Zero line, adoption line, ticks and axis labels."""
    ax.axhline(0.0, color="0.4", lw=0.8)
    if by_event:
        from matplotlib.ticker import MaxNLocator

        ax.axvline(-0.5, color="0.6", lw=0.8, ls="--")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(
            xlabel
            if xlabel is not None
            else "event time (periods since adoption); hollow point: reference period"
        )
    else:
        ax.set_xticks(range(len(order)), order, rotation=30, ha="right")
        if xlabel is not None:
            ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel if ylabel is not None else "estimate and confidence interval")
    if number_format is not None:
        from matplotlib.ticker import FuncFormatter

        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number_format(v)))
