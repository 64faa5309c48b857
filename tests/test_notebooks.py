"""Every notebook executed on the committed simulated data: it runs, records its estimates, reads
in the report language, shows estimates against the truth, and prints no personal data.

The notebooks run once, in the shared session run of the real runner (``pipeline_run`` in
``tests/conftest.py``: every notebook of ``notebooks/`` with cheap settings, the final report in
English and Spanish after the others); these tests read what that run left behind: each job's
executed notebook and its records (``reports/.cache/<job>/``).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from evaluation.pipeline import cache
from evaluation.pipeline.record import read_job_records

pytestmark = [pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
EXPECTED = [
    "01_data_quality",
    "02_descriptives",
    "03_main_effects",
    "04_event_study",
    "05_staggered",
    "06_heterogeneity",
    "07_final_report",
    "09_network",
    "10_power_attrition",
    "12_productivity",
    "13_dose_response",
    "14_distribution",
    "15_cost_effectiveness",
    "16_prespecified_effects",
]


def _job_id(folder: str) -> str:
    name, suffix = folder.rsplit("_", 1)
    return f"{name}__{suffix}" if name == "07_final_report" else f"{name}__all"


@pytest.fixture(scope="module")
def executed(pipeline_run) -> dict:
    assert pipeline_run.real_data, (
        "the shared run could not prepare data/raw: " + pipeline_run.output
    )
    missing = [n for n in EXPECTED if n not in pipeline_run.real_notebooks]
    assert missing == [], f"notebooks left out of the shared run: {missing}"
    jobs = {j["job"]: j for j in pipeline_run.manifest()["jobs"]}
    folders = [f"{n}_en" for n in EXPECTED] + ["07_final_report_es"]
    runs = {}
    for folder in folders:
        job_id = _job_id(folder)
        assert job_id in jobs, f"job {job_id} not in the run manifest: {sorted(jobs)}"
        work = cache.job_dir(pipeline_run.reports, job_id)
        runs[folder] = {"status": jobs[job_id]["status"], "dir": work,
                        "notebook": work / "executed.ipynb", "error": jobs[job_id].get("error")}  # fmt: skip
    return {"runs": runs, "raw": pipeline_run.raw, "processed": pipeline_run.processed}


def _text(path: str | Path) -> str:
    """Everything a reader of the page sees: the outputs of every cell, as text."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out["text"])
            for kind in ("text/markdown", "text/html", "text/plain"):
                if kind in out.get("data", {}):
                    parts.append(str(out["data"][kind]))
            if out.get("output_type") == "error":
                parts.append(out["evalue"])
    return "\n".join(parts)


def _records(executed: dict, folder: str) -> tuple[pd.DataFrame, list]:
    return read_job_records(executed["runs"][folder]["dir"])


