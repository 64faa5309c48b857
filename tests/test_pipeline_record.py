"""record()/record_value() and parameter validation (the notebook contract)."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators.results import EstimationResult, tidy_frame
from evaluation.pipeline import parameters
from evaluation.pipeline.parameters import ParameterError

# the package exports the function record(), which shadows the module's attribute name
record = importlib.import_module("evaluation.pipeline.record")


def _result() -> EstimationResult:
    table = tidy_frame(["treated"], [0.1], [0.05], df=25)
    return EstimationResult("twfe", table, nobs=100, vcov_type="CRV1 by stratum", outcome="y")


def test_record_writes_job_rows(tmp_path, monkeypatch):
    job = {"job": "03_x__a", "notebook": "03_x", "parameters": {"outcome": "log_sales", "seed": 1}}
    monkeypatch.setenv(record.RECORD_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(record.JOB_ENV, json.dumps(job))
    rows = record.record(_result(), label="TWFE", specification="base")
    record.record_value("n", np.int64(260))
    frame, values = record.read_job_records(tmp_path)
    assert len(frame) == 1 and rows.shape[0] == 1
    got = frame.iloc[0]
    assert got["job"] == "03_x__a" and got["label"] == "TWFE" and got["estimator"] == "twfe"
    assert got["param_outcome"] == "log_sales" and got["specification"] == "base"
    assert got["estimate"] == pytest.approx(0.1, abs=0) and got["nobs"] == 100
    assert values == [
        {
            "notebook": "03_x",
            "job": "03_x__a",
            "parameters": job["parameters"],
            "name": "n",
            "value": 260,
        }
    ]


def test_record_interactive_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(record.RECORD_DIR_ENV, raising=False)
    monkeypatch.delenv(record.JOB_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    out = record.record(_result().tidy(), label="x")
    assert list(tmp_path.iterdir()) == [] and out["estimate"].iloc[0] == 0.1


def test_record_rejects_bad_input():
    with pytest.raises(ValueError, match="lacks the tidy columns"):
        record.record(pd.DataFrame({"term": ["a"]}), label="bad")
    with pytest.raises(TypeError, match="EstimationResult or a tidy DataFrame"):
        record.record([1, 2], label="bad")
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        record.record_value("obj", object())


NB = """# %% [markdown]
# A test notebook

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 1
processed_dir = "data/processed"
raw_dir = "data/raw"

# %%
x = 1
"""


def test_declared_and_validate(tmp_path):
    path = tmp_path / "01_t.py"
    path.write_text(NB, encoding="utf-8")
    names = parameters.declared(path)
    assert names["outcome"] == "log_labor_productivity" and names["seed"] == 1
    merged = parameters.validate(path, {"outcome": "log_sales", "sample": "country=KE"})
    assert merged["outcome"] == "log_sales" and merged["language"] == "en"
    # the outcome roles and a configured/declared outcome are legal; a programme's country
    # code alone is not a sample (no programme's codes are known to the code)
    assert parameters.validate(path, {"outcome": "primary"})["outcome"] == "primary"
    assert parameters.validate(path, {"outcome": "lemp"}, outcomes=["lemp", "primary"])
    with pytest.raises(ParameterError, match="outcome='lemp'"):
        parameters.validate(path, {"outcome": "lemp"})
    for bad in ("CO", "country=", "=CO", "a=b=c", "country=../x", 3):
        with pytest.raises(ParameterError, match="sample="):
            parameters.validate(path, {"sample": bad})
    with pytest.raises(ParameterError, match=r"unknown parameter 'outcom'.*did you mean 'outcome'"):
        parameters.validate(path, {"outcom": "log_sales"})
    with pytest.raises(ParameterError, match=r"sample='XX'.*all\|women_led") as err:
        parameters.validate(path, {"sample": "XX", "seed": "3", "language": "fr"})
    assert "seed='3'" in str(err.value) and "language='fr'" in str(err.value)
    with pytest.raises(ParameterError, match="outcome='firm_id'"):
        parameters.validate(path, {"outcome": "firm_id"})


def test_allowed_outcomes_follow_the_settings(tmp_path):
    from evaluation.config import load_settings

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "evaluation.yml").write_text(
        "program: {name: X}\nanalysis: {primary_outcome: lemp, secondary_outcomes: [y2]}\n"
        "outcomes: {y3: {expr: 'ln(sales_usd)', kind: log}}\n"
    )
    names = parameters.allowed_outcomes(load_settings(root=tmp_path))
    assert names[:5] == ("primary", "secondary", "lemp", "y2", "y3")
    assert "log_sales" in names and "firm_id" not in names
    assert "lemp" not in parameters.allowed_outcomes()


def test_check_in_kernel_namespace(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_t.py").write_text(NB, encoding="utf-8")
    monkeypatch.setenv("EVALUATION_ROOT", str(tmp_path))
    ns = dict(
        outcome="log_sales",
        sample="all",
        language="es",
        seed=2,
        processed_dir="p",
        raw_dir="r",
        In=["", NB, '# Parameters\noutcome = "log_sales"\nlanguage = "es"\n'],
    )
    assert parameters.check(ns, notebook="01_t")["language"] == "es"
    ns["In"].append('# Parameters\nlangauge = "es"\n')
    with pytest.raises(ParameterError, match="unknown parameter 'langauge'"):
        parameters.check(ns, notebook="01_t")
    ns["In"].pop()
    ns["sample"] = "nowhere"
    with pytest.raises(ParameterError, match="sample='nowhere'"):
        parameters.check(ns, notebook="01_t")
