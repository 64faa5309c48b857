"""The final report document: built from a hand-made run folder, rendered to PDF, DOCX, HTML.

Checks read the PDFs with pdftotext (issue 12, "done when"): page 1 names the programme and
shows no pipeline chrome; a table of contents headed Contents/Índice with page numbers; numbered
figures and tables in the report language; no raw identifier or TeX in the body; counts without
decimals; a DOCX with real headings beside each PDF; hostile programme names render literally.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evaluation.config import load_settings
from evaluation.reporting import narrative
from evaluation.reporting.document_html import to_html
from evaluation.reporting.docx import write_docx
from evaluation.reporting.report_builder import build_document
from evaluation.reporting.typst import compile_pdf
from tests.conftest import REPO

HOSTILE = 'Fund #1 *bold* _x_ $y$ @ref <lab> [z] \\ "q" // c <script>alert(1)</script>'
IDENTIFIER = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing")


def _row(label, estimator, estimate, low, high, **extra):
    base = {"notebook": "05_staggered", "job": "05_staggered__all", "label": label,
            "estimator": estimator, "outcome_variable": "log_labor_productivity",
            "term": "overall", "estimate": estimate, "std_error": 0.01, "statistic": 10.0,
            "p_value": 0.0001, "conf_low": low, "conf_high": high, "nobs": 3521.0,
            "vcov_type": "x", "n_clusters": 26.0, "param_sample": "all"}  # fmt: skip
    return base | extra


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    """A small run: two estimators, balance counts, pre-trends, truth, a manifest."""
    reports = tmp_path / "reports"
    reports.mkdir()
    rows = [
        _row("cs overall", "callaway_santanna:simple", 0.1036, 0.085, 0.123),
        _row("twfe overall", "twfe", 0.0961, 0.078, 0.114, term="treated"),
        _row("baseline balance", "balance", 0.0, -1.0, 1.0, term="log_employees",
             n_treated=259.0, n_control=519.0, mean_treated=2.1, mean_control=2.0,
             normalized_difference=0.05),
    ]  # fmt: skip
    pd.DataFrame(rows).to_parquet(reports / "estimates.parquet")
    values = [
        {"notebook": "04_event_study", "job": "j", "parameters": {}, "name": "pretrend_p_value",
         "value": 0.63},
        {"notebook": "05_staggered", "job": "j", "parameters": {}, "name": "truth_overall",
         "value": 0.0861},
    ]  # fmt: skip
    (reports / "values.json").write_text(json.dumps(values), encoding="utf-8")
    manifest = {
        "schema": "evaluation-run-manifest/2", "created": "2026-01-15T10:00:00Z",
        "provenance": {"commit": "0123456789abcdef", "data": {"panel.parquet": "ab" * 32},
                       "versions": {"numpy": "2"}},
        "jobs": [{"job": "05_staggered__all", "notebook": "05_staggered", "status": "ok"}],
    }  # fmt: skip
    (reports / "run_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return reports


def _settings(name: str = "Test Programme"):
    settings = load_settings(root=REPO)
    program = settings.program.model_copy(
        update={"name": name, "donor": name, "questions": (), "logframe": ()}
    )
    analysis = settings.analysis.model_copy(
        update={"primary_outcome": "log_labor_productivity", "secondary_outcomes": ()}
    )
    return settings.model_copy(update={"program": program, "analysis": analysis})


def _pdftext(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _body(pages: list[str], annex: str) -> str:
    """Text after the contents pages up to the first annex heading (not its contents line)."""
    text = "\f".join(pages[2:])
    match = re.search(rf"^\s*{annex} A\. (?!.*\. \. \.)", text, re.M)
    assert match, "no annex heading"
    return text[: match.start()]


@pytest.mark.parametrize(
    ("language", "contents", "figure", "table", "annex"),
    [("en", "Contents", "Figure 1", "Table 1", "Annex"),
     ("es", "Índice", "Figura 1", "Cuadro 1", "Anexo")],
)  # fmt: skip
def test_pdf_meets_the_done_when_checks(
    run_folder, tmp_path, language, contents, figure, table, annex
):
    doc = build_document(_settings(), run_folder, language, narrative_dir=None)
    pdf = compile_pdf(doc, tmp_path / f"report_{language}.pdf")
    docx = write_docx(doc, tmp_path / f"report_{language}.docx")
    pages = _pdftext(pdf)
    assert "Test Programme" in pages[0]
    for chrome in ("Status", "Parameters", "language="):
        assert chrome not in pages[0]
    assert contents in pages[1] and re.search(r"\. \. \.\s*\u2060?\d+\s*$", pages[1], re.M)
    text = "\f".join(pages)
    assert figure in text and table in text
    body = _body(pages, annex)
    assert not IDENTIFIER.findall(body), IDENTIFIER.findall(body)[:5]
    assert "\\mathrm" not in body and "\\sum" not in body and "_(" not in body
    # counts without decimals: the observations column prints 3,521 / 3.521
    assert ("3,521" if language == "en" else "3.521") in body
    assert not re.search(r"3[.,]521[.,]0", body)
    # the truth comparison per estimand is in the annexes
    assert ("0.086" if language == "en" else "0,086") in text
    with zipfile.ZipFile(docx) as zf:
        xml = zf.read("word/document.xml").decode()
    assert 'w:val="Heading1"' in xml and 'w:val="Heading2"' in xml
    assert ("Table 1." if language == "en" else "Cuadro 1.") in xml


def test_hostile_programme_name_renders_literally(run_folder, tmp_path):
    doc = build_document(_settings(HOSTILE), run_folder, "en", narrative_dir=None)
    pages = _pdftext(compile_pdf(doc, tmp_path / "hostile.pdf"))
    flat = " ".join(pages[0].split())
    assert " ".join(HOSTILE.split()) in flat
    page = to_html(doc)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    docx = write_docx(doc, tmp_path / "hostile.docx")
    with zipfile.ZipFile(docx) as zf:
        xml = zf.read("word/document.xml").decode()
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    assert "*bold*" in text and "$y$" in text and "&lt;script&gt;" in text


def test_narrative_blocks_bind_to_recorded_numbers_and_reject_unknowns(run_folder, tmp_path):
    folder = tmp_path / "narrative"
    (folder / "en").mkdir(parents=True)
    (folder / "en" / "conclusions.md").write_text(
        'Effect {{ effect("log_labor_productivity", "cs", "simple") }} '
        '{{ ci("log_labor_productivity", "cs", "simple") }}. <b>raw</b> '
        "[bad](javascript:alert(1)) [good](https://example.org)\n",
        encoding="utf-8",
    )
    doc = build_document(_settings(), run_folder, "en", narrative_dir=folder)
    conclusions = next(s for s in doc.sections if s.id == "conclusions")
    assert not conclusions.draft and "conclusions" not in doc.drafts
    page = to_html(doc)
    assert "Effect 0.104 [0.085, 0.123]." in page
    assert "<b>raw</b>" not in page and "&lt;b&gt;raw&lt;/b&gt;" in page  # shown, not rendered
    assert 'href="javascript' not in page.lower()  # an unsafe link stays text
    assert '<a href="https://example.org">good</a>' in page
    assert "summary" in doc.drafts  # no block: generated text marked draft
    (folder / "en" / "conclusions.md").write_text('one\n\n{{ made_up("x") }}\n', encoding="utf-8")
    with pytest.raises(narrative.NarrativeError, match=r"conclusions\.md:3: unknown placeholder"):
        build_document(_settings(), run_folder, "en", narrative_dir=folder)
    (folder / "en" / "conclusions.md").write_text(
        '{{ effect("nothing", "cs") }}\n', encoding="utf-8"
    )
    with pytest.raises(narrative.NarrativeError, match=r"conclusions\.md:1: effect"):
        build_document(_settings(), run_folder, "en", narrative_dir=folder)


def test_missing_run_outputs_say_so_in_one_line(tmp_path):
    empty = tmp_path / "reports"
    empty.mkdir()
    doc = build_document(_settings(), empty, "es", narrative_dir=None)
    page = to_html(doc)
    assert "No disponible en esta ejecución" in page
    pdf = compile_pdf(doc, tmp_path / "empty.pdf")
    assert _pdftext(pdf)[0].strip()