def test_every_notebook_follows_the_contract():
    names = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    assert [n for n in EXPECTED if n not in names] == []
    from evaluation.pipeline.parameters import REQUIRED, declared

    for name in EXPECTED:
        source = (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8")
        assert '# %% tags=["parameters"]' in source
        assert f'check(globals(), notebook="{name}")' in source
        params = declared(NOTEBOOKS / f"{name}.py")
        assert set(REQUIRED) <= set(params), name
        # thin: no estimation code of its own (no regressions, no groupby-mean arithmetic)
        for forbidden in ("np.linalg", "statsmodels", "pyfixest", "lstsq", ".fit("):
            assert forbidden not in source, f"{name} estimates by itself ({forbidden})"


def test_notebooks_run_without_error(executed):
    failed = {k: r["error"] for k, r in executed["runs"].items() if r["status"] != "ok"}
    assert failed == {}
    assert all(r["notebook"].is_file() for r in executed["runs"].values())


@pytest.mark.parametrize(
    ("folder", "labels"),
    [
        ("01_data_quality_en", {"differential attrition (response rate, 2x2 DiD)"}),
        ("02_descriptives_en", {"baseline balance 2015"}),
        ("03_main_effects_en", {"did_2x2 CRV1", "did_2x2 wild cluster bootstrap", "twfe CRV1",
                                "twfe wild cluster bootstrap"}),
        ("04_event_study_en", {"event study (cs)"}),
        ("05_staggered_en", {"twfe overall", "cs overall", "sunab overall", "imputation overall",
                             "cs dynamic", "sunab dynamic", "imputation dynamic",
                             "twfe wild cluster bootstrap"}),
        ("06_heterogeneity_en", {"triple differences: women-led x participant x post",
                                 "subgroup effects (Callaway-Sant'Anna)"}),
        ("16_prespecified_effects_en", {"primary", "secondary", "subgroup women_led",
                                        "subgroup men_led"}),
    ],
)  # fmt: skip
def test_each_notebook_records_its_estimates(executed, folder, labels):
    frame, _ = _records(executed, folder)
    assert labels <= set(frame["label"]), set(frame["label"])
    assert frame[["estimate", "std_error"]].notna().all().all() or folder.startswith("04")
    assert (frame["notebook"] == folder.rsplit("_", 1)[0]).all()
    # every row carries the job's identity and its grid parameters (the runner's contract)
    assert frame["job"].eq(_job_id(folder)).all()
    assert any(c.startswith("param_") for c in frame.columns)


def test_primary_number_agrees_across_pages(executed):
    staggered, _ = _records(executed, "05_staggered_en")
    final, values = _records(executed, "16_prespecified_effects_en")
    cs = staggered[(staggered["label"] == "cs overall")].iloc[0]
    primary = final[final["label"] == "primary"].iloc[0]
    assert primary["estimate"] == pytest.approx(cs["estimate"], abs=1e-12)
    assert primary["conf_low"] == pytest.approx(cs["conf_low"], abs=1e-12)
    recorded = {v["name"]: v["value"] for v in values}
    assert recorded["primary_estimate"] == pytest.approx(primary["estimate"], abs=1e-12)


def test_attrition_page_sets_the_balanced_estimate_beside_all_firm_years(executed):
    """Notebook 10 re-estimates the primary Callaway-Sant'Anna specification on the balanced
    panel (the primary number of page 05) and on every observed firm-year."""
    staggered, _ = _records(executed, "05_staggered_en")
    attrition, values = _records(executed, "10_power_attrition_en")
    by_label = attrition.set_index("label")
    balanced = by_label.loc["callaway_santanna balanced"]
    everything = by_label.loc["callaway_santanna all firm-years"]
    cs = staggered[staggered["label"] == "cs overall"].iloc[0]
    assert balanced["estimate"] == pytest.approx(cs["estimate"], abs=1e-12)
    assert everything["nobs"] > balanced["nobs"]  # the firm-years of firms that left
    assert np.isfinite([everything["estimate"], everything["std_error"]]).all()
    recorded = {v["name"]: v["value"] for v in values}
    assert recorded["cs_all_firm_years"] == pytest.approx(everything["estimate"], abs=1e-12)
    text = _text(executed["runs"]["10_power_attrition_en"]["notebook"])
    assert "Does attrition move the main estimate?" in text


def test_staggered_page_compares_with_the_truth(executed):
    truth = json.loads((executed["raw"] / "truth.json").read_text())
    true_att = truth["estimands"]["log_labor_productivity"]["overall"]["att"]
    _, values = _records(executed, "05_staggered_en")
    recorded = {v["name"]: v["value"] for v in values}
    assert recorded["truth_overall"] == pytest.approx(true_att, abs=1e-12)
    frame, _ = _records(executed, "05_staggered_en")
    for label, key in (
        ("cs overall", "Callaway–Sant'Anna"),
        ("twfe overall", "Two-way fixed effects (TWFE)"),
    ):
        estimate = frame.loc[frame["label"] == label, "estimate"].iloc[0]
        assert recorded["truth_errors_overall"][key] == pytest.approx(
            estimate - true_att, abs=1e-12
        )
    text = _text(executed["runs"]["05_staggered_en"]["notebook"])
    assert "Against the true effects of the simulation" in text
    assert f"{true_att:.3f}" in text


def test_pages_read_in_the_report_language(executed):
    es = _text(executed["runs"]["07_final_report_es"]["notebook"])
    en = _text(executed["runs"]["07_final_report_en"]["notebook"])
    for heading in (
        "Resumen ejecutivo",
        "Metas del marco lógico",
        "Resultados principales",
        "Robustez",
        "Género",
        "Métodos",
        "Limitaciones",
    ):
        assert heading in es, heading
    for heading in (
        "Executive summary",
        "Logframe targets",
        "Main results",
        "Robustness",
        "Gender",
        "Methods",
        "Limitations",
    ):
        assert heading in en, heading
    assert "Executive summary" not in es and "Resumen ejecutivo" not in en
    # the primary result is stated with its interval and the inference used, per language
    final, _ = _records(executed, "16_prespecified_effects_en")
    p = final[final["label"] == "primary"].iloc[0]
    low_es = f"{p['conf_low']:.3f}".replace(".", ",")
    high_en = f"{p['conf_high']:.3f}"
    assert f"[{low_es}; " in es and "intervalo de confianza del 95" in es
    assert f", {high_en}]" in en and "influence functions summed by" in en
    assert "estimates recorded by the main-effects" in en
    # the logframe table comes first, in the report's language
    assert en.index("Logframe targets") < en.index("Main results")
    assert "Indicator" in en and "Indicador" in es and "cumplida" in es


def test_final_report_estimates_nothing(executed):
    """The final report reads the run's records (layers: reporting never estimates): its jobs
    record no estimates of their own, in either language."""
    for folder in ("07_final_report_en", "07_final_report_es"):
        frame, _ = _records(executed, folder)
        assert frame.empty, (folder, set(frame.get("label", [])))


def test_no_personal_data_or_identifiers_in_any_page(executed):
    firms = pd.read_csv(executed["raw"] / "firms.csv", dtype=str)
    personal = [c for c in ("tax_id", "firm_name", "owner_name", "email") if c in firms.columns]
    needles = set()
    for column in [*personal, "firm_id"]:
        needles |= {v for v in firms[column].dropna() if len(v) >= 6}
    pseudonyms = pd.read_parquet(executed["processed"] / "panel.parquet", columns=["firm_id"])
    needles |= set(pseudonyms["firm_id"].unique())
    assert len(needles) > 1000
    for name, run in executed["runs"].items():
        text = _text(run["notebook"])
        leaked = [n for n in needles if n in text]
        assert leaked == [], f"{name} shows {leaked[:3]}"
