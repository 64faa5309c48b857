"""Pseudonymization keys: the public simulation key only for verified simulator output, a key
of at least 16 bytes otherwise, and ``evaluation key`` to make one."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from evaluation.cli import main
from evaluation.config import Settings
from evaluation.data import keys
from evaluation.data.ingest import is_simulated
from evaluation.data.prepare import PrepareError, prepare
from tests.conftest import REPO, TEST_DATA

SMALL = TEST_DATA / "small"


@pytest.fixture
def raw(tmp_path, monkeypatch):
    """A copy of the small data set with a valid simulator marker; no key in the env."""
    monkeypatch.delenv(keys.KEY_ENV, raising=False)
    folder = tmp_path / "raw"
    shutil.copytree(SMALL, folder)
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.csv")}
    (folder / ".simulate.json").write_text(json.dumps({"files": hashes, "seed": 1}))
    return folder


def test_committed_simulation_is_verified():
    assert is_simulated(REPO / "data" / "raw")


def test_verified_marker_gives_the_public_key(raw, tmp_path):
    assert is_simulated(raw)
    key = keys.resolve_key(tmp_path, raw)
    assert key.key == keys.SIMULATION_KEY and "public default" in key.source


@pytest.mark.parametrize("damage", ["edit", "add", "no_hashes", "truth_only", "broken_json"])
def test_public_key_refused_when_the_folder_is_not_verifiably_simulated(raw, tmp_path, damage):
    if damage == "edit":
        with (raw / "firm_years.csv").open("a") as fh:
            fh.write("F01,2021,1,1,1,1,1,1,1,1,1\n")
    elif damage == "add":
        shutil.copy(raw / "links.csv", raw / "links.parquet.csv")
        (raw / "links.csv").rename(raw / "links.xlsx")  # a table file the marker does not list
    elif damage == "no_hashes":
        (raw / ".simulate.json").write_text(json.dumps({"seed": 1}))
    elif damage == "truth_only":
        (raw / ".simulate.json").unlink()
        (raw / "truth.json").write_text("")  # an empty truth file must not switch keys
    elif damage == "broken_json":
        (raw / ".simulate.json").write_text("{not json")
    assert not is_simulated(raw)
    with pytest.raises(keys.MissingKeyError, match=keys.KEY_ENV):
        keys.resolve_key(tmp_path, raw)
    with pytest.raises(PrepareError, match="evaluation key"):
        prepare(raw, tmp_path / "out", settings=Settings(root=tmp_path))
    assert not (tmp_path / "out").exists()


def test_short_keys_are_refused(raw, tmp_path, monkeypatch):
    monkeypatch.setenv(keys.KEY_ENV, "fifteen-bytes!!")  # 15 bytes
    with pytest.raises(keys.MissingKeyError, match="15 bytes long; at least 16"):
        keys.resolve_key(tmp_path, raw)
    monkeypatch.setenv(keys.KEY_ENV, "ñññññññ¡")  # 8 characters, 16 bytes of UTF-8
    assert keys.resolve_key(tmp_path, raw).source.startswith("environment")
    monkeypatch.delenv(keys.KEY_ENV)
    (tmp_path / keys.KEY_FILE).write_text("short\n")
    with pytest.raises(keys.MissingKeyError, match="5 bytes long"):
        keys.resolve_key(tmp_path, raw)
    (tmp_path / keys.KEY_FILE).write_text("   \n")
    with pytest.raises(keys.MissingKeyError, match="is empty"):
        keys.resolve_key(tmp_path, raw)


def test_a_configured_key_wins_over_the_public_one(raw, tmp_path, monkeypatch):
    monkeypatch.setenv(keys.KEY_ENV, "my-own-key-for-simulated-data")
    key = keys.resolve_key(tmp_path, raw)
    assert key.key == b"my-own-key-for-simulated-data"
    assert key.fingerprint != keys.PseudonymKey(keys.SIMULATION_KEY, "x").fingerprint


def test_fingerprint_label_names_no_programme():
    assert b"promipyme" not in keys.FINGERPRINT_LABEL.lower()


def test_key_command_prints_a_fresh_strong_key(capsys):
    assert main(["key"]) == 0
    first = capsys.readouterr().out
    assert main(["key"]) == 0
    second = capsys.readouterr().out
    key1, key2 = first.split()[0], second.split()[0]
    assert len(key1) == 64 and int(key1, 16) >= 0 and key1 != key2
    assert keys.KEY_ENV in first and keys.KEY_FILE in first
