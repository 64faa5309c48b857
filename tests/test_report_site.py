"""Reports: the index, self-contained pages, the final-report PDFs and the published archive.

All on the shared run of tests/conftest.py (``pipeline_run``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from argparse import Namespace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evaluation.reporting import pdf as pdf_printing
from evaluation.reporting.html import external_resources

pytestmark = pytest.mark.slow
# Without Chromium the run prints no PDF (and says so); tests of the PDFs skip with the reason.
needs_chromium = pytest.mark.skipif(
    pdf_printing.find_chromium() is None,
    reason="Chromium is not installed (apt-get install chromium): no PDFs to check",
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.imgs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "img":
            self.imgs.append(attrs.get("src") or "")


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _pages(reports: Path) -> list[Path]:
    return sorted(p for p in reports.rglob("*.html") if ".cache" not in p.parts)


def test_index_links_every_page_and_every_link_resolves(pipeline_run):
    reports = pipeline_run.reports
    links = _parse(reports / "index.html").hrefs
    assert links, "index has no links"
    for href in links:
        assert not href.startswith(("http:", "https:", "/")), href
        assert (reports / href).resolve().is_file(), f"index link {href} does not resolve"
    jobs = pipeline_run.manifest()["jobs"]
    for job in jobs:
        if job.get("page"):
            assert job["page"] in links, f"{job['job']} is not linked from the index"
    for name in ("estimates.csv", "estimates.parquet", "run_manifest.json", "values.json"):
        assert name in links
    index = (reports / "index.html").read_text()
    assert index.count(">FAILED") >= 4 and "ok (" in index
    if pdf_printing.find_chromium() is not None:
        for final in ("t2_summary/t2_summary__en.pdf", "t2_summary/t2_summary__es.pdf"):
            assert final in links


def test_pages_are_self_contained_with_provenance(pipeline_run):
    pages = _pages(pipeline_run.reports)
    assert len(pages) >= 9
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert external_resources(text) == [], page
        for src in _parse(page).imgs:
            assert src.startswith("data:image/"), (page, src[:60])
        for href in _parse(page).hrefs:  # relative links (back to the index, anchors) resolve
            if not href.startswith(("#", "http:", "https:", "mailto:")):
                assert (page.parent / href).resolve().is_file(), (page, href)
    tiny = (pipeline_run.reports / "t1_tiny" / "t1_tiny__log_sales__all.html").read_text()
    prov = pipeline_run.manifest()["provenance"]
    # the page states the provenance of the run that executed it (HEAD may have moved since)
    assert re.search(r"<th>commit</th><td><code>[0-9a-f]{40}", tiny)
    assert re.search(r"<th>source_sha256</th><td><code>[0-9a-f]{64}</code>", tiny)
    assert "<th>pandas</th>" in tiny and prov["versions"]["pandas"] in tiny
    assert "<th>seed</th>" in tiny or "seed" in tiny
    assert "check(globals()" not in tiny and "default_rng" not in tiny  # no code cells
    assert tiny.count('src="data:image/png;base64,') >= 1  # the histogram, embedded
    if pipeline_run.real_data:
        assert prov["data"]["outputs/panel.parquet"] in tiny


def _pdf_info(path: Path) -> tuple[list[tuple[float, float]], bytes]:
    data = path.read_bytes()
    boxes = [
        (float(a), float(b))
        for a, b in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    ]
    return boxes, data


def _ensure_pdftotext() -> bool:
    """Debian's poppler-utils reads the footer text back; installed by apt when missing."""
    if shutil.which("pdftotext"):
        return True
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "poppler-utils"], check=False, env=env,
                   timeout=600)  # fmt: skip
    return shutil.which("pdftotext") is not None


