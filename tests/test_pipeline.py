"""Pipeline units: grid expansion, safe output names, cache staleness, collection, HTML."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evaluation.pipeline import cache
from evaluation.pipeline.jobs import Job, PipelineConfigError, load_pipeline, select, slugify
from evaluation.reporting.html import external_resources, render_notebook


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pipeline.yml"
    path.write_text(text, encoding="utf-8")
    return path


GRID = """
notebooks_dir: nb
time_limit: 30
notebooks:
  - name: 03_main
    grid:
      outcome: [log_labor_productivity, log_sales, log_employees]
      sample: [all, CO, EC, women_led]
    parameters: {seed: 7}
  - name: 03_main
    grid: {outcome: [exporter]}
  - name: 07_final
    stage: 2
    final: true
    time_limit: 60
    grid: {language: [en, es]}
"""


def test_grid_expansion(tmp_path):
    config = load_pipeline(_config(tmp_path, GRID), root=tmp_path)
    ids = [j.id for j in config.jobs]
    assert len(ids) == 3 * 4 + 1 + 2 == len(set(ids))
    # Cartesian product in the order written: outcome varies slowest
    assert ids[:5] == [
        "03_main__log_labor_productivity__all",
        "03_main__log_labor_productivity__CO",
        "03_main__log_labor_productivity__EC",
        "03_main__log_labor_productivity__women_led",
        "03_main__log_sales__all",
    ]
    first = config.jobs[0]
    assert first.params == {"seed": 7, "outcome": "log_labor_productivity", "sample": "all"}
    assert first.time_limit == 30 and first.stage == 1 and not first.final
    final = config.jobs[-1]
    assert final.id == "07_final__es" and final.final and final.stage == 2
    assert final.time_limit == 60 and final.path == tmp_path / "nb" / "07_final.py"
    assert [j.id for j in select(config.jobs, ["07_final"])] == ["07_final__en", "07_final__es"]
    assert len(select(config.jobs, ["03_main__log_sales"])) == 4
    with pytest.raises(PipelineConfigError, match="no job matches"):
        select(config.jobs, ["nope"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notebooks: []", "non-empty list"),
        ("notebooks:\n  - name: ../x\n", "only letters, digits"),
        (
            "notebooks:\n  - name: a\n    grid: {sample: all}\n",
            "grid.sample must be a non-empty list",
        ),
        ("notebooks:\n  - name: a\n    grdi: {}\n", "unknown keys \\['grdi'\\]"),
        ("notebooks:\n  - name: a\n    time_limit: -1\n", "time_limit must be a positive"),
        ("notebooks:\n  - name: a\n    grid: {x: [1]}\n    parameters: {x: 2}\n", "both 'grid'"),
        ("notebooks:\n  - name: a\n    grid: {x: [1, 1]}\n", "two grid entries give job a__1"),
        ("notebooks: [\n", "not valid YAML"),
        ("notebooks:\n  - name: a\n    title_es: ''\n", "title_es must be non-empty text"),
    ],
)
def test_bad_config_is_named(tmp_path, text, message):
    with pytest.raises(PipelineConfigError, match=message) as err:
        load_pipeline(_config(tmp_path, text), root=tmp_path)
    assert "pipeline.yml" in str(err.value)


def test_page_title_follows_the_language_parameter(tmp_path):
    from evaluation.pipeline import runner

    text = GRID.replace("    final: true\n", "    final: true\n    title: Final report\n"
                        "    title_es: Informe final\n")  # fmt: skip
    config = load_pipeline(_config(tmp_path, text), root=tmp_path)
    en, es = config.jobs[-2:]
    assert (en.title_for("en"), es.title_for("es")) == ("Final report", "Informe final")
    main = config.jobs[0]  # no language parameter, no title: the notebook name
    assert main.title_for("es") == ""
    titles = {}
    for job in (en, es, main):
        comps = runner.job_components(job, config, {}, None)
        opts = runner.RunOptions(pipeline=tmp_path, reports=tmp_path, processed=tmp_path,
                                 raw=tmp_path)  # fmt: skip
        spec = runner._spec(job, opts, config, SimpleNamespace(root=tmp_path), {}, comps)
        titles[job.id] = (spec["title"], comps["title"])
    assert titles["07_final__en"][0] == "Final report (language=en)"
    assert titles["07_final__es"][0] == "Informe final (language=es)"
    assert titles["03_main__log_labor_productivity__all"][0].startswith("03_main (")
    # a renamed title is an input of the page: the cache renders it again
    assert titles["07_final__en"][1] != titles["07_final__es"][1]


@pytest.mark.parametrize(
    "value",
    ["../../etc/passwd", "/etc/passwd", "..", "a/../../b", "C:\\Windows\\x", "x\x00y", "~root",
     "señal ñ", "..\\..\\x", "", "a" * 500],
)  # fmt: skip
def test_output_paths_cannot_escape(tmp_path, value):
    reports = tmp_path / "reports"
    job = Job("03_main", tmp_path / "03_main.py", {"sample": value}, grid_keys=("sample",))
    out = job.output(reports)
    assert reports.resolve() in out.parents and out.parent == reports.resolve() / "03_main"
    assert "/" not in job.id and "\\" not in job.id and ".." not in job.id
    assert len(job.id) <= 120
    assert slugify(value) == slugify(value)  # deterministic
    if slugify(value) != value or len(f"03_main__{slugify(value)}") > 120:
        # a changed or long value: the id ends in the first 8 hex digits of the parameters' hash
        digest = hashlib.sha256(json.dumps({"sample": value}, sort_keys=True).encode()).hexdigest()
        assert job.id.rsplit("__", 1)[1] == digest[:8]


def test_distinct_unsafe_values_get_distinct_ids(tmp_path):
    a = Job("n", tmp_path / "n.py", {"sample": "a/b"}, grid_keys=("sample",))
    b = Job("n", tmp_path / "n.py", {"sample": "a-b"}, grid_keys=("sample",))
    c = Job("n", tmp_path / "n.py", {"sample": "a b"}, grid_keys=("sample",))
    assert len({a.id, b.id, c.id}) == 3
    assert b.id == "n__a-b"  # a safe value keeps its readable name
    assert slugify("Señal/../x") == "Senal-x"


def test_staleness_names_each_changed_input(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html></html>")
    comps = {"notebook": "a", "parameters": "b", "data": "c", "package": "d"}
    previous = {"components": dict(comps), "page_sha256": cache.sha256_file(page)}
    assert cache.staleness(comps, previous, page) == []
    assert cache.staleness(comps, None, page) == ["never run successfully"]
    changed = {**comps, "notebook": "A", "data": "C"}
    assert cache.staleness(changed, previous, page) == [
        "notebook source changed",
        "processed data changed",
    ]
    page.write_text("edited")
    assert cache.staleness(comps, previous, page) == ["page modified since the last run"]
    page.unlink()
    assert cache.staleness(comps, previous, page) == ["page missing"]


def test_data_hash_ignores_code_version(tmp_path):
    manifest = {
        "code": {"git_commit": "abc"},
        "outputs": {"panel.parquet": {"sha256": "1" * 64}},
    }
    (tmp_path / "data_manifest.json").write_text(json.dumps(manifest))
    before = cache.data_hash(tmp_path)
    manifest["code"]["git_commit"] = "def-dirty"
    (tmp_path / "data_manifest.json").write_text(json.dumps(manifest))
    assert cache.data_hash(tmp_path) == before
    manifest["outputs"]["panel.parquet"]["sha256"] = "2" * 64
    (tmp_path / "data_manifest.json").write_text(json.dumps(manifest))
    assert cache.data_hash(tmp_path) != before


def test_collect_orders_and_types(tmp_path):
    from evaluation.pipeline.runner import collect, write_estimates

    jobs = [Job("n", tmp_path / "n.py", {"sample": s}, grid_keys=("sample",)) for s in "ab"]
    for job, seed in zip(jobs, (1, 2), strict=True):
        folder = cache.job_dir(tmp_path, job.id)
        folder.mkdir(parents=True)
        rows = [
            {"notebook": "n", "job": job.id, "label": "l", "param_sample": job.params["sample"],
             "param_seed": seed, "term": "t", "estimate": 0.1 * seed, "std_error": None,
             "statistic": None, "p_value": None, "conf_low": None, "conf_high": None}
        ]  # fmt: skip
        (folder / "estimates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        (folder / "values.jsonl").write_text("")
        job.output(tmp_path).parent.mkdir(parents=True, exist_ok=True)
        job.output(tmp_path).write_text(f"<html>{job.id}</html>")

    def succeed(job: Job) -> None:
        outputs = cache.output_hashes(tmp_path, job.id, job.output(tmp_path))
        cache.write_success(tmp_path, job.id, {"components": {}, "outputs": outputs})

    succeed(jobs[1])
    table, _ = collect(jobs, tmp_path)
    assert list(table["job"]) == ["n__b"]  # only jobs with a success record
    cache.write_success(tmp_path, jobs[0].id, {"components": {}})  # no output hashes: unverified
    assert list(collect(jobs, tmp_path)[0]["job"]) == ["n__b"]
    succeed(jobs[0])
    table, values = collect(jobs, tmp_path)
    assert list(table["job"]) == ["n__a", "n__b"]
    assert list(table.columns[:3]) == ["notebook", "job", "label"]
    assert table["param_seed"].dtype.kind == "i" and np.isnan(table["std_error"]).all()
    write_estimates(table, values, tmp_path)
    back = pd.read_parquet(tmp_path / "estimates.parquet")
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    csv = pd.read_csv(tmp_path / "estimates.csv")
    assert csv["estimate"].tolist() == pytest.approx([0.1, 0.2], abs=0)


def test_rendered_page_loads_nothing_from_the_network():
    import nbformat

    nb = nbformat.v4.new_notebook()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n## Part $x^2$\n\n[a link](https://example.org)"),
        nbformat.v4.new_code_cell(
            "plot()",
            outputs=[
                nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "f"}),
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/html": '<script src="https://cdn.example.org/x.js"></script>ok'},
                ),
            ],
        ),
    ]
    page = render_notebook(
        nb, title="T", status="ok", parameters={"outcome": "log_sales", "seed": 3},
        provenance={"commit": "abc123", "data": {"panel.parquet": "f" * 64},
                    "versions": {"pandas": "3"}},
        toc=True,
    )  # fmt: skip
    assert external_resources(page) == []
    assert "plot()" not in page  # no input cells
    assert 'src="data:image/png;base64,' in page
    assert "abc123" in page and "log_sales" in page and "f" * 64 in page
    assert 'href="#Part-$x%5E2$"' in page or 'class="ev-toc-2"' in page
    assert 'href="https://example.org"' in page  # hyperlinks stay; they load nothing
    assert external_resources('<script src="https://x/y.js"></script>') == ["https://x/y.js"]
    assert external_resources("<link rel=stylesheet href=//cdn/x.css>") == ["//cdn/x.css"]


def test_header_speaks_the_report_language():
    from evaluation.reporting.html import error_page, header_html

    es = header_html(title="Informe", status="ok", parameters={"language": "es"},
                     provenance={"commit": "abc"}, language="es")  # fmt: skip
    assert "Parámetros" in es and "Procedencia" in es and "Estado" in es and "índice" in es
    page = error_page(title="x", parameters={"sample": "<b>"}, provenance={}, error="bad <x>")
    assert "&lt;b&gt;" in page and "bad &lt;x&gt;" in page and "<b>" not in page  # escaped


def test_cli_run_reports_config_errors(tmp_path, capsys):
    from evaluation.cli import main

    bad = _config(tmp_path, "notebooks:\n  - name: a\n    grid: {sample: all}\n")
    assert main(["run", "--pipeline", str(bad), "--reports", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "pipeline.yml" in err and "grid.sample must be a non-empty list" in err
    good = _config(tmp_path, "notebooks:\n  - name: a\n    grid: {sample: [all]}\n")
    assert main(["run", "--pipeline", str(good), "--only", "zzz", "--dry-run"]) == 2
    assert "no job matches" in capsys.readouterr().err
    assert main(["run", "--pipeline", str(good), "--jobs", "0", "--dry-run"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal(tmp_path):
    from evaluation.pipeline.runner import RunOptions, _progress

    opts = RunOptions(pipeline=tmp_path, reports=tmp_path, processed=tmp_path, raw=tmp_path)
    opts.progress = True
    bar = _progress(3, opts)
    assert bar is not None and bar.total == 3
    bar.close()
    opts.progress = False
    assert _progress(3, opts) is None


ROLES = """
notebooks_dir: nb
notebooks:
  - name: 03_main
    grid: {outcome: [primary], sample: [all, women_led]}
  - name: 03_main
    grid: {outcome: [secondary], sample: [all]}
  - name: 11_sens
    parameters: {outcomes: [primary, secondary]}
    grid: {outcome: [primary]}
