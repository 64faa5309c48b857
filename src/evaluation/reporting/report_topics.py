"""The final report's sections on issue 14's analyses, read from the run's recorded estimates.

One section each -- total factor productivity, dose-response, spillovers, the distribution of
effects, cost-effectiveness -- with one figure and one finding sentence generated from the
recorded numbers, or a one-line "not available: what would enable it" when the run recorded
no rows. The rows are found by their recorded ``estimator`` (the pages' contract):

* ``production_acf`` / ``production_op`` / ``production_lp`` (terms: input elasticities) and
  the overall effect on outcome ``log_tfp`` (Ackerberg, Caves and Frazer 2015; Olley and Pakes
  1996; Levinsohn and Petrin 2003);
* ``continuous_did`` (``ATT(d=<x>)``, ``ACRT(d=<x>)``, ``ATT_overall``, ``ACRT_overall``) and
  ``continuous_did_binned`` (``bin=<lo>-<hi>``) (Callaway, Goodman-Bacon and Sant'Anna 2024);
* ``spillovers`` (``direct_effect``, ``exposure_effect``, ``placebo_exposure``);
* ``changes_in_changes`` (``q=0.10`` .. ``q=0.90``, ``cic_mean``; Athey and Imbens 2006) and
  the value ``share_above_baseline_median`` (``{group: {period: share}}``);
* ``cost_effectiveness`` (``cost_per_firm``, ``cost_per_outcome_unit``, ``cost_per_job``).

Terms are parsed defensively: a term that does not parse is left out, never guessed, and a
non-finite interval reads as unbounded. Formatting only: nothing is estimated here.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from evaluation.reporting.document import Figure, Ref, Text
from evaluation.reporting.translations import fmt_int, fmt_interval, fmt_number, fmt_percent

if TYPE_CHECKING:  # pragma: no cover
    from evaluation.reporting.report_builder import Builder

PRODUCTION = ("production_acf", "production_op", "production_lp")
TFP_OUTCOME = "log_tfp"
DOSE_TERM = re.compile(r"^(ATT|ACRT)\(d\s*=\s*([-+0-9.eE]+)\)$")
BIN_TERM = re.compile(r"^bin\s*=\s*(-?[0-9.eE+]+)\s*-\s*(-?[0-9.eE+]+)$")
QUANTILE_TERM = re.compile(r"^q\s*=\s*([0-9.]+)$")
COST_TERMS = ("cost_per_firm", "cost_per_outcome_unit", "cost_per_job")


def _num(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def rows_of(builder: Builder, estimators: tuple[str, ...] | str) -> pd.DataFrame:
    """The recorded rows of ``estimators`` (exact names), in recording order; empty if none."""
    frame = builder.run.estimates
    names = (estimators,) if isinstance(estimators, str) else estimators
    if frame is None or frame.empty or "estimator" not in frame.columns:
        return pd.DataFrame()
    hit = frame[frame["estimator"].astype(str).isin(names)]
    if "param_sample" in hit.columns:
        mine = hit[hit["param_sample"].fillna("all").astype(str) == "all"]
        hit = mine if not mine.empty else hit
    return hit


def first_per_term(rows: pd.DataFrame) -> dict[str, pd.Series]:
    """The first recorded row of each term (a page records its main fit first)."""
    out: dict[str, pd.Series] = {}
    for _, r in rows.iterrows():
        out.setdefault(str(r["term"]), r)
    return out


def _interval(builder: Builder, r: pd.Series, digits: int = 3) -> str:
    low, high = _num(r.get("conf_low")), _num(r.get("conf_high"))
    if low is None or high is None:
        return builder.m("doc.topic.unbounded")
    return fmt_interval(low, high, builder.lang, digits)


def _excludes_zero(r: pd.Series) -> int:
    """+1 when the interval lies above zero, -1 below, 0 when it covers zero or is missing."""
    low, high = _num(r.get("conf_low")), _num(r.get("conf_high"))
    if low is None or high is None:
        return 0
    return 1 if low > 0 else -1 if high < 0 else 0


def _errorbars(ax, xs, rows, colour, **kw) -> None:
    est = [float(r["estimate"]) for r in rows]
    low = [e - (_num(r.get("conf_low")) if _num(r.get("conf_low")) is not None else e)
           for e, r in zip(est, rows, strict=True)]  # fmt: skip
    high = [(_num(r.get("conf_high")) if _num(r.get("conf_high")) is not None else e) - e
            for e, r in zip(est, rows, strict=True)]  # fmt: skip
    ax.errorbar(xs, est, yerr=[low, high], fmt="o", color=colour, capsize=3, markersize=4, **kw)


def _figure(builder: Builder, fig_id: str, caption_key: str, fig, note_key: str) -> Figure:
    from evaluation.reporting.report_builder import encoded_figure

    svg, png = encoded_figure(fig)
    caption = builder.m(caption_key)
    return Figure(fig_id, caption, svg, png, caption, [builder.m(note_key)])


def _finish(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def term_label(builder: Builder, term: str) -> str:
    """A production function's input term in words: the variable's label when the catalogue
    or configuration knows it (``tfp_log_capital`` -> the label of ``log_capital``), else the
    name with spaces (never an identifier in the body)."""
    from evaluation.reporting.translations import variable_label

    name = term.removeprefix("tfp_").removeprefix("beta_")
    for candidate in (name, f"log_{name}", name.removeprefix("log_")):
        label = variable_label(candidate, builder.lang)
        if label != candidate:
            return label
    return name.replace("_", " ")


# --- total factor productivity -----------------------------------------------------------
def tfp(builder: Builder) -> None:
    sec = builder.doc.section("topic-tfp", builder.m("doc.tfp"), level=2)
    fits = rows_of(builder, PRODUCTION)
    fits = fits[~fits["term"].astype(str).isin(("overall",))] if not fits.empty else fits
    effect = builder.run.overall(TFP_OUTCOME, builder.estimator)
    if effect is None:
        frame = builder.run.estimates
        if frame is not None and not frame.empty:
            hit = frame[(frame["outcome_variable"].astype(str) == TFP_OUTCOME)
                        & frame["term"].isin(("overall", "treated"))]  # fmt: skip
            effect = None if hit.empty else hit.iloc[0]
    if fits.empty and effect is None:
        builder.missing(sec, builder.m("doc.tfp.what"))
        return
    methods = (
        [m for m in PRODUCTION if (fits["estimator"].astype(str) == m).any()]
        if not fits.empty
        else []
    )
    method_names = ", ".join(builder.m(f"doc.tfp.method.{m}") for m in methods)
    if effect is not None:
        side = _excludes_zero(effect)
        text = builder.m(
            "doc.tfp.finding" if side else "doc.tfp.finding_not",
            effect=fmt_number(effect["estimate"], builder.lang, 3),
            pct=builder.signed_percent(effect["estimate"]),
            ci=_interval(builder, effect),
        )
    else:
        text = builder.m("doc.tfp.no_effect")
    if methods:
        text += " " + builder.m("doc.tfp.methods", methods=method_names)
    if isinstance(builder.run.truth, dict) and not builder.run.truth.get("production"):
        # simulated data whose design states no production function: the method runs, but its
        # elasticities and TFP are not findings
        text += " " + builder.m("doc.tfp.simulated")
    if fits.empty:
        sec.say(text)
        return
    sec.say([Text(text + " "), Text(builder.m("doc.see")), Ref("fig-tfp"), Text(".")])
    from evaluation.reporting.report_builder import OKABE_ITO, report_axes

    terms = list(dict.fromkeys(fits["term"].astype(str)))
    fig, ax = report_axes(6.2, 0.9 + 0.5 * len(terms))
    width = 0.6 / max(len(methods), 1)
    for j, method in enumerate(methods):
        per = first_per_term(fits[fits["estimator"].astype(str) == method])
        ys = [
            i + (j - (len(methods) - 1) / 2) * width for i, term in enumerate(terms) if term in per
        ]
        rows = [per[term] for term in terms if term in per]
        est = [float(r["estimate"]) for r in rows]
        lo = [e - (_num(r.get("conf_low")) if _num(r.get("conf_low")) is not None else e)
              for e, r in zip(est, rows, strict=True)]  # fmt: skip
        hi = [(_num(r.get("conf_high")) if _num(r.get("conf_high")) is not None else e) - e
              for e, r in zip(est, rows, strict=True)]  # fmt: skip
        ax.errorbar(est, ys, xerr=[lo, hi], fmt="o", color=OKABE_ITO[j % len(OKABE_ITO)],
                    capsize=3, markersize=4, label=builder.m(f"doc.tfp.method.{method}"))  # fmt: skip
    ax.set_yticks(range(len(terms)), [term_label(builder, x) for x in terms])
    ax.invert_yaxis()
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel(builder.m("doc.tfp.axis"))
    ax.legend(loc="best", fontsize=8, frameon=False)
    _finish(ax)
    sec.add(_figure(builder, "fig-tfp", "doc.tfp.figure", fig, "doc.tfp.note"))


# --- dose-response -------------------------------------------------------------------------
def dose_response(builder: Builder) -> None:
    sec = builder.doc.section("topic-dose", builder.m("doc.dose"), level=2)
    curve = rows_of(builder, "continuous_did")
    binned = rows_of(builder, "continuous_did_binned")
    points: dict[str, list[tuple[float, pd.Series]]] = {"ATT": [], "ACRT": []}
    for term, r in first_per_term(curve).items():
        m = DOSE_TERM.match(term)
        if m and _num(m.group(2)) is not None and _num(r.get("estimate")) is not None:
            points[m.group(1)].append((float(m.group(2)), r))
    bins = []
    for term, r in first_per_term(binned).items():
        m = BIN_TERM.match(term)
        if m and _num(m.group(1)) is not None and _num(m.group(2)) is not None:
            if _num(r.get("estimate")) is not None:
                bins.append(((float(m.group(1)) + float(m.group(2))) / 2, r))
    overall = first_per_term(curve)
    att, acrt = overall.get("ATT_overall"), overall.get("ACRT_overall")
    if not points["ATT"] and not bins and att is None:
        builder.missing(sec, builder.m("doc.dose.what"))
        return
    parts = []
    if att is not None and _num(att.get("estimate")) is not None:
        parts.append(builder.m("doc.dose.att", effect=fmt_number(att["estimate"], builder.lang, 3),
                               ci=_interval(builder, att)))  # fmt: skip
    if acrt is not None and _num(acrt.get("estimate")) is not None:
        side = _excludes_zero(acrt)
        key = {1: "doc.dose.rises", -1: "doc.dose.falls", 0: "doc.dose.flat"}[side]
        parts.append(builder.m(key, acrt=fmt_number(acrt["estimate"], builder.lang, 4),
                               ci=_interval(builder, acrt, 4)))  # fmt: skip
    text = " ".join(parts) or builder.m("doc.dose.curve_only")
    if not points["ATT"] and not bins:
        sec.say(text)
        return
    sec.say([Text(text + " "), Text(builder.m("doc.see")), Ref("fig-dose"), Text(".")])
    from evaluation.reporting.report_builder import OKABE_ITO, report_axes

    fig, ax = report_axes(6.2, 3.0)
    line = sorted(points["ATT"], key=lambda p: p[0])
    if line:
        xs = [d for d, _ in line]
        est = [float(r["estimate"]) for _, r in line]
        low = [_num(r.get("conf_low")) for _, r in line]
        high = [_num(r.get("conf_high")) for _, r in line]
        ax.plot(xs, est, color=OKABE_ITO[0], label=builder.m("doc.dose.curve"))
        if all(v is not None for v in low + high):
            ax.fill_between(xs, low, high, color=OKABE_ITO[0], alpha=0.2, linewidth=0)
    if bins:
        bins.sort(key=lambda p: p[0])
        _errorbars(ax, [d for d, _ in bins], [r for _, r in bins], OKABE_ITO[1],
                   label=builder.m("doc.dose.bins"))  # fmt: skip
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel(builder.m("doc.dose.axis"))
    ax.set_ylabel(builder.m("doc.dose.axis_effect"))
    ax.legend(loc="best", fontsize=8, frameon=False)
    _finish(ax)
    sec.add(_figure(builder, "fig-dose", "doc.dose.figure", fig, "doc.dose.note"))


# --- spillovers ----------------------------------------------------------------------------
def spillovers(builder: Builder) -> None:
    sec = builder.doc.section("topic-spillovers", builder.m("doc.spill"), level=2)
    terms = first_per_term(rows_of(builder, "spillovers"))
    keys = [k for k in ("direct_effect", "exposure_effect", "placebo_exposure")
            if k in terms and _num(terms[k].get("estimate")) is not None]  # fmt: skip
    if "exposure_effect" not in keys:
        builder.missing(sec, builder.m("doc.spill.what"))
        return
    exposure = terms["exposure_effect"]
    text = builder.m(
        "doc.spill.found" if _excludes_zero(exposure) else "doc.spill.none",
        effect=fmt_number(exposure["estimate"], builder.lang, 3), ci=_interval(builder, exposure),
    )  # fmt: skip
    if "direct_effect" in keys:
        d = terms["direct_effect"]
        text += " " + builder.m("doc.spill.direct", effect=fmt_number(d["estimate"], builder.lang, 3),
                                ci=_interval(builder, d))  # fmt: skip
    if "placebo_exposure" in keys and _excludes_zero(terms["placebo_exposure"]):
        text += " " + builder.m("doc.spill.placebo_fails")
    sec.say([Text(text + " "), Text(builder.m("doc.see")), Ref("fig-spillovers"), Text(".")])
    from evaluation.reporting.report_builder import OKABE_ITO, report_axes

    fig, ax = report_axes(6.2, 0.8 + 0.45 * len(keys))
    for i, k in enumerate(keys):
        r = terms[k]
        e = float(r["estimate"])
        lo, hi = _num(r.get("conf_low")), _num(r.get("conf_high"))
        ax.errorbar([e], [i], xerr=[[e - (lo if lo is not None else e)], [(hi if hi is not None else e) - e]],
                    fmt="o", color=OKABE_ITO[i], capsize=3)  # fmt: skip
    ax.set_yticks(range(len(keys)), [builder.m(f"doc.spill.term.{k}") for k in keys])
    ax.invert_yaxis()
    ax.axvline(0, color="#555555", linewidth=0.8)
    outcome = exposure.get("outcome_variable")
    ax.set_xlabel(builder.label(str(outcome)) if isinstance(outcome, str) and outcome
                  else builder.m("common.estimate"))  # fmt: skip
    _finish(ax)
    sec.add(_figure(builder, "fig-spillovers", "doc.spill.figure", fig, "doc.spill.note"))


# --- distribution --------------------------------------------------------------------------
def distribution(builder: Builder) -> None:
    sec = builder.doc.section("topic-distribution", builder.m("doc.dist"), level=2)
    terms = first_per_term(rows_of(builder, "changes_in_changes"))
    quantiles = []
    for term, r in terms.items():
        m = QUANTILE_TERM.match(term)
        q = _num(m.group(1)) if m else None
        if q is not None and 0 < q < 1 and _num(r.get("estimate")) is not None:
            quantiles.append((q, r))
    quantiles.sort(key=lambda p: p[0])
    if not quantiles:
        builder.missing(sec, builder.m("doc.dist.what"))
        return
    pos = [q for q, r in quantiles if _excludes_zero(r) > 0]
    n = len(quantiles)
    if pos and len(pos) >= 2 * n / 3:
        key = "doc.dist.broad"
    elif pos and min(pos) > 0.5:
        key = "doc.dist.top"
    elif pos and max(pos) < 0.5:
        key = "doc.dist.bottom"
    elif pos:
        key = "doc.dist.some"
    else:
        key = "doc.dist.none"
    text = builder.m(key, k=fmt_int(len(pos), builder.lang), n=fmt_int(n, builder.lang))
    mean = terms.get("cic_mean")
    if mean is not None and _num(mean.get("estimate")) is not None:
        text += " " + builder.m("doc.dist.mean", effect=fmt_number(mean["estimate"], builder.lang, 3),
                                ci=_interval(builder, mean))  # fmt: skip
        text += _unconditional_caveat(builder, mean)
    shares = builder.run.value("share_above_baseline_median")
    text += _shares_text(builder, shares)
    sec.say([Text(text + " "), Text(builder.m("doc.see")), Ref("fig-distribution"), Text(".")])
    from evaluation.reporting.report_builder import OKABE_ITO, report_axes

    fig, ax = report_axes(6.2, 3.0)
    _errorbars(ax, [q for q, _ in quantiles], [r for _, r in quantiles], OKABE_ITO[0],
               label=builder.m("doc.dist.qte"))  # fmt: skip
    if mean is not None and _num(mean.get("estimate")) is not None:
        ax.axhline(float(mean["estimate"]), color=OKABE_ITO[1], linestyle="--",
                   label=builder.m("doc.dist.mean_label"))  # fmt: skip
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel(builder.m("doc.dist.axis"))
    outcome = quantiles[0][1].get("outcome_variable")
    import textwrap

    ax.set_ylabel(textwrap.fill(builder.label(str(outcome)), 36) if isinstance(outcome, str)
                  and outcome else builder.m("common.estimate"))  # fmt: skip
    ax.legend(loc="best", fontsize=8, frameon=False)
    _finish(ax)
    sec.add(_figure(builder, "fig-distribution", "doc.dist.figure", fig, "doc.dist.note"))


def _unconditional_caveat(builder: Builder, mean: pd.Series) -> str:
    """Changes-in-changes compares unconditional distributions: beside the pre-specified
    (covariate-adjusted) estimate of the same outcome, say so, so that a reader does not take
    the two averages for one estimand."""
    if mean.get("outcome_variable") != builder.primary_outcome:
        return ""
    primary = builder.run.overall(builder.primary_outcome, builder.estimator)
    if primary is None or _num(primary.get("estimate")) is None:
        return ""
    return " " + builder.m(
        "doc.dist.unconditional", estimator=builder.est_name(builder.estimator),
        effect=fmt_number(primary["estimate"], builder.lang, 3), ci=_interval(builder, primary),
    )  # fmt: skip


def _shares_text(builder: Builder, shares: Any) -> str:
    """The share above the baseline median, baseline -> end line, for participants and
    comparison firms, when the value has that shape; else nothing."""
    if not isinstance(shares, dict):
        return ""
    parts = {}
    for group in ("participants", "comparison"):
        cell = shares.get(group)
        if not isinstance(cell, dict):
            return ""
        a, b = _num(cell.get("baseline")), _num(cell.get("endline"))
        if a is None or b is None:
            return ""
        parts[group] = (fmt_percent(a, builder.lang), fmt_percent(b, builder.lang))
    (pa, pb), (ca, cb) = parts["participants"], parts["comparison"]
    return " " + builder.m("doc.dist.shares", p0=pa, p1=pb, c0=ca, c1=cb)


# --- cost-effectiveness --------------------------------------------------------------------
def costs(builder: Builder) -> None:
    sec = builder.doc.section("topic-costs", builder.m("doc.cost"), level=2)
    terms = first_per_term(rows_of(builder, "cost_effectiveness"))
    keys = [k for k in COST_TERMS if k in terms and _num(terms[k].get("estimate")) is not None]
    if not keys:
        builder.missing(sec, builder.m("doc.cost.what"))
        return
    currency = next((str(terms[k].get("currency")) for k in keys
                     if isinstance(terms[k].get("currency"), str) and terms[k].get("currency")), "")  # fmt: skip

    def money(x: Any) -> str:
        v = _num(x)
        if v is None:
            return "—"
        text = fmt_int(v, builder.lang) if abs(v) >= 100 else fmt_number(v, builder.lang, 2)
        return f"{text} {currency}".strip()

    def bounds(r: pd.Series) -> str:
        lo, hi = _num(r.get("conf_low")), _num(r.get("conf_high"))
        if lo is None or hi is None or lo <= 0:
            return builder.m("doc.cost.unbounded")
        return builder.m("doc.cost.interval", low=money(lo).removesuffix(f" {currency}"),
                         high=money(hi))  # fmt: skip

    parts = []
    for k in keys:
        r = terms[k]
        if k == "cost_per_firm":  # an accounting ratio: no sampling interval
            parts.append(builder.m(f"doc.cost.{k}", value=money(r["estimate"])))
        else:
            parts.append(builder.m(f"doc.cost.{k}", value=money(r["estimate"]), ci=bounds(r)))
    text = builder.m("doc.cost.finding", parts="; ".join(parts))
    sec.say([Text(text + " "), Text(builder.m("doc.see")), Ref("fig-costs"), Text(".")])
    from evaluation.reporting.report_builder import OKABE_ITO, report_axes

    fig, axes = report_axes(6.2, 2.4)
    fig.clear()
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    for ax, k in zip(axes, keys, strict=True):
        r = terms[k]
        e = float(r["estimate"])
        ax.bar([0], [e], color=OKABE_ITO[0], width=0.6)
        lo, hi = _num(r.get("conf_low")), _num(r.get("conf_high"))
        if lo is not None and hi is not None and lo > 0:
            ax.errorbar([0], [e], yerr=[[e - lo], [hi - e]], fmt="none", color="#333333", capsize=4)
        ax.set_xticks([0], [builder.m(f"doc.cost.short.{k}")])
        ax.set_xlim(-0.8, 0.8)
        ax.ticklabel_format(axis="y", style="plain")
        if currency:
            ax.set_ylabel(currency)
        _finish(ax)
    sec.add(_figure(builder, "fig-costs", "doc.cost.figure", fig, "doc.cost.note"))


SECTIONS = (tfp, dose_response, spillovers, distribution, costs)


def add_topics(builder: Builder) -> None:
    """The five sections, in order, under the findings."""
    for part in SECTIONS:
        part(builder)


__all__ = ["add_topics", "first_per_term", "rows_of", "term_label"]