@needs_chromium
def test_final_report_pdfs_are_a4_with_page_numbers_and_outline(pipeline_run):
    for lang, word in (("en", "Page"), ("es", "Página")):
        pdf = pipeline_run.reports / "t2_summary" / f"t2_summary__{lang}.pdf"
        assert pdf.is_file()
        boxes, data = _pdf_info(pdf)
        assert data.startswith(b"%PDF-")
        # A4 is 595.28 x 841.89 pt (+/- 1.5 pt)
        assert boxes and all(abs(w - 595.28) < 1.5 and abs(h - 841.89) < 1.5 for w, h in boxes), (
            boxes
        )
        assert b"/Outlines" in data  # bookmarks from the headings
        assert b"/Link" in data  # the contents are links
        if not _ensure_pdftotext():
            pytest.skip(
                "pdftotext missing and apt-get (as root) unavailable: page numbers unchecked"
            )
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = text.split("\f")
        pages = [p for p in pages if p.strip()]
        n = len(pages)
        # the cover carries no running header or footer; every other page says "Page i of n"
        assert "Page" not in pages[0] and "Página" not in pages[0]
        for i, page in enumerate(pages[1:], start=2):
            of = "of" if lang == "en" else "de"
            assert f"{word} {i} {of} {n}" in page, (lang, i, page[-200:])


@needs_chromium
def test_report_command_rebuilds_index_and_reuses_pdfs(pipeline_run, tmp_path):
    from evaluation.config import load_settings
    from evaluation.pipeline import site

    reports = tmp_path / "reports"
    shutil.copytree(pipeline_run.reports, reports)
    (reports / "index.html").unlink()
    pdf = reports / "t2_summary" / "t2_summary__en.pdf"
    mtime = pdf.stat().st_mtime_ns
    rc = site.command(Namespace(reports=reports), load_settings(root=pipeline_run.root))
    assert rc == 0 and (reports / "index.html").is_file()
    assert pdf.stat().st_mtime_ns == mtime  # unchanged HTML: PDF not re-printed
    rc = site.command(Namespace(reports=tmp_path / "none"), load_settings(root=pipeline_run.root))
    assert rc == 2


@needs_chromium
def test_publish_refuses_an_incomplete_run_and_marks_a_forced_one(
    pipeline_run, tmp_path, monkeypatch, capsys
):
    from evaluation.config import load_settings
    from evaluation.pipeline import publish

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1530403200")  # 2018-07-01
    settings = load_settings(root=pipeline_run.root)
    # the shared run has deliberately failing jobs: refused, one line per job, nothing written
    args = Namespace(reports=pipeline_run.reports, out=tmp_path / "a", allow_incomplete=False)
    assert publish.command(args, settings) == 2
    err = capsys.readouterr().err
    for job in ("t4_fail__all", "t3_hang__all", "t1_tiny__log_sales"):
        assert f"error: cannot publish: job {job} is failed" in err
    assert not (tmp_path / "a").exists()
    # forced: INCOMPLETE in the name and in bundle.json; the same reports give the same bytes
    args = Namespace(reports=pipeline_run.reports, out=tmp_path / "a", allow_incomplete=True)
    assert publish.command(args, settings) == 0
    name = f"{settings.program.slug}-evaluation-20180701-INCOMPLETE"
    archive = tmp_path / "a" / f"{name}.zip"
    assert archive.is_file()
    args = Namespace(reports=pipeline_run.reports, out=tmp_path / "b", allow_incomplete=True)
    assert publish.command(args, settings) == 0
    assert archive.read_bytes() == (tmp_path / "b" / archive.name).read_bytes()
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (tmp_path / "a" / f"{archive.name}.sha256").read_text() == f"{digest}  {archive.name}\n"
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert names == sorted(names[:-1]) + [f"{name}/SHA256SUMS"]
        root = f"{name}/"
        for want in ("reports/t2_summary/t2_summary__en.html", "reports/t2_summary/t2_summary__es.pdf",
                     "estimates.parquet", "estimates.csv", "run_manifest.json", "values.json",
                     "data_manifest.json", "bundle.json"):  # fmt: skip
            assert root + want in names
        assert not any("t1_tiny/" in n for n in names)  # only the final reports
        bundle = json.loads(zf.read(root + "bundle.json"))
        assert bundle["status"] == "INCOMPLETE" and bundle["bundle"] == name
        assert any("t4_fail__all" in p for p in bundle["problems"])
        sums = zf.read(root + "SHA256SUMS").decode().splitlines()
        assert len(sums) == len(names) - 1
        for line in sums:
            digest, entry = line.split("  ", 1)
            assert hashlib.sha256(zf.read(root + entry)).hexdigest() == digest
    missing = Namespace(reports=tmp_path / "nothing", out=tmp_path / "c")
    assert publish.command(missing, settings) == 2


