"""Build the final evaluation report (:class:`~evaluation.reporting.document.Document`) from a run.

Reads only what the run recorded -- ``reports/estimates.parquet``, ``reports/values.json``,
``reports/run_manifest.json`` (through :mod:`evaluation.pipeline.manifest`) -- and the
settings (``program``, ``analysis``, ``paths.narrative``). It estimates nothing: every number
on the page is a recorded one, formatted for the report language. A section whose data the run
does not hold says so in one line; a section the evaluators wrote no narrative for gets cautious
generated text with a visible draft mark, listed in ``Document.drafts`` (the pipeline records
it in the run manifest and the cover says so).

What each section reads: data and sample -- notebook 01's ``sample_flow`` (panel, response by
year, exclusions with reasons, analysis sample); robustness -- the overall rows of every
estimator (forest plot), ``pretrend_p_value`` (notebook 04), notebook 11's ``breakdown_mbar``,
``breakdown_mbar_average``, ``breakdown_m`` and ``honest_did <target>`` rows (Rambachan-Roth),
the ``randomization inference`` row and ``multiple_testing`` (Romano-Wolf, q-values); the truth
annex -- the truth file the pipeline passes (``truth=``) with notebook 10's
``cs_cohort_sizes``, each estimator beside the truth of its own estimand. Every estimates
table carries notes from the recorded specification columns (sample, cluster and
``n_clusters``, covariates, control group) and the significance convention.

Structure (issue 12): cover; 1 executive summary; 2 programme and results framework;
3 evaluation questions and design; 4 data and sample; 5 methods; 6 findings (one subsection per
question); 7 robustness; 8 limitations; 9 conclusions and recommendations; annexes: estimates,
balance, data quality, truth comparison (simulated data), provenance, glossary.
"""

from __future__ import annotations

import io
import json
import math
import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.reporting import narrative
from evaluation.reporting.document import (
    Bullets,
    Column,
    Cover,
    Document,
    Equation,
    Figure,
    Paragraph,
    Ref,
    Section,
    Table,
    Text,
)
from evaluation.reporting.translations import (
    fmt_int,
    fmt_interval,
    fmt_number,
    fmt_percent,
    fmt_pvalue,
    has_message,
    t,
    variable_label,
)

# Recorded ``estimator`` values -> estimator key of the catalogue (``est.<key>``).
ESTIMATOR_KEYS = {
    "callaway_santanna:simple": "cs",
    "twfe": "twfe",
    "event_study_sunab": "sunab",
    "event_study_imputation": "imputation",
    "did_2x2": "did_2x2",
    "triple_differences": "triple_differences",
    "wild_cluster_bootstrap": "wcb",
}
OVERALL_TERMS = ("overall", "treated", "participant:after")
# Okabe and Ito (2008) colour-blind-safe palette: the one palette of the document's figures.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
DAC = ("relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability")


def report_axes(width: float, height: float):
    """A matplotlib figure and its axes built without pyplot, so building a report changes
    no process-wide state (rcParams, the figure registry) of the pipeline that calls it."""
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(width, height))
    return fig, fig.subplots()


def encoded_figure(fig) -> tuple[str, bytes]:
    """A finished figure as SVG text and PNG bytes: laid out tight, no date or software
    stamp, deterministic SVG ids (so the same run gives the same document bytes)."""
    import matplotlib

    fig.tight_layout()
    svg, png = io.StringIO(), io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "final-report"}):
        fig.savefig(svg, format="svg", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=200, metadata={"Software": None})
    return svg.getvalue(), png.getvalue()


@dataclass
class RunOutputs:
    """What a run left in its reports folder (any part may be missing)."""

    estimates: pd.DataFrame | None = None
    values: pd.DataFrame | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    status: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    truth: dict[str, Any] | None = None  # the simulator's truth.json (simulated data only)

    @classmethod
    def read(cls, reports: Path) -> RunOutputs:
        """Read the run's tables; a missing or unreadable file is noted, never fatal."""
        from evaluation.pipeline import manifest as run_manifest

        out = cls()
        reports = Path(reports)
        try:
            out.estimates = pd.read_parquet(reports / "estimates.parquet")
        except (OSError, ValueError):
            out.missing.append("estimates.parquet")
        try:
            rows = json.loads((reports / "values.json").read_text(encoding="utf-8"))
            out.values = pd.DataFrame(
                rows, columns=["notebook", "job", "parameters", "name", "value"]
            )
        except (OSError, ValueError):
            out.missing.append("values.json")
        try:
            out.manifest = run_manifest.read_manifest(reports)
            out.status = run_manifest.read_status(reports)
        except (OSError, ValueError):
            out.missing.append("run_manifest.json")
        return out

    def value(self, name: str) -> Any:
        """The last value recorded under ``name``, else None."""
        if self.values is None or self.values.empty:
            return None
        hit = self.values[self.values["name"] == name]
        return None if hit.empty else hit.iloc[-1]["value"]

    def value_for(self, name: str, outcome: str) -> Any:
        """The last value recorded under ``name`` by a job run for ``outcome`` (else by any)."""
        if self.values is None or self.values.empty:
            return None
        hit = self.values[self.values["name"] == name]
        mine = hit[[(p or {}).get("outcome") == outcome for p in hit["parameters"]]]
        hit = mine if not mine.empty else hit
        return None if hit.empty else hit.iloc[-1]["value"]

    def overall(self, outcome: str, estimator: str, *, sample: str = "all") -> pd.Series | None:
        """The recorded overall effect of ``estimator`` (catalogue key) on ``outcome``.

        Prefers the final report's own pre-specified rows (role primary/secondary), then any
        job's overall row with that estimator; None when the run recorded none.
        """
        frame = self.estimates
        if frame is None or frame.empty:
            return None
        keys = frame["estimator"].map(lambda e: ESTIMATOR_KEYS.get(str(e), str(e)))
        hit = frame[(frame["outcome_variable"] == outcome) & (keys == estimator)]
        hit = hit[hit["term"].isin(OVERALL_TERMS)]
        if "param_sample" in hit.columns:
            hit = hit[hit["param_sample"].fillna("all") == sample]
        if "role" in hit.columns:
            hit = hit[hit["role"].astype(str) != "subgroup"]
        if hit.empty:
            return None
        if "role" in hit.columns and hit["role"].isin(["primary", "secondary"]).any():
            hit = hit[hit["role"].isin(["primary", "secondary"])]
        return hit.iloc[-1]

    def subgroup(self, outcome: str, sample: str) -> pd.Series | None:
        """The pre-specified estimator's overall effect on ``outcome`` in subgroup ``sample``
        (notebook 16's rows with role ``subgroup``), else None."""
        frame = self.estimates
        if frame is None or frame.empty or "role" not in frame.columns:
            return None
        hit = frame[(frame["role"].astype(str) == "subgroup")
                    & (frame["outcome_variable"] == outcome)
                    & frame["term"].isin(OVERALL_TERMS)]  # fmt: skip
        if "sample" in hit.columns:
            hit = hit[hit["sample"].astype(str) == sample]
        return None if hit.empty else hit.iloc[-1]


