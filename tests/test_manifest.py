"""The data manifest and ``evaluation verify``: any change to an input or output is caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evaluation.cli import main
from evaluation.config import load_settings
from evaluation.data.manifest import MANIFEST, data_code_hash, sha256_file, verify
from evaluation.data.prepare import prepare
from tests.conftest import REPO, TEST_DATA

SETTINGS = load_settings(root=REPO)


@pytest.fixture
def prepared(tmp_path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "manifest-test-key")
    raw = tmp_path / "raw"
    shutil.copytree(TEST_DATA / "small", raw)
    out = tmp_path / "processed"
    prepare(raw, out, settings=SETTINGS)
    return raw, out


def test_manifest_records_inputs_outputs_and_code(prepared):
    raw, out = prepared
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["inputs"]) == {
        "firms.csv",
        "firm_years.csv",
        "links.csv",
        "organizations.csv",
        "prices.csv",
    }
    assert manifest["inputs"]["firm_years.csv"]["rows"] == 42
    assert manifest["inputs"]["firms.csv"]["sha256"] == sha256_file(raw / "firms.csv")
    assert manifest["outputs"]["panel.parquet"]["rows"] == 42
    assert manifest["outputs"]["panel.parquet"]["sha256"] == sha256_file(out / "panel.parquet")
    code = manifest["code"]
    assert code["version"] and code["data_code_sha256"] == data_code_hash()
    assert code["git_commit"] is None or len(code["git_commit"].split("-")[0]) == 40
    assert manifest["settings"] == {
        "first_year": 2014,
        "last_year": 2020,
        "base_year": 2015,
        "baseline_year": 2015,
        "winsorize": {"lower": 0.01, "upper": 0.99},
    }
    assert "manifest-test-key" not in (out / MANIFEST).read_text()
    assert manifest["pseudonym_key"]["source"] == "environment variable EVALUATION_PSEUDONYM_KEY"


def test_verify_passes_on_untouched_data(prepared, capsys):
    raw, out = prepared
    assert verify(out, raw) == ([], [])
    assert main(["verify", "--raw", str(raw), "--processed", str(out)]) == 0
    assert "Verification passed" in capsys.readouterr().out


def test_verify_detects_a_modified_output(prepared, capsys):
    raw, out = prepared
    data = bytearray((out / "panel.parquet").read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit
    (out / "panel.parquet").write_bytes(bytes(data))
    assert main(["verify", "--raw", str(raw), "--processed", str(out)]) == 1
    text = capsys.readouterr().out
    assert "CHANGED output panel.parquet: content changed" in text
    assert "Verification FAILED: 1 change(s)" in text


def test_verify_detects_modified_and_missing_inputs(prepared):
    raw, out = prepared
    with (raw / "prices.csv").open("a") as fh:
        fh.write("CO,2021,130,131,3900\n")
    (out / "links.parquet").unlink()
    (out / "notes.txt").write_text("not from prepare")
    changes, notes = verify(out, raw)
    assert any(c.startswith("input prices.csv: content changed") for c in changes)
    assert any(c.startswith("output links.parquet: missing") for c in changes)
    assert len(changes) == 2
    assert notes == [f"untracked file in {out}: notes.txt"]


def test_verify_reads_the_raw_location_from_the_manifest(prepared, monkeypatch):
    raw, out = prepared
    # raw outside the repository is recorded as an absolute path
    manifest = json.loads((out / MANIFEST).read_text())
    assert Path(manifest["raw"]) == raw.resolve()
    assert verify(out) == ([], [])
    (raw / "firms.csv").write_text("changed")
    changes, _ = verify(out)
    assert changes and changes[0].startswith("input firms.csv")


def test_verify_without_manifest_is_a_clear_error(tmp_path, capsys):
    assert main(["verify", "--processed", str(tmp_path)]) == 2
    assert "no data manifest" in capsys.readouterr().err


def test_manifest_records_contents(prepared):
    """What the analysis layer reads: tables, columns, money, responded, years, outcomes."""
    _, out = prepared
    contents = json.loads((out / MANIFEST).read_text())["contents"]
    assert contents["money"] == "real" and contents["responded"] is True
    assert all(contents["tables"].values()) and len(contents["tables"]) == 5
    assert contents["years"] == {
        "first_year": 2014,
        "last_year": 2020,
        "baseline_year": 2015,
        "endline_year": 2018,
        "base_year": 2015,
    }
    assert "participant" in contents["columns"]["firms"]
    assert contents["outcomes"]["log_labor_productivity"] == {"source": "builtin", "kind": "log"}
    assert contents["notes"] == []  # nothing derived or assumed for the full data set


def test_default_data_give_the_recorded_panel_bytes(tmp_path, monkeypatch):
    """The committed simulation prepares to the same bytes as before the minimal contract
    (sha256 recorded when the data layer was generalized; a change here changes every
    estimate of the default report)."""
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY", raising=False)
    result = prepare(REPO / "data" / "raw", tmp_path / "processed", settings=SETTINGS)
    outputs = result.manifest["outputs"]
    assert outputs["panel.parquet"]["sha256"].startswith("bb3da0a702b2103b694f460e")
    assert outputs["firms.parquet"]["sha256"].startswith("60c293e36d31a57658a6627a")