"""


def test_outcome_roles_resolve_from_the_settings(tmp_path):
    from evaluation.config import Analysis

    path = _config(tmp_path, ROLES)
    analysis = Analysis(primary_outcome="lemp", secondary_outcomes=("y2", "lemp", "y3"))
    jobs = load_pipeline(path, root=tmp_path, analysis=analysis).jobs
    assert [j.id for j in jobs] == [
        "03_main__lemp__all",
        "03_main__lemp__women_led",
        "03_main__y2__all",  # the primary listed again as secondary gives no second job
        "03_main__y3__all",
        "11_sens__lemp",
    ]
    assert jobs[0].params["outcome"] == "lemp"
    assert jobs[-1].params["outcomes"] == ["lemp", "y2", "y3"]
    # no secondary outcome: no secondary job, and the rest of the grid still expands
    none = load_pipeline(path, root=tmp_path, analysis=Analysis(primary_outcome="lemp")).jobs
    assert [j.id for j in none] == ["03_main__lemp__all", "03_main__lemp__women_led",
                                    "11_sens__lemp"]  # fmt: skip
    # without settings the roles stay as written (the notebook resolves them)
    assert load_pipeline(path, root=tmp_path).jobs[0].params["outcome"] == "primary"
    bad = _config(tmp_path, "notebooks:\n  - name: a\n    parameters: {outcome: secondary}\n")
    with pytest.raises(PipelineConfigError, match="grid.outcome: \\[secondary\\]"):
        load_pipeline(bad, root=tmp_path, analysis=analysis)


def test_default_pipeline_names_no_outcome(repo_root):
    import yaml

    from evaluation.config import load_settings

    text = (repo_root / "config" / "pipeline.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for entry in data["notebooks"]:
        for value in (entry.get("grid") or {}).get("outcome", []):
            assert value in ("primary", "secondary"), entry
    settings = load_settings(root=repo_root)
    config = load_pipeline(repo_root / "config" / "pipeline.yml", root=repo_root,
                           analysis=settings.analysis)  # fmt: skip
    primary = settings.analysis.primary_outcome
    ids = {j.id for j in config.jobs}
    assert f"03_main_effects__{primary}__all" in ids
    for name in settings.analysis.secondary_outcomes:
        assert f"03_main_effects__{name}__all" in ids
