"""Reading raw data: every supported format and CSV dialect gives the same typed tables and
the same processed panel; a column mapping renames and recodes real exports."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from evaluation.config import load_settings
from evaluation.data.codebook import RAW_TABLES
from evaluation.data.ingest import (
    DataError,
    connect,
    detect_delimiter,
    detect_encoding,
    load_mapping,
    register,
)
from evaluation.data.prepare import prepare
from evaluation.data.validate import validate
from tests.conftest import REPO, TEST_DATA

SMALL = TEST_DATA / "small"
SETTINGS = load_settings(root=REPO)


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "ingest-test-key-0123456789")


def typed_frames() -> dict[str, pd.DataFrame]:
    """The small data set read by pandas with its own type inference (what a user exports)."""
    frames = {t: pd.read_csv(SMALL / f"{t}.csv") for t in RAW_TABLES}
    firms = frames["firms"]
    firms["women_led"] = firms["women_led"].astype(bool)
    firms["participant"] = firms["participant"].astype(bool)
    return frames


def typed_tables(raw: Path, mapping=None) -> dict[str, pd.DataFrame]:
    con = connect()
    report = validate(raw, settings=SETTINGS, mapping=mapping, con=con)
    assert report.ok, report.format()
    out = {
        t: con.execute(f"SELECT * EXCLUDE (__row) FROM typ_{t} ORDER BY __row").df()
        for t in RAW_TABLES
    }
    con.close()
    return out


def panel_hash(raw: Path, tmp: Path, mapping=None) -> str:
    result = prepare(raw, tmp / "processed", settings=SETTINGS, mapping=mapping)
    assert result.report.ok
    return hashlib.sha256((tmp / "processed" / "panel.parquet").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[dict[str, pd.DataFrame], str]:
    tmp = tmp_path_factory.mktemp("reference")
    mp = pytest.MonkeyPatch()
    mp.setenv("EVALUATION_PSEUDONYM_KEY", "ingest-test-key-0123456789")
    try:
        return typed_tables(SMALL), panel_hash(SMALL, tmp)
    finally:
        mp.undo()


def write_format(raw: Path, fmt: str) -> None:
    raw.mkdir(parents=True)
    for table, frame in typed_frames().items():
        if fmt == "csv-semicolon-latin1":
            frame.to_csv(raw / f"{table}.csv", sep=";", encoding="latin-1", index=False)
        elif fmt == "csv-tab-bom":
            frame.to_csv(raw / f"{table}.csv", sep="\t", encoding="utf-8-sig", index=False)
        elif fmt == "xlsx":
            frame.to_excel(raw / f"{table}.xlsx", index=False)
        elif fmt == "dta":
            frame.to_stata(raw / f"{table}.dta", write_index=False, version=118)
        elif fmt == "parquet":
            frame.to_parquet(raw / f"{table}.parquet", index=False)
        elif fmt == "mixed":
            writer = {
                "firms": lambda p, frame=frame: frame.to_excel(p.with_suffix(".xlsx"), index=False),
                "firm_years": lambda p, frame=frame: frame.to_parquet(p.with_suffix(".parquet")),
                "links": lambda p, frame=frame: frame.to_stata(
                    p.with_suffix(".dta"), write_index=False
                ),
                "organizations": lambda p, frame=frame: frame.to_csv(
                    p.with_suffix(".csv"), sep=";"
                ),
                "prices": lambda p, frame=frame: frame.to_csv(p.with_suffix(".csv"), index=False),
            }[table]
            writer(raw / table)


@pytest.mark.parametrize(
    "fmt", ["csv-semicolon-latin1", "csv-tab-bom", "xlsx", "dta", "parquet", "mixed"]
)
def test_every_format_reads_to_the_same_tables_and_panel(fmt, tmp_path, reference):
    ref_tables, ref_panel = reference
    raw = tmp_path / "raw"
    write_format(raw, fmt)
    if fmt == "mixed":  # an index column written by to_csv is an unknown column: a warning
        report = validate(raw, settings=SETTINGS)
        assert report.ok and [w.rule for w in report.warnings] == ["unknown-column"]
    got = typed_tables(raw)
    for table in RAW_TABLES:
        pd.testing.assert_frame_equal(got[table], ref_tables[table], check_dtype=False)
    assert panel_hash(raw, tmp_path) == ref_panel


def test_encoding_and_delimiter_detection(tmp_path):
    text = "firm_id;owner_name\nF01;María Peña\n"
    cases = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "latin-1": "latin-1"}
    for encoding, expected in cases.items():
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert detect_encoding(path) == expected
        assert detect_delimiter(path, expected) == ";"
    tab = tmp_path / "tab.csv"
    tab.write_text("a\tb;c\n1\t2\n")
    assert detect_delimiter(tab, "utf-8") == "\t"


def test_latin1_names_are_decoded_not_mangled(tmp_path):
    raw = tmp_path / "raw"
    write_format(raw, "csv-semicolon-latin1")
    con = connect()
    src = register(con, "firms", raw / "firms.csv")
    names = [r[0] for r in con.execute("SELECT owner_name FROM src_firms").fetchall()]
    con.close()
    assert src.encoding == "latin-1" and src.delimiter == ";"
    assert "María Fernanda Gómez" in names and "Ximena Muñoz" in names


def spanish_export(raw: Path) -> Path:
    """The small data set as a partner might send it: Spanish names and labels, an Excel file
    named differently, extra personal columns."""
    raw.mkdir(parents=True)
    for table in RAW_TABLES:
        shutil.copy(SMALL / f"{table}.csv", raw / f"{table}.csv")
    firms = pd.read_csv(SMALL / "firms.csv", dtype=str, keep_default_na=False)
    firms = firms.rename(
        columns={"firm_id": "codigo_empresa", "tax_id": "NIT", "country": "pais",
                 "women_led": "liderada_por_mujer", "participant": "participante"}
    )  # fmt: skip
    firms["pais"] = firms["pais"].map({"CO": "Colombia", "EC": "Ecuador"})
    for col in ("liderada_por_mujer", "participante"):
        firms[col] = firms[col].map({"1": "Sí", "0": "No"})
    firms["telefono"] = "+57 300 555 0101"
    (raw / "firms.csv").unlink()
    firms.to_excel(raw / "registro_empresas.xlsx", index=False)
    years = pd.read_csv(SMALL / "firm_years.csv", dtype=str, keep_default_na=False)
    years = years.rename(columns={"firm_id": "codigo_empresa", "sales": "ventas"})
    years.to_csv(raw / "firm_years.csv", index=False, sep=";", encoding="latin-1")
    mapping = raw.parent / "mapping.yml"
    mapping.write_text(
        """
