"""Final report pieces: text is text (values escaped on every page), the run's status is true,
the methods state the specification that ran, and programme facts come from config only."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import nbformat
import pandas as pd
import pytest

from evaluation.reporting import final, sections
from evaluation.reporting.html import render_notebook

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![y](javascript:alert(2))",
    "**bold** _it_ `code`\n# heading",
)


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _page(markdown: list[str]) -> _Elements:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": m}) for m in markdown
    ]
    nb.cells = [cell]
    page = render_notebook(nb, title="t", status="ok", parameters={}, provenance={})
    parser = _Elements()
    parser.feed(page)
    return parser


def _captured(capsys, call, *args, **kwargs) -> str:
    """The Markdown text a page helper displays."""
    shown = []
    original = sections._display
    sections._display = lambda obj: shown.append(getattr(obj, "data", obj))
    try:
        call(*args, **kwargs)
    finally:
        sections._display = original
    (text,) = shown
    return text


def test_hostile_values_stay_text_through_say_and_the_page(capsys):
    shown = [
        _captured(capsys, sections.say, "final.status.unknown", "en", reason=h) for h in HOSTILE
    ]
    shown.append(_captured(capsys, sections.heading, "final.title", "en", 1, program=HOSTILE[1]))
    shown.append(_captured(capsys, sections.not_available, "missing.outcome", "es",
                           outcome=HOSTILE[2], reason=HOSTILE[0]))  # fmt: skip
    page = _page(shown)
    scripts = [a for tag, a in page.tags if tag == "script" and "src" not in a]
    assert all("alert" not in json.dumps(a) for a in scripts)
    assert not [a for tag, a in page.tags if tag == "img" and "onerror" in a]
    hrefs = [a.get("href", "") for tag, a in page.tags if tag == "a"]
    assert not [h for h in hrefs if "javascript" in h.lower()]
    text = "".join(page.text)
    for h in HOSTILE[:3]:
        assert h in text  # shown literally, as the reader should see it
    # our own formatting still works: the missing-data note's bold label
    assert any(tag == "strong" for tag, _ in page.tags)


def test_escape_keeps_trusted_and_non_breaking_spaces():
    assert sections.escape("12,5\u00a0%") == "12,5\u00a0%"
    assert sections.escape("a_b*c") == "a\\_b\\*c"
    assert sections.escape(sections.Trusted("*ours*")) == "*ours*"
    assert sections.escape("line\nbreak") == "line break"


def _manifest(tmp_path, jobs):
    (tmp_path / "run_manifest.json").write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
    return tmp_path


def test_run_status_is_ok_only_when_every_other_job_succeeded(tmp_path):
    jobs = [
        {"job": "01_data_quality__all", "notebook": "01_data_quality", "status": "ok"},
        {"job": "03_main_effects__x", "notebook": "03_main_effects", "status": "cached"},
        {"job": "07_final_report__en", "notebook": "07_final_report", "status": "failed"},
    ]
    status = final.run_status(_manifest(tmp_path, jobs))
    assert status.ok and status.n_jobs == 2  # the report's own jobs do not count
    jobs[1] |= {"status": "failed", "error": "ValueError: boom\nmore", "reason": ""}
    jobs.append({"job": "09_network__all", "notebook": "09_network", "status": "not run",
                 "reason": "not selected (--only)"})  # fmt: skip
    status = final.run_status(_manifest(tmp_path, jobs))
    assert not status.ok and status.n_jobs == 3
    problems = status.problems.set_index("job")
    assert problems.loc["03_main_effects__x", "reason"].startswith("ValueError: boom")
    assert problems.loc["09_network__all", "status"] == "not run"


def test_run_status_without_a_run_says_so(tmp_path):
    status = final.run_status(tmp_path)
    assert not status.ok and status.error and "no run recorded" in status.error


def _spec(**over):
    base = {"estimator": "cs", "outcome": "log_sales", "sample": "all", "sample_label": "all firms",
            "nobs": 1234, "n_firms": 300, "n_treated": 100, "cluster": "firm_id",
            "n_clusters": 300, "covariates": "", "control_group": "not_yet_treated",
            "money": "nominal", "base_year": None, "staggered": False}  # fmt: skip
    return base | over


def test_methods_say_only_what_ran():
    keys = [k for k, _ in final.methods_sentences(_spec(), "en")]
    assert "final.methods.no_covariates" in keys and "final.methods.covariates" not in keys
    assert "final.methods.few_clusters" not in keys and "money.nominal" in keys
    assert "final.methods.staggered" not in keys and "final.methods.real" not in keys
    spec = _spec(covariates="baseline_log_employees, sector", cluster="stratum", n_clusters=26,
                 money="real", base_year=2015, staggered=True)  # fmt: skip
    sentences = dict(final.methods_sentences(spec, "en"))
    assert "sector" in sentences["final.methods.covariates"]["covariates"]
    assert sentences["final.methods.cluster"] == {"cluster": "stratum", "n_clusters": "26"}
    assert "final.methods.few_clusters" in sentences and "final.methods.staggered" in sentences


def test_primary_spec_prefers_the_recorded_row():
    estimates = pd.DataFrame(
        {"outcome_variable": ["log_sales", "log_sales"], "role": ["", "primary"],
         "cluster": ["x", "firm_id"], "n_clusters": [3, 512], "covariates": ["a", ""],
         "nobs": [10, 4000]}
    )  # fmt: skip
    spec = final.primary_spec(estimates, "log_sales", {"cluster": "stratum", "control_group": "c"})
    assert spec["cluster"] == "firm_id" and spec["n_clusters"] == 512 and spec["nobs"] == 4000
    assert spec["control_group"] == "c"  # not recorded: the report's own
    assert final.primary_spec(None, "log_sales", {"cluster": "s"}) == {"cluster": "s"}


@pytest.mark.parametrize("language", ["en", "es"])
def test_title_names_the_configured_programme(language, capsys):
    out = _captured(capsys, sections.heading, "final.title", language, 1, program="Kenya SME Fund")
    assert "Kenya SME Fund" in out and "PROMIPYME" not in out
