"""The final report's issue-14 sections (TFP, dose-response, spillovers, distribution,
cost-effectiveness) and the per-subgroup truth, built from hand-made estimate records.

Each section must hold one figure and one finding sentence generated from the recorded
numbers, or one "not available" line; malformed terms are skipped, never guessed; the PDF
body keeps no raw identifier. The truth annex compares each estimate with its own estimand,
for women-led and men-led firms too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evaluation.reporting.document import Figure, Paragraph, Text
from evaluation.reporting.report_builder import (
    build_document,
    estimand_truth,
    estimand_truth_keyed,
)
from tests.test_report_document import _row, _settings, _tables, make_run_folder


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    return make_run_folder(tmp_path)


def _topic_rows() -> list[dict]:
    rows = []
    for method, lab, cap in (("production_acf", 0.61, 0.30), ("production_lp", 0.55, 0.33)):
        for term, value in (("tfp_log_employees", lab), ("tfp_log_capital", cap)):
            rows.append(_row(method, method, value, value - 0.05, value + 0.05, term=term,
                             outcome_variable="log_value_added"))  # fmt: skip
    rows.append(_row("cs overall", "callaway_santanna:simple", 0.071, 0.02, 0.12,
                     outcome_variable="log_tfp"))  # fmt: skip
    for d, att in ((1.0, 0.05), (2.0, 0.09), (3.0, 0.12)):
        rows.append(_row("cd", "continuous_did", att, att - 0.03, att + 0.03, term=f"ATT(d={d})"))
        rows.append(_row("cd", "continuous_did", 0.035, 0.01, 0.06, term=f"ACRT(d={d})"))
    rows += [
        _row("cd", "continuous_did", 0.09, 0.06, 0.12, term="ATT_overall"),
        _row("cd", "continuous_did", 0.035, 0.012, 0.058, term="ACRT_overall"),
        _row("cd", "continuous_did", 9.0, 8.0, 10.0, term="ATT(d=oops)"),  # malformed: skipped
        _row("cdb", "continuous_did_binned", 0.04, 0.0, 0.08, term="bin=0.5-1.5"),
        _row("cdb", "continuous_did_binned", 0.11, 0.07, 0.15, term="bin=1.5-3"),
        _row("sp", "spillovers", 0.10, 0.08, 0.12, term="direct_effect"),
        _row("sp", "spillovers", 0.04, 0.01, 0.07, term="exposure_effect"),
        _row("sp", "spillovers", 0.00, -0.02, 0.02, term="placebo_exposure"),
        _row("sp by type", "spillovers", 0.9, 0.8, 1.0, term="exposure_effect"),  # not the first
    ]
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        rows.append(_row("cic", "changes_in_changes", 0.1 + q / 10, 0.02, 0.2, term=f"q={q:.2f}"))
    rows.append(_row("cic", "changes_in_changes", 0.13, 0.05, 0.2, term="cic_mean"))
    rows += [
        _row("ce", "cost_effectiveness", 12000.0, float("nan"), float("nan"),
             term="cost_per_firm", currency="USD"),
        _row("ce", "cost_effectiveness", 115000.0, 95000.0, 140000.0,
             term="cost_per_outcome_unit", currency="USD"),
        _row("ce", "cost_effectiveness", 40000.0, float("-inf"), float("inf"),
             term="cost_per_job", currency="USD"),
    ]  # fmt: skip
    return rows


@pytest.fixture
def topic_folder(run_folder: Path) -> Path:
    frame = pd.read_parquet(run_folder / "estimates.parquet")
    pd.concat([frame, pd.DataFrame(_topic_rows())], ignore_index=True).to_parquet(
        run_folder / "estimates.parquet"
    )
    values = json.loads((run_folder / "values.json").read_text(encoding="utf-8"))
    shares = {"participants": {"baseline": 0.5, "endline": 0.64},
              "comparison": {"baseline": 0.5, "endline": 0.52}}  # fmt: skip
    values.append({"notebook": "14_distribution", "job": "j", "parameters": {},
                   "name": "share_above_baseline_median", "value": shares})  # fmt: skip
    (run_folder / "values.json").write_text(json.dumps(values), encoding="utf-8")
    return run_folder


def _section(doc, sec_id: str):
    sec = next(s for s in doc.sections if s.id == sec_id)
    text = " ".join(
        "".join(i.text for i in b.content if isinstance(i, Text))
        for b in sec.blocks
        if isinstance(b, Paragraph)
    )
    figures = [b for b in sec.blocks if isinstance(b, Figure)]
    return text, figures


TOPICS = ("topic-tfp", "topic-dose", "topic-spillovers", "topic-distribution", "topic-costs")


def test_each_topic_has_one_figure_and_a_finding_from_the_numbers(topic_folder):
    doc = build_document(_settings(), topic_folder, "en", narrative_dir=None)
    found = {sec: _section(doc, sec) for sec in TOPICS}
    assert all(len(f) == 1 for _, f in found.values()), {k: len(f) for k, (_, f) in found.items()}
    tfp = found["topic-tfp"][0]
    assert "raised total factor productivity by 0.071 log points (about +7.4%)" in tfp
    assert "Ackerberg-Caves-Frazer, Levinsohn-Petrin" in tfp
    dose = found["topic-dose"][0]
    assert "the effect is 0.090 (95% interval [0.060, 0.120])" in dose
    assert "raises the effect by 0.0350" in dose
    spill = found["topic-spillovers"][0]
    assert "changed by 0.040 (95% interval [0.010, 0.070])" in spill  # the first fit, not 0.9
    assert "direct effect on participants is 0.100" in spill and "placebo" not in spill
    dist = found["topic-distribution"][0]
    assert "Gains were broad" in dist and "5 of 5 quantiles" in dist
    assert "participants 50.0% at baseline, 64.0% at end line" in dist
    # unconditional distributions beside the covariate-adjusted pre-specified estimate
    assert "without covariates; the pre-specified" in dist
    cost = found["topic-costs"][0]
    assert "12,000 USD per supported firm" in cost
    assert "115,000 USD per unit of effect" in cost and "(95% interval 95,000–140,000 USD)" in cost
    assert "40,000 USD per job created (interval unbounded" in cost
    # Spanish: the same sections, in Spanish
    es = build_document(_settings(), topic_folder, "es", narrative_dir=None)
    assert "Las ganancias fueron amplias" in _section(es, "topic-distribution")[0]
    assert "12.000 USD por empresa apoyada" in _section(es, "topic-costs")[0]


def test_topics_without_rows_say_what_would_enable_them(run_folder):
    doc = build_document(_settings(), run_folder, "es", narrative_dir=None)
    for sec in TOPICS:
        text, figures = _section(doc, sec)
        assert text.startswith("No disponible en esta ejecución:") and not figures, sec
    assert "program.costs" in _section(doc, "topic-costs")[0]


def test_inconclusive_findings_are_worded_cautiously(run_folder):
    rows = [
        _row("sp", "spillovers", 0.01, -0.02, 0.04, term="exposure_effect"),
        _row("sp", "spillovers", 0.05, 0.01, 0.09, term="placebo_exposure"),
        _row("cd", "continuous_did", 0.001, -0.01, 0.012, term="ACRT_overall"),
        _row("cd", "continuous_did", 0.05, 0.01, 0.09, term="ATT(d=1)"),
        _row("cic", "changes_in_changes", 0.2, 0.1, 0.3, term="q=0.90"),
        _row("cic", "changes_in_changes", 0.0, -0.1, 0.1, term="q=0.10"),
        _row("cic", "changes_in_changes", 0.0, -0.1, 0.1, term="q=0.50"),
        _row("cic", "changes_in_changes", 0.15, 0.05, 0.3, term="q=0.75"),
    ]
    frame = pd.read_parquet(run_folder / "estimates.parquet")
    pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).to_parquet(
        run_folder / "estimates.parquet"
    )
    doc = build_document(_settings(), run_folder, "en", narrative_dir=None)
    spill = _section(doc, "topic-spillovers")[0]
    assert spill.startswith("No spillover to linked firms can be claimed") and "Caution" in spill
    assert "no clear gradient" in _section(doc, "topic-dose")[0]
    assert (
        "concentrated among the better-performing firms" in _section(doc, "topic-distribution")[0]
    )


def test_topic_pdf_body_has_no_identifiers(topic_folder, tmp_path):
    from evaluation.reporting.typst import compile_pdf
    from tests.test_report_document import IDENTIFIER, _body, _pdftext

    doc = build_document(_settings(), topic_folder, "es", narrative_dir=None)
    pages = _pdftext(compile_pdf(doc, tmp_path / "topics.pdf"))
    body = _body(pages, "Anexo")
    assert not IDENTIFIER.findall(body), IDENTIFIER.findall(body)[:5]
    assert "Figura 6" in body  # forest + the five topic figures precede... at least six


# --- truth per estimand, subgroups included --------------------------------------------------
CELLS = [
    {"cohort": 2016, "year": 2016, "att": 0.1, "n_firm_years": 6, "women_led": True},
    {"cohort": 2017, "year": 2017, "att": 0.3, "n_firm_years": 2, "women_led": True},
    {"cohort": 2016, "year": 2016, "att": 0.05, "n_firm_years": 4, "women_led": False},
    {"cohort": 2017, "year": 2017, "att": 0.15, "n_firm_years": 4, "women_led": False},
]
TRUTH = {"estimands": {"log_labor_productivity": {
    "att_gt": [{"cohort": 2016, "year": 2016, "att": 0.08, "n_firm_years": 10},
               {"cohort": 2017, "year": 2017, "att": 0.2, "n_firm_years": 6}],
    "overall": {"att": 0.125}, "att_gt_by_women_led": CELLS,
    "by_women_led": {"true": {"att": 0.15}, "false": {"att": 0.10}}}}}  # fmt: skip


def test_subgroup_truth_uses_the_subgroups_own_weights():
    o = "log_labor_productivity"
    # women-led, CS simple with cohort sizes 3 and 1: (3 * 0.1 + 1 * 0.3) / 4 = 0.15
    assert estimand_truth(TRUTH, o, "cs", {"2016": 3, "2017": 1}, sample="women_led") == (
        pytest.approx(0.15, abs=1e-12)
    )
    # men-led, sizes 1 and 3: (0.05 + 3 * 0.15) / 4 = 0.125; the firm-year mean is 0.10
    assert estimand_truth(TRUTH, o, "cs", {"2016": 1, "2017": 3}, sample="men_led") == (
        pytest.approx(0.125, abs=1e-12)
    )
    assert estimand_truth_keyed(TRUTH, o, "sunab", None, sample="men_led") == (0.10, "firm_years")
    assert estimand_truth_keyed(TRUTH, o, "cs", None, sample="men_led") == (
        0.10, "firm_years_no_sizes",
    )  # fmt: skip
    assert estimand_truth(TRUTH, o, "cs", None, sample="country=KE") is None
    assert estimand_truth(None, o, "cs", None) is None


def test_truth_annex_has_subgroup_rows(run_folder):
    rows = [
        _row("subgroup women_led", "callaway_santanna:simple", 0.16, 0.10, 0.22,
             role="subgroup", sample="women_led"),
        _row("subgroup men_led", "callaway_santanna:simple", 0.09, 0.06, 0.12,
             role="subgroup", sample="men_led"),
    ]  # fmt: skip
    frame = pd.read_parquet(run_folder / "estimates.parquet")
    pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).to_parquet(
        run_folder / "estimates.parquet"
    )
    values = json.loads((run_folder / "values.json").read_text(encoding="utf-8"))
    for sample, sizes in (
        ("women_led", {"2016": 3, "2017": 1}),
        ("men_led", {"2016": 1, "2017": 3}),
    ):
        values.append({"notebook": "16", "job": "j", "parameters": {}, "value": sizes,
                       "name": f"cohort_sizes subgroup log_labor_productivity {sample}"})  # fmt: skip
    (run_folder / "values.json").write_text(json.dumps(values), encoding="utf-8")
    doc = build_document(_settings(), run_folder, "en", narrative_dir=None, truth=TRUTH)
    table = _tables(doc)["tab-truth"].rows
    by_sample = {r[0]: r for r in table if r[1] == "Callaway–Sant'Anna"}
    assert by_sample["Women-led"][3:] == ["0.160", "0.150", "0.010", "yes"]
    assert by_sample["Not women-led"][3:] == ["0.090", "0.125", "-0.035", "no"]
    # the whole-sample CS row stays the first: the annex is read top to bottom
    assert table[0][0] == "All firms"


# --- decimal alignment -----------------------------------------------------------------------
def test_number_columns_are_decimal_aligned_in_every_format(run_folder, tmp_path):
    import re
    import zipfile

    from evaluation.reporting.document import FIGURE_SPACE as F
    from evaluation.reporting.document import PUNCTUATION_SPACE as P
    from evaluation.reporting.document import decimal_aligned
    from evaluation.reporting.document_html import to_html
    from evaluation.reporting.docx import write_docx

    # en: the last "." is the mark (thousands commas are not); a cell without one gets a mark space
    assert decimal_aligned(["1.80", "0.0284", "12,345.5", "—"], "en") == [
        "1.80" + F * 2, "0.0284", "12,345.5" + F * 3, "—" + P + F * 4,
    ]  # fmt: skip
    # es: the comma is the mark, the point separates thousands
    assert decimal_aligned(["1.234,5", "0,25"], "es") == ["1.234,5" + F, "0,25"]
    assert decimal_aligned(["260", "3,521"], "en") == ["260", "3,521"]  # integers untouched
    from tests.test_report_document import _add_recorded

    _add_recorded(run_folder)  # the sensitivity table: breakdown values 1.80 and 0.0284
    doc = build_document(_settings(), run_folder, "en", narrative_dir=None)
    assert f">1.80{F * 2}<" in to_html(doc)
    xml = zipfile.ZipFile(write_docx(doc, tmp_path / "a.docx")).read("word/document.xml").decode()
    cells = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
    assert f"1.80{F * 2}\u2060" in cells, "padding lost in DOCX"


def test_tfp_on_simulated_data_without_a_production_design_is_no_finding(topic_folder):
    """A simulation whose truth file states no production function: the TFP section says the
    method ran, not that TFP moved; with a production design (or real data) it says nothing."""
    plain = _section(build_document(_settings(), topic_folder, "en", narrative_dir=None),
                     "topic-tfp")[0]  # fmt: skip
    assert "simulated without a production function" not in plain
    sim = build_document(_settings(), topic_folder, "en", narrative_dir=None,
                         truth={"estimands": {}})  # fmt: skip
    assert "simulated without a production function" in _section(sim, "topic-tfp")[0]
    designed = build_document(_settings(), topic_folder, "es", narrative_dir=None,
                              truth={"production": {"labour": 0.6}})  # fmt: skip
    assert "sin una función de producción" not in _section(designed, "topic-tfp")[0]