def localized_text(value: Any, language: str) -> str:
    """A config ``Text`` (en/es) in ``language``, or a plain string."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return (getattr(value, language, None) or value.en) if hasattr(value, "en") else str(value)


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def simple_aggregation_truth(
    att_gt: list[dict[str, Any]], cohort_sizes: dict[str, float]
) -> float | None:
    """The true value of Callaway-Sant'Anna's simple aggregation.

    R ``did``'s ``aggte(type = "simple")`` averages the post-entry cells ATT(g, t), t >= g,
    with weights proportional to the size of cohort g (``pg``) among the firms the estimate
    uses; the truth of that estimand is the same weighted mean of the true ATT(g, t).
    ``att_gt`` holds the truth file's cells (``cohort``, ``year``, ``att``); ``cohort_sizes``
    maps a cohort (as text) to its size. A cohort with no recorded size has no firm in the
    estimate and gets weight 0. None when no post-entry cell has weight.
    """
    num = den = 0.0
    for cell in att_gt:
        g, t, att = cell.get("cohort"), cell.get("year"), cell.get("att")
        if not (_finite(g) and _finite(t) and _finite(att)) or int(t) < int(g):
            continue
        w = cohort_sizes.get(str(int(g)))
        if not _finite(w) or float(w) <= 0:
            continue
        num += float(w) * float(att)
        den += float(w)
    return num / den if den > 0 else None


def firm_year_truth(att_gt: list[dict[str, Any]]) -> float | None:
    """The true average effect over treated firm-years: the ATT(g, t) cells weighted by
    their ``n_firm_years`` (the truth file's ``overall``, and the estimand of the
    Sun-Abraham and imputation overall effects, which weight event times by treated
    firm-years). None when no cell has firm-years."""
    num = den = 0.0
    for cell in att_gt:
        n, att = cell.get("n_firm_years"), cell.get("att")
        if _finite(n) and _finite(att) and float(n) > 0:
            num += float(n) * float(att)
            den += float(n)
    return num / den if den > 0 else None


TRUTH_SAMPLES = {"women_led": True, "men_led": False}


def truth_cells(
    truth: dict[str, Any] | None, outcome: str, sample: str = "all"
) -> tuple[list[dict[str, Any]], float | None] | None:
    """The truth file's ATT(g, t) cells of ``outcome`` on ``sample`` (``all``, ``women_led``
    or ``men_led``: the simulator's truth is by women-led status only) and its firm-year
    average; None when the file does not cover them."""
    est = ((truth or {}).get("estimands") or {}).get(outcome)
    if not isinstance(est, dict):
        return None
    if sample == "all":
        cells, overall = est.get("att_gt"), (est.get("overall") or {}).get("att")
    elif sample in TRUTH_SAMPLES:
        flag = TRUTH_SAMPLES[sample]
        cells = [c for c in est.get("att_gt_by_women_led") or []
                 if isinstance(c, dict) and bool(c.get("women_led")) == flag]  # fmt: skip
        overall = ((est.get("by_women_led") or {}).get("true" if flag else "false") or {}).get(
            "att"
        )
    else:
        return None
    if not isinstance(cells, list) or not cells:
        return None
    return cells, float(overall) if _finite(overall) else firm_year_truth(cells)


def estimand_truth_keyed(
    truth: dict[str, Any] | None,
    outcome: str,
    estimator: str,
    cohort_sizes: dict[str, float] | None,
    *,
    sample: str = "all",
) -> tuple[float, str] | None:
    """The true value of ``estimator``'s own estimand (catalogue key) on ``sample``, with the
    estimand's key (``simple``, ``firm_years``, ``firm_years_no_sizes``, ``twfe``).

    Callaway-Sant'Anna's simple aggregation weights the post-entry ATT(g, t) by the size of
    cohort g among the firms the estimate used (R ``did``'s ``aggte(type = "simple")``), so
    its truth is the same weighted mean of the true cells, with the cohort sizes the
    estimating page recorded for that sample (:func:`simple_aggregation_truth`); without
    them it falls back to the firm-year average and says so. Sun-Abraham and imputation
    weight treated firm-years (:func:`firm_year_truth`); TWFE has no convex estimand under
    heterogeneous effects and is set beside the firm-year average as a reference.
    """
    found = truth_cells(truth, outcome, sample)
    if found is None:
        return None
    cells, firm_years = found
    if estimator == "cs":
        simple = (
            simple_aggregation_truth(cells, cohort_sizes)
            if isinstance(cohort_sizes, dict)
            else None
        )
        if simple is not None:
            return simple, "simple"
        return (firm_years, "firm_years_no_sizes") if firm_years is not None else None
    if firm_years is None:
        return None
    return firm_years, "twfe" if estimator == "twfe" else "firm_years"


def estimand_truth(
    truth: dict[str, Any] | None,
    outcome: str,
    estimator: str,
    cohort_sizes: dict[str, float] | None,
    *,
    sample: str = "all",
) -> float | None:
    """The value of :func:`estimand_truth_keyed` alone (None on real data)."""
    hit = estimand_truth_keyed(truth, outcome, estimator, cohort_sizes, sample=sample)
    return None if hit is None else hit[0]


class Builder:
    """Fills a :class:`Document` in one language from a run's outputs and the settings."""

    def __init__(self, settings: Any, run: RunOutputs, language: str, *, narrative_dir=None):
        self.s, self.run, self.lang = settings, run, language
        self.narrative_dir = narrative_dir
        self.primary_outcome = settings.analysis.primary_outcome
        self.estimator = settings.analysis.primary_estimator
        self.doc: Document | None = None

    # --- helpers ------------------------------------------------------------------------
    def m(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def label(self, outcome: str) -> str:
        """The variable's label; a name no catalogue or configuration labels is shown in
        words ("klk_index" -> "Klk index"), never as an identifier."""
        text = variable_label(outcome, self.lang)
        if text == outcome and "_" in text:
            words = text.replace("_", " ").strip()
            return words[:1].upper() + words[1:]
        return text

    def est_name(self, key: str) -> str:
        if key == "wcb":
            return self.m("inf.wcb_short")
        return self.m(f"est.{key}") if has_message(f"est.{key}") else self.m("doc.est.other")

    def kind(self, outcome: str) -> str:
        """How an effect on ``outcome`` reads: declared kind, built-in kind, else level."""
        from evaluation.analysis.context import BUILTIN_OUTCOMES

        declared = self.s.outcomes.get(outcome)
        return declared.kind if declared is not None else BUILTIN_OUTCOMES.get(outcome, "level")

    def natural(self, outcome: str, estimate: Any) -> str:
        """The effect in words of its unit: a signed percentage change for a log outcome
        (100 (exp(b) - 1)), percentage points for a share or binary, units otherwise."""
        kind = self.kind(outcome)
        if kind == "log":
            return self.m("doc.unit.log", pct=self.signed_percent(estimate))
        if kind in ("share", "binary"):
            return self.m("doc.unit.points", points=fmt_number(100 * float(estimate), self.lang, 1))
        return self.m("doc.unit.level")

    def inline_label(self, outcome: str) -> str:
        """The outcome's label inside a sentence: its first letter lower-cased unless the
        label starts with an acronym ("Log sales" -> "log sales", "SME links" unchanged)."""
        text = self.label(outcome)
        if len(text) > 1 and text[0].isupper() and text[1].islower():
            return text[0].lower() + text[1:]
        return text

    def signed_percent(self, log_points: Any) -> str:
        """100 (exp(b) - 1) with its sign: "+10.9%", "-3.0%" (es: "+10,9 %")."""
        change = math.expm1(float(log_points))
        text = fmt_percent(change, self.lang)
        return text if text.startswith(("-", "−")) else f"+{text}"

    def kind_key(self, outcome: str) -> str:
        """``log``, ``share`` (share or binary) or ``level`` (counts and other levels)."""
        kind = self.kind(outcome)
        return "share" if kind in ("share", "binary") else "log" if kind == "log" else "level"

    def functions(self) -> dict[str, narrative.Resolver]:
        """The placeholders of the narrative blocks, bound to this run."""

        def row(outcome: str, estimator: str, aggregation: str = "simple") -> pd.Series:
            if aggregation != "simple":
                raise LookupError(f"aggregation {aggregation!r}: only 'simple' is recorded")
            hit = self.run.overall(outcome, estimator)
            if hit is None:
                raise LookupError("the run recorded no such estimate")
            return hit

        def effect(o: str, e: str, a: str = "simple") -> str:
            return fmt_number(row(o, e, a)["estimate"], self.lang, 3)

        def ci(o: str, e: str, a: str = "simple") -> str:
            r = row(o, e, a)
            return fmt_interval(r["conf_low"], r["conf_high"], self.lang)

        def pct(o: str, e: str, a: str = "simple") -> str:
            return fmt_percent(math.expm1(float(row(o, e, a)["estimate"])), self.lang)

        def logframe_cell(column: str):
            def get(target_id: str) -> str:
                for r in self.logframe_rows():
                    if r.get("id") == target_id and r.get(column) is not None:
                        return self.number(r[column])
                raise LookupError(f"no logframe {column} recorded for {target_id!r}")

            return get

        return {"effect": effect, "ci": ci, "pct": pct, "target": logframe_cell("target"),
                "achieved": logframe_cell("achieved")}  # fmt: skip

    def number(self, value: Any) -> str:
        if isinstance(value, bool) or not _finite(value):
            return str(value) if value is not None else "—"
        value = float(value)
        return fmt_int(value, self.lang) if value.is_integer() else fmt_number(value, self.lang, 3)

    def provenance(self) -> dict[str, Any]:
        return self.run.manifest.get("provenance") or {}

    def logframe_rows(self) -> list[dict[str, Any]]:
        rows = self.run.value("logframe_full") or self.run.value("logframe")
        return rows if isinstance(rows, list) else []

    def narrate(self, sec: Section, generated: list[Paragraph | Bullets]) -> None:
        """The evaluators' block for ``sec`` when there is one, else ``generated`` as a draft."""
        blocks = narrative.load(self.narrative_dir, self.lang, sec.id, self.functions())
        if blocks is not None:
            sec.blocks.extend(blocks)
            return
        for block in generated:
            block.draft = True
            sec.blocks.append(block)
        sec.draft = True
        assert self.doc is not None
        self.doc.drafts.append(sec.id)

    def missing(self, sec: Section, what: str) -> None:
        sec.say(self.m("doc.missing", what=what))

    # --- the document -------------------------------------------------------------------
    def build(self) -> Document:
        program = self.s.program
        commit = str(self.provenance().get("commit") or "")[:8]
        finished = str(self.run.manifest.get("created") or "")
        facts = []
        if program.period:
            facts.append((self.m("doc.cover.period"), f"{program.period[0]}–{program.period[1]}"))
        for key in ("donor", "implementer"):
            if getattr(program, key):
                facts.append((self.m(f"doc.cover.{key}"), getattr(program, key)))
        from evaluation.reporting.translations import fmt_date

        try:
            when = fmt_date(finished[:10] if finished else date.today().isoformat(), self.lang)
        except ValueError:
            when = fmt_date(date.today(), self.lang)
        facts.append((self.m("doc.cover.date"), when))
        facts.append((self.m("doc.cover.version"), commit or self.m("doc.cover.no_commit")))
        facts.append((self.m("doc.cover.language"), self.m(f"doc.language.{self.lang}")))
        title = self.m("doc.title")
        self.doc = doc = Document(
            language=self.lang,
            cover=Cover(program.name, title, localized_text(program.title, self.lang), facts),
            running_header=program.name,
            contents_title=self.m("doc.contents"),
            annex_title=self.m("doc.annex"),
            draft_label=self.m("doc.draft"),
            page_words=(self.m("doc.page"), self.m("doc.of")),
        )
        self.findings = self.collect_findings()
        for part in (self.summary, self.programme, self.questions_design, self.data_sample,
                     self.methods, self.findings_sections, self.topics, self.robustness,
                     self.limitations,
                     self.conclusions, self.annex_estimates, self.annex_balance,
                     self.annex_quality, self.annex_truth, self.annex_provenance,
                     self.annex_glossary):  # fmt: skip
            part()
        if doc.drafts:
            doc.cover.draft_note = self.m("doc.cover.drafts", n=len(doc.drafts))
        return doc

    # --- questions and their findings -----------------------------------------------------
    def questions(self) -> list[dict[str, Any]]:
        """program.questions, else one per configured outcome (primary first)."""
        configured = list(self.s.program.questions)
        if configured:
            return [{"id": q.id, "text": localized_text(q.text, self.lang), "criterion": q.criterion,
                     "outcomes": list(q.outcomes) or [self.primary_outcome]}
                    for q in configured]  # fmt: skip
        outcomes = [self.primary_outcome, *self.s.analysis.secondary_outcomes]
        return [
            {"id": f"q{i + 1}", "text": self.m(f"doc.question.{self.kind_key(o)}",
                                               outcome=self.label(o)),
             "criterion": "effectiveness" if i else "impact", "outcomes": [o], "generated": True}
            for i, o in enumerate(dict.fromkeys(outcomes))
        ]  # fmt: skip

    def collect_findings(self) -> dict[str, pd.Series | None]:
        outcomes = {o for q in self.questions() for o in q["outcomes"]}
        return {o: self.run.overall(o, self.estimator) for o in sorted(outcomes)}

    def effect_words(self, outcome: str) -> str:
        """One finding sentence worded for the outcome's kind: a percentage change with log
        points for a log outcome, percentage points for a share or binary outcome, the
        outcome's own units for a count or level; it says whether the 95% interval excludes
        zero."""
        r = self.findings.get(outcome)
        if r is None:
            return self.m("doc.finding.none", outcome=self.label(outcome))
        covers = float(r["conf_low"]) <= 0 <= float(r["conf_high"])
        kind = self.kind_key(outcome)
        if kind == "share":
            effect = fmt_number(100 * float(r["estimate"]), self.lang, 1)
            ci = fmt_interval(100 * float(r["conf_low"]), 100 * float(r["conf_high"]), self.lang, 1)
        else:
            effect = fmt_number(r["estimate"], self.lang, 3)
            ci = fmt_interval(r["conf_low"], r["conf_high"], self.lang)
        return self.m(
            f"doc.finding.{kind}.{'not' if covers else 'sig'}",
            outcome=self.label(outcome), effect=effect, ci=ci,
            pct=self.signed_percent(r["estimate"]) if kind == "log" else "",
        )  # fmt: skip

    # --- 1 executive summary ---------------------------------------------------------------
    def headline(self) -> str | None:
        """The headline sentence: the primary outcome's effect under the pre-specified
        estimator with its 95% interval (the executive summary's first line and the reports
        index's headline: one function for both). None when the run recorded no such row."""
        primary = self.run.overall(self.primary_outcome, self.estimator)
        if primary is None:
            return None
        return self.m(
            "doc.summary.headline", outcome=self.inline_label(self.primary_outcome),
            estimator=self.est_name(self.estimator),
            effect=fmt_number(primary["estimate"], self.lang, 3),
            pct=self.natural(self.primary_outcome, primary["estimate"]),
            ci=fmt_interval(primary["conf_low"], primary["conf_high"], self.lang),
        )  # fmt: skip

    def summary(self) -> None:
        sec = self.doc.section("summary", self.m("doc.summary"))
        headline = self.headline()
        generated: list[Paragraph | Bullets] = []
        if headline is None:
            self.missing(sec, self.m("doc.what.primary"))
        else:
            sec.say(headline)
        # a configured question is quoted before its finding; a generated one already is the
        # outcome's label, which the finding sentence opens with
        generated.append(Bullets([[Text(self.effect_words(q["outcomes"][0]) if q.get("generated")
                                        else f"{q['text']} — {self.effect_words(q['outcomes'][0])}")]
                                  for q in self.questions()]))  # fmt: skip
        met = [r for r in self.logframe_rows() if str(r.get("status", "")).lower() == "met"]
        if self.logframe_rows():
            generated.append(Paragraph([Text(self.m(
                "doc.summary.logframe", met=fmt_int(len(met), self.lang),
                n=fmt_int(len(self.logframe_rows()), self.lang)))]))  # fmt: skip
        generated.append(Paragraph([Text(self.m("doc.summary.limitations"))]))
        self.narrate(sec, generated)

    # --- 2 programme and results framework ---------------------------------------------------
    def programme(self) -> None:
        sec = self.doc.section("programme", self.m("doc.programme"))
        description = localized_text(self.s.program.description, self.lang)
        if description:
            sec.say(description)
        rows = self.logframe_rows()
        if not rows:
            self.missing(sec, self.m("doc.what.logframe"))
            return
        sec.say([Text(self.m("doc.programme.logframe_ref")), Ref("tab-logframe"), Text(".")])
        es = self.lang == "es"
        body = []
        for r in rows:
            achieved = r.get("achieved_text_es" if es else "achieved_text") or r.get("achieved")
            body.append([
                str(r.get("indicator_es") if es and r.get("indicator_es") else r.get("indicator", "")),
                self.number(r.get("baseline")), self.number(r.get("target")),
                achieved if isinstance(achieved, str) else self.number(achieved),
                str(r.get("status_es") if es and r.get("status_es") else r.get("status", "")),
            ])  # fmt: skip
        sec.add(Table(
            "tab-logframe", self.m("doc.programme.logframe"),
            [Column(self.m("logframe.indicator")), Column(self.m("logframe.baseline"), "integer"),
             Column(self.m("logframe.target"), "integer"), Column(self.m("logframe.achieved")),
             Column(self.m("logframe.status"))],
            body, [self.m("doc.note.logframe")],
        ))  # fmt: skip

    # --- 3 questions and design ------------------------------------------------------------
    def questions_design(self) -> None:
        sec = self.doc.section("questions", self.m("doc.questions"))
        sec.say([Text(self.m("doc.questions.intro")), Ref("tab-questions"), Text(".")])
        rows = [[q["text"], self.m(f"doc.dac.{q['criterion']}") if q["criterion"] else "—",
                 ", ".join(self.label(o) for o in q["outcomes"])] for q in self.questions()]  # fmt: skip
        sec.add(Table("tab-questions", self.m("doc.questions.table"),
                      [Column(self.m("doc.col.question")), Column(self.m("doc.col.criterion")),
                       Column(self.m("doc.col.outcomes"))], rows, [self.m("doc.note.dac")]))  # fmt: skip
        self.narrate(self.doc.section("design", self.m("doc.design"), level=2),
                     [Paragraph([Text(self.m("doc.design.text"))])])  # fmt: skip

    # --- 4 data and sample -----------------------------------------------------------------
    def data_sample(self) -> None:
        sec = self.doc.section("data", self.m("doc.data"))
        flow = self.run.value("sample_flow")
        if isinstance(flow, dict) and flow:
            self.sample_flow(sec, flow)
        else:
            balance = self.rows(label_startswith="baseline balance")
            first = None if balance is None or balance.empty else balance.iloc[0]
            n_t = None if first is None else first.get("n_treated")
            n_c = None if first is None else first.get("n_control")
            if _finite(n_t) and _finite(n_c):
                sec.say(self.m("doc.data.sample", n_participants=fmt_int(n_t, self.lang),
                               n_comparison=fmt_int(n_c, self.lang)))  # fmt: skip
            else:
                self.missing(sec, self.m("doc.what.sample"))
        attrition = self.run.overall("responded", "did_2x2")
        if attrition is not None:
            sec.say(self.m("doc.data.attrition", effect=fmt_number(attrition["estimate"], self.lang, 3),
                           ci=fmt_interval(attrition["conf_low"], attrition["conf_high"], self.lang)))  # fmt: skip
        else:
            self.missing(sec, self.m("doc.what.attrition"))

    def sample_flow(self, sec: Section, flow: dict[str, Any]) -> None:
        """The numbered flow from the panel to the analysis sample (notebook 01's
        ``sample_flow``): firms by group, response by year, exclusions with reasons."""
        n = lambda v: fmt_int(v, self.lang) if _finite(v) else "—"  # noqa: E731
        steps = [self.m("doc.flow.panel", firms=n(flow.get("firms")),
                        participants=n(flow.get("participants")),
                        comparison=n(flow.get("comparison")),
                        firm_years=n(flow.get("firm_years")))]  # fmt: skip
        response = flow.get("response")
        if isinstance(response, list) and response:
            steps.append(self.m("doc.flow.response"))
        else:
            steps.append(self.m("doc.flow.no_response"))
        analysis = flow.get("analysis")
        if isinstance(analysis, dict):
            excluded = analysis.get("excluded") or {}
            steps.append(self.m("doc.flow.excluded",
                                always=n(excluded.get("always_treated", 0)),
                                covariates=n(excluded.get("missing_covariates", 0))))  # fmt: skip
            steps.append(self.m("doc.flow.analysis",
                                outcome=self.label(str(analysis.get("outcome", ""))),
                                participants=n(analysis.get("participants")),
                                comparison=n(analysis.get("comparison")),
                                firm_years=n(analysis.get("firm_years"))))  # fmt: skip
        else:
            self.missing(sec, self.m("doc.what.analysis_sample"))
        for i, step in enumerate(steps, start=1):
            sec.say(f"{i}. {step}")
        if isinstance(response, list) and response:
            rows = []
            for r in response:
                if not isinstance(r, dict):
                    continue
                rows.append([str(r.get("year", "—")), n(r.get("n_participants")),
                             fmt_percent(r["rate_participants"], self.lang)
                             if _finite(r.get("rate_participants")) else "—",
                             n(r.get("n_comparison")),
                             fmt_percent(r["rate_comparison"], self.lang)
                             if _finite(r.get("rate_comparison")) else "—"])  # fmt: skip
            sec.add(Table("tab-response", self.m("doc.flow.table"),
                          [Column(self.m("common.year")), Column(self.m("common.participants"), "integer"),
                           Column(self.m("doc.flow.col.rate_p"), "number"),
                           Column(self.m("common.comparison"), "integer"),
                           Column(self.m("doc.flow.col.rate_c"), "number")],
                          rows, [self.m("doc.note.response")]))  # fmt: skip

    def spec_notes(self, rows: pd.DataFrame | pd.Series | None) -> list[str]:
        """The notes under an estimates table, from the recorded specification columns of its
        rows: sample, clustering with the number of clusters, covariates, comparison group,
        then the significance convention (always). A column the rows do not record is left
        out rather than guessed."""
        if rows is None:
            return [self.m("doc.note.significance")]
        frame = rows.to_frame().T if isinstance(rows, pd.Series) else rows

        def distinct(column: str) -> list[Any]:
            if column not in frame.columns:
                return []
            out = []
            for v in frame[column]:
                if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "":
                    continue
                if v not in out:
                    out.append(v)
            return out

        from evaluation.reporting.sections import cluster_name, sample_label

        notes = []
        samples = distinct("sample") or distinct("param_sample")
        if samples:
            notes.append(self.m("doc.note.sample", sample=" / ".join(
                sample_label(str(v), self.lang) for v in samples)))  # fmt: skip
        clusters = distinct("cluster")
        counts = [fmt_int(v, self.lang) for v in distinct("n_clusters") if _finite(v)]
        where = " / ".join(cluster_name(str(v), self.lang) for v in clusters)
        if clusters and counts:
            notes.append(self.m("doc.note.cluster", cluster=where, n=" / ".join(counts)))
        elif clusters:
            notes.append(self.m("doc.note.cluster_only", cluster=where))
        elif counts:
            notes.append(self.m("doc.note.cluster_n", n=" / ".join(counts)))
        covariates = distinct("covariates")
        if covariates:
            names = dict.fromkeys(c.strip() for v in covariates for c in str(v).split(","))
            notes.append(self.m("doc.note.covariates", covariates=", ".join(
                self.inline_label(c) for c in names if c)))  # fmt: skip
        controls = distinct("control_group")
        if controls:
            notes.append(self.m("doc.note.control", control=" / ".join(
                self.m(f"doc.control.{v}") if has_message(f"doc.control.{v}") else str(v)
                for v in controls)))  # fmt: skip
        notes.append(self.m("doc.note.significance"))
        return notes

    def rows(self, *, label_startswith: str) -> pd.DataFrame | None:
        frame = self.run.estimates
        if frame is None:
            return None
        return frame[frame["label"].astype(str).str.startswith(label_startswith)]

    # --- 5 methods -------------------------------------------------------------------------
    def methods(self) -> None:
        sec = self.doc.section("methods", self.m("doc.methods"))
        sec.say([Text(self.m("doc.methods.att")), Ref("eq-att-gt"), Text(" "),
                 Text(self.m("doc.methods.aggregate")), Ref("eq-att"), Text(".")])  # fmt: skip
        sec.add(Equation(
            "eq-att-gt",
            "\"ATT\"(g, t) = EE[Y_t - Y_(g-1) | G = g] - EE[Y_t - Y_(g-1) | C = 1]",
            r"\mathrm{ATT}(g,t) = \mathbb{E}[Y_t - Y_{g-1} \mid G = g] - \mathbb{E}[Y_t - Y_{g-1} \mid C = 1]",
            self.m("doc.methods.att_where"),
        ))  # fmt: skip
        sec.add(Equation(
            "eq-att",
            "theta = sum_g sum_(t >= g) w_(g t) \"ATT\"(g, t)",
            r"\theta = \sum_{g} \sum_{t \ge g} w_{gt}\, \mathrm{ATT}(g,t)",
            self.m("doc.methods.theta_where"),
        ))  # fmt: skip
        sec.add(Equation(
            "eq-twfe",
            "Y_(i t) = alpha_i + lambda_t + beta D_(i t) + epsilon_(i t)",
            r"Y_{it} = \alpha_i + \lambda_t + \beta D_{it} + \varepsilon_{it}",
            self.m("doc.methods.twfe_where"),
        ))  # fmt: skip
        sec.say(self.m("doc.methods.assumptions"))
        primary = self.findings.get(self.primary_outcome)
        n_clusters = primary.get("n_clusters") if primary is not None else None
        if _finite(n_clusters):
            sec.say(self.m("doc.methods.inference", n_clusters=fmt_int(n_clusters, self.lang)))
        else:
            self.missing(sec, self.m("doc.what.clusters"))
        sec.say(self.m("doc.methods.primary", outcome=self.label(self.primary_outcome),
                       estimator=self.est_name(self.estimator)))  # fmt: skip

    # --- 6 findings ------------------------------------------------------------------------
    def findings_sections(self) -> None:
        self.doc.section("findings", self.m("doc.findings"))
        for i, q in enumerate(self.questions(), start=1):
            sec = self.doc.section(f"finding-{i}", q["text"], level=2)
            rows = []
            for o in q["outcomes"]:
                r = self.findings.get(o)
                if r is None:
                    sec.say(self.m("doc.finding.none", outcome=self.label(o)))
                    continue
                rows.append([self.label(o), fmt_number(r["estimate"], self.lang, 3),
                             fmt_interval(r["conf_low"], r["conf_high"], self.lang),
                             fmt_pvalue(r["p_value"], self.lang), self.number(r.get("nobs"))])  # fmt: skip
            if rows:
                sec.say([Text(" ".join(self.effect_words(o) for o in q["outcomes"]
                                       if self.findings.get(o) is not None) + " "),
                         Text("("), Ref(f"tab-finding-{i}"), Text(").")])  # fmt: skip
                sec.add(Table(f"tab-finding-{i}", self.m("doc.finding.table", question=q["text"]),
                              [Column(self.m("common.outcome")),
                               Column(self.m("common.estimate"), "number"),
                               Column(self.m("common.ci"), "interval"),
                               Column(self.m("common.p_value"), "number"),
                               Column(self.m("common.n_obs"), "integer")],
                              rows, [self.m("doc.note.effects" if any(self.kind_key(o) == "log" for o in q["outcomes"])
                                            else "doc.note.effects_plain", estimator=self.est_name(self.estimator)),
                                     *self.spec_notes(pd.DataFrame([self.findings[o] for o in q["outcomes"] if self.findings.get(o) is not None]))]))  # fmt: skip

    def topics(self) -> None:
        """Productivity (TFP), dose-response, spillovers, distribution, cost-effectiveness
        (:mod:`evaluation.reporting.report_topics`), each under the findings."""
        from evaluation.reporting.report_topics import add_topics

        add_topics(self)

    # --- 7 robustness ----------------------------------------------------------------------
    def robustness(self) -> None:
        sec = self.doc.section("robustness", self.m("doc.robustness"))
        rows = []
        for key in ("cs", "twfe", "sunab", "imputation", "did_2x2"):
            r = self.run.overall(self.primary_outcome, key)
            if r is not None:
                rows.append((key, r))
        if not rows:
            self.missing(sec, self.m("doc.what.robustness"))
        else:
            sec.say([Text(self.m("doc.robustness.intro")), Ref("fig-forest"), Text(", "),
                     Ref("tab-robustness"), Text(".")])  # fmt: skip
            sec.add(self.forest(rows))
            sec.add(Table("tab-robustness", self.m("doc.robustness.table"),
                          [Column(self.m("common.estimator")), Column(self.m("common.estimate"), "number"),
                           Column(self.m("common.ci"), "interval"), Column(self.m("common.p_value"), "number")],
                          [[self.est_name(k), fmt_number(r["estimate"], self.lang, 3),
                            fmt_interval(r["conf_low"], r["conf_high"], self.lang),
                            fmt_pvalue(r["p_value"], self.lang)] for k, r in rows],
                          [self.m("doc.note.robustness"),
                           *self.spec_notes(pd.DataFrame([r for _, r in rows]))]))  # fmt: skip
        p = self.run.value("pretrend_p_value")
        if _finite(p):
            sec.say(self.m("doc.robustness.pretrends", p=fmt_pvalue(p, self.lang)))
        else:
            self.missing(sec, self.m("doc.what.pretrends"))
        self.sensitivity(sec)
        self.randomization(sec)
        self.multiple_testing(sec)

    def sensitivity(self, sec: Section) -> None:
        """Rambachan-Roth (HonestDiD) sensitivity as notebook 11 records it: the breakdown
        values (``breakdown_mbar``, ``breakdown_mbar_average``, ``breakdown_m``) and the robust
        intervals by M (rows labelled ``honest_did <target>``)."""
        values = {k: self.run.value(k) for k in ("breakdown_mbar", "breakdown_mbar_average",
                                                 "breakdown_m")}  # fmt: skip
        grids = {key: self.rows(label_startswith=f"honest_did {key}")
                 for key in ("first period", "average", "smoothness")}  # fmt: skip
        if not any(_finite(v) for v in values.values()) and all(
            g is None or g.empty for g in grids.values()
        ):
            self.missing(sec, self.m("doc.what.sensitivity"))
            return
        sec.say([Text(self.sensitivity_finding(values) + " "), Text(self.m("doc.see")), Ref("tab-sensitivity"),
                 Text(", "), Ref("fig-sensitivity"), Text(".")])  # fmt: skip
        rows = []
        for key, grid_key, target, restriction in (
            ("breakdown_mbar", "first period", "first", "rm"),
            ("breakdown_mbar_average", "average", "average", "rm"),
            ("breakdown_m", "smoothness", "first", "sd"),
        ):
            grid = grids[grid_key]
            original = None if grid is None else grid[grid["term"] == "original"]
            at_one = None
            if grid is not None and restriction == "rm":
                hit = grid[pd.to_numeric(grid.get("m"), errors="coerce") == 1.0]
                at_one = None if hit.empty else hit.iloc[0]
            rows.append([
                self.m(f"doc.rr.target.{target}"), self.m(f"doc.rr.restriction.{restriction}"),
                "—" if original is None or original.empty else fmt_interval(
                    original.iloc[0]["conf_low"], original.iloc[0]["conf_high"], self.lang),
                fmt_number(values[key], self.lang, 2 if restriction == "rm" else 4)
                if _finite(values[key]) else "—",
                "—" if at_one is None else fmt_interval(at_one["conf_low"], at_one["conf_high"],
                                                        self.lang),
            ])  # fmt: skip
        sec.add(Table("tab-sensitivity", self.m("doc.rr.table"),
                      [Column(self.m("doc.rr.col.target")), Column(self.m("doc.rr.col.restriction")),
                       Column(self.m("doc.rr.col.original"), "interval"),
                       Column(self.m("doc.rr.col.breakdown"), "number"),
                       Column(self.m("doc.rr.col.at_one"), "interval")],
                      rows, [self.m("doc.note.sensitivity"), *self.spec_notes(grids["first period"])]))  # fmt: skip
        sec.add(self.sensitivity_figure(grids))

    def sensitivity_finding(self, values: dict[str, Any]) -> str:
        """One sentence from the breakdown values: how large a violation of parallel trends
        (relative to the largest pre-period one) the effect survives."""
        rm, avg, sd = (values.get(k) for k in ("breakdown_mbar", "breakdown_mbar_average",
                                                "breakdown_m"))  # fmt: skip
        parts = []
        if _finite(rm):
            parts.append(self.m("doc.rr.finding.first", mbar=fmt_number(rm, self.lang, 2)))
        if _finite(avg):
            parts.append(self.m("doc.rr.finding.average", mbar=fmt_number(avg, self.lang, 2)))
        if _finite(sd):
            parts.append(self.m("doc.rr.finding.smooth", m=fmt_number(sd, self.lang, 4)))
        if not parts:
            return self.m("doc.rr.finding.none")
        strength = (
            min(float(v) for v in (rm, avg) if _finite(v)) if _finite(rm) or _finite(avg) else None
        )
        verdict = (
            ""
            if strength is None
            else " "
            + self.m("doc.rr.finding.robust" if strength >= 1 else "doc.rr.finding.fragile")
        )
        return self.m("doc.rr.finding", parts="; ".join(parts)) + verdict  # fmt: skip

    def sensitivity_figure(self, grids: dict[str, pd.DataFrame | None]) -> Figure:
        """Robust 95% intervals against Mbar (relative magnitudes), first period and average."""
        fig, ax = report_axes(6.2, 3.0)
        for i, key in enumerate(("first period", "average")):
            grid = grids.get(key)
            if grid is None or grid.empty:
                continue
            g = grid[pd.to_numeric(grid.get("m"), errors="coerce").notna()]
            m = g["m"].astype(float).to_numpy() + (0.03 if i else -0.03)
            est = g["estimate"].astype(float).to_numpy()
            ax.errorbar(m, est, yerr=[est - g["conf_low"].astype(float).to_numpy(),
                                      g["conf_high"].astype(float).to_numpy() - est],
                        fmt="o", color=OKABE_ITO[i], capsize=2, markersize=3,
                        label=self.m(f"doc.rr.target.{'first' if i == 0 else 'average'}"))  # fmt: skip
        ax.axhline(0, color="#555555", linewidth=0.8)
        ax.set_xlabel(self.m("doc.rr.axis"))
        ax.set_ylabel(textwrap.fill(self.label(self.primary_outcome), 28))
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        svg, png = encoded_figure(fig)
        return Figure("fig-sensitivity", self.m("doc.rr.figure"), svg, png,
                      self.m("doc.rr.figure"), [self.m("doc.note.rr_figure")])  # fmt: skip

    def randomization(self, sec: Section) -> None:
        """Randomization inference (notebook 11): the p-value with its number of draws."""
        rows = self.rows(label_startswith="randomization inference")
        if rows is None or rows.empty:
            p = self.run.value("ri_p_value")
            if _finite(p):
                sec.say(self.m("doc.ri.value_only", p=fmt_pvalue(p, self.lang)))
            else:
                self.missing(sec, self.m("doc.what.randomization"))
            return
        r = rows.iloc[-1]
        draws = r.get("assignments")
        p = float(r["p_value"])
        sec.say([Text(self.m(
            "doc.ri.finding" if p < 0.05 else "doc.ri.finding_not",
            estimate=fmt_number(r["estimate"], self.lang, 3), p=fmt_pvalue(p, self.lang),
            draws=self.number(draws) if _finite(draws) else "—") + " "),
            Text(self.m("doc.see")), Ref("tab-ri"), Text(".")])  # fmt: skip
        exact = r.get("exact")
        sec.add(Table("tab-ri", self.m("doc.ri.table"),
                      [Column(self.m("common.estimate"), "number"), Column(self.m("common.p_value"), "number"),
                       Column(self.m("doc.ri.col.draws"), "integer"), Column(self.m("doc.ri.col.mc_se"), "number"),
                       Column(self.m("doc.ri.col.exact"))],
                      [[fmt_number(r["estimate"], self.lang, 3), fmt_pvalue(p, self.lang),
                        self.number(draws), fmt_number(r.get("p_value_mc_se"), self.lang, 3)
                        if _finite(r.get("p_value_mc_se")) else "—",
                        self.m("common.yes" if exact is True or exact == 1 else "common.no")
                        if exact is not None and not (isinstance(exact, float) and math.isnan(exact)) else "—"]],
                      [self.m("doc.note.ri"), *self.spec_notes(rows)]))  # fmt: skip

    def multiple_testing(self, sec: Section) -> None:
        """Multiple-testing adjustment (notebook 11): Romano-Wolf p-values and the
        Benjamini-Hochberg and sharpened q-values by outcome and subgroup."""
        recorded = self.run.value("multiple_testing")
        if isinstance(recorded, list) and recorded:
            table = pd.DataFrame(recorded)
        else:
            rows = self.rows(label_startswith="romano-wolf")
            if rows is None or rows.empty or "outcome" not in rows.columns:
                self.missing(sec, self.m("doc.what.qvalues"))
                return
            table = rows.assign(subgroup=rows["term"].astype(str).str.split(" | ").str[-1])
        from evaluation.reporting.sections import sample_label

        has_q = "q_bh" in table.columns
        k = len(table)
        sig_rw = int((pd.to_numeric(table["p_romano_wolf"], errors="coerce") < 0.05).sum())
        sig_q = int((pd.to_numeric(table["q_bh"], errors="coerce") < 0.05).sum()) if has_q else None
        text = self.m("doc.mt.finding", k=fmt_int(k, self.lang), rw=fmt_int(sig_rw, self.lang))
        if sig_q is not None:
            text += " " + self.m("doc.mt.finding_q", q=fmt_int(sig_q, self.lang))
        sec.say([Text(text + " "), Text(self.m("doc.see")), Ref("tab-qvalues"), Text(".")])
        columns = [Column(self.m("common.outcome")), Column(self.m("doc.mt.col.subgroup")),
                   Column(self.m("common.estimate"), "number"), Column(self.m("common.p_value"), "number"),
                   Column(self.m("doc.mt.col.rw"), "number")]  # fmt: skip
        if has_q:
            columns += [Column(self.m("doc.mt.col.q_bh"), "number"),
                        Column(self.m("doc.mt.col.q_sharp"), "number")]  # fmt: skip
        body = []
        for _, r in table.iterrows():
            group = sample_label(str(r["subgroup"]), self.lang)
            row = [self.label(str(r["outcome"])), group[:1].upper() + group[1:],
                   fmt_number(r["estimate"], self.lang, 3), fmt_pvalue(r["p_value"], self.lang),
                   fmt_pvalue(r["p_romano_wolf"], self.lang)]  # fmt: skip
            if has_q:
                row += [fmt_pvalue(r["q_bh"], self.lang), fmt_pvalue(r["q_sharpened"], self.lang)]
            body.append(row)
        reps = table["replications"].iloc[0] if "replications" in table.columns else None
        sec.add(Table("tab-qvalues", self.m("doc.mt.table"), columns, body,
                      [self.m("doc.note.mt", reps=self.number(reps) if _finite(reps) else "—")]))  # fmt: skip

    def forest(self, rows: list[tuple[str, pd.Series]]) -> Figure:
        """One forest plot of the primary outcome's overall effect by estimator."""
        fig, ax = report_axes(6.2, 0.5 + 0.45 * len(rows))
        for i, (key, r) in enumerate(reversed(rows)):
            colour = OKABE_ITO[0] if key == self.estimator else OKABE_ITO[1]
            ax.errorbar(float(r["estimate"]), i, xerr=[[float(r["estimate"]) - float(r["conf_low"])],
                        [float(r["conf_high"]) - float(r["estimate"])]], fmt="o", color=colour,
                        capsize=3)  # fmt: skip
        own = self.truths().get(self.estimator)
        truth = own[0] if own else self.run.value("truth_overall")
        if _finite(truth):
            ax.axvline(float(truth), color=OKABE_ITO[2], linestyle="--",
                       label=self.m("common.truth"))  # fmt: skip
            ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.axvline(0, color="#555555", linewidth=0.8)
        ax.set_yticks(range(len(rows)), [self.est_name(k) for k, _ in reversed(rows)])
        ax.set_xlabel(textwrap.fill(self.label(self.primary_outcome), 40))
        ax.spines[["top", "right"]].set_visible(False)
        svg, png = encoded_figure(fig)
        return Figure("fig-forest", self.m("doc.robustness.figure"), svg, png,
                      self.m("doc.robustness.figure"), [self.m("doc.note.forest")])  # fmt: skip

    # --- 8 limitations, 9 conclusions --------------------------------------------------------
    def limitations(self) -> None:
        sec = self.doc.section("limitations", self.m("doc.limitations"))
        items = [[Text(self.m(f"final.limitations.{k}"))] for k in ("selection", "attrition",
                                                                    "spillovers", "subgroups")]  # fmt: skip
        self.narrate(sec, [Bullets(items)])

    def conclusions(self) -> None:
        sec = self.doc.section("conclusions", self.m("doc.conclusions"))
        self.narrate(sec, [Paragraph([Text(self.m("doc.conclusions.text"))])])

    # --- annexes ---------------------------------------------------------------------------
    def annex_estimates(self) -> None:
        sec = self.doc.section("annex-estimates", self.m("doc.annex.estimates"), annex=True)
        frame = self.run.estimates
        if frame is None or frame.empty:
            self.missing(sec, self.m("doc.what.estimates"))
            return
        from evaluation.reporting.sections import sample_label

        overall = frame[frame["term"].isin(OVERALL_TERMS)].copy()
        own = (
            overall["sample"]
            if "sample" in overall.columns
            else pd.Series(None, index=overall.index)
        )
        job = overall["param_sample"] if "param_sample" in overall.columns else own
        overall["_sample"] = own.where(own.notna(), job).fillna("all").astype(str)
        overall = overall.drop_duplicates(
            subset=["outcome_variable", "estimator", "_sample", "estimate", "conf_low", "conf_high"]
        )

        def sample_text(value: str) -> str:
            text = sample_label(value, self.lang)
            return text[:1].upper() + text[1:]

        rows = [[self.label(str(r["outcome_variable"])), sample_text(r["_sample"]),
                 self.est_name(ESTIMATOR_KEYS.get(str(r["estimator"]), "other")),
                 fmt_number(r["estimate"], self.lang, 3),
                 fmt_interval(r["conf_low"], r["conf_high"], self.lang), self.number(r.get("nobs"))]
                for _, r in overall.iterrows()]  # fmt: skip
        sec.add(Table("tab-annex-estimates", self.m("doc.annex.estimates"),
                      [Column(self.m("common.outcome")), Column(self.m("common.sample")),
                       Column(self.m("common.estimator")),
                       Column(self.m("common.estimate"), "number"), Column(self.m("common.ci"), "interval"),
                       Column(self.m("common.n_obs"), "integer")], rows,
                      [self.m("doc.note.annex_estimates"), *self.spec_notes(overall)]))  # fmt: skip

    def annex_balance(self) -> None:
        sec = self.doc.section("annex-balance", self.m("doc.annex.balance"), annex=True)
        balance = self.rows(label_startswith="baseline balance")
        if balance is None or balance.empty:
            self.missing(sec, self.m("doc.what.balance"))
            return
        rows = [[self.label(str(r.get("term") or r["outcome_variable"])),
                 fmt_number(r.get("mean_treated"), self.lang, 3), fmt_number(r.get("mean_control"), self.lang, 3),
                 fmt_number(r.get("normalized_difference"), self.lang, 3)] for _, r in balance.iterrows()]  # fmt: skip
        sec.add(Table("tab-balance", self.m("doc.annex.balance"),
                      [Column(self.m("common.variable")), Column(self.m("common.participants"), "number"),
                       Column(self.m("common.comparison"), "number"), Column(self.m("doc.col.std_diff"), "number")],
                      rows, [self.m("doc.note.balance")]))  # fmt: skip

    def annex_quality(self) -> None:
        sec = self.doc.section("annex-quality", self.m("doc.annex.quality"), annex=True)
        errors, warnings = (
            self.run.value("validation_errors"),
            self.run.value("validation_warnings"),
        )
        if errors is None:
            self.missing(sec, self.m("doc.what.quality"))
        else:
            sec.say(
                self.m(
                    "doc.quality.text", errors=self.number(errors), warnings=self.number(warnings)
                )
            )

    def cohort_sizes(self, sample: str = "all") -> dict[str, float] | None:
        """The cohort sizes behind the primary Callaway-Sant'Anna estimate on ``sample``:
        notebook 16's ``cohort_sizes <role> <outcome> <sample>``, else (whole sample)
        notebook 10's ``cs_cohort_sizes``."""
        o = self.primary_outcome
        role = "primary" if sample == "all" else "subgroup"
        sizes = self.run.value(f"cohort_sizes {role} {o} {sample}")
        if sizes is None and sample == "all":
            sizes = self.run.value_for("cs_cohort_sizes", o)
        return sizes if isinstance(sizes, dict) else None

    def truths(self, sample: str = "all") -> dict[str, tuple[float, str]]:
        """The true value of each estimator's own estimand for the primary outcome on
        ``sample`` (``all``, ``women_led``, ``men_led``): ``{estimator: (truth, estimand)}``.

        From the truth file when the pipeline passed it (simulated data), by
        :func:`estimand_truth_keyed` with the cohort sizes the run recorded for that sample.
        Without a truth file, every estimator of the whole sample is set beside the recorded
        ``truth_overall``; subgroups then have no truth.
        """
        out: dict[str, tuple[float, str]] = {}
        if truth_cells(self.run.truth, self.primary_outcome, sample) is not None:
            sizes = self.cohort_sizes(sample)
            for key in ("cs", "sunab", "imputation", "twfe"):
                hit = estimand_truth_keyed(self.run.truth, self.primary_outcome, key, sizes,
                                           sample=sample)  # fmt: skip
                if hit is not None:
                    out[key] = hit
            return out
        recorded = self.run.value("truth_overall")
        if sample == "all" and _finite(recorded):
            out = {k: (float(recorded), "recorded") for k in ("cs", "twfe", "sunab", "imputation")}
        return out

    def annex_truth(self) -> None:
        truths = self.truths()
        if not truths:
            return  # real data: no truth file, no annex
        sec = self.doc.section("annex-truth", self.m("doc.annex.truth"), annex=True)
        rows, used = [], []

        def add(sample: str, key: str, r: pd.Series, truth: float, estimand: str) -> None:
            covers = float(r["conf_low"]) <= truth <= float(r["conf_high"])
            rows.append([self.m(f"common.{sample}"), self.est_name(key),
                         self.m(f"doc.truth.estimand.{estimand}"),
                         fmt_number(r["estimate"], self.lang, 3), fmt_number(truth, self.lang, 3),
                         fmt_number(float(r["estimate"]) - truth, self.lang, 3),
                         self.m("common.yes" if covers else "common.no")])  # fmt: skip
            used.append(r)

        for key in ("cs", "sunab", "imputation", "twfe"):
            r = self.run.overall(self.primary_outcome, key)
            if r is not None and key in truths:
                add("all", key, r, *truths[key])
        for sample in TRUTH_SAMPLES:
            r = self.run.subgroup(self.primary_outcome, sample)
            own = self.truths(sample).get(self.estimator)
            if r is not None and own is not None and _finite(r.get("estimate")):
                add(sample, self.estimator, r, *own)
        if not rows:
            self.missing(sec, self.m("doc.what.truth_estimates"))
            return
        sec.say([Text(self.m("doc.truth.text")), Ref("tab-truth"), Text(".")])
        sec.add(Table("tab-truth", self.m("doc.annex.truth"),
                      [Column(self.m("common.sample")), Column(self.m("common.estimator")),
                       Column(self.m("doc.truth.col.estimand")),
                       Column(self.m("common.estimate"), "number"),
                       Column(self.m("common.truth"), "number"), Column(self.m("common.error"), "number"),
                       Column(self.m("doc.truth.col.covers"))],
                      rows, [self.m("doc.note.truth"), *self.spec_notes(pd.DataFrame(used))]))  # fmt: skip

    def annex_provenance(self) -> None:
        sec = self.doc.section("annex-provenance", self.m("doc.annex.provenance"), annex=True)
        man = self.run.manifest
        if not man:
            self.missing(sec, self.m("doc.what.provenance"))
            return
        prov = self.provenance()
        rows = [[self.m("doc.prov.commit"), str(prov.get("commit") or "—")],
                [self.m("doc.prov.seed"), str(self.s.analysis.seed)]]  # fmt: skip
        for name, info in sorted((prov.get("data") or {}).items()):
            digest = info.get("sha256") if isinstance(info, dict) else info
            rows.append([name, str(digest)[:16]])
        for name, ver in sorted((prov.get("versions") or {}).items()):
            rows.append([name, str(ver)])
        jobs = self.run.status
        ok = sum(1 for j in jobs if j.get("status") in ("ok", "cached"))
        rows.append(
            [self.m("doc.prov.jobs"), f"{fmt_int(ok, self.lang)} / {fmt_int(len(jobs), self.lang)}"]
        )
        sec.add(Table("tab-provenance", self.m("doc.annex.provenance"),
                      [Column(self.m("doc.col.item")), Column(self.m("common.value"))], rows,
                      [self.m("doc.note.provenance")]))  # fmt: skip

    def annex_glossary(self) -> None:
        sec = self.doc.section("annex-glossary", self.m("doc.annex.glossary"), annex=True)
        terms = ("att", "ci", "cluster", "parallel", "wild", "pretrend")
        sec.add(Table("tab-glossary", self.m("doc.annex.glossary"),
                      [Column(self.m("doc.col.term")), Column(self.m("doc.col.meaning"))],
                      [[self.m(f"doc.gloss.{k}"), self.m(f"doc.gloss.{k}.text")] for k in terms]))  # fmt: skip


def build_document(
    settings: Any,
    reports: Path,
    language: str,
    *,
    narrative_dir=None,
    truth: dict[str, Any] | None = None,
) -> Document:
    """The final report of the run in ``reports`` in ``language`` (see the module docstring).

    ``truth`` is the simulator's truth file of the run's raw data (the pipeline reads it with
    :func:`evaluation.data.load.load_truth`); None for real data.
    """
    run = RunOutputs.read(Path(reports))
    run.truth = truth
    return Builder(settings, run, language, narrative_dir=narrative_dir).build()


def headline(settings: Any, reports: Path, language: str) -> str | None:
    """The run's headline sentence in ``language`` (see :meth:`Builder.headline`), for the
    reports index; None when the run recorded no primary estimate."""
    return Builder(settings, RunOutputs.read(Path(reports)), language).headline()
