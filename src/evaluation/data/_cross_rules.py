"""Validation rules across tables, and the order all rules run in (:meth:`Validator.run`).

Firms: participant and comparison fields, cohort range, consistent clusters, known
organizations of the firm's own country, the women-led target. Firm-years: known firms,
core values of responding rows, non-response and differential response, values on
non-responding rows, years before founding, outliers. Links: known firms, self-links.
Prices: a PPI and exchange rate for every country-year used and for the base year.
"""

from __future__ import annotations

from evaluation.data._rule_engine import MONEY
from evaluation.data._table_rules import TableRules
from evaluation.data.codebook import RAW_TABLES
from evaluation.data.schema import CORE_RESPONSE_COLUMNS, literal, quote


class Validator(TableRules):
    """All rules of one validation run over registered raw views."""

    def firm_rules(self) -> None:
        if not self.has("firms", "participant"):
            return
        for name in ("cluster_id", "cohort", "organization"):
            if not self.has("firms", name):
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
        if self.has("firms", "cohort"):
            self.rowrule(
                "error",
                "cohort-range",
                "firms",
                "cohort",
                f"cohort IS NOT NULL AND (cohort <= {self.first_year} OR cohort > {self.last_year})",
                "cohort",
                "cohort outside the panel or without a pre-program year",
                f"{self.first_year + 1}-{self.last_year} (panel {self.first_year}-"
                f"{self.last_year}, at least one pre-period)",
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
        if self.has("firms", "women_led", "cluster_id"):
            low = self.q(
                "SELECT cluster_id, avg(CAST(women_led AS DOUBLE)), count(*) FROM typ_firms "
                "WHERE participant AND cluster_id IS NOT NULL GROUP BY cluster_id "
                f"HAVING avg(CAST(women_led AS DOUBLE)) < {self.t.women_led_target} ORDER BY cluster_id"
            )
            if low:
                shown = ", ".join(f"{c} ({s:.0%} of {n})" for c, s, n in low[: self.k])
                self.add(
                    "warning",
                    "women-led-target",
                    "firms",
                    "women_led",
                    f"{len(low)} cluster(s) below the 25% women-led target: {shown}",
                    ">= 25% women-led SMEs per cluster (logframe)",
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
            if "typ_firm_years" in self.alias and self.has("firms", "participant"):
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
        if not (self.has(fy, "firm_id") and self.has("firms", "country")):
            return
        names = [n for n in (*MONEY, "employees") if self.has(fy, n)]
        if not names:
            return
        # Robust z on the log scale, per country (COP and USD differ by ~3,000x). Medians and
        # MADs come from a deterministic systematic sample of at most ~200,000 rows (every
        # k-th record), exact below that; the outliers are then counted on every row.
        n_rows = self.rows_in.get(fy, 0)
        step = max(1, -(-n_rows // 200_000))
        logs = {n: f"ln(greatest({quote(n)}, 1e-300))" for n in names}
        exprs = []
        for n in names:
            pos = f"FILTER (WHERE {quote(n)} > 0)"
            exprs += [f"median({logs[n]}) {pos}", f"mad({logs[n]}) {pos}", f"count(*) {pos}"]
        stats = self.q(
            f"SELECT __country, {', '.join(exprs)} FROM fy_join "
            f"WHERE __country IS NOT NULL AND __row % {step} = 0 "
            "GROUP BY __country ORDER BY __country"
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
                f"{quote(n)} > 0 AND (CASE __country {' '.join(cases)} ELSE FALSE END)",
                quote(n),
                f"extreme values (more than {self.t.outlier_z:g} robust SD from the country's "
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
        if not (self.has("firm_years", "firm_id", "year") and self.has("firms", "country")):
            return
        if not self.has("prices", "country", "year"):
            return
        priced = (
            "SELECT country, year FROM typ_prices WHERE ppi IS NOT NULL AND usd_rate IS NOT NULL"
        )
        base = self.q(
            f"SELECT DISTINCT country FROM typ_firms WHERE country IS NOT NULL AND country NOT IN "
            f"(SELECT country FROM ({priced}) WHERE year = {self.base_year}) ORDER BY country"
        )
        missing = [(c, self.base_year) for (c,) in base]

        def report(count: int) -> None:
            # only when the scan found firm-years without prices: name the country-years
            rows = self.q(
                "SELECT DISTINCT __country, year FROM fy_join WHERE __country IS NOT NULL "
                "AND year IS NOT NULL AND NOT __priced ORDER BY 1, 2"
            )
            self.price_issue(sorted(set(missing) | set(rows)), count)

        self.rowrule(
            "error",
            "prices",
            "prices",
            "ppi, usd_rate",
            "__country IS NOT NULL AND year IS NOT NULL AND NOT __priced",
            "year",
            "",
            "",
            view="fy_join",
        )
        self.on_hit[id(self.pending[-1])] = report
        self.base_missing = missing

    def price_issue(self, missing: list[tuple], firm_years: int) -> None:
        shown = ", ".join(f"{c}-{y}" for c, y in missing[:20])
        used = f" ({firm_years} firm-years affected)" if firm_years else ""
        self.add(
            "error",
            "prices",
            "prices",
            "ppi, usd_rate",
            f"no price row (PPI and exchange rate) for {len(missing)} country-year(s) "
            f"used by firm_years or the base year {self.base_year}{used}: {shown}",
            "a prices row with ppi and usd_rate for every country-year used",
        )

    def run(self) -> None:
        """Every rule, in dependency order; issues end up in ``self.issues``."""
        for table in RAW_TABLES:
            if table in self.sources:
                self.table_rules(table)
        self.firm_rules()
        if "firm_years" in self.usable and "firms" in self.usable:
            self.joined_firm_years()
        if "firm_years" in self.usable:
            self.panel_rules()
        if "links" in self.usable:
            self.link_rules()
        self.price_rules()
        self.flush()
        if self.base_missing and not any(i.rule == "prices" for i in self.issues):
            self.price_issue(self.base_missing, 0)


__all__ = ["Validator"]
