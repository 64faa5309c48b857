"""etable / coefplot / the CS dynamic aggregation's plot and pre-trend test, on mpdta."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import callaway_santanna, coefplot, etable, event_study, twfe

MPDTA = Path(__file__).parent / "data" / "mpdta.csv"


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    d = pd.read_csv(MPDTA)
    return d.assign(post=((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int))


def test_etable_formats(mpdta):
    a = twfe(mpdta, "lemp", "countyreal", "year", "post")
    b = twfe(mpdta, "lemp", "countyreal", "year", "post", covariates="lpop", vcov="hetero")
    frame = etable(a, b)
    assert list(frame.columns) == ["(1) lemp", "(2) lemp"]
    se = a.se["post"]
    assert frame.loc["post ", "(1) lemp"] == f"({se:.3f})"
    assert frame.loc["Observations"].tolist() == ["2,500", "2,500"]
    assert frame.loc["Clusters"].tolist() == ["500", ""]
    assert "<table" in etable(a, b, type="html")
    assert "\\begin{tabular}" in etable(a, b, type="latex")
    assert etable(a, type="md").startswith("|")
    with pytest.raises(ValueError, match="type must be"):
        etable(a, type="xlsx")


def test_coefplot_marks_reference_period(mpdta):
    es = event_study(mpdta, "lemp", "countyreal", "year", "first.treat")
    fig = coefplot(es, es, labels=["a", "b"])
    ax = fig.axes[0]
    hollow = [ln for ln in ax.lines if ln.get_markerfacecolor() == "white"]
    # each result marks it beside its own points (offset like them), at zero
    assert [ln.get_xdata()[0] for ln in hollow] == pytest.approx([-1.15, -0.85])
    assert all(ln.get_ydata()[0] == 0 for ln in hollow)


def test_coefplot_takes_the_callers_texts_colours_and_line(mpdta):
    """A page passes its language's texts and its palette; the truth line is drawn as given."""
    from matplotlib.colors import to_hex

    es = event_study(mpdta, "lemp", "countyreal", "year", "first.treat")
    sa = event_study(mpdta, "lemp", "countyreal", "year", "first.treat", method="sunab")
    truth = {-2.0: 0.0, 0.0: -0.02, 1.0: -0.05}
    fig = coefplot(
        es, sa, labels=["TWFE dinámico", "Sun-Abraham"], colors=["#1b9e77", "#d95f02"],
        xlabel="años desde la entrada", ylabel="efecto", line=truth, line_label="verdad",
        line_color="#000000", reference_label="periodo de referencia",
    )  # fmt: skip
    ax = fig.axes[0]
    assert ax.get_xlabel() == "años desde la entrada" and ax.get_ylabel() == "efecto"
    legend = [tx.get_text() for tx in ax.get_legend().get_texts()]
    assert legend == ["TWFE dinámico", "periodo de referencia", "Sun-Abraham", "verdad"]
    points = [
        ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() != "white"
    ]
    assert [to_hex(ln.get_color()) for ln in points] == ["#1b9e77", "#d95f02"]
    np.testing.assert_array_equal(points[0].get_xdata() + 0.15, es.table["event_time"])
    curve = [ln for ln in ax.lines if ln.get_label() == "verdad"][0]
    assert list(curve.get_xdata()) == [-2.0, 0.0, 1.0]
    assert list(curve.get_ydata()) == [0.0, -0.02, -0.05]
    hollow = [ln for ln in ax.lines if ln.get_markerfacecolor() == "white"]
    # both series mark the reference, each beside its own points
    assert [ln.get_xdata()[0] for ln in hollow] == pytest.approx([-1.15, -0.85])
    flat = coefplot(es, line=0.03, line_label="truth").axes[0]
    (hline,) = [ln for ln in flat.lines if ln.get_label() == "truth"]
    assert list(hline.get_ydata()) == [0.03, 0.03]  # axhline: y at both ends
    with pytest.raises(ValueError, match="2 result.s. but 1 label"):
        coefplot(es, sa, labels=["one"])
    with pytest.raises(ValueError, match="colour"):
        coefplot(es, sa, colors=["red"])


def test_cs_dynamic_plot_and_pretrend(mpdta):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dyn = callaway_santanna(mpdta, "lemp", "countyreal", "year", "first.treat").aggregate(
            "dynamic"
        )
    test = dyn.pretrend_test()
    lead = dyn.event_rows().query("event_time < 0")
    V = dyn.vcov.loc[lead.term, lead.term].to_numpy()
    b = lead["estimate"].to_numpy()
    assert test["leads"] == [-3, -2, -1] and test["df1"] == 3
    assert test["chi2"] == pytest.approx(float(b @ np.linalg.solve(V, b)), rel=1e-10)
    assert type(dyn.plot()).__name__ == "Figure"


def test_etable_lines_up_renamed_terms_with_a_report_language(mpdta):
    """Different term names renamed alike share one row; foot rows, numbers and the note
    follow what the caller passes (a report's language), and the HTML escapes the note."""
    a = twfe(mpdta, "lemp", "countyreal", "year", "post")
    b = dataclasses.replace(a, table=a.table.assign(term="treated:after"))  # another name
    frame = etable(
        a,
        b,
        labels=["A", "B"],
        rename={"post": "Effect", "treated:after": "Effect"},
        foot={"nobs": "Observaciones", "clusters": "Conglomerados"},
        number_format=lambda v: f"{v:.4f}".replace(".", ","),
        count_format=lambda n: f"{n:,}".replace(",", "."),
    )
    est = f"{a.coef['post']:.4f}".replace(".", ",")
    assert frame.index.tolist() == ["Effect", "Effect ", "Observaciones", "Conglomerados"]
    assert frame.loc["Effect"].tolist() == [est + "***", est + "***"]
    assert frame.loc["Observaciones"].tolist() == ["2.500", "2.500"]
    page = etable(a, type="html", note="p < 0,10")
    assert "p &lt; 0,10" in page and "p < 0,10" not in page
    with pytest.raises(ValueError, match="unknown foot rows"):
        etable(a, foot={"r2": "R2"})