def test_no_browser_is_a_note_not_a_failure(pipeline_run, tmp_path, monkeypatch):
    """`make report` on a machine without Chromium: HTML produced, one line, exit 0."""
    from evaluation.pipeline import site

    reports = tmp_path / "reports"
    shutil.copytree(pipeline_run.reports, reports)
    for path in reports.rglob("*.pdf"):
        path.unlink()
    monkeypatch.setattr(pdf_printing, "find_chromium", lambda: None)
    out = __import__("io").StringIO()
    assert site.print_finals(reports, out=out) == []  # no error
    # the final reports' PDFs are typeset by the typst wheel: no browser involved
    for lang in ("en", "es"):
        assert (reports / "t2_summary" / f"t2_summary__{lang}.pdf").is_file()
        assert (reports / "t2_summary" / f"t2_summary__{lang}.docx").is_file()


def _landing_run(reports: Path, repo: Path) -> None:
    """A hand-made run: the primary estimate, two outcome pages, a data page, two finals."""
    import pandas as pd

    reports.mkdir()
    jobs = [
        {"job": "01__all", "notebook": "01_data_quality", "title": "Data <quality>",
         "parameters": {"sample": "all"}, "status": "ok", "page": "01/01__all.html"},
        {"job": "03__lp", "notebook": "03_main_effects", "title": "Main effects",
         "parameters": {"outcome": "log_labor_productivity", "sample": "all"}, "status": "ok",
         "page": "03/03__lp.html"},
        {"job": "03__ls", "notebook": "03_main_effects", "title": "Main effects",
         "parameters": {"outcome": "log_sales", "sample": "all"}, "status": "failed",
         "error": "ValueError: x", "page": "03/03__ls.html"},
        {"job": "07__en", "notebook": "07_final_report", "final": True,
         "parameters": {"language": "en"}, "status": "ok", "page": "07/07__en.html"},
        {"job": "07__es", "notebook": "07_final_report", "final": True,
         "parameters": {"language": "es"}, "status": "ok", "page": "07/07__es.html"},
    ]  # fmt: skip
    for job in jobs:
        (reports / job["page"]).parent.mkdir(exist_ok=True)
        (reports / job["page"]).write_text("<html></html>", encoding="utf-8")
    (reports / "07" / "07__en.pdf").write_bytes(b"%PDF")
    (reports / "07" / "07__es.docx").write_bytes(b"PK")
    manifest = {"schema": "evaluation-run-manifest/2", "created": "2026-01-15T10:00:00Z",
                "program": {"name": "Fund <b>&</b>"}, "settings_root": str(repo),
                "provenance": {}, "jobs": jobs}  # fmt: skip
    (reports / "run_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pd.DataFrame([{"notebook": "07_final_report", "job": "07__en", "label": "primary",
                   "estimator": "callaway_santanna:simple", "role": "primary",
                   "outcome_variable": "log_labor_productivity", "term": "overall",
                   "estimate": 0.1036, "conf_low": 0.085, "conf_high": 0.123,
                   "p_value": 0.0001, "param_sample": "all"}]).to_parquet(
        reports / "estimates.parquet"
    )  # fmt: skip


