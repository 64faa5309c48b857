"""Regenerate the broken-file corpus from ../small (run: python tests/data/broken/build.py).

Each case folder holds ONE raw file that replaces its namesake in tests/data/small; the test
overlays it on a copy of the small data set and expects the rule named in CASES of
tests/test_validate.py to fire with the file, column and line shown there. Line numbers are
those of the edited CSV (header = line 1): in firm_years.csv firm F0k's year 2014+i is on line
2 + 7*(k-1) + i; in firms.csv firm F0k is on line 1 + k.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
SMALL = HERE.parent / "small"


def rows(name: str) -> list[dict[str, str]]:
    with (SMALL / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(case: str, name: str, data: list[dict[str, str]], drop: str | None = None) -> None:
    fields = [f for f in (data[0] if data else rows(name)[0]) if f != drop]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)
    (HERE / case).mkdir(exist_ok=True)
    (HERE / case / name).write_text(buf.getvalue(), encoding="utf-8")


def write_text(case: str, name: str, change) -> None:
    """A case made by editing the lines of the small file (for damage csv cannot write)."""
    lines = (SMALL / name).read_text(encoding="utf-8").split("\n")
    (HERE / case).mkdir(exist_ok=True)
    (HERE / case / name).write_text("\n".join(change(lines)), encoding="utf-8")


def edit(name: str, where: dict[str, str], **changes: str) -> list[dict[str, str]]:
    data = rows(name)
    hits = [r for r in data if all(r[k] == v for k, v in where.items())]
    assert hits, (name, where)
    for r in hits:
        r.update(changes)
    return data


def main() -> None:
    write("missing_column", "firms.csv", rows("firms.csv"), drop="cohort")
    write(
        "bad_type",
        "firm_years.csv",
        edit("firm_years.csv", {"firm_id": "F02", "year": "2016"}, sales="12,5 M"),
    )
    write("bad_int", "firms.csv", edit("firms.csv", {"firm_id": "F05"}, founded="2001.5"))
    write("bad_country", "firms.csv", edit("firms.csv", {"firm_id": "F03"}, country="PE"))
    write("bad_sector", "firms.csv", edit("firms.csv", {"firm_id": "F04"}, sector="Z"))
    write("bad_bool", "firms.csv", edit("firms.csv", {"firm_id": "F06"}, women_led="quizas"))
    write(
        "bad_link_type",
        "links.csv",
        edit("links.csv", {"firm_a": "F02", "firm_b": "F03"}, link_type="friend"),
    )
    data = rows("firms.csv")
    write("duplicate_firm", "firms.csv", data + [dict(data[1])])
    data = rows("firm_years.csv")
    write("duplicate_firm_year", "firm_years.csv", data + [dict(data[2])])
    write(
        "unknown_firm_year",
        "firm_years.csv",
        edit("firm_years.csv", {"firm_id": "F05", "year": "2017"}, firm_id="F99"),
    )
    write(
        "unknown_link_firm",
        "links.csv",
        edit("links.csv", {"firm_a": "F04", "firm_b": "F05"}, firm_b="F77"),
    )
    write(
        "negative_sales",
        "firm_years.csv",
        edit("firm_years.csv", {"firm_id": "F03", "year": "2015"}, sales="-410000"),
    )
    write(
        "negative_employees",
        "firm_years.csv",
        edit("firm_years.csv", {"firm_id": "F04", "year": "2018"}, employees="-11"),
    )
    write(
        "year_outside_panel",
        "firm_years.csv",
        edit("firm_years.csv", {"firm_id": "F06", "year": "2014"}, year="2013"),
    )
    write("cohort_no_preperiod", "firms.csv", edit("firms.csv", {"firm_id": "F04"}, cohort="2014"))
    write("cohort_after_panel", "firms.csv", edit("firms.csv", {"firm_id": "F04"}, cohort="2023"))
    write("negative_cohort", "firms.csv", edit("firms.csv", {"firm_id": "F04"}, cohort="-2017"))
    write(
        "year_outside_domain",
        "firm_years.csv",
        edit("firm_years.csv", {"firm_id": "F06", "year": "2014"}, year="1890"),
    )
    write("empty_firm_years", "firm_years.csv", rows("firm_years.csv")[:0] or [])
    write_text(
        "ragged_firm_years",
        "firm_years.csv",
        lambda lines: lines[:9] + [lines[9].rsplit(",", 2)[0]] + lines[10:],
    )
    write(
        "participant_without_cluster",
        "firms.csv",
        edit("firms.csv", {"firm_id": "F02"}, cluster_id=""),
    )
    write(
        "comparison_with_cohort", "firms.csv", edit("firms.csv", {"firm_id": "F03"}, cohort="2016")
    )
    write(
        "cluster_two_strata",
        "firms.csv",
        edit("firms.csv", {"firm_id": "F02"}, stratum="Santander-G"),
    )
    write("cluster_two_cohorts", "firms.csv", edit("firms.csv", {"firm_id": "F02"}, cohort="2017"))
    write(
        "unknown_organization",
        "firms.csv",
        edit("firms.csv", {"cluster_id": "CL01"}, organization="CCX"),
    )
    write(
        "organization_other_country",
        "organizations.csv",
        edit("organizations.csv", {"organization": "CCQ"}, country="CO"),
    )
    write(
        "missing_price",
        "prices.csv",
        [r for r in rows("prices.csv") if not (r["country"] == "EC" and r["year"] == "2018")],
    )
    write(
        "nonpositive_ppi",
        "prices.csv",
        edit("prices.csv", {"country": "CO", "year": "2019"}, ppi="0"),
    )
    write(
        "missing_core_values",
        "firm_years.csv",
        edit("firm_years.csv", {"firm_id": "F05", "year": "2016"}, intermediate_inputs=""),
    )
    write(
        "missing_required_value", "firms.csv", edit("firms.csv", {"firm_id": "F01"}, territory="")
    )


if __name__ == "__main__":
    main()
