"""Small-cell suppression (primary and secondary) on hand-made tables, formatting, privacy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.reporting.tables import estimates_table, publish_table, suppression_mask


def _by_group() -> pd.DataFrame:
    # four groups and their total; group "b" rests on 3 firms (< 5)
    return pd.DataFrame(
        {
            "firms": [12, 3, 8, 20, 43],
            "mean_sales": [10.0, 55.0, 12.5, 9.0, 12.8],
            "share_exporter": [0.25, 0.67, 0.5, 0.1, 0.26],
        },
        index=pd.Index(["a", "b", "c", "d", "Total"], name="group"),
    )


def test_primary_suppression_withholds_every_statistic_of_a_small_row():
    primary, mask = suppression_mask(_by_group(), row_count="firms", min_cell=5)
    assert primary.loc["b"].all() and not primary.drop("b").to_numpy().any()
    assert mask.equals(primary)  # no total declared: nothing to protect


def test_secondary_suppression_protects_the_row_total():
    primary, mask = suppression_mask(
        _by_group(), row_count="firms", total_rows=["Total"], min_cell=5
    )
    assert primary.loc["b"].all()
    # b could be recovered as Total - a - c - d: the smallest other group (c, 8 firms) goes too
    assert mask.loc["c"].all()
    assert not mask.loc[["a", "d", "Total"]].to_numpy().any()


def test_secondary_suppression_in_a_crosstab_of_counts_converges():
    # firms by country (rows) and sector (columns) with totals both ways; one cell of 2 firms
    table = pd.DataFrame(
        {"A": [2, 9, 11], "C": [7, 6, 13], "G": [10, 12, 22], "total": [19, 27, 46]},
        index=["CO", "EC", "all"],
    )
    primary, mask = suppression_mask(
        table,
        count_columns=["A", "C", "G"],
        total_rows=["all"],
        total_column="total",
        min_cell=5,
    )
    assert primary.sum().sum() == 1 and primary.at["CO", "A"]
    # every row and every column with a withheld cell has at least two of them
    body = mask.loc[["CO", "EC"], ["A", "C", "G"]]
    for line in [*body.to_numpy(), *body.to_numpy().T]:
        assert line.sum() != 1
    # exact pattern: CO-A (primary), CO-C (smallest in its row), EC-A (column), EC-C (row)
    expected = pd.DataFrame(
        [[True, True, False], [True, True, False]], index=["CO", "EC"], columns=["A", "C", "G"]
    )
    pd.testing.assert_frame_equal(body, expected)
    assert not mask[["total"]].to_numpy().any()


def test_zero_counts_are_shown_and_their_undefined_statistics_print_as_missing():
    table = pd.DataFrame({"firms": [0, 9, 1], "mean": [np.nan, 4.2, 3.0]}, index=["x", "y", "z"])
    published = publish_table(table, count_columns={"mean": "firms"}, min_cell=5)
    assert published.frame["firms"].tolist() == ["0", "9", "s"]
    assert published.frame["mean"].tolist() == ["–", "4.200", "s"]


def test_statistic_with_its_own_count_column():
    table = pd.DataFrame(
        {
            "n_women": [4, 12],
            "mean_women": [1.1, 1.3],
            "n_men": [20, 30],
            "mean_men": [0.9, 1.0],
        },
        index=["CO", "EC"],
    )
    published = publish_table(
        table, count_columns={"mean_women": "n_women", "mean_men": "n_men"}, min_cell=5
    )
    assert published.frame.loc["CO"].tolist() == ["s", "s", "20", "0.900"]
    assert published.frame.loc["EC"].tolist() == ["12", "1.300", "30", "1.000"]
    assert np.isnan(published.values.at["CO", "mean_women"])


def test_formatting_follows_the_language_and_the_footnote_is_translated():
    published = publish_table(
        _by_group(),
        row_count="firms",
        total_rows=["Total"],
        min_cell=5,
        language="es",
        digits={"mean_sales": 1},
        percent_columns=["share_exporter"],
    )
    assert published.frame.loc["a"].tolist() == ["12", "10,0", "25,0\u00a0%"]
    assert published.frame.loc["b"].tolist() == ["s", "s", "s"]
    assert published.notes[0].startswith("s: dato suprimido")
    assert "menos de 5 empresas" in published.notes[0]
    english = publish_table(
        _by_group().assign(firms=[1200, 30, 80, 200, 1510]), row_count="firms", min_cell=5
    )
    assert english.frame.at["a", "firms"] == "1,200" and english.notes == []


def test_html_has_caption_notes_and_no_scripts():
    html = publish_table(
        _by_group(), row_count="firms", min_cell=5, caption="Groups <1>", language="en"
    ).to_html()
    assert "<table" in html and "Groups &lt;1&gt;" in html and "<script" not in html
    assert "s: suppressed" in html


@pytest.mark.parametrize("column", ["firm_id", "tax_id", "owner_name", "firm_name", "email"])
def test_personal_data_and_identifiers_are_refused(column):
    table = pd.DataFrame({column: ["x1", "x2"], "firms": [10, 10]})
    with pytest.raises(ValueError, match=f"personal data or firm identifiers: \\['{column}'\\]"):
        publish_table(table, row_count="firms", min_cell=5)


def test_bad_arguments_name_the_columns():
    with pytest.raises(KeyError, match="\\['n'\\]"):
        publish_table(_by_group(), row_count="n", min_cell=5)
    with pytest.raises(KeyError, match="total_rows \\['All'\\]"):
        publish_table(_by_group(), row_count="firms", total_rows=["All"], min_cell=5)


def test_min_cell_defaults_to_the_settings():
    table = pd.DataFrame({"firms": [4, 5], "mean": [1.0, 2.0]})
    assert publish_table(table, row_count="firms").frame["mean"].tolist() == ["s", "2.000"]


def test_estimates_table_withholds_estimates_from_few_firms():
    tidy = pd.DataFrame(
        {
            "term": ["CO", "EC"],
            "estimate": [0.1, 0.2],
            "std_error": [0.05, 0.3],
            "statistic": [2.0, 0.67],
            "p_value": [0.0456, 0.5],
            "conf_low": [0.002, -0.388],
            "conf_high": [0.198, 0.788],
            "n_treated": [40, 3],
        }
    )
    out = estimates_table(tidy, n_column="n_treated", min_cell=5, language="es")
    assert list(out.frame.columns) == [
        "Estimación",
        "Error estándar",
        "IC 95 %",
        "valor p",
        "Empresas participantes",
    ]
    assert out.frame.iloc[0].tolist() == ["0,100", "0,050", "[0,002; 0,198]", "0,046", "40"]
    assert out.frame.iloc[1].tolist() == ["s", "s", "s", "s", "s"]


def test_robustness_rows_pick_the_primary_outcome_across_jobs():
    from evaluation.reporting.final import robustness_rows

    def row(notebook, label, term, outcome, sample, estimate):
        return {
            "notebook": notebook, "label": label, "term": term, "outcome_variable": outcome,
            "param_sample": sample, "param_outcome": None, "estimate": estimate,
            "conf_low": estimate - 0.1, "conf_high": estimate + 0.1, "p_value": 0.01,
            "vcov_type": "CRV1",
        }  # fmt: skip

    estimates = pd.DataFrame(
        [
            row(
                "03_main_effects",
                "did_2x2 CRV1",
                "participant:after",
                "log_labor_productivity",
                "all",
                0.11,
            ),
            row("03_main_effects", "did_2x2 CRV1", "participant:after", "log_sales", "all", 0.5),
            row(
                "03_main_effects",
                "did_2x2 CRV1",
                "participant:after",
                "log_labor_productivity",
                "CO",
                0.9,
            ),
            row("05_staggered", "cs overall", "overall", "log_labor_productivity", None, 0.10),
            row("t1_tiny", "x", "overall", "log_labor_productivity", "all", 7.0),
        ]
    )
    out = robustness_rows(estimates, "log_labor_productivity", "es")
    assert out["estimate"].tolist() == [0.11, 0.10]
    assert out["estimator"].tolist() == ["Diferencias en diferencias 2×2", "Callaway–Sant'Anna"]