tables:
  firms:
    file: registro_empresas.xlsx
    columns: {codigo_empresa: firm_id, NIT: tax_id, pais: country,
              liderada_por_mujer: women_led, participante: participant}
    values:
      country: {Colombia: CO, Ecuador: EC}
      women_led: {Sí: 1, No: 0}
      participant: {Sí: true, No: false}
    personal: [telefono]
  firm_years:
    columns: {codigo_empresa: firm_id, ventas: sales}
""",
        encoding="utf-8",
    )
    return mapping


def test_column_mapping_renames_and_recodes(tmp_path, reference):
    ref_tables, ref_panel = reference
    mapping = spanish_export(tmp_path / "raw")
    raw = tmp_path / "raw"
    unmapped = validate(raw, settings=SETTINGS)
    assert any(i.rule == "missing-table" and i.table == "firms" for i in unmapped.errors)
    mapped = validate(raw, settings=SETTINGS, mapping=mapping)
    assert mapped.ok and mapped.warnings == []  # telefono is declared personal: no warning
    got = typed_tables(raw, mapping=mapping)
    for table in RAW_TABLES:
        pd.testing.assert_frame_equal(got[table], ref_tables[table], check_dtype=False)
    assert panel_hash(raw, tmp_path, mapping=mapping) == ref_panel
    for path in (tmp_path / "processed").iterdir():  # the mapped personal column is gone
        text = path.read_bytes()
        if path.suffix == ".parquet":
            text += pq.read_table(path).to_pandas().to_csv().encode()
        assert b"555 0101" not in text and b"telefono" not in text, path.name


def test_mapped_column_is_named_in_messages(tmp_path):
    mapping = spanish_export(tmp_path / "raw")
    raw = tmp_path / "raw"
    years = pd.read_csv(raw / "firm_years.csv", sep=";", encoding="latin-1", dtype=str)
    years.loc[3, "ventas"] = "-1"
    years.to_csv(raw / "firm_years.csv", index=False, sep=";", encoding="latin-1")
    report = validate(raw, settings=SETTINGS, mapping=mapping)
    (issue,) = report.errors
    assert "column 'ventas' (model column 'sales')" in str(issue)
    assert "line 5 " in str(issue)
    # a single mapped file is recognised by the name the mapping gives it
    single = validate(raw / "registro_empresas.xlsx", settings=SETTINGS, mapping=mapping)
    assert single.ok and set(single.sources) == {"firms"}


def test_latin1_detected_deep_in_a_large_file(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_bytes(
        b"firm_id,owner_name\n" + b"F1,Ana\n" * 300_000 + "F2,Peña\n".encode("latin-1")
    )
    assert path.stat().st_size > 2 << 20
    assert detect_encoding(path) == "latin-1"


@pytest.mark.parametrize(
    "text, message",
    [
        ("tables:\n  empresas: {}\n", "unknown table 'empresas'"),
        ("tables:\n  firms:\n    columns: {NIT: nit}\n", "maps to 'nit'"),
        ("tables:\n  firms:\n    columns: {a: firm_id, b: firm_id}\n", "several real columns"),
        ("tables:\n  firms:\n    values: {pais: {Colombia: CO}}\n", "unknown column 'pais'"),
        ("tablas: {}\n", "unknown top-level keys ['tablas']"),
    ],
)
def test_bad_mapping_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "mapping.yml"
    path.write_text(text)
    with pytest.raises(DataError, match="mapping") as err:
        load_mapping(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_unreadable_file_is_a_read_error(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    (raw / "links.csv").unlink()
    (raw / "links.xlsx").write_bytes(b"this is not a workbook")
    report = validate(raw, settings=SETTINGS)
    (issue,) = [i for i in report.errors if i.rule == "read"]
    assert "links.xlsx" in str(issue) and "Excel" in str(issue)


def test_example_mapping_is_valid():
    mapping = load_mapping(REPO / "config" / "column_mapping.example.yml")
    assert mapping.table("firms").columns["NIT"] == "tax_id"
    assert mapping.table("firms").file == "registro_empresas.xlsx"
