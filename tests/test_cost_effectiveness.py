"""Cost-effectiveness ratios: hand-computed ratios and intervals, the unbounded case, missing
and malformed costs, costs by cluster and by firm. Exact arithmetic (tolerance 1e-9)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis import cost_effectiveness as ce
from evaluation.config import Costs, Program, Settings
from evaluation.estimators.results import EstimationResult, tidy_frame


def _effect(estimate: float, se: float, term: str = "overall") -> EstimationResult:
    return EstimationResult("cs", tidy_frame([term], [estimate], [se]), nobs=100, outcome="y")


def _settings(tmp_path: Path, **costs) -> Settings:
    program = Program(name="Test", costs=Costs(**costs) if costs else None)
    return Settings(root=tmp_path, program=program)


FIRMS = pd.DataFrame(
    {
        "firm_id": [f"f{i}" for i in range(10)],
        "cohort": [2016] * 4 + [0] * 6,
        "cluster_id": ["a", "a", "b", "c", None, None, None, None, None, None],
    }
)


def test_hand_computed_ratios_and_exact_interval(tmp_path):
    base = ce.cost_base(_settings(tmp_path, total=1000.0, currency="USD", year=2015), FIRMS)
    assert base.firms == 4 and base.per_firm == pytest.approx(250.0)
    # log outcome: effect 0.10 (SE 0.02) = 10 percentage points -> 250 / 10 = 25 per point
    res = ce.cost_effectiveness(base, _effect(0.10, 0.02), "overall", "log",
                                _effect(2.0, 0.5), "overall")  # fmt: skip
    tab = res.tidy().set_index("term")
    assert list(tab.index) == ["cost_per_firm", "cost_per_outcome_unit", "cost_per_job"]
    assert np.isnan(tab.loc["cost_per_firm", "conf_low"])
    row = tab.loc["cost_per_outcome_unit"]
    z = 1.959963984540054
    lo, hi = 0.10 - z * 0.02, 0.10 + z * 0.02
    assert row.estimate == pytest.approx(25.0, abs=1e-9)
    assert row.conf_low == pytest.approx(250 / (100 * hi), abs=1e-9)
    assert row.conf_high == pytest.approx(250 / (100 * lo), abs=1e-9)
    assert row.std_error == pytest.approx(250 * 2.0 / 10.0**2, abs=1e-9)  # delta method
    assert row.status == "bounded"
    jobs = tab.loc["cost_per_job"]
    assert jobs.estimate == pytest.approx(125.0) and jobs.status == "bounded"
    assert jobs.conf_low == pytest.approx(250 / (2.0 + z * 0.5), abs=1e-9)
    assert res.estimator == "cost_effectiveness" and (tab["currency"] == "USD").all()


def test_level_outcome_is_per_unit():
    base = ce.CostBase(600.0, "EUR", None, "programme", 3, 0, 0, "total")
    res = ce.cost_effectiveness(base, _effect(4.0, 1.0), "overall", "level")
    assert res.tidy().set_index("term").loc["cost_per_outcome_unit", "estimate"] == 50.0


def test_interval_including_zero_is_unbounded_never_a_number():
    out = ce.ratio(100.0, 2.0, 1.5, -0.94, 4.94)
    assert out["status"] == "unbounded"
    assert np.isnan(out["conf_low"]) and np.isnan(out["conf_high"])
    assert out["lower_bound"] == pytest.approx(100 / 4.94)
    assert out["estimate"] == pytest.approx(50.0)
    wholly_negative = ce.ratio(100.0, -1.0, 0.2, -1.4, -0.6)
    assert wholly_negative["status"] == "not_positive" and np.isnan(wholly_negative["estimate"])
    assert ce.ratio(100.0, 1.0, 2.0, -3.0, 5.0)["status"] == "unbounded"


def test_missing_costs_say_what_to_provide(tmp_path):
    with pytest.raises(ce.CostsUnavailable) as err:
        ce.cost_base(_settings(tmp_path), FIRMS)
    assert err.value.message == "missing.costs"
    from evaluation.reporting.translations import t

    assert "program.costs" in t("missing.costs", "en") and "program.costs" in t(
        "missing.costs", "es"
    )


def test_costs_configuration_is_checked():
    with pytest.raises(ValueError, match="give a total, a table"):
        Costs(currency="USD")
    with pytest.raises(ValueError, match="level cluster needs a table"):
        Costs(total=1.0, currency="USD", level="cluster")
    with pytest.raises(ValueError, match="a table needs level"):
        Costs(currency="USD", table=Path("x.csv"))


def test_cluster_and_firm_tables(tmp_path):
    (tmp_path / "clusters.csv").write_text("cluster_id,amount\na,300\nb,100\nz,50\n")
    base = ce.cost_base(
        _settings(tmp_path, currency="USD", level="cluster", table=Path("clusters.csv")), FIRMS
    )
    # clusters a and b are in the data (firms f0, f1, f2); z is not
    assert (base.total, base.firms, base.units, base.unmatched) == (400.0, 3, 2, 1)
    (tmp_path / "firms.csv").write_text("firm_id,amount\nf0,10\nf1,30\nf2,0\n")
    base = ce.cost_base(
        _settings(tmp_path, total=90.0, currency="USD", level="firm", table=Path("firms.csv")),
        FIRMS,
    )
    assert (base.total, base.firms, base.source) == (90.0, 2, "total+table")
    (tmp_path / "bad.csv").write_text("firm_id,amount\nf0,ten\n")
    with pytest.raises(ValueError, match=r"cost_base: .*bad.csv column 'amount'.*lines \[2\]"):
        ce.cost_base(
            _settings(tmp_path, currency="USD", level="firm", table=Path("bad.csv")), FIRMS
        )
    with pytest.raises(ce.CostsUnavailable) as err:
        ce.cost_base(_settings(tmp_path, currency="USD", level="firm", table=Path("no.csv")), FIRMS)
    assert err.value.message == "missing.costs_table"


def test_logframe_costs_use_targets_and_counts():
    base = ce.CostBase(1000.0, "USD", None, "programme", 4, 0, 0, "total")
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "indicator": ["A", "B", "C"], "indicator_es": ["A", "B", "C"],
         "target": [10.0, 4.0, None], "achieved": [5.0, None, 3.0],
         "evidence_type": ["count", "effect", "count"]}
    )  # fmt: skip
    out = ce.logframe_costs(base, frame).set_index("id")
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "cost_per_target"] == 100.0 and out.loc["a", "cost_per_achieved"] == 200.0
    assert out.loc["b", "cost_per_target"] == 250.0 and np.isnan(out.loc["b", "cost_per_achieved"])


def test_cost_curve_figure_draws_only_ratios_with_a_gain():
    from evaluation.reporting.costs import cost_curve_figure

    base = ce.CostBase(1000.0, "USD", None, "programme", 4, 0, 0, "total")
    res = ce.cost_effectiveness(base, _effect(0.10, 0.02), "overall", "log",
                                _effect(-1.0, 0.5), "overall")  # fmt: skip
    labels = {"cost_per_outcome_unit": "points", "cost_per_job": "jobs"}
    fig = cost_curve_figure(res.tidy(), language="es", unit_labels=labels, currency="USD")
    drawn = [ax for ax in fig.axes if ax.lines]
    assert len(drawn) == 1 and drawn[0].get_xlabel() == "points"
