"""Validation rules across tables, and the order all rules run in (:meth:`Validator.run`).

Firms: participant and comparison fields, cohort timing (warnings: no pre-period, or first
supported after the panel), consistent clusters, known organizations of the firm's own
country, the women-led target. A long firm-year file: firm-level columns constant within a
firm. Firm-years: known firms, core values of responding rows, non-response and differential
response, values on non-responding rows, years before founding, years outside the panel,
outliers. Links: known firms, self-links. Prices: whether they cover every country-year used
and the base year (then money is deflated, else used as reported). Outcomes: every configured
outcome is a built-in panel column, a declared expression or a numeric firm_years column.

Besides the issues, a run leaves what ``prepare`` and the data manifest need: the resolved
years (:func:`evaluation.config.resolve_years`, the one rule), ``money`` (real or nominal),
the raw columns carried for outcomes and plain-language ``notes`` on what was derived.
"""

from __future__ import annotations

import re
from dataclasses import replace

from evaluation.config import resolve_years
from evaluation.data._rule_engine import MONEY
from evaluation.data._table_rules import TableRules
from evaluation.data.codebook import FIRM_LEVEL, PANEL_COLUMNS, RAW_TABLES
from evaluation.data.schema import CORE_RESPONSE_COLUMNS, PANEL_TYPES, literal, quote

# Raw firm_years inputs of each built-in outcome (a missing input leaves the column NULL).
BUILTIN_INPUTS = {
    "log_labor_productivity": ("sales", "intermediate_inputs", "employees"),
    "log_labor_productivity_w": ("sales", "intermediate_inputs", "employees"),
    "labor_productivity": ("sales", "intermediate_inputs", "employees"),
    "labor_productivity_w": ("sales", "intermediate_inputs", "employees"),
    "log_value_added": ("sales", "intermediate_inputs"),
    "log_value_added_w": ("sales", "intermediate_inputs"),
    "value_added_usd": ("sales", "intermediate_inputs"),
    "value_added_usd_w": ("sales", "intermediate_inputs"),
    "log_sales": ("sales",),
    "sales_usd": ("sales",),
    "log_employees": ("employees",),
    "employees": ("employees",),
    "exporter": ("exports",),
    "exports_usd": ("exports",),
    "linkages": ("linkages",),
    "bds_hours": ("bds_hours",),
    "wage_bill_usd": ("wage_bill",),
    "capital_stock_usd": ("capital_stock",),
    "intermediate_inputs_usd": ("intermediate_inputs",),
}
# How a built-in outcome reads (mirrors the analysis layer's catalogue).
BUILTIN_KIND = {
    name: ("log" if name.startswith("log_") else "binary" if name == "exporter" else "level")
    for name in PANEL_COLUMNS
}


def references(expr: str, names: list[str]) -> list[str]:
    """The names of ``names`` that the SQL expression ``expr`` mentions (as a bare word or a
    double-quoted identifier): the raw columns a declared outcome needs carried."""
    found = []
    for name in names:
        bare = re.compile(r'(?<![\w"])' + re.escape(name) + r'(?![\w"])')
        if f'"{name}"' in expr or (re.fullmatch(r"\w+", name) and bare.search(expr)):
            found.append(name)
    return found


