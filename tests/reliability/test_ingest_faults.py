"""Malformed raw files give a rule message naming the file and line, never a traceback.

Each case damages ``firm_years.csv`` (or ``firms.csv``) of a copy of ``tests/data/small`` and
checks that ``validate`` reports a ``read`` (or ``empty-table``) error naming the file and what
was expected, that ``prepare`` writes nothing, and -- for encodings that can be read -- that
the data come out the same as the clean UTF-8 file.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from evaluation.config import load_settings
from evaluation.data.prepare import PrepareError, prepare
from evaluation.data.validate import validate
from tests.conftest import REPO, TEST_DATA

SMALL = TEST_DATA / "small"
SETTINGS = load_settings(root=REPO)


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "reliability-test-key-0123")


def copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    return raw


def lines(raw: Path, name: str = "firm_years.csv") -> list[str]:
    return (raw / name).read_text(encoding="utf-8").split("\n")


def read_errors(raw: Path) -> list[str]:
    report = validate(raw, settings=SETTINGS)
    assert not report.ok
    return [str(i) for i in report.errors]


def assert_nothing_written(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "processed"
    with pytest.raises(PrepareError):
        prepare(raw, out, settings=SETTINGS)
    assert not out.exists() or list(out.iterdir()) == []


def test_ragged_rows_name_lines_and_field_counts(tmp_path):
    raw = copy(tmp_path)
    text = lines(raw)
    text[4] += ",surplus"  # line 5: one field too many
    text[7] = text[7].rsplit(",", 3)[0]  # line 8: three too few
    (raw / "firm_years.csv").write_text("\n".join(text), encoding="utf-8")
    (error,) = read_errors(raw)
    assert "firm_years.csv" in error and "2 record(s) with the wrong number of fields" in error
    assert "line 5: 12" in error and "line 8: 8" in error and "expected 11 fields" in error
    assert_nothing_written(raw, tmp_path)


def test_truncated_file_is_refused(tmp_path):
    raw = copy(tmp_path)
    data = (raw / "firm_years.csv").read_bytes()
    (raw / "firm_years.csv").write_bytes(data[: len(data) // 2])  # cut mid-record
    (error,) = read_errors(raw)
    assert "firm_years.csv" in error and "wrong number of fields" in error


def test_unclosed_quote_is_refused_with_its_line(tmp_path):
    raw = copy(tmp_path)
    text = lines(raw)
    text[3] = text[3].replace(",", ',"', 1)  # a quote opened on line 4, never closed
    (raw / "firm_years.csv").write_text("\n".join(text), encoding="utf-8")
    (error,) = read_errors(raw)
    assert "firm_years.csv" in error and "cannot be read as CSV" in error and "quote" in error


def test_header_only_required_table_is_an_error(tmp_path):
    raw = copy(tmp_path)
    (raw / "firms.csv").write_text(lines(raw, "firms.csv")[0] + "\n", encoding="utf-8")
    report = validate(raw, settings=SETTINGS)
    (empty,) = [i for i in report.errors if i.rule == "empty-table"]
    assert "firms.csv" in str(empty) and "no data rows" in str(empty)
    assert_nothing_written(raw, tmp_path)


def test_empty_file_is_an_error(tmp_path):
    raw = copy(tmp_path)
    (raw / "firm_years.csv").write_bytes(b"")
    errors = read_errors(raw)
    assert any("firm_years.csv" in e and "empty" in e for e in errors)


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_byte_order_marks_are_read_correctly(tmp_path, encoding, bom):
    clean = copy(tmp_path / "clean")
    raw = copy(tmp_path / "bom")
    for name in ("firms.csv", "firm_years.csv"):
        text = (raw / name).read_text(encoding="utf-8")
        (raw / name).write_bytes(bom + text.encode(encoding))
    report = validate(raw, settings=SETTINGS)
    assert report.ok, report.format()
    assert report.sources["firms"].encoding in {"utf-8-sig", "utf-16"}
    a = prepare(clean, tmp_path / "a", settings=SETTINGS).manifest["outputs"]
    b = prepare(raw, tmp_path / "b", settings=SETTINGS).manifest["outputs"]
    assert a["panel.parquet"]["sha256"] == b["panel.parquet"]["sha256"]
    assert a["firms.parquet"]["sha256"] == b["firms.parquet"]["sha256"]


def test_utf16_without_bom_is_refused_not_read_as_latin1(tmp_path):
    raw = copy(tmp_path)
    text = (raw / "firm_years.csv").read_text(encoding="utf-8")
    (raw / "firm_years.csv").write_bytes(text.encode("utf-16-le"))
    (error,) = read_errors(raw)
    assert "NUL bytes" in error and "firm_years.csv" in error


def test_latin1_export_still_reads(tmp_path):
    raw = copy(tmp_path)
    text = (raw / "firms.csv").read_text(encoding="utf-8").replace("Santander", "Nariño")
    (raw / "firms.csv").write_bytes(text.encode("latin-1"))
    report = validate(raw, settings=SETTINGS)
    assert report.sources["firms"].encoding == "latin-1"
    assert not [i for i in report.errors if i.rule == "read"]


def test_fifty_megabyte_field_gives_a_rule_message(tmp_path):
    raw = copy(tmp_path)
    text = lines(raw)
    first, rest = text[1].split(",", 1)
    text[1] = f'"{first}{"x" * (50 * 1024 * 1024)}",{rest}'
    (raw / "firm_years.csv").write_text("\n".join(text), encoding="utf-8")
    (error,) = read_errors(raw)
    assert "firm_years.csv, line 2" in error and "longer than 1,048,576 characters" in error