@pytest.mark.parametrize("with_questions", [False, True])
def test_index_is_a_landing_page(tmp_path, monkeypatch, with_questions):
    """Programme, headline (the final report's own sentence), final reports in both
    languages, analysis pages grouped by question or outcome, then the job list; escaped."""
    import html

    from evaluation.config import load_settings
    from evaluation.pipeline import site
    from evaluation.reporting.report_builder import headline
    from tests.conftest import REPO

    reports = tmp_path / "reports"
    _landing_run(reports, REPO)
    if with_questions:
        settings = load_settings(root=REPO)
        from evaluation.config import Question

        text = {"en": "Does <it> pay?", "es": "¿Paga?"}
        questions = (Question(id="q1", text=text, outcomes=["log_sales"]),)
        settings = settings.model_copy(
            update={"program": settings.program.model_copy(update={"questions": questions})}
        )
        monkeypatch.setattr(site, "_settings_of", lambda manifest: settings)
    index = site.build_index(reports).read_text(encoding="utf-8")
    body = index.split("<body>", 1)[1]
    assert "Fund &lt;b&gt;&amp;&lt;/b&gt;" in body and "<b>&</b>" not in body
    sentence = headline(load_settings(root=REPO), reports, "en")
    assert sentence and "0.104" in sentence and "[0.085, 0.123]" in sentence
    assert f'<p class="headline">{html.escape(sentence)}</p>' in body
    assert body.count("Headline result") == 1  # the sentence names itself once
    order = [body.index(h) for h in ('class="headline"', "<h2>Final evaluation report",
                                     "<h2>Analysis pages by question", "<h2>Tables and manifest",
                                     'id="01_data_quality"')]  # fmt: skip
    assert order == sorted(order)
    finals = body.split("<h2>Final evaluation report", 1)[1].split("</ul>", 1)[0]
    assert "English" in finals and "Spanish" in finals
    assert '"07/07__en.pdf"' in finals and '"07/07__es.docx"' in finals
    grouped = body.split("<h2>Analysis pages by question", 1)[1].split("<h2>", 1)[0]
    if with_questions:
        assert "<h3>Does &lt;it&gt; pay?</h3>" in grouped
        assert grouped.index("03/03__ls.html") < grouped.index("03/03__lp.html")
    else:
        assert "<h3>Effects on Log labor productivity" in grouped
        assert grouped.index("03/03__lp.html") < grouped.index("03/03__ls.html")
    assert "Data &lt;quality&gt;" in grouped and ">FAILED<" in grouped
    # no primary estimate: the headline says it is not available, never a number
    (reports / "estimates.parquet").unlink()
    index = site.build_index(reports).read_text(encoding="utf-8")
    assert "Headline result:</strong> not available in this run" in index


def test_landing_page_in_spanish_links_both_ways(tmp_path):
    """index.html (en) and index.es.html (es): each links to the other; the Spanish page's
    headings, statuses and headline are in Spanish and its links resolve like the English."""
    from evaluation.pipeline import site
    from tests.conftest import REPO

    reports = tmp_path / "reports"
    _landing_run(reports, REPO)
    site.build_index(reports)
    en = (reports / "index.html").read_text(encoding="utf-8")
    es = (reports / "index.es.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in es and 'href="index.html"' in es
    assert 'href="index.es.html"' in en and "Versión en español" in en
    for words in ("Informe final de evaluación", "Páginas de análisis por pregunta",
                  "Efectos sobre", "Cuadros y manifiesto", "FALLÓ", "Inglés", "Español"):  # fmt: skip
        assert words in es, words
    assert "intervalo" in es.split('class="headline"', 1)[1].split("</p>", 1)[0]
    assert "0,104" in es and "Analysis pages by question" not in es
    for href in re.findall(r'href="([^"]+)"', es):
        assert (reports / href).is_file() or href == "index.html", href
