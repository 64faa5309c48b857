"""``prepare``: hand-checked outcomes, pseudonyms, privacy, atomicity, determinism, raw untouched.

The small data set (tests/data/small) was built so that real base-year USD values are round:
nominal = real USD x FX[base] x PPI[t] / PPI[base]. Prices used below (prices.csv):
  CO  PPI 2015 = 100, 2016 = 105; FX 2015 (base) = 2500 COP/USD
  EC  PPI 2015 = 100, 2016 = 104, 2017 = 104, 2018 = 106; FX = 1 (dollarized)
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from evaluation.cli import main
from evaluation.config import Settings, load_settings
from evaluation.data import prepare as prepare_mod
from evaluation.data.codebook import PANEL_COLUMNS, personal_columns
from evaluation.data.load import load_panel, load_table, load_truth
from evaluation.data.prepare import PrepareError, prepare, pseudonym
from evaluation.data.schema import panel_schema
from tests.conftest import REPO, TEST_DATA

SMALL = TEST_DATA / "small"
BROKEN = TEST_DATA / "broken"
KEY = "prepare-test-key"
SETTINGS = load_settings(root=REPO)


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("EVALUATION_PSEUDONYM_KEY", KEY)
    try:
        out = tmp_path_factory.mktemp("prepared") / "processed"
        prepare(SMALL, out, settings=SETTINGS)
        return out
    finally:
        mp.undo()


def row(panel: pd.DataFrame, firm: str, year: int) -> pd.Series:
    hit = panel[(panel.firm_id == pseudonym(KEY.encode(), firm)) & (panel.year == year)]
    assert len(hit) == 1
    return hit.iloc[0]


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_outcomes_match_hand_computation(prepared):
    panel = load_panel(prepared)
    # F01, Colombia, 2016 (cohort 2016, founded 2005):
    #   sales 630,000,000 COP x (100/105) = 600,000,000 real COP / 2500 = 240,000 USD
    #   inputs 315,000,000 x (100/105) / 2500 = 120,000; VA = 240,000 - 120,000 = 120,000
    #   employees 12 -> labor productivity 10,000; exports 26,250,000 -> 10,000 USD
    #   wage bill 126,000,000 -> 48,000; capital 1,260,000,000 -> 480,000
    r = row(panel, "F01", 2016)
    assert r.sales_usd == pytest.approx(240_000, rel=1e-12)
    assert r.intermediate_inputs_usd == pytest.approx(120_000, rel=1e-12)
    assert r.value_added_usd == pytest.approx(120_000, rel=1e-12)
    assert r.labor_productivity == pytest.approx(10_000, rel=1e-12)
    assert r.log_labor_productivity == pytest.approx(math.log(10_000), abs=1e-12)
    assert r.log_value_added == pytest.approx(math.log(120_000), abs=1e-12)
    assert r.log_sales == pytest.approx(math.log(240_000), abs=1e-12)
    assert r.log_employees == pytest.approx(math.log(12), abs=1e-12)
    assert r.exports_usd == pytest.approx(10_000, rel=1e-12) and r.exporter == 1
    assert r.wage_bill_usd == pytest.approx(48_000, rel=1e-12)
    assert r.capital_stock_usd == pytest.approx(480_000, rel=1e-12)
    assert (r.cohort, r.rel_time, r.post, r.treated, r.firm_age) == (2016, 0, 1, 1, 11)
    assert (r.country, r.cluster_id, r.organization, r.women_led) == ("CO", "CL01", "CCB", 1)
    # Baseline = first cohort - 1 = 2015: F01 had 10 employees and
    # VA = (500,000,000 - 300,000,000) / 2500 = 80,000 USD -> productivity 8,000
    assert r.baseline_log_employees == pytest.approx(math.log(10), abs=1e-12)
    assert r.baseline_log_labor_productivity == pytest.approx(math.log(8_000), abs=1e-12)
    assert r.balanced == 1
    # F01, 2015: the year before support: rel_time -1, not treated
    r = row(panel, "F01", 2015)
    assert (r.rel_time, r.post, r.treated) == (-1, 0, 0)
    # F04, Ecuador, 2017 (cohort 2017): 208,000 / 1.04 = 200,000; 104,000 / 1.04 = 100,000
    r = row(panel, "F04", 2017)
    assert r.value_added_usd == pytest.approx(100_000, rel=1e-12)
    assert r.labor_productivity == pytest.approx(10_000, rel=1e-12)  # 10 employees
    assert (r.rel_time, r.post) == (0, 1)
    assert row(panel, "F04", 2016).post == 0
    # F05, Ecuador, 2018, comparison firm: sales 106,000 / 1.06 = 100,000, inputs
    # 127,200 / 1.06 = 120,000 -> VA = -20,000: flagged, kept, no logs of VA or productivity
    r = row(panel, "F05", 2018)
    assert r.value_added_usd == pytest.approx(-20_000, rel=1e-12)
    assert r.va_nonpositive == 1
    assert math.isnan(r.log_value_added) and math.isnan(r.log_labor_productivity)
    assert r.labor_productivity == pytest.approx(-20_000 / 6, rel=1e-12)
    assert r.log_sales == pytest.approx(math.log(100_000), abs=1e-12)
    assert r.cohort == 0 and math.isnan(r.rel_time) and (r.post, r.treated) == (0, 0)
    # comparison firms get the same calendar baseline year (2015): 98,000 - 61,000 = 37,000
    assert r.baseline_log_labor_productivity == pytest.approx(math.log(37_000 / 6), abs=1e-12)
    # F06, 2015: zero employees -> no productivity, no log employees; VA 20,000 - 12,000
    r = row(panel, "F06", 2015)
    assert r.value_added_usd == pytest.approx(8_000, rel=1e-12) and r.va_nonpositive == 0
    assert math.isnan(r.labor_productivity) and math.isnan(r.log_employees)
    # F06, 2014: did not respond -> kept as a row, every survey value missing
    r = row(panel, "F06", 2014)
    assert r.responded == 0 and math.isnan(r.sales_usd) and math.isnan(r.va_nonpositive)
    assert row(panel, "F06", 2020).balanced == 0  # missing 2014
    assert row(panel, "F03", 2014).balanced == 0  # missing 2019


def test_panel_contract(prepared):
    panel = load_panel(prepared)
    assert list(panel.columns) == list(PANEL_COLUMNS)
    panel_schema().validate(panel, lazy=True)
    assert len(panel) == 42 and panel.firm_id.str.fullmatch(r"[0-9a-f]{16}").all()
    keys = list(zip(panel.firm_id, panel.year, strict=True))
    assert keys == sorted(keys)
    assert panel.va_nonpositive.sum() == 1
    assert set(panel.cohort) == {0, 2016, 2017}


def test_samples_and_tables(prepared):
    sizes = {s: len(load_panel(prepared, s)) for s in ("all", "country=CO", "country=EC")}
    assert sizes == {"all": 42, "country=CO": 21, "country=EC": 21}
    assert len(load_panel(prepared, "women_led")) == 21
    assert len(load_panel(prepared, "cohort=2016")) == 14  # F01, F02
    with pytest.raises(KeyError, match="no column 'region'"):
        load_panel(prepared, "region=north")
    assert len(load_panel(prepared, "men_led")) == 21
    assert len(load_panel(prepared, "participants")) == 21
    assert set(load_panel(prepared, "balanced").firm_id.map(len)) == {16}
    assert load_panel(prepared, "balanced").firm_id.nunique() == 4
    with pytest.raises(KeyError, match="unknown sample"):
        load_panel(prepared, "PE")
    with pytest.raises(KeyError, match="unknown sample"):
        load_panel(prepared, "country==CO")
    firms = load_table("firms", prepared)
    assert not set(personal_columns("firms")) & set(firms.columns)
    links = load_table("links", prepared)
    assert set(links.firm_a) | set(links.firm_b) <= set(firms.firm_id)
    orgs = load_table("organizations", prepared)
    assert list(orgs.organization.unique()) == ["CCB", "CCQ"] and len(orgs) == 6
    assert load_truth(SMALL) is None


def uncompressed_text(path: Path) -> bytes:
    """Every cell of a Parquet file as CSV bytes (compressed pages would hide a match)."""
    buf = io.BytesIO()
    pacsv.write_csv(pq.read_table(path), buf)
    return buf.getvalue()


def test_no_personal_data_in_processed(prepared):
    firms = pd.read_csv(SMALL / "firms.csv", dtype=str, keep_default_na=False)
    needles = set()
    for col in personal_columns("firms"):
        needles |= {v for v in firms[col] if v}
    assert len(needles) == 6 * 3 + 5  # tax id, firm name, owner for all; one has no e-mail
    for path in sorted(prepared.iterdir()):
        blobs = [path.read_bytes()]
        if path.suffix == ".parquet":
            blobs.append(uncompressed_text(path))
        for blob in blobs:
            for needle in needles:
                for form in {needle, needle.upper(), needle.lower()}:
                    for enc in ("utf-8", "latin-1"):
                        assert form.encode(enc, "ignore") not in blob, (path.name, needle)
    # The program's own firm ids ("F01") are not personal, but they must not survive either;
    # they are too short to grep for in hex digests, so compare cells.
    raw_ids = set(firms.firm_id)
    for path in sorted(prepared.glob("*.parquet")):
        table = pq.read_table(path)
        for name in table.column_names:
            values = set(map(str, table.column(name).to_pylist()))
            assert not values & raw_ids, (path.name, name)


def test_deterministic_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    prepare(SMALL, a, settings=SETTINGS)
    prepare(SMALL, b, settings=SETTINGS)
    assert tree_hash(a) == tree_hash(b)
    assert sorted(tree_hash(a)) == [
        "data_manifest.json",
        "firms.parquet",
        "links.parquet",
        "organizations.parquet",
        "panel.parquet",
    ]
    meta = pq.ParquetFile(a / "panel.parquet").metadata
    assert meta.num_rows == 42 and meta.num_row_groups == 1


@pytest.mark.parametrize("fail_at", [1, 3])
def test_failure_leaves_no_partial_output(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "processed"
    calls = {"n": 0}
    real = prepare_mod._write_parquet

    def flaky(reader, path):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError("disk full (simulated)")
        return real(reader, path)

    monkeypatch.setattr(prepare_mod, "_write_parquet", flaky)
    with pytest.raises(OSError, match="disk full"):
        prepare(SMALL, out, settings=SETTINGS)
    assert not out.exists()  # no outputs, no manifest, no staging folder, no new folder


def test_staging_left_by_a_killed_run_is_removed(tmp_path):
    out = tmp_path / "processed"
    dead = out / ".staging-999999999-deadbeef"  # no such process
    (dead / "duckdb-spill").mkdir(parents=True)
    (dead / "panel.parquet").write_bytes(b"half written")
    prepare(SMALL, out, settings=SETTINGS)
    assert sorted(p.name for p in out.iterdir()) == [
        "data_manifest.json",
        "firms.parquet",
        "links.parquet",
        "organizations.parquet",
        "panel.parquet",
    ]


def test_failure_keeps_the_previous_dataset(tmp_path, monkeypatch):
    out = tmp_path / "processed"
    prepare(SMALL, out, settings=SETTINGS)
    before = tree_hash(out)
    monkeypatch.setattr(prepare_mod, "_write_parquet", _boom)
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", "another key, 16+ bytes")
    with pytest.raises(OSError):
        prepare(SMALL, out, settings=SETTINGS)
    assert tree_hash(out) == before


def _boom(reader, path):
    if path.name == "links.parquet":
        raise OSError("simulated failure")
    return prepare_mod.pq.write_table(reader.read_all(), path) or 0


def test_invalid_raw_writes_nothing(tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    shutil.copy(BROKEN / "negative_sales" / "firm_years.csv", raw / "firm_years.csv")
    out = tmp_path / "processed"
    with pytest.raises(PrepareError, match="1 error") as err:
        prepare(raw, out, settings=SETTINGS)
    assert err.value.report is not None and not err.value.report.ok
    assert not out.exists()  # the folder it created is removed again
    assert main(["prepare", "--raw", str(raw), "--processed", str(out)]) == 1
    assert "line 17 " in capsys.readouterr().out


def test_raw_never_written_by_validate_prepare_verify(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    before = tree_hash(raw)
    out = tmp_path / "processed"
    assert main(["validate", str(raw)]) == 0
    assert main(["prepare", "--raw", str(raw), "--processed", str(out)]) == 0
    assert main(["verify", "--raw", str(raw), "--processed", str(out)]) == 0
    assert tree_hash(raw) == before
    with pytest.raises(PrepareError, match="inside raw"):
        prepare(raw, raw / "processed", settings=SETTINGS)
    assert tree_hash(raw) == before


def test_key_required_for_real_data(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY")
    settings = Settings(root=tmp_path)
    with pytest.raises(PrepareError, match="EVALUATION_PSEUDONYM_KEY") as err:
        prepare(SMALL, tmp_path / "out", settings=settings)
    assert ".pseudonym_key" in str(err.value)
    assert not (tmp_path / "out").exists()
    (tmp_path / ".pseudonym_key").write_text("a-local-secret-0123\n")
    result = prepare(SMALL, tmp_path / "out", settings=settings)
    assert result.manifest["pseudonym_key"]["source"] == "file .pseudonym_key"
    ids = set(load_table("firms", tmp_path / "out").firm_id)
    assert pseudonym(b"a-local-secret-0123", "F01") in ids
    assert pseudonym(KEY.encode(), "F01") not in ids


def test_simulated_data_uses_the_documented_default_key(tmp_path, monkeypatch):
    """The public key applies only when the marker lists every table file with its sha256."""
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY")
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    (raw / ".simulate.json").write_text(json.dumps({"seed": 1}))  # no hashes: not enough
    with pytest.raises(PrepareError, match="EVALUATION_PSEUDONYM_KEY"):
        prepare(raw, tmp_path / "out", settings=Settings(root=tmp_path))
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.glob("*.csv")}
    (raw / ".simulate.json").write_text(json.dumps({"files": hashes, "seed": 1}))
    result = prepare(raw, tmp_path / "out", settings=Settings(root=tmp_path))
    assert result.manifest["pseudonym_key"]["source"] == "public default for simulated data"
    ids = set(load_table("firms", tmp_path / "out").firm_id)
    assert pseudonym(prepare_mod.SIMULATION_KEY, "F01") in ids


def test_simulated_default_data_prepares(tmp_path, monkeypatch):
    raw = REPO / "data" / "raw"
    if not (raw / "firms.csv").is_file():
        pytest.skip("no simulated data in data/raw")
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY")
    before = tree_hash(raw)
    result = prepare(raw, tmp_path / "processed", settings=SETTINGS)
    assert result.report.ok, result.report.format()
    panel = load_panel(tmp_path / "processed")
    years = pd.read_csv(raw / "firm_years.csv")
    assert len(panel) == len(years)
    firms = load_table("firms", tmp_path / "processed")
    assert firms.loc[firms.participant == 1, "cluster_id"].nunique() == 26
    assert tree_hash(raw) == before
    truth = load_truth(raw)
    assert truth is None or isinstance(truth, dict)


def reference_panel(raw: Path, key: bytes, *, base_year: int, baseline_year: int) -> pd.DataFrame:
    """The outcome conventions of DESIGN.md section 3 re-implemented in plain pandas/numpy,
    independently of the DuckDB query, for a cross-check on the simulated data."""
    firms = pd.read_csv(raw / "firms.csv", dtype={"firm_id": str, "tax_id": str})
    years = pd.read_csv(raw / "firm_years.csv", dtype={"firm_id": str})
    prices = pd.read_csv(raw / "prices.csv")
    df = years.merge(firms, on="firm_id").merge(prices, on=["country", "year"])
    base = prices[prices.year == base_year].set_index("country")
    factor = (
        base.ppi.reindex(df.country).to_numpy()
        / df.ppi
        / base.usd_rate.reindex(df.country).to_numpy()
    )
    answered = df.responded == 1
    out = pd.DataFrame({"firm_id": [pseudonym(key, f) for f in df.firm_id], "year": df.year})
    for m in ("sales", "intermediate_inputs", "wage_bill", "capital_stock", "exports"):
        out[f"{m}_usd"] = (df[m] * factor).where(answered)
    emp = df.employees.where(answered).astype(float)
    va = out.sales_usd - out.intermediate_inputs_usd
    out["value_added_usd"] = va
    out["labor_productivity"] = (va / emp).where(emp > 0)
    out["log_labor_productivity"] = np.log((va / emp).where((va > 0) & (emp > 0)))
    out["log_value_added"] = np.log(va.where(va > 0))
    out["log_sales"] = np.log(out.sales_usd.where(out.sales_usd > 0))
    out["log_employees"] = np.log(emp.where(emp > 0))
    out["va_nonpositive"] = (va <= 0).astype(float).where(va.notna())
    # winsorizing at the 1st/99th percentiles (numpy's default "linear" = type 7) of each
    # country x year, among answered rows with VA > 0 (and employees > 0 for productivity)
    lp = out.labor_productivity
    va_ok, lp_ok = answered & (va > 0), answered & (va > 0) & (emp > 0)
    va_w, lp_w = va.copy(), lp.copy()
    for _, idx in df.groupby(["country", "year"]).groups.items():
        for x, ok, w in ((va, va_ok, va_w), (lp, lp_ok, lp_w)):
            sel = idx[ok[idx].to_numpy()]
            if len(sel):
                lo, hi = np.quantile(x[sel].to_numpy(), [0.01, 0.99])
                w[sel] = x[sel].clip(lo, hi)
    out["value_added_usd_w"] = va_w
    out["labor_productivity_w"] = lp_w
    out["log_labor_productivity_w"] = np.log(lp_w.where(lp_ok))
    out["log_value_added_w"] = np.log(va_w.where(va_ok))
    out["winsorized"] = ((va_w != va) & va.notna() | (lp_w != lp) & lp.notna()).astype(int)
    cohort = df.cohort.fillna(0).astype(int)
    out["cohort"] = cohort
    out["rel_time"] = (df.year - cohort).where(df.participant == 1)
    out["treated"] = ((df.participant == 1) & (df.year >= cohort)).astype(int)
    n_years = years.year.nunique()
    answered_years = answered.groupby(df.firm_id).transform("sum")
    out["balanced"] = (answered_years == n_years).astype(int)
    at_base = out.assign(firm=df.firm_id)[df.year == baseline_year].set_index("firm")
    out["baseline_log_employees"] = at_base.log_employees.reindex(df.firm_id).to_numpy()
    return out.sort_values(["firm_id", "year"]).reset_index(drop=True)


def test_outcomes_match_an_independent_pandas_implementation(tmp_path, monkeypatch):
    raw = REPO / "data" / "raw"
    if not (raw / "firms.csv").is_file():
        pytest.skip("no simulated data in data/raw")
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY")
    result = prepare(raw, tmp_path / "processed", settings=SETTINGS)
    got = load_panel(tmp_path / "processed")
    exp = reference_panel(
        raw,
        prepare_mod.SIMULATION_KEY,
        base_year=SETTINGS.analysis.base_year,
        baseline_year=result.manifest["settings"]["baseline_year"],
    )
    assert len(got) == len(exp) and (got.firm_id == exp.firm_id).all()
    for col in exp.columns.drop("firm_id"):
        # relative 1e-12: both sides do the same floating-point operations in a different order
        np.testing.assert_allclose(
            got[col].astype(float), exp[col].astype(float), rtol=1e-12, atol=0, err_msg=col
        )
    assert got.va_nonpositive.notna().sum() == got.responded.sum()
    # the default 1%/99% treatment clips some rows in both tails of the simulated data
    assert got.winsorized.sum() > 0
    assert (got.labor_productivity_w < got.labor_productivity).any()
    assert (got.labor_productivity_w > got.labor_productivity).any()


def test_random_prices_recover_known_real_values(tmp_path):
    """Known truth: real base-year USD values drawn at random, turned into nominal local
    currency with random price indices and exchange rates; prepare must give them back."""
    rng = np.random.default_rng(20160601)
    years = np.arange(2014, 2021)
    n = 60
    firms = pd.DataFrame(
        {
            "firm_id": [f"R{i:03d}" for i in range(n)],
            "tax_id": [f"TAX{i:06d}" for i in range(n)],
            "firm_name": [f"Empresa Aleatoria {i}" for i in range(n)],
            "owner_name": [f"Persona {i}" for i in range(n)],
            "country": np.where(np.arange(n) % 2 == 0, "CO", "EC"),
            "territory": "T1",
            "sector": "C",
            "women_led": rng.integers(0, 2, n),
            "founded": 2000,
            "participant": (np.arange(n) < 20).astype(int),
            "stratum": "S1",
        }
    )
    part = firms.participant == 1
    firms["cluster_id"] = np.where(part, "K1", "")
    firms["cohort"] = np.where(part, "2016", "")
    firms["organization"] = np.where(part, firms.country.map({"CO": "OC", "EC": "OE"}), "")
    firms.loc[part & (firms.country == "EC"), "cluster_id"] = "K2"
    ppi = {c: dict(zip(years, rng.uniform(50, 150, len(years)), strict=True)) for c in ("CO", "EC")}
    fx = {"CO": dict(zip(years, rng.uniform(1800, 4200, len(years)), strict=True))}
    fx["EC"] = dict.fromkeys(years, 1.0)
    truth = []
    rows = []
    for fid, country in zip(firms.firm_id, firms.country, strict=True):
        for year in years:
            sales, inputs = rng.lognormal(11, 1), rng.lognormal(10.5, 1)
            emp = int(rng.integers(0, 40))
            k = fx[country][2015] * ppi[country][year] / ppi[country][2015]
            rows.append(
                [
                    fid,
                    year,
                    1,
                    repr(float(sales * k)),
                    emp,
                    "",
                    repr(float(inputs * k)),
                    "",
                    "",
                    "",
                    "",
                ]
            )
            truth.append((pseudonym(KEY.encode(), fid), year, sales, inputs, emp))
    raw = tmp_path / "raw"
    raw.mkdir()
    firms.to_csv(raw / "firms.csv", index=False)
    cols = ["firm_id", "year", "responded", "sales", "employees", "wage_bill"]
    cols += ["intermediate_inputs", "capital_stock", "exports", "bds_hours", "linkages"]
    pd.DataFrame(rows, columns=cols).to_csv(raw / "firm_years.csv", index=False)
    prices = [
        [c, y, 100.0, repr(float(ppi[c][y])), repr(float(fx[c][y]))]
        for c in ("CO", "EC")
        for y in years
    ]
    pd.DataFrame(prices, columns=["country", "year", "cpi", "ppi", "usd_rate"]).to_csv(
        raw / "prices.csv", index=False
    )
    prepare(raw, tmp_path / "out", settings=SETTINGS)
    got = load_panel(tmp_path / "out").set_index(["firm_id", "year"])
    exp = pd.DataFrame(truth, columns=["firm_id", "year", "s", "i", "e"]).set_index(
        ["firm_id", "year"]
    )
    got = got.loc[exp.index]
    # tolerance: nominal values went through a decimal repr and back, then 3 divisions
    np.testing.assert_allclose(got.sales_usd, exp.s, rtol=1e-13)
    np.testing.assert_allclose(got.intermediate_inputs_usd, exp.i, rtol=1e-13)
    va = exp.s - exp.i
    np.testing.assert_allclose(got.value_added_usd, va, rtol=1e-9)
    assert (got.va_nonpositive == (va <= 0)).all() and (va <= 0).sum() > 0
    ok = (va > 0) & (exp.e > 0)
    np.testing.assert_allclose(
        got.log_labor_productivity[ok], np.log(va[ok] / exp.e[ok]), atol=1e-12
    )
    assert got.log_labor_productivity[~ok].isna().all() and (~ok).sum() > 0


def test_optional_tables_absent_give_empty_outputs(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    (raw / "links.csv").unlink()
    (raw / "organizations.csv").unlink()
    result = prepare(raw, tmp_path / "out", settings=SETTINGS)
    assert result.report.warnings == []
    assert {i.table for i in result.report.infos if i.rule == "missing-table"} == {
        "links",
        "organizations",
    }
    links = load_table("links", tmp_path / "out")
    assert len(links) == 0 and list(links.columns) == ["firm_a", "firm_b", "year", "link_type"]
    assert len(load_table("organizations", tmp_path / "out")) == 0
    assert result.manifest["outputs"]["links.parquet"]["rows"] == 0


# --------------------------------------------------------------------------- winsorization
# Hand-made example: Ecuador (USD, PPI 100 every year, so nominal = real base-year USD), one
# comparison firm per row, value added = sales - inputs (inputs 0 for round numbers).
#            2016: VA  emp  lp      2017: every responding firm VA 1000, 10 employees (lp 100)
WINSOR_2016 = {
    "A": (10, 1),  # lp 10
    "B": (20, 2),  # lp 10
    "C": (30, 1),  # lp 30
    "D": (40, 4),  # lp 10
    "E": (1000, 10),  # lp 100
    "F": (-50, 5),  # VA < 0: outside the cut-off sample, never clipped
    "H": (60, 0),  # no employees: in the VA sample, no productivity
    "G": None,  # did not respond
}


def winsor_raw(folder: Path) -> Path:
    folder.mkdir()
    ids = list(WINSOR_2016)
    firms = pd.DataFrame(
        {
            "firm_id": ids,
            "tax_id": [f"T{i}" for i in range(len(ids))],
            "firm_name": [f"Empresa {f}" for f in ids],
            "owner_name": [f"Persona {f}" for f in ids],
            "country": "EC",
            "territory": "Pichincha",
            "sector": "C",
            "women_led": [i % 2 for i in range(len(ids))],
            "founded": 2000,
            "participant": 0,
            "cluster_id": "",
            "cohort": "",
            "organization": "",
            "stratum": "Pichincha-C",
        }
    )
    firms.to_csv(folder / "firms.csv", index=False)
    rows = []
    for fid, v in WINSOR_2016.items():
        if v is None:
            rows.append([fid, 2016, 0] + [""] * 8)
        else:
            sales, inputs = (v[0], 0) if v[0] > 0 else (0, -v[0])
            rows.append([fid, 2016, 1, sales, v[1], "", inputs, "", "", "", ""])
        rows.append([fid, 2017, 1, 1000, 10, "", 0, "", "", "", ""])
    cols = ["firm_id", "year", "responded", "sales", "employees", "wage_bill"]
    cols += ["intermediate_inputs", "capital_stock", "exports", "bds_hours", "linkages"]
    pd.DataFrame(rows, columns=cols).to_csv(folder / "firm_years.csv", index=False)
    prices = [
        [c, y, 100, 100, 1 if c == "EC" else 2500] for c in ("CO", "EC") for y in (2015, 2016, 2017)
    ]
    pd.DataFrame(prices, columns=["country", "year", "cpi", "ppi", "usd_rate"]).to_csv(
        folder / "prices.csv", index=False
    )
    return folder


def winsor_settings(root: Path, lower: float, upper: float) -> Settings:
    return Settings(root=root, preparation={"winsorize": {"lower": lower, "upper": upper}})


def test_winsorization_matches_hand_computation(tmp_path):
    raw = winsor_raw(tmp_path / "raw")
    prepare(raw, tmp_path / "out", settings=winsor_settings(tmp_path, 0.25, 0.75))
    panel = load_panel(tmp_path / "out").set_index(["firm_id", "year"])
    got = panel.xs(2016, level="year").rename(
        index={pseudonym(KEY.encode(), f): f for f in WINSOR_2016}
    )
    # Value-added cut-off sample (responded, VA > 0): 10, 20, 30, 40, 60, 1000 (n = 6).
    #   type-7 quantile 0.25: position 5 x 0.25 = 1.25 -> 20 + 0.25 x (30 - 20) = 22.5
    #   type-7 quantile 0.75: position 5 x 0.75 = 3.75 -> 40 + 0.75 x (60 - 40) = 55
    # Productivity sample (also employees > 0): 10, 10, 10, 30, 100 (n = 5):
    #   quantile 0.25 -> position 1 -> 10; quantile 0.75 -> position 3 -> 30
    exp_va = {"A": 22.5, "B": 22.5, "C": 30, "D": 40, "E": 55, "F": -50, "H": 55}
    exp_lp = {"A": 10, "B": 10, "C": 30, "D": 10, "E": 30, "F": -10}
    exp_flag = {"A": 1, "B": 1, "C": 0, "D": 0, "E": 1, "F": 0, "H": 1, "G": 0}
    for f, v in exp_va.items():
        assert got.loc[f, "value_added_usd_w"] == pytest.approx(v, rel=1e-14), f
        assert got.loc[f, "value_added_usd"] == pytest.approx(WINSOR_2016[f][0], rel=1e-14), f
        if v > 0:
            assert got.loc[f, "log_value_added_w"] == pytest.approx(math.log(v), abs=1e-14), f
    for f, v in exp_lp.items():
        assert got.loc[f, "labor_productivity_w"] == pytest.approx(v, rel=1e-14), f
        if f != "F":
            assert got.loc[f, "log_labor_productivity_w"] == pytest.approx(math.log(v), abs=1e-14)
    # originals untouched: E keeps 1000 and productivity 100
    assert got.loc["E", "labor_productivity"] == pytest.approx(100, rel=1e-14)
    assert got.loc["E", "log_labor_productivity"] == pytest.approx(math.log(100), abs=1e-14)
    # no productivity for H, no logs for the loss-making F, nothing at all for G
    assert math.isnan(got.loc["H", "labor_productivity_w"])
    assert math.isnan(got.loc["F", "log_labor_productivity_w"])
    assert math.isnan(got.loc["F", "log_value_added_w"]) and got.loc["F", "va_nonpositive"] == 1
    assert got.loc["G", "responded"] == 0 and math.isnan(got.loc["G", "value_added_usd_w"])
    assert got["winsorized"].to_dict() == exp_flag
    # 2017 has its own cut-offs (every value 1000, nothing clipped); pooled with 2016 they
    # would have been different, so this checks the country x year grouping
    y17 = panel.xs(2017, level="year")
    assert (y17.value_added_usd_w == 1000).all() and (y17.winsorized == 0).all()
    assert (y17.labor_productivity_w == 100).all()


def test_winsorization_off_and_default(tmp_path):
    assert (SETTINGS.preparation.winsorize.lower, SETTINGS.preparation.winsorize.upper) == (
        0.01,
        0.99,
    )
    raw = winsor_raw(tmp_path / "raw")
    prepare(raw, tmp_path / "off", settings=winsor_settings(tmp_path, 0.0, 1.0))
    panel = load_panel(tmp_path / "off")
    for col in (
        "value_added_usd",
        "labor_productivity",
        "log_labor_productivity",
        "log_value_added",
    ):
        pd.testing.assert_series_equal(panel[f"{col}_w"], panel[col], check_names=False)
    assert (panel.winsorized == 0).all()
    with pytest.raises(ValueError, match="lower"):
        winsor_settings(tmp_path, 0.6, 0.99)
    with pytest.raises(ValueError, match="need 0 <= lower < upper <= 1"):
        prepare_mod.cutoffs_sql(base_year=2015, lower=0.3, upper=0.3)