class Validator(TableRules):
    """All rules of one validation run over registered raw views."""

    def firm_rules(self) -> None:
        for name in ("cluster_id", "cohort", "organization"):
            if not self.has("firms", name, "participant"):
                continue
            c = quote(name)
            self.rowrule(
                "error",
                "participant-fields",
                "firms",
                name,
                f"participant AND {c} IS NULL",
                "firm_id",
                f"participants without {name}",
                f"every participant has a {name}",
            )
            self.rowrule(
                "error",
                "comparison-fields",
                "firms",
                name,
                f"NOT participant AND {c} IS NOT NULL",
                c,
                f"comparison firms with a {name}",
                f"{name} empty for comparison firms",
            )
        if self.has("firms", "cohort") and self.years is not None:
            first, last = self.years.first, self.years.last
            self.rowrule(
                "warning",
                "cohort-no-preperiod",
                "firms",
                "cohort",
                f"cohort IS NOT NULL AND cohort <= {first}",
                "cohort",
                f"firms first supported in or before the first panel year {first}: no "
                "pre-programme year, so they are always treated in the window (the estimators "
                "leave them out)",
                f"a cohort after {first} to compare before and after",
            )
            self.rowrule(
                "warning",
                "cohort-after-panel",
                "firms",
                "cohort",
                f"cohort IS NOT NULL AND cohort > {last}",
                "cohort",
                f"firms first supported after the last panel year {last}: comparison firms in "
                "this window (prepare writes cohort 0, as R did does)",
                f"a cohort up to {last}",
            )
            (n_late,) = self.q(
                f"SELECT count(*) FROM typ_firms WHERE cohort IS NOT NULL AND cohort > {last}"
            )[0]
            if n_late:
                self.notes.append(
                    f"{n_late} firm(s) first supported after {last} are comparison firms in "
                    f"this window (cohort written as 0)"
                )
        if self.has("firms", "cluster_id"):
            documented = self.mapping.multi_cohort_clusters
            for attr in ("stratum", "organization", "cohort"):
                if not self.has("firms", attr):
                    continue
                bad = (
                    f"SELECT cluster_id FROM typ_firms WHERE participant AND cluster_id IS NOT NULL "
                    f"GROUP BY cluster_id HAVING count(DISTINCT {quote(attr)}) > 1"
                )
                clusters = [r[0] for r in self.q(bad)]
                clusters = [c for c in clusters if not (attr == "cohort" and c in documented)]
                if clusters:
                    inlist = ", ".join(literal(c) for c in clusters)
                    self.rowrule(
                        "error",
                        "cluster-consistency",
                        "firms",
                        attr,
                        f"participant AND cluster_id IN ({inlist})",
                        f"(cluster_id, {quote(attr)})",
                        f"clusters with more than one {attr}: {', '.join(sorted(clusters)[:10])}",
                        f"one {attr} per cluster"
                        + (
                            " (or the cluster listed under clusters.multi_cohort in the mapping)"
                            if attr == "cohort"
                            else ""
                        ),
                    )
        if "organizations" in self.usable and self.has("firms", "organization"):
            self.rowrule(
                "error",
                "reference",
                "firms",
                "organization",
                "organization IS NOT NULL AND organization NOT IN "
                "(SELECT organization FROM typ_organizations WHERE organization IS NOT NULL)",
                "organization",
                "organizations not in the organizations table",
                "an organization listed in the organizations table",
            )
            if self.has("firms", "country") and self.has("organizations", "country"):
                self.rowrule(
                    "error",
                    "reference",
                    "firms",
                    "organization",
                    "organization IS NOT NULL AND country IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    "typ_organizations o WHERE o.organization = typ_firms.organization AND "
                    "o.country = typ_firms.country) AND organization IN "
                    "(SELECT organization FROM typ_organizations)",
                    "(organization, country)",
                    "participants supported by an organization of another country",
                    "an organization of the firm's own country",
                )
        target = self.t.women_led_target
        if target is not None and self.has("firms", "women_led", "cluster_id"):
            low = self.q(
                "SELECT cluster_id, avg(CAST(women_led AS DOUBLE)), count(*) FROM typ_firms "
                "WHERE participant AND cluster_id IS NOT NULL GROUP BY cluster_id "
                f"HAVING avg(CAST(women_led AS DOUBLE)) < {target} ORDER BY cluster_id"
            )
            if low:
                shown = ", ".join(f"{c} ({s:.0%} of {n})" for c, s, n in low[: self.k])
                self.add(
                    "warning",
                    "women-led-target",
                    "firms",
                    "women_led",
                    f"{len(low)} cluster(s) below the {target:.0%} women-led target: {shown}",
                    f">= {target:.0%} women-led firms per cluster (program.logframe)",
                )

    def panel_rules(self) -> None:
        fy = "firm_years"
        if self.has(fy, "firm_id") and self.has("firms", "firm_id"):
            self.rowrule(
                "error",
                "reference",
                fy,
                "firm_id",
                "firm_id IS NOT NULL AND NOT __known",
                "firm_id",
                "firm-years of firms not in firms",
                "a firm_id listed in firms",
                view="fy_join",
            )
            self.rowrule(
                "warning",
                "no-firm-years",
                "firms",
                "firm_id",
                "firm_id IS NOT NULL AND firm_id NOT IN (SELECT firm_id FROM "
                "typ_firm_years WHERE firm_id IS NOT NULL)",
                "firm_id",
                "firms with no firm-year row (they leave the panel)",
                "at least one firm-year per firm",
            )
        if self.has(fy, "responded"):
            for name in CORE_RESPONSE_COLUMNS:
                if self.has(fy, name):
                    self.rowrule(
                        "error",
                        "response-values",
                        fy,
                        name,
                        f"({self.colsql[fy]['responded'].typed}) AND "
                        f"{self.colsql[fy][name].missing}",
                        quote("firm_id"),
                        f"responding firm-years without {name}",
                        f"{name} present whenever responded = 1",
                        view=self.sources[fy].view,
                    )
            rates = self.q(
                "SELECT year, avg(CASE WHEN responded THEN 0.0 ELSE 1.0 END), count(*) FROM "
                "typ_firm_years WHERE year IS NOT NULL AND responded IS NOT NULL GROUP BY year "
                f"HAVING avg(CASE WHEN responded THEN 0.0 ELSE 1.0 END) > {self.t.nonresponse} "
                "ORDER BY year"
            )
            if rates:
                shown = ", ".join(f"{y}: {r:.0%} of {n}" for y, r, n in rates)
                self.add(
                    "warning",
                    "non-response",
                    fy,
                    "responded",
                    f"high non-response ({shown})",
                    f"non-response below {self.t.nonresponse:.0%}; check attrition before "
                    "trusting the estimates",
                )
            if "typ_firm_years" in self.alias and self.has("firms", "cohort"):
                self.differential_response()
            present = [m for m in (*MONEY, "employees") if self.has(fy, m)]
            if present:
                anyval = " OR ".join(f"{quote(m)} IS NOT NULL" for m in present)
                self.rowrule(
                    "warning",
                    "non-response-values",
                    fy,
                    "responded",
                    f"NOT responded AND ({anyval})",
                    "firm_id",
                    "values on non-responding rows (prepare sets them missing)",
                    "empty survey values when responded = 0",
                )
        if self.has(fy, "year") and self.has("firms", "founded"):
            self.rowrule(
                "warning",
                "founded",
                fy,
                "year",
                "responded AND __founded > year",
                "(firm_id, year)",
                "firm answered for a year before it was founded",
                "year >= founded",
                view="fy_join",
            )
        self.outliers()

    def differential_response(self) -> None:
        """Warn when participants and comparison firms answer at different rates in a year:
        attrition related to treatment biases every estimator that drops non-respondents."""
        gaps = self.q(
            "SELECT year, avg(CASE WHEN responded THEN 1.0 ELSE 0.0 END) FILTER (WHERE "
            "__participant), avg(CASE WHEN responded THEN 1.0 ELSE 0.0 END) FILTER (WHERE NOT "
            "__participant) FROM fy_join WHERE year IS NOT NULL AND responded IS NOT NULL "
            f"GROUP BY year HAVING count(*) FILTER (WHERE __participant) >= {self.t.min_group} AND "
            f"count(*) FILTER (WHERE NOT __participant) >= {self.t.min_group} ORDER BY year"
        )
        wide = [(y, p, c) for y, p, c in gaps if p is not None and c is not None]
        wide = [(y, p, c) for y, p, c in wide if abs(p - c) > self.t.response_gap]
        if wide:
            shown = ", ".join(f"{y}: {p:.0%} vs {c:.0%}" for y, p, c in wide)
            self.add(
                "warning",
                "differential-response",
                "firm_years",
                "responded",
                f"participants and comparison firms respond at different rates ({shown})",
                f"response rates within {self.t.response_gap:.0%} of each other; otherwise "
                "report bounds or reweight for attrition",
            )

    def outliers(self) -> None:
        fy = "firm_years"
        if not (self.has(fy, "firm_id") and "firms" in self.usable):
            return
        names = [n for n in (*MONEY, "employees") if self.has(fy, n)]
        if not names:
            return
        # Robust z on the log scale, per country (currencies differ by orders of magnitude;
        # without a country column every firm-year is one group). Medians and
        # MADs come from a deterministic systematic sample of at most ~200,000 rows (every
        # k-th record), exact below that; the outliers are then counted on every row.
        n_rows = self.rows_in.get(fy, 0)
        step = max(1, -(-n_rows // 200_000))
        logs = {n: f"ln(greatest({quote(n)}, 1e-300))" for n in names}
        exprs = []
        for n in names:
            pos = f"FILTER (WHERE {quote(n)} > 0)"
            exprs += [f"median({logs[n]}) {pos}", f"mad({logs[n]}) {pos}", f"count(*) {pos}"]
        group = "coalesce(__country, '')"
        stats = self.q(
            f"SELECT {group}, {', '.join(exprs)} FROM fy_join "
            f"WHERE __row % {step} = 0 GROUP BY 1 ORDER BY 1"
        )
        for i, n in enumerate(names):
            cases = []
            for country, *vals in stats:
                med, mad, count = vals[3 * i : 3 * i + 3]
                if count >= 20 and mad and mad > 0:
                    bound = self.t.outlier_z * 1.4826 * mad
                    cases.append(
                        f"WHEN {literal(country)} THEN abs({logs[n]} - ({med!r})) > {bound!r}"
                    )
            if not cases:
                continue
            self.rowrule(
                "warning",
                "outlier",
                fy,
                n,
                f"{quote(n)} > 0 AND (CASE {group} {' '.join(cases)} ELSE FALSE END)",
                quote(n),
                f"extreme values (more than {self.t.outlier_z:g} robust SD from the country's "
                "median on the log scale)"
                if self.has("firms", "country")
                else f"extreme values (more than {self.t.outlier_z:g} robust SD from the "
                "median on the log scale)",
                "check units and typing errors",
                view="fy_join",
            )

    def link_rules(self) -> None:
        if not self.has("firms", "firm_id"):
            return
        for end in ("firm_a", "firm_b"):
            if self.has("links", end):
                c = quote(end)
                self.rowrule(
                    "error",
                    "reference",
                    "links",
                    end,
                    f"{c} IS NOT NULL AND {c} NOT IN (SELECT firm_id FROM typ_firms WHERE "
                    "firm_id IS NOT NULL)",
                    c,
                    "links to firms not in firms",
                    "a firm_id listed in firms",
                )
        if self.has("links", "firm_a", "firm_b"):
            self.rowrule(
                "warning",
                "self-link",
                "links",
                "firm_b",
                "firm_a = firm_b",
                "firm_a",
                "links from a firm to itself (dropped from network measures)",
                "two different firms",
            )

    def price_rules(self) -> None:
        """Decide real or nominal money: prices deflate only when they cover every country-year
        of the panel and the base year. Without a country column there is no rule telling
        which index applies to a firm, so money stays as reported. A configured
        ``analysis.base_year`` asks for deflation: gaps are then errors; otherwise a gap
        leaves money nominal with a warning."""
        self.money = "nominal"
        if self.years is None or "prices" not in self.original:
            if self.years is not None:
                self.notes.append("no prices table: money is used as reported (nominal)")
            return
        if not (self.has("firm_years", "firm_id", "year") and "firms" in self.usable):
            return
        if not self.has("firms", "country"):
            self.add(
                "warning",
                "prices",
                "prices",
                None,
                "the prices table is not used: firms have no country column to match it on",
                "a country column in firms to deflate money; values are used as reported",
            )
            self.notes.append("prices ignored (firms have no country): money is nominal")
            return
        if not self.has("prices", "country", "year", "ppi", "usd_rate"):
            return  # missing-column errors already say why
        first, last, base = self.years.first, self.years.last, self.years.base
        priced = (
            "SELECT country, year FROM typ_prices WHERE ppi IS NOT NULL AND usd_rate IS NOT NULL"
        )
        missing = {
            (c, base)
            for (c,) in self.q(
                f"SELECT DISTINCT country FROM typ_firms WHERE country IS NOT NULL AND country "
                f"NOT IN (SELECT country FROM ({priced}) WHERE year = {base}) ORDER BY country"
            )
        }
        window = f"year BETWEEN {first} AND {last}"
        gaps = self.q(
            "SELECT __country, year, count(*) FROM fy_join WHERE __country IS NOT NULL AND "
            f"{window} AND NOT __priced GROUP BY 1, 2 ORDER BY 1, 2"
        )
        missing |= {(c, y) for c, y, _ in gaps}
        used = sum(n for _, _, n in gaps)
        if not missing:
            self.money = "real"
            return
        strict = self.settings.analysis.base_year is not None
        self.price_issue(sorted(missing), used, "error" if strict else "warning")
        if not strict:
            self.notes.append(
                "the prices table does not cover every country-year used and the base year: "
                "money is used as reported (nominal)"
            )

    def price_issue(self, missing: list[tuple], firm_years: int, severity: str = "error") -> None:
        shown = ", ".join(f"{c}-{y}" for c, y in missing[:20])
        used = f" ({firm_years} firm-years affected)" if firm_years else ""
        self.add(
            severity,
            "prices",
            "prices",
            "ppi, usd_rate",
            f"no price row (PPI and exchange rate) for {len(missing)} country-year(s) "
            f"used by firm_years or the base year {self.years.base}{used}: {shown}",
            "a prices row with ppi and usd_rate for every country-year used"
            + ("" if severity == "error" else "; without one, money is used as reported"),
        )

    # ---------------------------------------------------------------- contract pieces
    def plan_outcomes(self) -> None:
        """Sort every configured outcome into built-in, declared or raw column (carried)."""
        a = self.settings.analysis
        declared = self.settings.outcomes
        src = self.sources.get("firm_years")
        extras = [e for e in (src.extra if src else []) if e not in PANEL_COLUMNS]
        present = set(src.columns) if src else set()
        for name in dict.fromkeys([*a.outcomes, *declared]):
            if name == a.primary_outcome:
                key = "analysis.primary_outcome"
            elif name in a.secondary_outcomes:
                key = "analysis.secondary_outcomes"
            else:
                key = f"outcomes.{name}"
            if name in declared:
                if name in PANEL_COLUMNS:
                    self.add(
                        "error",
                        "outcome",
                        None,
                        None,
                        f"outcomes.{name}: a declared outcome may not take the name of the "
                        "built-in panel column",
                        "another name for the declared outcome",
                    )
                    continue
                for ref in references(declared[name].expr, extras):
                    if ref not in self.carry:
                        self.carry.append(ref)
                self.outcome_sources[name] = {"source": "declared", "kind": declared[name].kind}
            elif name in PANEL_COLUMNS:
                need = [i for i in BUILTIN_INPUTS.get(name, ()) if i not in present]
                if need and src is not None:
                    self.add(
                        "warning",
                        "outcome-inputs",
                        "firm_years",
                        None,
                        f"{key}: the built-in outcome {name!r} needs the firm_years column(s) "
                        f"{', '.join(need)}, which are not supplied; it stays empty",
                        f"{', '.join(need)} in firm_years, or another outcome",
                    )
                self.outcome_sources[name] = {"source": "builtin", "kind": BUILTIN_KIND[name]}
            elif name in extras:
                if name not in self.carry:
                    self.carry.append(name)
                self.outcome_sources[name] = {"source": "column", "kind": "level"}
            else:
                self.add(
                    "error",
                    "outcome",
                    None,
                    None,
                    f"{key}: outcome {name!r} is neither a built-in panel column, nor a declared "
                    "outcome (outcomes: in the configuration), nor a column of firm_years",
                    "a column of the processed panel, a declared outcome or a numeric "
                    "firm_years column",
                )

    def check_declared(self) -> None:
        """Every declared outcome's expression must evaluate over the panel's columns (and
        the carried raw columns) to a number."""
        cols = [f"CAST(NULL AS {PANEL_TYPES[c]}) AS {quote(c)}" for c in PANEL_COLUMNS]
        cols += [f"CAST(NULL AS DOUBLE) AS {quote(c)}" for c in self.carry]
        probe = f"(SELECT {', '.join(cols)})"
        for name, spec in self.settings.outcomes.items():
            if name in PANEL_COLUMNS:
                continue
            try:
                kind = self.q(f"DESCRIBE SELECT ({spec.expr}) AS v FROM {probe}")[0][1]
            except Exception as exc:  # duckdb.Error of any kind: binder, parser, catalog
                first = str(exc).strip().splitlines()[0]
                self.add(
                    "error",
                    "outcome",
                    None,
                    None,
                    f"outcomes.{name}.expr ({spec.expr!r}) cannot be evaluated over the panel "
                    f"columns: {first}",
                    "a DuckDB expression over processed panel columns or numeric firm_years "
                    "columns",
                )
                continue
            numeric = kind.upper().split("(")[0] in {
                "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT",
                "DOUBLE", "DECIMAL", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
            }  # fmt: skip
            if not numeric:
                self.add(
                    "error",
                    "outcome",
                    None,
                    None,
                    f"outcomes.{name}.expr ({spec.expr!r}) gives {kind}, not a number",
                    "a numeric expression",
                )

    def long_firms(self) -> None:
        """One long firm-year file: the firm table is its firm-level columns, which must be
        constant within a firm (an error names the column and the firms where they vary)."""
        fy = "firm_years"
        present = [n for n in FIRM_LEVEL if self.has(fy, n)]
        for name in present:
            c = quote(name)
            varying = self.q(
                f"SELECT firm_id FROM typ_firm_years WHERE firm_id IS NOT NULL GROUP BY firm_id "
                f"HAVING count(DISTINCT {c}) > 1 ORDER BY firm_id"
            )
            if varying:
                firms = [r[0] for r in varying]
                self.add(
                    "error",
                    "firm-level-varies",
                    fy,
                    name,
                    f"a firm-level column varies within {len(firms)} firm(s): "
                    + ", ".join(map(str, firms[: self.k]))
                    + (" ..." if len(firms) > self.k else ""),
                    f"one {name} per firm (no firms file: firm-level columns are read from the "
                    "firm-year file)",
                )
        picks = ", ".join(f"min({quote(n)}) AS {quote(n)}" for n in FIRM_LEVEL)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE typ_firms AS SELECT min(__row) AS __row, firm_id, "
            f"{picks} FROM typ_firm_years WHERE firm_id IS NOT NULL GROUP BY firm_id"
        )
        self.sources["firms"] = self.sources[fy]  # messages point at the long file
        self.usable["firms"] = {"firm_id", *present}
        self.rows_in["firms"] = self.q("SELECT count(*) FROM typ_firms")[0][0]
        self.notes.append(
            "no firms file: the firm table was built from the long firm-year file"
            + (f" ({', '.join(present)})" if present else "")
        )

    def resolve_panel_years(self) -> None:
        """The panel years by the one rule (config, else the data's span); the price base year
        defaults to the first panel year."""
        if not self.has("firm_years", "year"):
            return
        d = self.settings.domain
        years = [
            r[0]
            for r in self.q(
                f"SELECT DISTINCT year FROM typ_firm_years WHERE year BETWEEN {d.min_year} AND "
                f"{d.max_year}"
            )
        ]
        cohorts = []
        if self.has("firms", "cohort"):
            cohorts = [r[0] for r in self.q("SELECT DISTINCT cohort FROM typ_firms")]
            cohorts = [c for c in cohorts if c is not None]
        a = self.settings.analysis
        try:
            found = resolve_years(
                a, years, cohorts, has_prices=True, period=self.settings.program.period
            )
        except ValueError as exc:
            self.add("error", "years", "firm_years", "year", str(exc), "firm-years with years")
            return
        base = a.base_year if a.base_year is not None else found.first
        self.years = replace(found, base=base)
        self.first_year, self.last_year, self.base_year = found.first, found.last, base
        outside = self.q(
            f"SELECT count(*), min(year), max(year) FROM typ_firm_years WHERE year IS NOT NULL "
            f"AND year BETWEEN {d.min_year} AND {d.max_year} AND year NOT BETWEEN {found.first} "
            f"AND {found.last}"
        )[0]
        if outside[0]:
            self.rowrule(
                "warning",
                "year-outside-panel",
                "firm_years",
                "year",
                f"year NOT BETWEEN {found.first} AND {found.last}",
                "year",
                f"firm-years outside the analysis panel {found.first}-{found.last} (left out)",
                f"{found.first}-{found.last} (analysis.first_year / last_year, else the data)",
            )
            self.notes.append(
                f"{outside[0]} firm-year(s) outside the panel {found.first}-{found.last} "
                "were left out"
            )

    def contract_notes(self) -> None:
        """Plain sentences on what was derived or assumed (data manifest ``notes``)."""
        fy = self.sources.get("firm_years")
        if "firms" in self.usable and not self.has("firms", "participant"):
            self.notes.append(
                "participant derived from cohort (a firm with a cohort was supported)"
            )
        if fy is not None and "responded" not in fy.columns:
            self.notes.append("responded not supplied: every firm-year present counts as answered")
        for table in self.original:
            for name, expr in self.sources[table].derived.items():
                self.notes.append(f"{table}.{name} derived in the column mapping: {expr}")
        if self.years is not None and self.settings.analysis.base_year is None:
            if self.money == "real":
                self.notes.append(
                    f"price base year not configured: the first panel year {self.years.base} "
                    "is used"
                )

    def contents(self) -> dict:
        """What the data supplied and what was assumed (the manifest's ``contents``)."""
        cols = {t: sorted(self.sources[t].columns) for t in sorted(self.original)}
        if self.long and "firm_years" in cols:
            cols["firms"] = sorted(
                c for c in cols["firm_years"] if c in FIRM_LEVEL or c == "firm_id"
            )
            cols["firm_years"] = [c for c in cols["firm_years"] if c not in FIRM_LEVEL]
        years = self.years
        if years is not None and self.money != "real":
            years = replace(years, base=None)
        fy = self.sources.get("firm_years")
        return {
            "tables": {t: t in self.original for t in RAW_TABLES},
            "columns": cols,
            "money": self.money,
            "responded": bool(fy is not None and "responded" in fy.columns),
            "years": years.as_dict() if years is not None else None,
            "outcomes": dict(self.outcome_sources),
            "carried": list(self.carry),
            "notes": list(self.notes),
        }

    def run(self) -> None:
        """Every rule, in dependency order; issues end up in ``self.issues``."""
        self.original = set(self.sources)
        if not self.single:
            self.plan_outcomes()
        for table in RAW_TABLES:
            if table in self.original:
                self.table_rules(table)
        if self.long and "firm_years" in self.usable:
            self.long_firms()
        if not self.single:
            self.resolve_panel_years()
        self.firm_rules()
        if "firm_years" in self.usable and "firms" in self.usable:
            self.joined_firm_years()
        if "firm_years" in self.usable:
            self.panel_rules()
        if "links" in self.usable:
            self.link_rules()
        self.price_rules()
        if not self.single:
            self.check_declared()
            self.contract_notes()
        if self.years is not None and self.money != "real":
            self.years = replace(self.years, base=None)
        self.flush()


__all__ = ["Validator", "references"]
