"""The message catalogue of the reports: message id -> {"en": ..., "es": ...}.

Every label, heading and sentence a report prints lives here, in both languages, with the same
``{placeholders}``. ``tests/test_translations.py`` fails when a language, a text or a
placeholder is missing. Numbers are formatted by the caller (``translations.fmt_*``).
"""

from __future__ import annotations


def _m(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


MESSAGES: dict[str, dict[str, str]] = {
    # --- common labels ------------------------------------------------------------------
    "common.participants": _m("Participants", "Participantes"),
    "common.comparison": _m("Comparison firms", "Empresas de comparación"),
    "common.all": _m("All firms", "Todas las empresas"),
    "common.total": _m("Total", "Total"),
    "common.year": _m("Year", "Año"),
    "common.group": _m("Group", "Grupo"),
    "common.country": _m("Country", "País"),
    "common.sector": _m("Sector", "Sector"),
    "common.cohort": _m("Cohort", "Cohorte"),
    "common.women_led": _m("Women-led", "Liderada por mujer"),
    "common.men_led": _m("Not women-led", "No liderada por mujer"),
    "common.yes": _m("yes", "sí"),
    "common.no": _m("no", "no"),
    "common.estimate": _m("Estimate", "Estimación"),
    "common.std_error": _m("Std. error", "Error estándar"),
    "common.ci": _m("95% CI", "IC 95 %"),
    "common.ci_long": _m("95% confidence interval", "intervalo de confianza del 95 %"),
    "common.p_value": _m("p-value", "valor p"),
    "common.n_firms": _m("Firms", "Empresas"),
    "common.n_treated": _m("Participating firms", "Empresas participantes"),
    "common.n_obs": _m("Observations", "Observaciones"),
    "common.n_clusters": _m("Clusters", "Conglomerados"),
    "common.estimator": _m("Estimator", "Estimador"),
    "common.inference": _m("Inference", "Inferencia"),
    "common.event_time": _m("Years since start of support", "Años desde el inicio del apoyo"),
    "common.truth": _m("True effect", "Efecto verdadero"),
    "common.error": _m("Estimate − truth", "Estimación − verdad"),
    "common.covers": _m("CI covers truth", "El IC cubre la verdad"),
    "common.outcome": _m("Outcome", "Resultado"),
    "common.sample": _m("Sample", "Muestra"),
    "common.mean": _m("Mean", "Media"),
    "common.sd": _m("SD", "DE"),
    "common.median": _m("Median", "Mediana"),
    "common.share": _m("Share", "Proporción"),
    "common.variable": _m("Variable", "Variable"),
    "common.value": _m("Value", "Valor"),
    "common.status": _m("Status", "Estado"),
    "common.role": _m("Role", "Papel"),
    "common.primary": _m("Primary (pre-specified)", "Principal (preespecificado)"),
    "common.secondary": _m("Secondary", "Secundario"),
    "common.specification": _m("Specification", "Especificación"),
    "common.term": _m("Term", "Término"),
    "common.statistic": _m("Statistic", "Estadístico"),
    "common.response_rate": _m("Response rate", "Tasa de respuesta"),
    "common.responded": _m("Responding firms", "Empresas que respondieron"),
    "common.missing_share": _m("Missing", "Faltante"),
    "common.outliers": _m("Extreme values", "Valores extremos"),
    "common.difference": _m("Difference", "Diferencia"),
    "common.not_available": _m("not available", "no disponible"),
    "common.log_points": _m("log points", "puntos logarítmicos"),
    # --- missing data: what is missing and what would enable it (analysis.context) -----------
    "missing.heading": _m("Not estimated with these data", "No estimado con estos datos"),
    "missing.country": _m(
        "No country column was supplied (firms.country); country comparisons are off.",
        "No se suministró la columna de país (firms.country); las comparaciones por país no se hacen.",
    ),
    "missing.territory": _m(
        "No territory column was supplied (firms.territory).",
        "No se suministró la columna de territorio (firms.territory).",
    ),
    "missing.sector": _m(
        "No sector was supplied (firms.sector): sector-by-year effects and sector comparisons "
        "are off, and nothing is adjusted for sector.",
        "No se suministró el sector (firms.sector): no se usan efectos sector por año ni "
        "comparaciones por sector, y nada se ajusta por sector.",
    ),
    "missing.stratum": _m(
        "No recruitment stratum was supplied (firms.stratum).",
        "No se suministró el estrato de reclutamiento (firms.stratum).",
    ),
    "missing.women_led": _m(
        "No women-led flag was supplied (firms.women_led, 1/0): results by women-led status "
        "need it.",
        "No se suministró el indicador de liderazgo femenino (firms.women_led, 1/0): los "
        "resultados según liderazgo femenino lo necesitan.",
    ),
    "missing.women_led_groups": _m(
        "The data hold firms of only one women-led status, so the two groups cannot be compared.",
        "Los datos tienen empresas de un solo tipo de liderazgo, así que no se pueden comparar "
        "los dos grupos.",
    ),
    "missing.founded": _m(
        "No founding year was supplied (firms.founded): firm age is not available.",
        "No se suministró el año de fundación (firms.founded): la edad de la empresa no está "
        "disponible.",
    ),
    "missing.clusters": _m(
        "No business clusters were supplied (firms.cluster_id).",
        "No se suministraron clústeres empresariales (firms.cluster_id).",
    ),
    "missing.organization": _m(
        "No supporting organization was supplied per firm (firms.organization).",
        "No se suministró la organización de apoyo de cada empresa (firms.organization).",
    ),
    "missing.organizations": _m(
        "No organizations table was supplied (organizations: organization, year and their "
        "business-development services); organizational indicators need it.",
        "No se suministró la tabla de organizaciones (organizations: organización, año y sus "
        "servicios de desarrollo empresarial); los indicadores organizacionales la necesitan.",
    ),
    "missing.links": _m(
        "No network data were supplied (a links table: firm_a, firm_b, year, link_type); the "
        "network analysis needs it.",
        "No se suministraron datos de red (una tabla links: firm_a, firm_b, year, link_type); "
        "el análisis de red la necesita.",
    ),
    "missing.prices": _m(
        "No price index covers the panel years (a prices table with ppi and usd_rate per "
        "country and year): money is nominal, as reported.",
        "Ningún índice de precios cubre los años del panel (una tabla prices con ppi y "
        "usd_rate por país y año): los valores monetarios son nominales, tal como se reportaron.",
    ),
    "missing.responded": _m(
        "No response indicator was supplied (firm_years.responded): a firm-year counts as "
        "answered when it is in the data.",
        "No se suministró el indicador de respuesta (firm_years.responded): un año-empresa "
        "cuenta como respondido cuando está en los datos.",
    ),
    "missing.intermediate_inputs": _m(
        "No intermediate inputs were supplied (firm_years.intermediate_inputs): value added "
        "and labour productivity cannot be built.",
        "No se suministró el consumo intermedio (firm_years.intermediate_inputs): no se pueden "
        "construir el valor agregado ni la productividad laboral.",
    ),
    "missing.value_added": _m(
        "Value added needs sales and intermediate inputs.",
        "El valor agregado necesita ventas y consumo intermedio.",
    ),
    "missing.productivity": _m(
        "Labour productivity needs sales, intermediate inputs and employees.",
        "La productividad laboral necesita ventas, consumo intermedio y empleados.",
    ),
    "missing.wage_bill": _m(
        "No wage bill was supplied (firm_years.wage_bill).",
        "No se suministró la masa salarial (firm_years.wage_bill).",
    ),
    "missing.capital": _m(
        "No capital stock was supplied (firm_years.capital_stock).",
        "No se suministró el stock de capital (firm_years.capital_stock).",
    ),
    "missing.exports": _m(
        "No exports were supplied (firm_years.exports).",
        "No se suministraron exportaciones (firm_years.exports).",
    ),
    "missing.support_hours": _m(
        "No support hours were supplied (firm_years.bds_hours).",
        "No se suministraron horas de apoyo (firm_years.bds_hours).",
    ),
    "missing.linkages": _m(
        "No count of business links was supplied (firm_years.linkages).",
        "No se suministró el número de vínculos empresariales (firm_years.linkages).",
    ),
    "missing.employees": _m(
        "No employment was supplied (firm_years.employees).",
        "No se suministró el empleo (firm_years.employees).",
    ),
    "missing.sales": _m(
        "No sales were supplied (firm_years.sales).",
        "No se suministraron ventas (firm_years.sales).",
    ),
    "missing.logframe": _m(
        "The configuration holds no results framework (program.logframe); the report leads "
        "with the primary effect.",
        "La configuración no contiene marco de resultados (program.logframe); el informe "
        "comienza con el efecto principal.",
    ),
    "missing.treated": _m(
        "No firm in the data was ever supported (cohort empty or 0 for every firm): there is "
        "no effect to estimate.",
        "Ninguna empresa de los datos recibió apoyo (cohorte vacía o 0 en todas): no hay "
        "efecto que estimar.",
    ),
    "missing.comparison": _m(
        "Every firm was supported at some point; comparisons rest on not-yet-supported firms only.",
        "Todas las empresas recibieron apoyo en algún momento; las comparaciones se basan solo "
        "en empresas aún no apoyadas.",
    ),
    "missing.staggered": _m(
        "All supported firms started in the same year: there is no staggered adoption to analyse.",
        "Todas las empresas apoyadas comenzaron el mismo año: no hay adopción escalonada que "
        "analizar.",
    ),
    "missing.covariates": _m(
        "None of the configured baseline covariates is in the data; estimates are unadjusted.",
        "Ninguna de las covariables de línea de base configuradas está en los datos; las "
        "estimaciones no están ajustadas.",
    ),
    "missing.outcome": _m(
        "The outcome {outcome} cannot be built from these data: {reason}",
        "El resultado {outcome} no se puede construir con estos datos: {reason}",
    ),
    "missing.sample": _m(
        "The sample {sample} holds no firms in these data.",
        "La muestra {sample} no contiene empresas en estos datos.",
    ),
    "cluster.fallback": _m(
        "The configured inference cluster ({requested}) is not in the data; standard errors "
        "are clustered by firm ({n_clusters} firms).",
        "El conglomerado de inferencia configurado ({requested}) no está en los datos; los "
        "errores estándar se agrupan por empresa ({n_clusters} empresas).",
    ),
    "money.nominal": _m(
        "Money values are nominal, as reported (no price index was supplied).",
        "Los valores monetarios son nominales, tal como se reportaron (no se suministró índice "
        "de precios).",
    ),
    # --- countries, samples, sectors ----------------------------------------------------
    "sample.all": _m("all firms", "todas las empresas"),
    "sample.women_led": _m("women-led firms", "empresas lideradas por mujeres"),
    "sample.men_led": _m("firms not led by women", "empresas no lideradas por mujeres"),
    "sample.participants": _m("participating firms", "empresas participantes"),
    "sample.balanced": _m(
        "firms that responded every year", "empresas que respondieron todos los años"
    ),
    "sector.A": _m("Agriculture", "Agricultura"),
    "sector.C": _m("Manufacturing", "Industria manufacturera"),
    "sector.F": _m("Construction", "Construcción"),
    "sector.G": _m("Trade", "Comercio"),
    "sector.H": _m("Transport", "Transporte"),
    "sector.I": _m("Accommodation and food", "Alojamiento y comidas"),
    "sector.J": _m("Information and communication", "Información y comunicaciones"),
    "sector.M": _m("Professional services", "Servicios profesionales"),
    "sector.N": _m("Administrative services", "Servicios administrativos"),
    # --- variables of the processed panel ----------------------------------------------
    "var.log_labor_productivity": _m(
        "Log labor productivity (value added per employee)",
        "Log de la productividad laboral (valor agregado por empleado)",
    ),
    "var.labor_productivity": _m(
        "Labor productivity (USD per employee)", "Productividad laboral (USD por empleado)"
    ),
    "var.log_value_added": _m("Log real value added", "Log del valor agregado real"),
    "var.log_sales": _m("Log real sales", "Log de las ventas reales"),
    "var.log_employees": _m("Log employees", "Log del número de empleados"),
    "var.exporter": _m("Exporter (share of firms)", "Exportadora (proporción de empresas)"),
    "var.linkages": _m("Business links with other SMEs", "Vínculos empresariales con otras pymes"),
    "var.employees": _m("Employees", "Empleados"),
    "var.sales_usd": _m("Real sales (USD)", "Ventas reales (USD)"),
    "var.value_added_usd": _m("Real value added (USD)", "Valor agregado real (USD)"),
    "var.intermediate_inputs_usd": _m(
        "Real intermediate inputs (USD)", "Consumo intermedio real (USD)"
    ),
    "var.wage_bill_usd": _m("Real wage bill (USD)", "Masa salarial real (USD)"),
    "var.capital_stock_usd": _m("Real capital stock (USD)", "Stock de capital real (USD)"),
    "var.exports_usd": _m("Real exports (USD)", "Exportaciones reales (USD)"),
    # Money as reported (no price index covered the panel): the same variables, nominal.
    "var.labor_productivity.nominal": _m(
        "Labor productivity (nominal, per employee)",
        "Productividad laboral (nominal, por empleado)",
    ),
    "var.log_value_added.nominal": _m(
        "Log value added (nominal)", "Log del valor agregado (nominal)"
    ),
    "var.log_sales.nominal": _m("Log sales (nominal)", "Log de las ventas (nominales)"),
    "var.sales_usd.nominal": _m(
        "Sales (nominal, as reported)", "Ventas (nominales, según lo reportado)"
    ),
    "var.value_added_usd.nominal": _m(
        "Value added (nominal, as reported)", "Valor agregado (nominal, según lo reportado)"
    ),
    "var.intermediate_inputs_usd.nominal": _m(
        "Intermediate inputs (nominal, as reported)",
        "Consumo intermedio (nominal, según lo reportado)",
    ),
    "var.wage_bill_usd.nominal": _m(
        "Wage bill (nominal, as reported)", "Masa salarial (nominal, según lo reportado)"
    ),
    "var.capital_stock_usd.nominal": _m(
        "Capital stock (nominal, as reported)", "Stock de capital (nominal, según lo reportado)"
    ),
    "var.exports_usd.nominal": _m(
        "Exports (nominal, as reported)", "Exportaciones (nominales, según lo reportado)"
    ),
    "var.bds_hours": _m(
        "Hours of business-development services", "Horas de servicios de desarrollo empresarial"
    ),
    "var.responded": _m("Responded", "Respondió"),
    "var.women_led": _m("Women-led", "Liderada por mujer"),
    "var.participant": _m("Participant", "Participante"),
    "var.firm_age": _m("Firm age (years)", "Antigüedad de la empresa (años)"),
    "var.baseline_log_employees": _m(
        "Log employees at baseline", "Log del número de empleados en la línea de base"
    ),
    "var.baseline_log_labor_productivity": _m(
        "Log labor productivity at baseline", "Log de la productividad laboral en la línea de base"
    ),
    "var.va_nonpositive": _m("Non-positive value added", "Valor agregado no positivo"),
    "var.country": _m("Country", "País"),
    "var.sector": _m("Sector", "Sector"),
    "var.cohort": _m("Cohort (first year of support)", "Cohorte (primer año de apoyo)"),
    "var.treated": _m(
        "Participant after start of support", "Participante tras el inicio del apoyo"
    ),
    # --- estimators and inference --------------------------------------------------------
    "est.did_2x2": _m("2×2 difference-in-differences", "Diferencias en diferencias 2×2"),
    "est.twfe": _m("Two-way fixed effects (TWFE)", "Efectos fijos bidireccionales (TWFE)"),
    "est.cs": _m("Callaway–Sant'Anna", "Callaway–Sant'Anna"),
    "est.sunab": _m("Sun–Abraham", "Sun–Abraham"),
    "est.imputation": _m(
        "Imputation (Borusyak–Jaravel–Spiess)", "Imputación (Borusyak–Jaravel–Spiess)"
    ),
    "est.triple_differences": _m("Triple differences", "Triples diferencias"),
    "est.truth": _m("Truth (simulation)", "Verdad (simulación)"),
    "cluster.stratum": _m("stratum", "estrato"),
    "cluster.firm_id": _m("firm", "empresa"),
    "cluster.cluster_id": _m("business cluster", "clúster empresarial"),
    "cluster.territory": _m("territory", "territorio"),
    "inf.crv1": _m(
        "CRV1 cluster-robust by {cluster} ({n_clusters} clusters)",
        "CRV1 robusto por conglomerados de {cluster} ({n_clusters} conglomerados)",
    ),
    "inf.wcb": _m(
        "wild cluster bootstrap by {cluster} (restricted, Rademacher, {reps} draws)",
        "bootstrap salvaje por conglomerados de {cluster} (restringido, Rademacher, {reps} réplicas)",
    ),
    "inf.wcb_short": _m("Wild cluster bootstrap", "Bootstrap salvaje por conglomerados"),
    "inf.crv1_short": _m("CRV1", "CRV1"),
    "inf.if_short": _m("influence function", "función de influencia"),
    "inf.bjs_short": _m("BJS conservative", "BJS conservadora"),
    "inf.if_cluster": _m(
        "influence functions summed by {cluster} ({n_clusters} clusters), normal critical values",
        "funciones de influencia agregadas por {cluster} ({n_clusters} conglomerados), "
        "valores críticos normales",
    ),
    # --- tables and figures ------------------------------------------------------------
    "table.suppressed": _m(
        "{mark}: suppressed — computed from fewer than {min_cell} firms, or withheld so that "
        "a total or a neighbouring cell does not reveal such a value.",
        "{mark}: dato suprimido — calculado con menos de {min_cell} empresas, u ocultado para "
        "que un total o una celda vecina no revele ese valor.",
    ),
    "fig.event_study.title": _m(
        "Effect by years since start of support", "Efecto según años desde el inicio del apoyo"
    ),
    "fig.event_study.y": _m("Effect on {outcome} (95% CI)", "Efecto sobre {outcome} (IC 95 %)"),
    "fig.comparison.title": _m("Average effect by estimator", "Efecto promedio según el estimador"),
    "fig.truth.title": _m(
        "Estimates against the true effects", "Estimaciones frente a los efectos verdaderos"
    ),
    "fig.trend.title": _m("Mean {outcome} by year", "{outcome}: media por año"),
    "fig.response.title": _m("Survey response by year", "Respuesta a la encuesta por año"),
    "fig.subgroups.title": _m("Effect by subgroup", "Efecto por subgrupo"),
    "fig.reference": _m("reference year", "año de referencia"),
    # --- report header (every page) -----------------------------------------------------
    "spec.trends": _m(
        "TWFE, Sun–Abraham and imputation include sector-by-year effects and a linear trend in "
        "baseline size, so that only firms of the same sector and size trajectory are compared "
        "(conditional parallel trends); Callaway–Sant'Anna conditions on baseline size and on "
        "sector (sector indicators as covariates in each of its 2x2 comparisons).",
        "TWFE, Sun–Abraham e imputación incluyen efectos de sector por año y una tendencia "
        "lineal en el tamaño de la línea de base, de modo que solo se comparan empresas con la "
        "misma trayectoria de sector y tamaño (tendencias paralelas condicionales); "
        "Callaway–Sant'Anna condiciona en el tamaño de la línea de base y en el sector "
        "(indicadores de sector como covariables en cada una de sus comparaciones 2x2).",
    ),
    "spec.no_trends": _m(
        "Regression estimators with firm and year effects only (unconditional parallel trends).",
        "Estimadores de regresión solo con efectos de empresa y de año (tendencias paralelas "
        "incondicionales).",
    ),
    # --- the specification that ran (analysis.effects.Effect.spec), estimation pages --------
    "spec.ran": _m(
        "{estimator}: comparison {control}; {covariates}; standard errors "
        "clustered by {cluster} ({n_clusters} clusters); sample: {sample}, {nobs} firm-years.",
        "{estimator}: comparación {control}; {covariates}; errores estándar "
        "agrupados por {cluster} ({n_clusters} conglomerados); muestra: {sample}, {nobs} "
        "observaciones empresa-año.",
    ),
    "spec.control.not_yet_treated": _m(
        "with firms not yet supported (and never supported)",
        "con empresas aún no apoyadas (y nunca apoyadas)",
    ),
    "spec.control.never_treated": _m("with never-supported firms", "con empresas nunca apoyadas"),
    "spec.control.": _m(
        "with not-yet-supported and never-supported firm-years (implicit TWFE comparisons)",
        "con observaciones de empresas aún no apoyadas y nunca apoyadas (comparaciones "
        "implícitas de TWFE)",
    ),
    "spec.covariates.none": _m("no covariates", "sin covariables"),
    "spec.covariates.some": _m("covariates: {covariates}", "covariables: {covariates}"),
    "spec.covariate.sector": _m("sector", "sector"),
    "spec.conditional": _m(
        "TWFE, Sun–Abraham and imputation include firm and year effects and {controls} "
        "(conditional parallel trends); Callaway–Sant'Anna conditions on {cs_controls} in each "
        "of its 2x2 comparisons.",
        "TWFE, Sun–Abraham e imputación incluyen efectos de empresa y de año y {controls} "
        "(tendencias paralelas condicionales); Callaway–Sant'Anna condiciona en {cs_controls} "
        "en cada una de sus comparaciones 2x2.",
    ),
    "spec.sector_year": _m("sector-by-year effects", "efectos de sector por año"),
    "spec.trend_in": _m("a linear trend in {covariate}", "una tendencia lineal en {covariate}"),
    "spec.sector_indicators": _m("sector indicators", "indicadores de sector"),
    "spec.unconditional": _m(
        "no covariates or sector: every estimator relies on unconditional parallel trends",
        "ninguna covariable ni sector: todos los estimadores suponen tendencias paralelas "
        "incondicionales",
    ),
    "spec.nothing": _m("nothing else", "nada más"),
    "sample.excluded.always_treated": _m(
        "{n} firms supported at or before the first panel year ({year}) have no year before "
        "support and are left out.",
        "{n} empresas apoyadas en o antes del primer año del panel ({year}) no tienen un año "
        "previo al apoyo y quedan fuera.",
    ),
    "sample.excluded.missing_covariates": _m(
        "{n} firms lack a value of a covariate ({covariates}) and are left out of the "
        "covariate-adjusted estimates.",
        "{n} empresas no tienen valor en alguna covariable ({covariates}) y quedan fuera de "
        "las estimaciones ajustadas por covariables.",
    ),
    "sample.covariates_dropped": _m(
        "Configured covariates not in the data, so not used: {covariates}.",
        "Covariables configuradas que no están en los datos y por eso no se usan: {covariates}.",
    ),
    "inf.withheld": _m(
        "{estimator}: only {n_clusters} clusters (fewer than {k}), too few for cluster-robust "
        "inference; the estimate is shown without an interval.",
        "{estimator}: solo {n_clusters} conglomerados (menos de {k}), muy pocos para una "
        "inferencia robusta por conglomerados; la estimación se muestra sin intervalo.",
    ),
    "missing.estimator": _m(
        "This estimator cannot be fitted on these data: {reason}",
        "Este estimador no se puede ajustar con estos datos: {reason}",
    ),
    "missing.single_cohort": _m(
        "All supported firms started in the same year ({cohort}): there are no cohort comparisons.",
        "Todas las empresas apoyadas comenzaron el mismo año ({cohort}): no hay comparaciones "
        "entre cohortes.",
    ),
    "missing.dimension": _m("{dimension}: {reason}", "{dimension}: {reason}"),
    "missing.balance": _m(
        "No baseline covariate is observed for both groups: there is no balance table.",
        "Ninguna covariable de línea de base se observa en ambos grupos: no hay tabla de balance.",
    ),
    "missing.baseline": _m(
        "No firm-year is observed before support began: there is no baseline to describe.",
        "No se observa ningún año-empresa antes del inicio del apoyo: no hay línea de base "
        "que describir.",
    ),
    "missing.pretrend": _m(
        "No pre-program event time has a coefficient: there is no pre-trend test.",
        "Ningún tiempo de evento previo al programa tiene coeficiente: no hay prueba de "
        "tendencias previas.",
    ),
    "missing.analysis": _m(
        "{analysis} is not estimated with these data: {reason}",
        "{analysis} no se estima con estos datos: {reason}",
    ),
    "report.parameters": _m("Parameters", "Parámetros"),
    "report.seed": _m("Random seed: {seed}", "Semilla aleatoria: {seed}"),
    "report.sample": _m("Sample: {sample}", "Muestra: {sample}"),
    "report.outcome": _m("Outcome: {outcome}", "Resultado: {outcome}"),
    "report.interpretation_logs": _m(
        "Effects on log outcomes are in log points: 0.10 means about 10.5% higher "
        "(100 × (e^b − 1)).",
        "Los efectos sobre resultados en logaritmos se expresan en puntos logarítmicos: 0,10 "
        "equivale a un aumento de alrededor del 10,5 % (100 × (e^b − 1)).",
    ),
    # --- notebook 01: data quality -----------------------------------------------------
    "nb01.title": _m("Data quality", "Calidad de los datos"),
    "nb01.intro": _m(
        "This page checks the analysis panel before any effect is estimated: what it contains, "
        "who answered the survey each year, which values are missing and which look extreme. "
        "Sample: {sample}.",
        "Esta página revisa el panel de análisis antes de estimar cualquier efecto: qué "
        "contiene, quién respondió la encuesta cada año, qué valores faltan y cuáles parecen "
        "extremos. Muestra: {sample}.",
    ),
    "nb01.validation.heading": _m("Validation summary", "Resumen de la validación"),
    "nb01.validation.text": _m(
        "The raw files were checked against the codebook (types, allowed values, keys, "
        "references between tables, ranges) before the panel was built: {n_errors} errors and "
        "{n_warnings} warnings. The panel holds {n_rows} firm-years of {n_firms} firms, "
        "{first_year}–{last_year}.",
        "Los archivos originales se verificaron contra el libro de códigos (tipos, valores "
        "permitidos, claves, referencias entre tablas, rangos) antes de construir el panel: "
        "{n_errors} errores y {n_warnings} advertencias. El panel contiene {n_rows} "
        "observaciones empresa-año de {n_firms} empresas, {first_year}–{last_year}.",
    ),
    "nb01.validation.unavailable": _m(
        "The raw data could not be re-validated here ({reason}); the panel was validated when "
        "it was prepared.",
        "Los datos originales no pudieron volver a validarse aquí ({reason}); el panel se validó "
        "al prepararlo.",
    ),
    "nb01.warnings": _m("Validation warnings", "Advertencias de la validación"),
    "nb01.rule": _m("Rule", "Regla"),
    "nb01.table": _m("Table", "Tabla"),
    "nb01.problem": _m("Finding", "Hallazgo"),
    "nb01.rows": _m("Rows", "Filas"),
    "nb01.composition": _m("Composition of the panel", "Composición del panel"),
    "nb01.row.firms": _m("Firms", "Empresas"),
    "nb01.row.participants": _m("Participating firms", "Empresas participantes"),
    "nb01.row.comparison": _m("Comparison firms", "Empresas de comparación"),
    "nb01.row.women_led": _m("Women-led firms", "Empresas lideradas por mujeres"),
    "nb01.row.clusters": _m("Business clusters", "Clústeres empresariales"),
    "nb01.row.strata": _m("Recruitment strata", "Estratos de reclutamiento"),
    "nb01.row.cohorts": _m("Cohorts", "Cohortes"),
    "nb01.row.firm_years": _m("Firm-years", "Observaciones empresa-año"),
    "nb01.row.responding": _m("Responding firm-years", "Observaciones empresa-año con respuesta"),
    "nb01.row.va_nonpositive": _m(
        "Firm-years with non-positive value added",
        "Observaciones con valor agregado no positivo",
    ),
    "nb01.response.heading": _m(
        "Survey response and attrition by group and year",
        "Respuesta a la encuesta y deserción por grupo y año",
    ),
    "nb01.response.text": _m(
        "Share of firms that answered the survey each year. If participants answer more or less "
        "often than comparison firms once support starts, comparisons of means are biased; the "
        "difference-in-differences in the response rate below tests for such differential "
        "attrition.",
        "Proporción de empresas que respondieron la encuesta cada año. Si las participantes "
        "responden con más o menos frecuencia que las de comparación una vez iniciado el apoyo, "
        "las comparaciones de medias están sesgadas; la diferencia en diferencias de la tasa de "
        "respuesta que sigue contrasta esa deserción diferencial.",
    ),
    "nb01.attrition.result": _m(
        "Differential attrition (participants vs comparison, {post_from} onwards vs before): "
        "{effect} percentage points, 95% CI {ci}, {p} ({inference}); wild cluster bootstrap: "
        "95% CI {ci_wcb}, {p_wcb}.",
        "Deserción diferencial (participantes frente a comparación, desde {post_from} frente a "
        "antes): {effect} puntos porcentuales, IC 95 % {ci}, {p} ({inference}); bootstrap "
        "salvaje por conglomerados: IC 95 % {ci_wcb}, {p_wcb}.",
    ),
    "nb01.missing.heading": _m("Missing values", "Valores faltantes"),
    "nb01.missing.text": _m(
        "Share of responding firm-years in which each variable is missing, by group.",
        "Proporción de observaciones empresa-año con respuesta en las que falta cada variable, "
        "por grupo.",
    ),
    "nb01.outliers.heading": _m("Extreme values", "Valores extremos"),
    "nb01.outliers.text": _m(
        "Firm-years whose logarithm lies more than {k} interquartile ranges beyond the quartiles "
        "of the variable in its country. They are kept in the analysis (log outcomes dampen "
        "them); firm-years with non-positive value added are counted but left out of log "
        "outcomes.",
        "Observaciones cuyo logaritmo se aleja más de {k} rangos intercuartílicos de los "
        "cuartiles de la variable en su país. Se mantienen en el análisis (los logaritmos los "
        "atenúan); las observaciones con valor agregado no positivo se cuentan pero quedan "
        "fuera de los resultados en logaritmos.",
    ),
    # --- notebook 02: descriptives and balance ------------------------------------------
    "nb02.title": _m(
        "Descriptive statistics and baseline balance",
        "Estadísticas descriptivas y balance en la línea de base",
    ),
    "nb02.intro": _m(
        "Participants and comparison firms in {year}, the last year before support began, by "
        "country and by women-led status, and the outcome over time. Sample: {sample}.",
        "Empresas participantes y de comparación en {year}, el último año antes del inicio del "
        "apoyo, por país y según el liderazgo femenino, y la evolución del resultado. "
        "Muestra: {sample}.",
    ),
    "nb02.groups.heading": _m(
        "Baseline characteristics by group", "Características en la línea de base por grupo"
    ),
    "nb02.balance.heading": _m("Baseline balance", "Balance en la línea de base"),
    "nb02.balance.text": _m(
        "Normalized differences above 0.25 in absolute value (Imbens and Rubin 2015) signal an "
        "imbalance that regression adjustment alone may not remove. Participation was "
        "voluntary, so differences in levels are expected: the estimators rely on parallel "
        "trends (conditional on covariates), not on equal levels.",
        "Diferencias normalizadas mayores que 0,25 en valor absoluto (Imbens y Rubin 2015) "
        "señalan un desbalance que el ajuste por regresión no siempre corrige. La participación "
        "fue voluntaria, de modo que se esperan diferencias en niveles: los estimadores se "
        "apoyan en tendencias paralelas (condicionales a covariables), no en niveles iguales.",
    ),
    "nb02.balance.joint": _m(
        "Joint test that the covariates do not predict participation: F = {f}, {p}.",
        "Prueba conjunta de que las covariables no predicen la participación: F = {f}, {p}.",
    ),
    "nb02.norm_diff": _m("Normalized difference", "Diferencia normalizada"),
    "nb02.trend.heading": _m("The outcome over time", "Evolución del resultado"),
    "nb02.trend.text": _m(
        "Mean {outcome} by year, for comparison firms and for each cohort of participants. "
        "Points computed from fewer than {min_cell} firms are not shown.",
        "{outcome}: media por año, para las empresas de comparación y para cada cohorte de "
        "participantes. No se muestran los puntos calculados con menos de {min_cell} empresas.",
    ),
    # --- notebook 03: main effects ------------------------------------------------------
    "nb03.title": _m(
        "Main effects: difference-in-differences and two-way fixed effects",
        "Efectos principales: diferencias en diferencias y efectos fijos bidireccionales",
    ),
    "nb03.intro": _m(
        "Effect of support by {program} on {outcome} ({sample}). The 2×2 design compares "
        "participants with never-supported firms from {post_from} onwards against the years "
        "before; the two-way fixed effects regression uses firm and year effects and switches "
        "on in each firm's first year of support. With {n_clusters} clusters, CRV1 intervals "
        "can be too narrow when clusters are few (Cameron and Miller 2015), so each estimate "
        "is shown with the wild cluster bootstrap (restricted, Rademacher weights) beside it.",
        "Efecto del apoyo de {program} sobre {outcome} ({sample}). El diseño 2×2 compara a "
        "las participantes con las empresas nunca apoyadas desde {post_from} frente a los "
        "años anteriores; la regresión de efectos fijos bidireccionales usa efectos de empresa "
        "y de año y se activa en el primer año de apoyo de cada empresa. Con {n_clusters} "
        "conglomerados, los intervalos CRV1 pueden ser demasiado estrechos cuando los "
        "conglomerados son pocos (Cameron y Miller 2015), por lo que cada estimación se "
        "acompaña del bootstrap salvaje por conglomerados (restringido, pesos de Rademacher).",
    ),
    "nb03.table.heading": _m("Estimates", "Estimaciones"),
    "nb03.side_by_side.heading": _m("The estimators side by side", "Los estimadores lado a lado"),
    "table.stars": _m(
        "Standard errors (CRV1) in parentheses; * p < 0.10, ** p < 0.05, *** p < 0.01 (CRV1). "
        "Estimators whose clusters are too few for inference are left out of this table.",
        "Errores estándar (CRV1) entre paréntesis; * p < 0,10, ** p < 0,05, *** p < 0,01 "
        "(CRV1). Los estimadores con muy pocos conglomerados para la inferencia no figuran en "
        "esta tabla.",
    ),
    "nb03.result": _m(
        "{estimator}: {effect}; 95% CI {ci_crv1} with CRV1 ({p_crv1}) and {ci_wcb} with "
        "the wild cluster bootstrap ({p_wcb}).",
        "{estimator}: {effect}; IC 95 % {ci_crv1} con CRV1 ({p_crv1}) y {ci_wcb} con el "
        "bootstrap salvaje por conglomerados ({p_wcb}).",
    ),
    "nb03.caveat": _m(
        "With staggered entry and effects that change over time, the TWFE coefficient can "
        "weight some comparisons negatively (Goodman-Bacon 2021); notebook 05 compares it with "
        "estimators robust to this.",
        "Con entrada escalonada y efectos que cambian en el tiempo, el coeficiente TWFE puede "
        "ponderar negativamente algunas comparaciones (Goodman-Bacon 2021); el cuaderno 05 lo "
        "compara con estimadores robustos a ello.",
    ),
    # --- notebook 04: event study ------------------------------------------------------
    "nb04.title": _m("Event study: dynamic effects", "Estudio de eventos: efectos dinámicos"),
    "nb04.intro": _m(
        "Effects on {outcome} by years since the start of support, relative to event time "
        "{ref} ({estimator}; {sample}). Coefficients before the program should be close to "
        "zero if participants and comparison firms followed parallel trends.",
        "Efectos sobre {outcome} según los años desde el inicio del apoyo, respecto del tiempo "
        "de evento {ref} ({estimator}; {sample}). Los coeficientes previos al programa deberían "
        "ser cercanos a cero si las participantes y las empresas de comparación siguieron "
        "tendencias paralelas.",
    ),
    "nb04.pretest": _m(
        "Joint test that every pre-program coefficient is zero: statistic {stat} on {df} "
        "degrees of freedom, {p}.",
        "Prueba conjunta de que todos los coeficientes previos al programa son cero: "
        "estadístico {stat} con {df} grados de libertad, {p}.",
    ),
    "nb04.pretest.reject": _m(
        "The pre-trends are jointly different from zero at the 5% level: read the effects with "
        "caution (see the sensitivity analysis).",
        "Las tendencias previas son conjuntamente distintas de cero al 5 %: los efectos deben "
        "leerse con cautela (véase el análisis de sensibilidad).",
    ),
    "nb04.pretest.accept": _m(
        "The pre-trends are not jointly different from zero at the 5% level (which does not "
        "prove parallel trends: the test may lack power; Roth 2022).",
        "Las tendencias previas no son conjuntamente distintas de cero al 5 % (lo que no "
        "demuestra tendencias paralelas: la prueba puede tener poca potencia; Roth 2022).",
    ),
    "nb04.table.heading": _m("Coefficients by event time", "Coeficientes por tiempo de evento"),
    # --- notebook 05: staggered comparison -------------------------------------------
    "nb05.title": _m(
        "Staggered entry: robust estimators compared",
        "Entrada escalonada: comparación de estimadores robustos",
    ),
    "nb05.intro": _m(
        "Firms entered in {n_cohorts} cohorts (support starting in {cohorts}). When effects differ by "
        "cohort or grow with time, TWFE mixes in comparisons of later with earlier entrants. "
        "Callaway and Sant'Anna (2021), Sun and Abraham (2021) and the imputation estimator of "
        "Borusyak, Jaravel and Spiess (2024) compare only with firms not yet or never treated. "
        "Outcome: {outcome}; {sample}.",
        "Las empresas entraron en {n_cohorts} cohortes (apoyo desde {cohorts}). Cuando los efectos "
        "difieren por cohorte o crecen con el tiempo, TWFE mezcla comparaciones de las que "
        "entraron después con las que entraron antes. Callaway y Sant'Anna (2021), Sun y "
        "Abraham (2021) y el estimador de imputación de Borusyak, Jaravel y Spiess (2024) solo "
        "comparan con empresas aún no tratadas o nunca tratadas. Resultado: {outcome}; "
        "{sample}.",
    ),
    "nb05.overall.heading": _m(
        "Average effect on participants", "Efecto promedio sobre las participantes"
    ),
    "nb05.dynamic.heading": _m("Effects by event time", "Efectos por tiempo de evento"),
    "nb05.truth.heading": _m(
        "Against the true effects of the simulation",
        "Comparación con los efectos verdaderos de la simulación",
    ),
    "nb05.truth.text": _m(
        "The default data are simulated, so the true effects are known: the truth file holds "
        "the average effect over responding participant firm-years, overall and by event time. "
        "The table shows each estimator's error and whether its 95% interval covers the truth.",
        "Los datos por defecto son simulados, de modo que se conocen los efectos verdaderos: el "
        "archivo de verdad contiene el efecto promedio sobre las observaciones de participantes "
        "con respuesta, en total y por tiempo de evento. La tabla muestra el error de cada "
        "estimador y si su intervalo del 95 % cubre la verdad.",
    ),
    "nb05.truth.absent": _m(
        "No truth file accompanies these data (real data): the comparison with true effects "
        "applies to simulated data only.",
        "Estos datos no tienen archivo de verdad (datos reales): la comparación con los efectos "
        "verdaderos solo se aplica a datos simulados.",
    ),
    "nb05.truth.other_sample": _m(
        "The truth file gives true effects for all firms and by women-led status only; there "
        "is no true effect to compare with for {sample}.",
        "El archivo de verdad da los efectos verdaderos solo para todas las empresas y según el "
        "liderazgo femenino; no hay efecto verdadero con el que comparar para {sample}.",
    ),
    "nb05.target": _m("Target", "Objetivo"),
    "nb05.overall": _m("Overall", "Total"),
    "nb05.truth.weights": _m(
        "The true overall effect averages over treated firm-years; Callaway–Sant'Anna's simple "
        "aggregation weights cohorts by size and uses only firms observed every year, so small "
        "differences in weighting are expected besides estimation error.",
        "El efecto total verdadero promedia sobre las observaciones tratadas; la agregación "
        "simple de Callaway–Sant'Anna pondera las cohortes por tamaño y usa solo empresas "
        "observadas todos los años, por lo que, además del error de estimación, cabe esperar "
        "pequeñas diferencias de ponderación.",
    ),
    "nb05.truth.other_outcome": _m(
        "The truth file describes {truth_outcome}; this page estimates {outcome}, so there is "
        "nothing to compare.",
        "El archivo de verdad describe {truth_outcome}; esta página estima {outcome}, por lo "
        "que no hay nada que comparar.",
    ),
    # --- notebook 06: heterogeneity ----------------------------------------------------
    "nb06.title": _m(
        "Heterogeneity: gender, country, sector and cohort",
        "Heterogeneidad: género, país, sector y cohorte",
    ),
    "nb06.intro": _m(
        "Did the program work equally for all firms? Effects on {outcome} for women-led firms "
        "(a pre-specified question of the program), and, as exploratory analyses, by country, "
        "sector and cohort.",
        "¿Funcionó el programa por igual para todas las empresas? Efectos sobre {outcome} para "
        "las empresas lideradas por mujeres (una pregunta preespecificada del programa) y, como "
        "análisis exploratorios, por país, sector y cohorte.",
    ),
    "nb06.ddd.heading": _m(
        "Women-led firms: triple differences", "Empresas lideradas por mujeres: triples diferencias"
    ),
    "nb06.ddd.text": _m(
        "The triple difference compares the effect of participation on women-led firms with "
        "that on other firms; zero means equal effects. Difference: {effect}, 95% CI {ci}, "
        "{p} ({inference}).",
        "La triple diferencia compara el efecto de la participación en las empresas lideradas "
        "por mujeres con el efecto en las demás; cero significa efectos iguales. Diferencia: "
        "{effect}, IC 95 % {ci}, {p} ({inference}).",
    ),
    "nb06.subgroups.heading": _m("Effects by subgroup", "Efectos por subgrupo"),
    "nb06.subgroups.text": _m(
        "The same estimator ({estimator}) fitted to each subgroup separately. Estimates from "
        "fewer than {min_cell} participating firms are suppressed. Apart from gender, these "
        "comparisons were not pre-specified and are not adjusted for multiple testing.",
        "El mismo estimador ({estimator}) ajustado a cada subgrupo por separado. Se suprimen "
        "las estimaciones basadas en menos de {min_cell} empresas participantes. Salvo la de "
        "género, estas comparaciones no fueron preespecificadas y no se ajustan por pruebas "
        "múltiples.",
    ),
    "nb06.dimension": _m("Dimension", "Dimensión"),
    "nb06.note": _m("Note", "Nota"),
    "nb06.not_estimable": _m(
        "Subgroups without an estimate could not be estimated on their own: too few firms, "
        "strata or comparison firms for the estimator.",
        "Los subgrupos sin estimación no pudieron estimarse por separado: muy pocas empresas, "
        "estratos o empresas de comparación para el estimador.",
    ),
    "nb06.not_estimated": _m("not estimable", "no estimable"),
    "nb06.few_clusters": _m(
        "Standard errors cluster by {cluster} within each subgroup; for a subgroup spanning "
        "fewer than {k} clusters (clusters column) cluster-robust inference is unreliable, so "
        "its estimate is shown without an interval.",
        "Los errores estándar se agrupan por {cluster} dentro de cada subgrupo; para un "
        "subgrupo que abarca menos de {k} conglomerados (columna de conglomerados) la "
        "inferencia robusta por conglomerados no es fiable, por lo que su estimación se "
        "muestra sin intervalo.",
    ),
    "nb06.subgroup": _m("Subgroup", "Subgrupo"),
    # --- notebook 07: final report -------------------------------------------------------
    "final.title": _m(
        "Impact evaluation of {program}: final report",
        "Evaluación de impacto de {program}: informe final",
    ),
    "final.facts.donor": _m("Funded by: {value}.", "Financiado por: {value}."),
    "final.facts.implementer": _m("Implemented by: {value}.", "Ejecutado por: {value}."),
    "final.facts.countries": _m("Countries: {value}.", "Países: {value}."),
    "final.facts.period": _m(
        "Period of support: {first}–{last}.", "Periodo de apoyo: {first}–{last}."
    ),
    "final.summary.data": _m(
        "This report estimates what participation changed for the firms, with "
        "{n_participants} participating and {n_comparison} comparison firms observed from "
        "{first_year} to {last_year}.",
        "Este informe estima qué cambió la participación para las empresas, con "
        "{n_participants} empresas participantes y {n_comparison} de comparación observadas "
        "de {first_year} a {last_year}.",
    ),
    "final.status.heading": _m("Status of this run", "Estado de esta corrida"),
    "final.status.ok": _m(
        "Every job of this run succeeded ({n_jobs} jobs): every page this report reads is "
        "complete.",
        "Todos los trabajos de esta corrida terminaron bien ({n_jobs} trabajos): todas las "
        "páginas que este informe lee están completas.",
    ),
    "final.status.problems": _m(
        "Not every job of this run succeeded: {n_bad} of {n_jobs} jobs failed or did not run. "
        "The sections that read their results are incomplete; the table lists each with its "
        "reason.",
        "No todos los trabajos de esta corrida terminaron bien: {n_bad} de {n_jobs} fallaron "
        "o no se ejecutaron. Las secciones que leen sus resultados están incompletas; la "
        "tabla indica cada uno con su motivo.",
    ),
    "final.status.unknown": _m(
        "The status of the other jobs of this run could not be read ({reason}); this report "
        "cannot vouch that the pages it reads are complete.",
        "No se pudo leer el estado de los demás trabajos de esta corrida ({reason}); este "
        "informe no puede garantizar que las páginas que lee estén completas.",
    ),
    "final.status.job": _m("Job", "Trabajo"),
    "final.status.reason": _m("Reason", "Motivo"),
    "final.methods.design": _m(
        "Participating firms are compared with comparison firms before and after support "
        "began, in a difference-in-differences design.",
        "Las empresas participantes se comparan con empresas de comparación antes y después "
        "del inicio del apoyo, en un diseño de diferencias en diferencias.",
    ),
    "final.methods.staggered": _m(
        "Firms entered in different years (staggered entry).",
        "Las empresas entraron en años distintos (entrada escalonada).",
    ),
    "final.methods.primary": _m(
        "The primary estimate uses {estimator} on {outcome}, with {sample}: {nobs} "
        "observations of {n_firms} firms, {n_treated} of them participating.",
        "La estimación principal usa {estimator} sobre {outcome}, con {sample}: {nobs} "
        "observaciones de {n_firms} empresas, {n_treated} de ellas participantes.",
    ),
    "final.methods.control_group": _m(
        "Comparison group: {control_group}.", "Grupo de comparación: {control_group}."
    ),
    "final.methods.covariates": _m(
        "It conditions on {covariates} (conditional parallel trends).",
        "Condiciona en {covariates} (tendencias paralelas condicionales).",
    ),
    "final.methods.no_covariates": _m(
        "It conditions on no covariate (unconditional parallel trends).",
        "No condiciona en ninguna covariable (tendencias paralelas incondicionales).",
    ),
    "final.methods.conditional_trends": _m(
        "The regression estimators also allow for {trends}.",
        "Los estimadores de regresión también permiten {trends}.",
    ),
    "final.methods.cluster": _m(
        "Inference clusters by {cluster} ({n_clusters} clusters).",
        "La inferencia agrupa por {cluster} ({n_clusters} conglomerados).",
    ),
    "final.methods.few_clusters": _m(
        "With so few clusters, the two-way fixed effects estimates are accompanied by the wild "
        "cluster bootstrap.",
        "Con tan pocos conglomerados, las estimaciones de efectos fijos bidireccionales se "
        "acompañan del bootstrap salvaje por conglomerados.",
    ),
    "final.methods.real": _m(
        "Monetary values are deflated by the producer price index to {base_year} and "
        "converted to US dollars at that year's exchange rate.",
        "Los valores monetarios se deflactan con el índice de precios al productor a "
        "{base_year} y se convierten a dólares con la tasa de cambio de ese año.",
    ),
    "final.methods.control.notyettreated": _m(
        "firms not yet treated and never treated", "empresas aún no tratadas y nunca tratadas"
    ),
    "final.methods.control.nevertreated": _m("firms never treated", "empresas nunca tratadas"),
    "final.gender.text": _m(
        "The primary estimator fitted separately to women-led and other participating firms:",
        "El estimador principal ajustado por separado para las empresas participantes "
        "lideradas por mujeres y para las demás:",
    ),
    "final.limitations.spillovers": _m(
        "Comparison firms may trade with or learn from participants; such links could carry "
        "part of the effect to the comparison group, biasing estimates towards zero.",
        "Las empresas de comparación pueden comerciar con las participantes o aprender de "
        "ellas; esos vínculos podrían trasladar parte del efecto al grupo de comparación y "
        "sesgar las estimaciones hacia cero.",
    ),
    "final.limitations.clusters": _m(
        "Only {n_clusters} clusters: intervals rest on few-cluster approximations.",
        "Solo {n_clusters} conglomerados: los intervalos descansan en aproximaciones para pocos "
        "conglomerados.",
    ),
    "final.section.text": _m("{text}", "{text}"),
    "final.section.missing": _m(
        "{section}: not available in this run ({reason}).",
        "{section}: no disponible en esta corrida ({reason}).",
    ),
    "final.summary.heading": _m("Executive summary", "Resumen ejecutivo"),
    "final.summary.primary": _m(
        "Pre-specified primary result: participation changed {outcome} by {effect} on average "
        "among participating firms (95% confidence interval {ci}; {estimator}; inference: "
        "{inference}).",
        "Resultado principal preespecificado: la participación cambió {outcome} en {effect} en "
        "promedio entre las empresas participantes (intervalo de confianza del 95 % {ci}; "
        "{estimator}; inferencia: {inference}).",
    ),
    "final.summary.significant": _m(
        "The interval excludes zero: the data support an effect of the program on this outcome.",
        "El intervalo excluye el cero: los datos respaldan un efecto del programa sobre este "
        "resultado.",
    ),
    "final.summary.not_significant": _m(
        "The interval includes zero: the data cannot distinguish the effect from no effect.",
        "El intervalo incluye el cero: los datos no permiten distinguir el efecto de la "
        "ausencia de efecto.",
    ),
    "final.summary.gender": _m(
        "Women-led firms: {women}; other firms: {men}.",
        "Empresas lideradas por mujeres: {women}; demás empresas: {men}.",
    ),
    "final.summary.truth": _m(
        "These are simulated data: the true average effect is {truth}, so the primary "
        "estimate errs by {error}.",
        "Estos son datos simulados: el efecto promedio verdadero es {truth}, de modo que la "
        "estimación principal se desvía en {error}.",
    ),
    "final.summary.source": _m(
        "Every number of this report was recorded by the run's pages: the primary and "
        "secondary outcomes' estimates by the pre-specified effects page, the robustness "
        "table and the design diagnostics by the other pages (reports/estimates.parquet, "
        "reports/values.json).",
        "Todas las cifras de este informe las registraron las páginas de la ejecución: las "
        "estimaciones de los resultados principal y secundarios, la página de efectos "
        "preespecificados; la tabla de robustez y los diagnósticos del diseño, las demás "
        "páginas (reports/estimates.parquet, reports/values.json).",
    ),
    "final.logframe.heading": _m(
        "Logframe targets and achievement", "Metas del marco lógico y su cumplimiento"
    ),
    "final.logframe.text": _m(
        "Counts describe what happened; only the causal estimates (with their intervals) say "
        "what the program caused.",
        "Los conteos describen lo ocurrido; solo las estimaciones causales (con sus intervalos) "
        "indican lo que causó el programa.",
    ),
    "final.logframe.recorded": _m(
        "Table recorded by the indicators page of this run.",
        "Tabla registrada por la página de indicadores de esta corrida.",
    ),
    "final.logframe.computed": _m(
        "Table computed by this report from the processed data (the indicators page recorded "
        "none in this run); effect indicators use this report's primary estimates.",
        "Tabla calculada por este informe a partir de los datos procesados (la página de "
        "indicadores no registró ninguna en esta corrida); los indicadores de efecto usan las "
        "estimaciones principales de este informe.",
    ),
    "logframe.indicator": _m("Indicator", "Indicador"),
    "logframe.baseline": _m("Baseline", "Línea de base"),
    "logframe.target": _m("Target", "Meta"),
    "logframe.achieved": _m("Achieved", "Logrado"),
    "logframe.status": _m("Status", "Estado"),
    "logframe.evidence": _m("Evidence", "Evidencia"),
    # values recorded by the diagnostics pages 08-11 (issue 6)
    "value.mde": _m(
        "Minimum detectable effect (80% power)", "Efecto mínimo detectable (80 % de potencia)"
    ),
    "value.simulated_power_at_mde": _m("Simulated power at the MDE", "Potencia simulada en el EMD"),
    "value.simulated_size": _m(
        "Simulated size of the 5% test", "Tamaño simulado de la prueba al 5 %"
    ),
    "value.lee_lower": _m("Lee bounds: lower", "Cotas de Lee: inferior"),
    "value.lee_upper": _m("Lee bounds: upper", "Cotas de Lee: superior"),
    "value.breakdown_mbar": _m(
        "Breakdown Mbar (relative magnitudes)", "Mbar de quiebre (magnitudes relativas)"
    ),
    "value.breakdown_m": _m("Breakdown M (smoothness)", "M de quiebre (suavidad)"),
    "value.breakdown_mbar_average": _m(
        "Breakdown Mbar, average effect", "Mbar de quiebre, efecto promedio"
    ),
    "value.ri_p_value": _m("Randomization-inference p-value", "p-valor por aleatorización"),
    "value.degree_effect": _m(
        "Effect on business links (DiD on degree)",
        "Efecto en vínculos empresariales (DiD en el grado)",
    ),
    "value.women_share_min_cluster": _m(
        "Lowest women-led share in a cluster",
        "Menor proporción de lideradas por mujeres en un clúster",
    ),
    "final.logframe.missing": _m(
        "The logframe indicators were not available for this report ({reason}).",
        "Los indicadores del marco lógico no estaban disponibles para este informe ({reason}).",
    ),
    "final.main.heading": _m("Main results", "Resultados principales"),
    "final.main.text": _m(
        "The primary outcome ({outcome}) and estimator ({estimator}) were fixed in the "
        "configuration before the analysis. Every other estimate is secondary: supporting "
        "evidence, not a separate finding.",
        "El resultado principal ({outcome}) y el estimador ({estimator}) se fijaron en la "
        "configuración antes del análisis. Todas las demás estimaciones son secundarias: "
        "evidencia de respaldo, no hallazgos independientes.",
    ),
    "final.robustness.heading": _m("Robustness", "Robustez"),
    "final.robustness.text": _m(
        "The primary outcome under other estimators and inference. Agreement across estimators "
        "that rely on different comparisons makes the primary result more credible.",
        "El resultado principal con otros estimadores y otra inferencia. La coincidencia entre "
        "estimadores que se apoyan en comparaciones distintas hace más creíble el resultado "
        "principal.",
    ),
    "final.robustness.missing": _m(
        "The run's estimates table was not available ({reason}); only the primary result is shown.",
        "La tabla de estimaciones de la corrida no estaba disponible ({reason}); solo se "
        "muestra el resultado principal.",
    ),
    "final.gender.heading": _m("Gender", "Género"),
    "final.truth.heading": _m(
        "Estimates against the truth (simulated data)",
        "Estimaciones frente a la verdad (datos simulados)",
    ),
    "final.methods.heading": _m("Methods", "Métodos"),
    "final.primary_note": _m(
        "The primary outcome and estimator come from the configuration (pre-specified), not "
        "from this page's parameters.",
        "El resultado y el estimador principales provienen de la configuración "
        "(preespecificados), no de los parámetros de esta página.",
    ),
    "final.robustness.computed": _m(
        "Read from the estimates recorded by the main-effects and staggered pages.",
        "Leído de las estimaciones registradas por las páginas de efectos principales y de "
        "entrada escalonada.",
    ),
    "final.diagnostics.heading": _m(
        "Design diagnostics and program indicators",
        "Diagnósticos del diseño e indicadores del programa",
    ),
    "final.diagnostics.text": _m(
        "Values recorded by the indicator, network, power, attrition and sensitivity pages of "
        "this run.",
        "Valores registrados por las páginas de indicadores, red, potencia, deserción y "
        "sensibilidad de esta corrida.",
    ),
    "final.diagnostics.missing": _m(
        "No design diagnostics were recorded in this run ({reason}).",
        "No se registraron diagnósticos del diseño en esta corrida ({reason}).",
    ),
    "final.source": _m("Page", "Página"),
    "final.limitations.heading": _m("Limitations", "Limitaciones"),
    "final.limitations.selection": _m(
        "Firms chose to participate: the estimates are causal only if, without the program, "
        "participants' outcomes would have evolved like those of comparison firms with the "
        "same covariates (conditional parallel trends).",
        "Las empresas eligieron participar: las estimaciones son causales solo si, sin el "
        "programa, los resultados de las participantes habrían evolucionado como los de las "
        "empresas de comparación con las mismas covariables (tendencias paralelas "
        "condicionales).",
    ),
    "final.limitations.attrition": _m(
        "Survey non-response may depend on productivity; the data-quality page tests for "
        "differential attrition and the sensitivity pages bound its effect.",
        "La falta de respuesta puede depender de la productividad; la página de calidad de los "
        "datos contrasta la deserción diferencial y las páginas de sensibilidad acotan su "
        "efecto.",
    ),
    "final.limitations.subgroups": _m(
        "Subgroup estimates other than gender are exploratory; small cells are suppressed.",
        "Las estimaciones por subgrupo distintas de género son exploratorias; las celdas "
        "pequeñas se suprimen.",
    ),
    # --- logframe indicators and the diagnostics pages 08-11 (moved from indicators.TEXT) --
    "logframe.status.met": _m(
        "met",
        "cumplida",
    ),
    "logframe.status.not_met": _m(
        "not met",
        "no cumplida",
    ),
    "logframe.status.not_measurable": _m(
        "not measurable with these data",
        "no medible con estos datos",
    ),
    "logframe.ev.clusters": _m(
        "count: {n} clusters with participating firms ({firms} firms)",
        "conteo: {n} clústeres con empresas participantes ({firms} empresas)",
    ),
    "logframe.ev.women_share": _m(
        "count: {n} of {total} clusters reach {threshold} women-led firms (lowest share {low})",
        "conteo: {n} de {total} clústeres alcanzan {threshold} de empresas lideradas por mujeres (participación mínima {low})",
    ),
    "logframe.ev.effect": _m(
        "effect: {estimate} ({label}), 95% CI {low} to {high}, on {n} participating firms",
        "efecto: {estimate} ({label}), IC 95 % {low} a {high}, sobre {n} empresas participantes",
    ),
    "logframe.achieved.missing": _m(
        "no estimate",
        "sin estimación",
    ),
    "logframe.ev.effect_missing": _m(
        "no causal estimate available in this run",
        "no hay estimación causal disponible en esta ejecución",
    ),
    "logframe.ev.organizations": _m(
        "count: {n} of {total} organizations offer more BDS services in {end} than in {base}",
        "conteo: {n} de {total} organizaciones ofrecen más servicios BDS en {end} que en {base}",
    ),
    "logframe.ev.organizations_years": _m(
        "the organizations table holds no services count for both {base} and {end}",
        "la tabla de organizaciones no tiene el número de servicios para {base} y {end}",
    ),
    "logframe.ev.women_network": _m(
        "count: {end_links} links between women-led firms in {end} ({base_links} in {base}); {firms} women-led firms linked",
        "conteo: {end_links} vínculos entre empresas lideradas por mujeres en {end} ({base_links} en {base}); {firms} empresas lideradas por mujeres vinculadas",
    ),
    "logframe.ev.bds_market": _m(
        "only the supporting organizations are observed: their BDS clients went from {base_clients} ({base}) to {end_clients} ({end}); the market as a whole is not observed",
        "solo se observan las organizaciones de apoyo: sus clientes BDS pasaron de {base_clients} ({base}) a {end_clients} ({end}); el mercado en su conjunto no se observa",
    ),
    "nb08.title": _m(
        "08 Program results framework",
        "08 Marco de resultados del programa",
    ),
    "nb08.intro": _m(
        "Each target of the programme's results framework against what the data show. Counts are descriptive; where a target claims that the programme *caused* a change, only the causal estimate ({estimator}) with its 95% interval is evidence, and the target counts as met only when the interval lies above zero.",
        "Cada meta del marco de resultados del programa frente a lo que muestran los datos. Los conteos son descriptivos; cuando una meta afirma que el programa *causó* un cambio, solo la estimación causal ({estimator}) con su intervalo del 95 % es evidencia, y la meta se da por cumplida solo si el intervalo está por encima de cero.",
    ),
    "nb08.logframe": _m(
        "Logframe targets and achievement",
        "Metas del marco lógico y su logro",
    ),
    "nb08.breakdowns": _m(
        "Participating firms by group",
        "Empresas participantes por grupo",
    ),
    "nb08.breakdowns.text": _m(
        "Cells resting on fewer than {min_cell} firms are withheld (marked s).",
        "Las celdas con menos de {min_cell} empresas se ocultan (marcadas s).",
    ),
    "nb08.gender": _m(
        "The women-led network as a result of its own",
        "La red de empresas lideradas por mujeres como resultado propio",
    ),
    "nb08.gender.participation": _m(
        "Women lead {share_p} of participating SMEs and {share_c} of comparison firms. The lowest share of women-led SMEs in a cluster is {low} against a target of {target} in every cluster ({n} of {total} clusters reach it).",
        "Las mujeres lideran {share_p} de las pymes participantes y {share_c} de las empresas de comparación. La menor participación de pymes lideradas por mujeres en un clúster es {low}, frente a una meta de {target} en cada clúster ({n} de {total} clústeres la alcanzan).",
    ),
    "nb08.gender.effect": _m(
        "Effect on {outcome} for women-led participants: {effect} (95% CI {ci}); difference from other participants (triple differences, CRV1 by {cluster}): {gap} (95% CI {gap_ci}, {p}).",
        "Efecto sobre {outcome} en participantes lideradas por mujeres: {effect} (IC 95 % {ci}); diferencia con las demás participantes (triples diferencias, CRV1 por {cluster}): {gap} (IC 95 % {gap_ci}, {p}).",
    ),
    "nb08.gender.links": _m(
        "Business links: participation changed the number of links of women-led firms by {effect} (95% CI {ci}) and of other firms by {other} (95% CI {other_ci}), baseline {base} to end line {end}.",
        "Vínculos empresariales: la participación cambió el número de vínculos de las empresas lideradas por mujeres en {effect} (IC 95 % {ci}) y de las demás en {other} (IC 95 % {other_ci}), de la línea de base {base} al final {end}.",
    ),
    "nb08.share_table": _m(
        "Women-led share of participating firms per cluster (target {threshold})",
        "Participación de empresas lideradas por mujeres por clúster (meta {threshold})",
    ),
    "nb09.title": _m(
        "09 Inter-firm business network",
        "09 Red empresarial entre firmas",
    ),
    "nb09.intro": _m(
        "Business links between SMEs, year by year: how many, how dense within each cluster, how many cross clusters or countries, and how many involve women-led firms. Firms are never named or labelled.",
        "Vínculos empresariales entre pymes, año por año: cuántos, cuán densos dentro de cada clúster, cuántos cruzan clústeres o países y cuántos involucran empresas lideradas por mujeres. Las empresas nunca se nombran ni se etiquetan.",
    ),
    "nb09.summary": _m(
        "The network by year",
        "La red por año",
    ),
    "nb09.clusters": _m(
        "Clusters at baseline ({base}) and end line ({end})",
        "Clústeres en la línea de base ({base}) y al final ({end})",
    ),
    "nb09.did": _m(
        "Participation raised a firm's number of business links by {effect} (95% CI {ci}, {p}; DiD on degree {base} to {end}, CRV1 by {cluster}, {n_clusters} clusters). This compares the change for participants with the change for comparison firms; it is an effect, unlike the raw growth of the network shown above.",
        "La participación aumentó el número de vínculos empresariales de una empresa en {effect} (IC 95 % {ci}, {p}; DiD en el grado de {base} a {end}, CRV1 por {cluster}, {n_clusters} clústeres). Compara el cambio de las participantes con el de las empresas de comparación; es un efecto, a diferencia del crecimiento bruto de la red mostrado arriba.",
    ),
    "nb09.figures": _m(
        "The network at end line",
        "La red al final",
    ),
    "nb10.title": _m(
        "10 Power, balance and attrition",
        "10 Potencia, balance y atrición",
    ),
    "nb10.power": _m(
        "Minimum detectable effect",
        "Efecto mínimo detectable",
    ),
    "nb10.power.text": _m(
        "With {clusters} clusters of about {per} firms ({share} participants), an intra-cluster correlation of the pre/post contrast of {icc} (from comparison firms) and {pre} pre- and {post} post-periods, the design detects an effect on {outcome} of {mde} with 80% power at the 5% level (formula: Bloom 1995 with the panel contrast variance of Burlig, Preonas & Woerman 2020). Check by simulation: on comparison firms only, half of each stratum made pseudo-participants with the stratum's entry year (analytic MDE of that design {mde_p}), re-randomizing them within strata and adding an effect of {mde_p}, the TWFE test (CRV1) rejects in {sim} of {reps} draws (target 80%); with no effect it rejects in {size} (nominal 5%).",
        "Con {clusters} clústeres de unas {per} empresas ({share} participantes), una correlación intraclúster del contraste antes/después de {icc} (de las empresas de comparación) y {pre} periodos previos y {post} posteriores, el diseño detecta un efecto sobre {outcome} de {mde} con 80 % de potencia al 5 % (fórmula: Bloom 1995 con la varianza del contraste en panel de Burlig, Preonas y Woerman 2020). Verificación por simulación: solo con empresas de comparación, la mitad de cada estrato como pseudo-participantes con el año de entrada del estrato (EMD analítico de ese diseño {mde_p}), re-aleatorizándolas dentro de los estratos y añadiendo un efecto de {mde_p}, la prueba TWFE (CRV1) rechaza en {sim} de {reps} sorteos (meta 80 %); sin efecto rechaza en {size} (nominal 5 %).",
    ),
    "nb10.balance": _m(
        "Balance at baseline: full baseline sample and analysis sample after attrition",
        "Balance en la línea de base: muestra completa y muestra de análisis tras la atrición",
    ),
    "nb10.balance.text": _m(
        "Differences participants minus comparison firms in {year}, within strata, CRV1 by {cluster}. Joint test: full sample F = {f_full} ({p_full}); firms still responding in {end}: F = {f_an} ({p_an}).",
        "Diferencias participantes menos empresas de comparación en {year}, dentro de estratos, CRV1 por {cluster}. Prueba conjunta: muestra completa F = {f_full} ({p_full}); empresas que aún responden en {end}: F = {f_an} ({p_an}).",
    ),
    "nb10.attrition": _m(
        "Attrition",
        "Atrición",
    ),
    "nb10.attrition.text": _m(
        "In {end}, {resp_t} of participants and {resp_c} of comparison firms responded (difference {diff}, {p}; joint test of differential attrition on baseline characteristics {joint}). Lee (2009) bounds on the effect on the {base}-to-{end} change in {outcome} for firms that would respond either way: [{lower}, {upper}], Imbens-Manski 95% interval {im}.",
        "En {end} respondieron {resp_t} de las participantes y {resp_c} de las empresas de comparación (diferencia {diff}, {p}; prueba conjunta de atrición diferencial según características de base {joint}). Cotas de Lee (2009) para el efecto sobre el cambio {base}-{end} de {outcome} en las empresas que responderían en cualquier caso: [{lower}, {upper}], intervalo del 95 % de Imbens-Manski {im}.",
    ),
    "nb10.unbalanced.text": _m(
        "Does attrition move the main estimate? The pre-specified Callaway-Sant'Anna effect on {outcome} uses the {n_bal} firms that answered every year: {est_bal} (95% CI {ci_bal}). The same specification on every observed firm-year ({n_all} firms; each comparison a repeated cross-section, as R did's allow_unbalanced_panel) gives {est_all} (95% CI {ci_all}). Its interval is wider because it does not difference each firm with itself.",
        "¿Mueve la atrición la estimación principal? El efecto preespecificado de Callaway-Sant'Anna sobre {outcome} usa las {n_bal} empresas que respondieron todos los años: {est_bal} (IC 95 % {ci_bal}). La misma especificación con todos los años-empresa observados ({n_all} empresas; cada comparación como cortes transversales repetidos, como allow_unbalanced_panel de R did) da {est_all} (IC 95 % {ci_all}). Su intervalo es más amplio porque no compara cada empresa consigo misma.",
    ),
    "nb10.unbalanced.failed": _m(
        "The Callaway-Sant'Anna effect on every observed firm-year could not be estimated on these data: {reason}",
        "El efecto de Callaway-Sant'Anna con todos los años-empresa observados no pudo estimarse con estos datos: {reason}",
    ),
    "nb10.cs_balanced": _m(
        "Callaway-Sant'Anna, firms observed every year ({firms} firms)",
        "Callaway-Sant'Anna, empresas observadas todos los años ({firms} empresas)",
    ),
    "nb10.cs_all": _m(
        "Callaway-Sant'Anna, every observed firm-year ({firms} firms)",
        "Callaway-Sant'Anna, todos los años-empresa observados ({firms} empresas)",
    ),
    "nb11.title": _m(
        "11 Sensitivity and multiple outcomes",
        "11 Sensibilidad y múltiples resultados",
    ),
    "nb11.honest": _m(
        "Sensitivity to violations of parallel trends (Rambachan & Roth)",
        "Sensibilidad a violaciones de tendencias paralelas (Rambachan y Roth)",
    ),
    "nb11.honest.text": _m(
        "Event study of {outcome} ({estimator}). Robust 95% intervals for the effect in the first year of support: if post-entry violations of parallel trends may be up to Mbar times the largest pre-entry one, the effect stays significant up to Mbar = {rm}; if the slope of the differential trend may change by M per year, up to M = {sd}. The same for the average over the post-entry years: Mbar = {rm_avg}.",
        "Estudio de eventos de {outcome} ({estimator}). Intervalos robustos del 95 % para el efecto en el primer año de apoyo: si las violaciones de tendencias paralelas después de la entrada pueden ser hasta Mbar veces la mayor antes de la entrada, el efecto sigue siendo significativo hasta Mbar = {rm}; si la pendiente de la tendencia diferencial puede cambiar en M por año, hasta M = {sd}. Lo mismo para el promedio de los años posteriores: Mbar = {rm_avg}.",
    ),
    "nb11.multiple": _m(
        "Multiple outcomes and subgroups",
        "Múltiples resultados y subgrupos",
    ),
    "nb11.multiple.text": _m(
        "TWFE effects (CRV1 by {cluster}) for each outcome and subgroup, with Romano-Wolf family-wise adjusted p-values ({reps} cluster-bootstrap draws), Benjamini-Hochberg and Anderson's sharpened q-values over the {k} hypotheses. The standardized index of productivity outcomes (Kling, Liebman & Katz 2007) moves by {index} comparison-group SDs (95% CI {index_ci}).",
        "Efectos TWFE (CRV1 por {cluster}) para cada resultado y subgrupo, con p-valores ajustados por Romano-Wolf ({reps} réplicas bootstrap por clúster), Benjamini-Hochberg y q-valores afinados de Anderson sobre las {k} hipótesis. El índice estandarizado de resultados de productividad (Kling, Liebman y Katz 2007) cambia en {index} desviaciones estándar del grupo de comparación (IC 95 % {index_ci}).",
    ),
    "nb11.ri": _m(
        "Randomization inference at the cluster level",
        "Inferencia por aleatorización a nivel de clúster",
    ),
    "nb11.ri.text": _m(
        "Re-assigning the entry cohorts across the {clusters} strata ({reps} assignments), the TWFE estimate of {estimate} has a randomization p-value of {p} (Monte Carlo SE {se}).",
        "Reasignando las cohortes de entrada entre los {clusters} estratos ({reps} asignaciones), la estimación TWFE de {estimate} tiene un p-valor por aleatorización de {p} (error Monte Carlo {se}).",
    ),
    "logframe.achieved.log": _m(
        "effect of {estimate} on {outcome} (≈ {pct}) across {n} participating firms",
        "efecto de {estimate} en {outcome} (≈ {pct}) en {n} empresas participantes",
    ),
    "logframe.achieved.level": _m(
        "effect of {estimate} on {outcome} across {n} participating firms",
        "efecto de {estimate} en {outcome} en {n} empresas participantes",
    ),
    "logframe.achieved.links": _m(
        "effect of {estimate} business links per firm across {n} participating firms",
        "efecto de {estimate} vínculos empresariales por empresa en {n} empresas participantes",
    ),
    "logframe.ev.descriptive": _m(
        "description, not an effect: {up} of {n} participants observed in {base} and {end} raised {outcome} (comparison firms: {share_c})",
        "descripción, no un efecto: {up} de {n} participantes observadas en {base} y {end} aumentaron {outcome} (empresas de comparación: {share_c})",
    ),
    "logframe.ev.missing": _m(
        "not measurable with these data: {reason}",
        "no medible con estos datos: {reason}",
    ),
    "logframe.ev.unknown_measure": _m(
        "no measure of this name in the code ({measure}); the target is listed, not measured",
        "no hay una medida con este nombre en el código ({measure}); la meta se lista sin medirse",
    ),
    "logframe.definition": _m(
        "Definition",
        "Definición",
    ),
    "nb09.figure.title": _m(
        "Business links, {group}, {year}",
        "Vínculos empresariales, {group}, {year}",
    ),
    "nb09.figure.participants": _m(
        "Participants",
        "Participantes",
    ),
    "nb09.figure.comparison": _m(
        "Comparison firms",
        "Empresas de comparación",
    ),
    "nb09.figure.women_led": _m(
        "women-led",
        "liderada por mujer",
    ),
    "nb09.figure.all": _m(
        "all firms",
        "todas las empresas",
    ),
}

# --- the final report document (reporting/report_builder.py) --------------------------------
MESSAGES.update(
    {
        "doc.title": _m("Final impact evaluation report", "Informe final de evaluación de impacto"),
        "doc.contents": _m("Contents", "Índice"),
        "doc.annex": _m("Annex", "Anexo"),
        "doc.draft": _m("Draft", "Borrador"),
        "doc.page": _m("Page", "Página"),
        "doc.of": _m("of", "de"),
        "doc.language.en": _m("English", "inglés"),
        "doc.language.es": _m("Spanish", "español"),
        "doc.cover.period": _m("Period", "Período"),
        "doc.cover.donor": _m("Donor", "Donante"),
        "doc.cover.implementer": _m("Implementer", "Ejecutor"),
        "doc.cover.date": _m("Date", "Fecha"),
        "doc.cover.version": _m("Version", "Versión"),
        "doc.cover.no_commit": _m("not under version control", "sin control de versiones"),
        "doc.cover.language": _m("Language", "Idioma"),
        "doc.cover.drafts": _m(
            "{n} section(s) carry generated draft text: the evaluators have not written them yet.",
            "{n} sección(es) llevan texto de borrador generado: el equipo evaluador aún no las redactó.",
        ),
        "doc.missing": _m(
            "Not available in this run: {what}.", "No disponible en esta ejecución: {what}."
        ),
        "doc.est.other": _m("Other estimator", "Otro estimador"),
        "doc.summary": _m("Executive summary", "Resumen ejecutivo"),
        "doc.summary.headline": _m(
            "Headline result: on {outcome}, the programme's average effect on participants is "
            "{effect} ({pct}), 95% confidence interval {ci} ({estimator}, pre-specified).",
            "Resultado principal: en {outcome}, el efecto promedio del programa en las "
            "participantes es {effect} ({pct}), intervalo de confianza del 95 % {ci} "
            "({estimator}, preespecificado).",
        ),
        "doc.summary.logframe": _m(
            "Results framework: {met} of {n} targets are met on the evidence of this evaluation.",
            "Marco de resultados: {met} de {n} metas se cumplen según la evidencia de esta evaluación.",
        ),
        "doc.summary.limitations": _m(
            "The main limitations are non-random selection into the programme, attrition and "
            "possible spillovers to comparison firms (section Limitations).",
            "Las principales limitaciones son la selección no aleatoria al programa, el desgaste "
            "de la muestra y posibles efectos indirectos en las empresas de comparación "
            "(sección Limitaciones).",
        ),
        "doc.programme": _m(
            "The programme and its results framework", "El programa y su marco de resultados"
        ),
        "doc.programme.logframe_ref": _m(
            "Targets, baseline values and what was achieved are in ",
            "Las metas, los valores de línea de base y lo logrado están en el ",
        ),
        "doc.programme.logframe": _m(
            "Results framework: targets and achievements", "Marco de resultados: metas y logros"
        ),
        "doc.note.logframe": _m(
            "Counts are descriptive; an indicator that claims a change caused by the programme is "
            "shown with its causal estimate and interval.",
            "Los conteos son descriptivos; un indicador que afirma un cambio causado por el "
            "programa se muestra con su estimación causal y su intervalo.",
        ),
        "doc.questions": _m("Evaluation questions and design", "Preguntas de evaluación y diseño"),
        "doc.questions.intro": _m(
            "The questions this evaluation answers, with the OECD-DAC criterion each serves, are "
            "listed in ",
            "Las preguntas que responde esta evaluación, con el criterio CAD-OCDE al que sirve "
            "cada una, figuran en el ",
        ),
        "doc.questions.table": _m("Evaluation questions", "Preguntas de evaluación"),
        "doc.question.generic": _m(
            "{outcome}: what was the programme's effect on participating firms?",
            "{outcome}: ¿qué efecto tuvo el programa en las empresas participantes?",
        ),
        "doc.col.question": _m("Question", "Pregunta"),
        "doc.col.criterion": _m("OECD-DAC criterion", "Criterio CAD-OCDE"),
        "doc.col.outcomes": _m("Outcomes", "Resultados"),
        "doc.col.std_diff": _m("Normalized difference", "Diferencia normalizada"),
        "doc.col.item": _m("Item", "Elemento"),
        "doc.col.term": _m("Term", "Término"),
        "doc.col.meaning": _m("Meaning", "Significado"),
        "doc.note.dac": _m(
            "Criteria of the OECD Development Assistance Committee (2019).",
            "Criterios del Comité de Ayuda al Desarrollo de la OCDE (2019).",
        ),
        "doc.dac.relevance": _m("Relevance", "Pertinencia"),
        "doc.dac.coherence": _m("Coherence", "Coherencia"),
        "doc.dac.effectiveness": _m("Effectiveness", "Eficacia"),
        "doc.dac.efficiency": _m("Efficiency", "Eficiencia"),
        "doc.dac.impact": _m("Impact", "Impacto"),
        "doc.dac.sustainability": _m("Sustainability", "Sostenibilidad"),
        "doc.design": _m("Design", "Diseño"),
        "doc.design.text": _m(
            "Firms joined the programme in different years. The evaluation compares the change in "
            "each outcome of participating firms after they joined with the change over the same "
            "years among firms not yet or never supported (staggered difference-in-differences).",
            "Las empresas se incorporaron al programa en distintos años. La evaluación compara el "
            "cambio de cada resultado de las empresas participantes tras su incorporación con el "
            "cambio en los mismos años entre empresas aún no apoyadas o nunca apoyadas "
            "(diferencias en diferencias escalonadas).",
        ),
        "doc.data": _m("Data and sample", "Datos y muestra"),
        "doc.data.sample": _m(
            "The sample holds {n_participants} participating firms and {n_comparison} comparison firms.",
            "La muestra incluye {n_participants} empresas participantes y {n_comparison} empresas de comparación.",
        ),
        "doc.data.attrition": _m(
            "Differential response: participation changed the chance of answering the survey by "
            "{effect}, 95% interval {ci}.",
            "Respuesta diferencial: la participación cambió la probabilidad de responder la "
            "encuesta en {effect}, intervalo del 95 % {ci}.",
        ),
        "doc.data.exclusions": _m(
            "Firms and years excluded, with their reasons, are listed on the data-quality page of the run.",
            "Las empresas y años excluidos, con sus motivos, figuran en la página de calidad de datos de la ejecución.",
        ),
        "doc.methods": _m("Methods", "Métodos"),
        "doc.methods.att": _m(
            "The building block is the average effect on firms that joined in year g, measured in year t, ",
            "El componente básico es el efecto promedio en las empresas que se incorporaron en el año g, medido en el año t, ",
        ),
        "doc.methods.aggregate": _m(
            "and the overall effect averages these cells with weights proportional to group size, ",
            "y el efecto global promedia esas celdas con pesos proporcionales al tamaño de cada grupo, ",
        ),
        "doc.methods.att_where": _m(
            "Y is the outcome, G the year a firm joined, C = 1 for comparison firms (Callaway and Sant'Anna, 2021).",
            "Y es el resultado, G el año de incorporación de la empresa, C = 1 para las empresas de comparación (Callaway y Sant'Anna, 2021).",
        ),
        "doc.methods.theta_where": _m(
            "The weights w are the shares of participating firm-years in each cell.",
            "Los pesos w son las proporciones de años-empresa participantes en cada celda.",
        ),
        "doc.methods.twfe_where": _m(
            "The two-way fixed effects comparison: firm effects, year effects and the participation indicator D.",
            "La comparación de efectos fijos bidireccionales: efectos de empresa, de año y el indicador de participación D.",
        ),
        "doc.methods.assumptions": _m(
            "Identifying assumptions: without the programme, participants' outcomes would have "
            "moved in parallel with those of comparison firms with the same covariates, and firms "
            "did not change their behaviour before joining.",
            "Supuestos de identificación: sin el programa, los resultados de las participantes "
            "habrían evolucionado en paralelo con los de las empresas de comparación con las mismas "
            "covariables, y las empresas no cambiaron su comportamiento antes de incorporarse.",
        ),
        "doc.methods.inference": _m(
            "Standard errors allow for correlation within the {n_clusters} clusters of the "
            "design; with few clusters the wild cluster bootstrap confirms the intervals.",
            "Los errores estándar admiten correlación dentro de los {n_clusters} conglomerados del "
            "diseño; con pocos conglomerados el bootstrap salvaje por conglomerados confirma los intervalos.",
        ),
        "doc.methods.primary": _m(
            "Primary analysis (pre-specified): {outcome} with the {estimator} estimator; every "
            "other outcome and estimator is secondary.",
            "Análisis principal (preespecificado): {outcome} con el estimador {estimator}; todo otro "
            "resultado y estimador es secundario.",
        ),
        "doc.findings": _m("Findings", "Hallazgos"),
        "doc.finding.none": _m(
            "Not available in this run: the estimate for {outcome}.",
            "No disponible en esta ejecución: la estimación para {outcome}.",
        ),
        "doc.finding.significant": _m(
            "{outcome}: effect {effect} ({pct}), 95% interval {ci}, which excludes zero.",
            "{outcome}: efecto {effect} ({pct}), intervalo del 95 % {ci}, que excluye el cero.",
        ),
        "doc.finding.not_significant": _m(
            "{outcome}: effect {effect} ({pct}), 95% interval {ci}, which includes zero: no "
            "effect can be claimed.",
            "{outcome}: efecto {effect} ({pct}), intervalo del 95 % {ci}, que incluye el cero: no "
            "puede afirmarse un efecto.",
        ),
        "doc.finding.table": _m("Estimated effects: {question}", "Efectos estimados: {question}"),
        "doc.note.effects": _m(
            "Average effect on participants, {estimator}; log outcomes read as approximate "
            "proportional changes (percentage in brackets in the text).",
            "Efecto promedio en las participantes, {estimator}; los resultados en logaritmos se "
            "leen como cambios proporcionales aproximados (porcentaje entre paréntesis en el texto).",
        ),
        "doc.robustness": _m("Robustness", "Robustez"),
        "doc.robustness.intro": _m(
            "The primary effect under every estimator the run recorded is compared in ",
            "El efecto principal con cada estimador registrado en la ejecución se compara en la ",
        ),
        "doc.robustness.figure": _m(
            "Primary effect by estimator, with 95% intervals",
            "Efecto principal por estimador, con intervalos del 95 %",
        ),
        "doc.robustness.table": _m("Primary effect by estimator", "Efecto principal por estimador"),
        "doc.note.forest": _m(
            "Points: estimates; bars: 95% intervals; dashed line: true effect (simulated data only).",
            "Puntos: estimaciones; barras: intervalos del 95 %; línea discontinua: efecto verdadero (solo datos simulados).",
        ),
        "doc.note.robustness": _m(
            "Each estimator's own inference (clustered standard errors or influence function).",
            "Inferencia propia de cada estimador (errores agrupados o función de influencia).",
        ),
        "doc.robustness.pretrends": _m(
            "Pre-trends: the joint test of no effect before joining gives p-value {p}.",
            "Tendencias previas: la prueba conjunta de ausencia de efecto antes de la incorporación da un valor p de {p}.",
        ),
        "doc.robustness.value": _m("{what}: {value}.", "{what}: {value}."),
        "doc.limitations": _m("Limitations", "Limitaciones"),
        "doc.conclusions": _m("Conclusions and recommendations", "Conclusiones y recomendaciones"),
        "doc.conclusions.text": _m(
            "Conclusions and recommendations are the evaluators' to write; the findings above are "
            "the evidence they rest on.",
            "Las conclusiones y recomendaciones corresponden al equipo evaluador; los hallazgos "
            "anteriores son la evidencia en que se apoyan.",
        ),
        "doc.annex.estimates": _m(
            "All recorded overall estimates", "Todas las estimaciones globales registradas"
        ),
        "doc.note.annex_estimates": _m(
            "Every overall effect the run recorded, by outcome and estimator.",
            "Todos los efectos globales registrados en la ejecución, por resultado y estimador.",
        ),
        "doc.annex.balance": _m("Baseline balance", "Balance en la línea de base"),
        "doc.note.balance": _m(
            "Means at baseline; normalized difference: difference in means over the pooled standard deviation.",
            "Medias en la línea de base; diferencia normalizada: diferencia de medias sobre la desviación estándar combinada.",
        ),
        "doc.annex.quality": _m("Data quality", "Calidad de los datos"),
        "doc.quality.text": _m(
            "Validation of the raw data: {errors} errors and {warnings} warnings.",
            "Validación de los datos brutos: {errors} errores y {warnings} advertencias.",
        ),
        "doc.annex.truth": _m(
            "Estimates against the true effect (simulated data)",
            "Estimaciones frente al efecto verdadero (datos simulados)",
        ),
        "doc.truth.text": _m(
            "The data are simulated: each estimate is compared with the true value of its estimand in ",
            "Los datos son simulados: cada estimación se compara con el valor verdadero de su estimando en el ",
        ),
        "doc.annex.provenance": _m("Provenance", "Procedencia"),
        "doc.prov.commit": _m("Code version (commit)", "Versión del código (commit)"),
        "doc.prov.seed": _m("Random seed", "Semilla aleatoria"),
        "doc.prov.jobs": _m("Analysis pages that succeeded", "Páginas de análisis exitosas"),
        "doc.note.provenance": _m(
            "Data files with the first characters of their SHA-256 hash, then software versions.",
            "Archivos de datos con los primeros caracteres de su hash SHA-256, luego versiones del software.",
        ),
        "doc.annex.glossary": _m("Glossary", "Glosario"),
        "doc.gloss.att": _m(
            "Average effect on participants", "Efecto promedio en las participantes"
        ),
        "doc.gloss.att.text": _m(
            "How much the outcome of participating firms changed because of the programme, on average.",
            "Cuánto cambió, en promedio, el resultado de las empresas participantes a causa del programa.",
        ),
        "doc.gloss.ci": _m("95% confidence interval", "Intervalo de confianza del 95 %"),
        "doc.gloss.ci.text": _m(
            "The range of effects compatible with the data; if it includes zero, no effect can be claimed.",
            "El rango de efectos compatibles con los datos; si incluye el cero, no puede afirmarse un efecto.",
        ),
        "doc.gloss.cluster": _m("Cluster", "Conglomerado"),
        "doc.gloss.cluster.text": _m(
            "A group of firms whose outcomes may move together; inference allows for it.",
            "Un grupo de empresas cuyos resultados pueden moverse juntos; la inferencia lo admite.",
        ),
        "doc.gloss.parallel": _m("Parallel trends", "Tendencias paralelas"),
        "doc.gloss.parallel.text": _m(
            "Without the programme, participants and comparison firms would have changed alike.",
            "Sin el programa, participantes y empresas de comparación habrían cambiado por igual.",
        ),
        "doc.gloss.wild": _m("Wild cluster bootstrap", "Bootstrap salvaje por conglomerados"),
        "doc.gloss.wild.text": _m(
            "A resampling method that keeps intervals honest when clusters are few.",
            "Un método de remuestreo que mantiene honestos los intervalos cuando hay pocos conglomerados.",
        ),
        "doc.gloss.pretrend": _m("Pre-trends test", "Prueba de tendencias previas"),
        "doc.gloss.pretrend.text": _m(
            "Checks that participants did not already differ in their trend before joining.",
            "Comprueba que las participantes no diferían ya en su tendencia antes de incorporarse.",
        ),
        "doc.what.primary": _m("the primary estimate", "la estimación principal"),
        "doc.what.logframe": _m("the results framework table", "el cuadro del marco de resultados"),
        "doc.what.sample": _m(
            "the sample counts (the descriptives page did not run)",
            "los conteos de la muestra (la página descriptiva no se ejecutó)",
        ),
        "doc.what.attrition": _m(
            "the differential response estimate", "la estimación de respuesta diferencial"
        ),
        "doc.what.clusters": _m("the number of clusters", "el número de conglomerados"),
        "doc.what.robustness": _m(
            "estimates under other estimators", "estimaciones con otros estimadores"
        ),
        "doc.what.pretrends": _m("the pre-trends test", "la prueba de tendencias previas"),
        "doc.what.sensitivity": _m(
            "Rambachan-Roth sensitivity (breakdown value)",
            "sensibilidad de Rambachan-Roth (valor de quiebre)",
        ),
        "doc.what.randomization": _m(
            "randomization inference p-value", "valor p de inferencia por aleatorización"
        ),
        "doc.what.qvalues": _m("multiple-testing q-values", "valores q de pruebas múltiples"),
        "doc.what.estimates": _m("the estimates table", "el cuadro de estimaciones"),
        "doc.what.balance": _m(
            "the baseline balance table", "el cuadro de balance en la línea de base"
        ),
        "doc.what.quality": _m("the validation counts", "los conteos de validación"),
        "doc.what.provenance": _m("the run manifest", "el manifiesto de la ejecución"),
    }
)

MESSAGES.update(
    {
        "doc.unit.log": _m("about {pct}", "cerca de {pct}"),
        "doc.unit.points": _m("{points} percentage points", "{points} puntos porcentuales"),
        "doc.unit.level": _m("in the outcome's own units", "en las unidades del resultado"),
    }
)

# final report document: robustness (Rambachan-Roth, randomization inference, multiple
# testing), table notes from the recorded specification, sample flow, truth per estimand
MESSAGES.update(
    {
        "doc.rr.target.first": _m(
            "Effect in the first year after joining",
            "Efecto en el primer año tras la incorporación",
        ),
        "doc.rr.target.average": _m(
            "Average effect over the years after joining",
            "Efecto promedio en los años tras la incorporación",
        ),
        "doc.rr.restriction.rm": _m("Relative magnitudes (M̄)", "Magnitudes relativas (M̄)"),
        "doc.rr.restriction.sd": _m("Smoothness (M)", "Suavidad (M)"),
        "doc.rr.table": _m(
            "Sensitivity to violations of parallel trends (Rambachan–Roth)",
            "Sensibilidad a violaciones de tendencias paralelas (Rambachan–Roth)",
        ),
        "doc.rr.col.target": _m("Effect", "Efecto"),
        "doc.rr.col.restriction": _m("Restriction", "Restricción"),
        "doc.rr.col.original": _m(
            "95% interval, parallel trends", "Intervalo del 95 %, tendencias paralelas"
        ),
        "doc.rr.col.breakdown": _m("Breakdown value", "Valor de quiebre"),
        "doc.rr.col.at_one": _m(
            "Robust 95% interval at M̄ = 1", "Intervalo robusto del 95 % con M̄ = 1"
        ),
        "doc.note.sensitivity": _m(
            "Breakdown value: the largest violation of parallel trends after joining (M̄: as a multiple of the largest violation before joining; M: change in slope per year) under which the robust 95% interval still excludes zero.",
            "Valor de quiebre: la mayor violación de tendencias paralelas tras la incorporación (M̄: como múltiplo de la mayor violación antes de la incorporación; M: cambio de pendiente por año) con la que el intervalo robusto del 95 % aún excluye el cero.",
        ),
        "doc.rr.finding": _m(
            "Rambachan–Roth sensitivity: {parts}.", "Sensibilidad de Rambachan–Roth: {parts}."
        ),
        "doc.rr.finding.first": _m(
            "the effect in the first year after joining stays distinguishable from zero for violations of parallel trends up to {mbar} times the largest one before joining",
            "el efecto en el primer año tras la incorporación sigue siendo distinto de cero con violaciones de tendencias paralelas de hasta {mbar} veces la mayor observada antes de la incorporación",
        ),
        "doc.rr.finding.average": _m(
            "the average effect after joining, up to {mbar} times",
            "el efecto promedio tras la incorporación, hasta {mbar} veces",
        ),
        "doc.rr.finding.smooth": _m(
            "under smoothness, up to a change in slope of {m} per year",
            "con suavidad, hasta un cambio de pendiente de {m} por año",
        ),
        "doc.rr.finding.none": _m(
            "Rambachan–Roth sensitivity: the run recorded no breakdown value.",
            "Sensibilidad de Rambachan–Roth: la ejecución no registró valor de quiebre.",
        ),
        "doc.rr.finding.robust": _m(
            "The conclusion survives violations as large as those seen before joining.",
            "La conclusión resiste violaciones tan grandes como las observadas antes de la incorporación.",
        ),
        "doc.rr.finding.fragile": _m(
            "The conclusion does not survive violations as large as those seen before joining; read it with caution.",
            "La conclusión no resiste violaciones tan grandes como las observadas antes de la incorporación; debe leerse con cautela.",
        ),
        "doc.rr.axis": _m(
            "M̄ (post-period violation relative to the largest pre-period one)",
            "M̄ (violación posterior relativa a la mayor previa)",
        ),
        "doc.rr.figure": _m(
            "Robust 95% intervals by size of the violation of parallel trends",
            "Intervalos robustos del 95 % según el tamaño de la violación de tendencias paralelas",
        ),
        "doc.note.rr_figure": _m(
            "Points: estimates; bars: robust 95% intervals (conditional least-favourable hybrid); M̄ = 0 imposes parallel trends.",
            "Puntos: estimaciones; barras: intervalos robustos del 95 % (híbrido condicional menos favorable); M̄ = 0 impone tendencias paralelas.",
        ),
        "doc.ri.value_only": _m(
            "Randomization inference: p-value {p}.",
            "Inferencia por aleatorización: valor p de {p}.",
        ),
        "doc.ri.finding": _m(
            "Randomization inference: re-assigning the joining years across clusters {draws} times, an effect as large as the observed {estimate} is rare (p-value {p}), so the effect is unlikely to be an artefact of which clusters joined when.",
            "Inferencia por aleatorización: al reasignar los años de incorporación entre conglomerados {draws} veces, un efecto tan grande como el observado de {estimate} es poco frecuente (valor p de {p}), por lo que es improbable que el efecto se deba a qué conglomerados se incorporaron y cuándo.",
        ),
        "doc.ri.finding_not": _m(
            "Randomization inference: re-assigning the joining years across clusters {draws} times, effects as large as the observed {estimate} are not rare (p-value {p}); the effect cannot be told apart from the timing of the clusters.",
            "Inferencia por aleatorización: al reasignar los años de incorporación entre conglomerados {draws} veces, efectos tan grandes como el observado de {estimate} no son raros (valor p de {p}); el efecto no puede distinguirse del calendario de los conglomerados.",
        ),
        "doc.ri.table": _m("Randomization inference", "Inferencia por aleatorización"),
        "doc.ri.col.draws": _m("Re-assignments", "Reasignaciones"),
        "doc.ri.col.mc_se": _m(
            "Monte Carlo error of the p-value", "Error de Monte Carlo del valor p"
        ),
        "doc.ri.col.exact": _m("Every assignment", "Todas las asignaciones"),
        "doc.note.ri": _m(
            "The p-value is the share of re-assignments whose effect is at least as large in absolute value as the observed one.",
            "El valor p es la proporción de reasignaciones cuyo efecto es al menos tan grande en valor absoluto como el observado.",
        ),
        "doc.mt.finding": _m(
            "Multiple testing: of {k} effects by outcome and subgroup, {rw} remain significant at 5% after the Romano–Wolf family-wise adjustment.",
            "Pruebas múltiples: de {k} efectos por resultado y subgrupo, {rw} siguen siendo significativos al 5 % tras el ajuste de Romano–Wolf por familia.",
        ),
        "doc.mt.finding_q": _m(
            "{q} have a Benjamini–Hochberg q-value below 0.05.",
            "{q} tienen un valor q de Benjamini–Hochberg inferior a 0,05.",
        ),
        "doc.mt.col.subgroup": _m("Subgroup", "Subgrupo"),
        "doc.mt.col.rw": _m("Romano–Wolf p-value", "Valor p de Romano–Wolf"),
        "doc.mt.col.q_bh": _m("q-value (Benjamini–Hochberg)", "Valor q (Benjamini–Hochberg)"),
        "doc.mt.col.q_sharp": _m("Sharpened q-value", "Valor q agudizado"),
        "doc.mt.table": _m(
            "Effects adjusted for multiple testing", "Efectos ajustados por pruebas múltiples"
        ),
        "doc.note.mt": _m(
            "Two-way fixed-effects estimates; Romano–Wolf step-down p-values from {reps} bootstrap replications control the family-wise error rate; q-values control the false discovery rate.",
            "Estimaciones de efectos fijos bidireccionales; los valores p escalonados de Romano–Wolf, con {reps} réplicas bootstrap, controlan la tasa de error por familia; los valores q controlan la tasa de falsos descubrimientos.",
        ),
        "doc.note.sample": _m("Sample: {sample}.", "Muestra: {sample}."),
        "doc.see": _m("See ", "Ver "),
        "doc.note.cluster_n": _m(
            "Standard errors clustered ({n} clusters).",
            "Errores estándar agrupados ({n} conglomerados).",
        ),
        "doc.truth.col.estimand": _m("True value of", "Valor verdadero de"),
        "doc.truth.col.covers": _m("Interval covers the truth", "El intervalo cubre la verdad"),
        "doc.truth.estimand.simple": _m(
            "cohort-size-weighted mean of ATT(g, t)",
            "media de ATT(g, t) ponderada por tamaño de cohorte",
        ),
        "doc.truth.estimand.firm_years": _m(
            "mean over treated firm-years", "media sobre observaciones empresa-año tratadas"
        ),
        "doc.truth.estimand.firm_years_no_sizes": _m(
            "mean over treated firm-years (cohort sizes not recorded)",
            "media sobre observaciones empresa-año tratadas (tamaños de cohorte no registrados)",
        ),
        "doc.truth.estimand.twfe": _m(
            "mean over treated firm-years (reference only)",
            "media sobre observaciones empresa-año tratadas (solo referencia)",
        ),
        "doc.truth.estimand.recorded": _m("overall true effect", "efecto verdadero total"),
        "doc.note.truth": _m(
            "Each estimate is set beside the true value of its own estimand: Callaway–Sant'Anna's simple aggregation weights the true ATT(g, t) after joining by cohort size among the firms it uses (as R did does); Sun–Abraham and imputation average over treated firm-years; two-way fixed effects has no such average under heterogeneous effects, so its row is a reference. Error: estimate minus truth.",
            "Cada estimación se compara con el valor verdadero de su propio estimando: la agregación simple de Callaway–Sant'Anna pondera los ATT(g, t) verdaderos tras la incorporación por el tamaño de cohorte entre las empresas que usa (como R did); Sun–Abraham e imputación promedian sobre las observaciones empresa-año tratadas; los efectos fijos bidireccionales no tienen tal promedio con efectos heterogéneos, por lo que su fila es una referencia. Error: estimación menos verdad.",
        ),
        "doc.what.truth_estimates": _m(
            "estimates to compare with the true effects",
            "estimaciones para comparar con los efectos verdaderos",
        ),
        "doc.flow.panel": _m(
            "Panel: {firms} firms ({participants} participants, {comparison} comparison firms), {firm_years} firm-years.",
            "Panel: {firms} empresas ({participants} participantes, {comparison} de comparación), {firm_years} observaciones empresa-año.",
        ),
        "doc.flow.response": _m(
            "Response: the share of firms answering the survey each year, by group, is in the table below.",
            "Respuesta: la proporción de empresas que respondieron la encuesta cada año, por grupo, figura en el cuadro siguiente.",
        ),
        "doc.flow.no_response": _m(
            "Response: the data hold no response indicator, so every firm-year counts as observed.",
            "Respuesta: los datos no incluyen un indicador de respuesta, por lo que cada observación empresa-año cuenta como observada.",
        ),
        "doc.flow.excluded": _m(
            "Exclusions: {always} firms supported from the first year on are left out (no year before support to compare with); {covariates} firms missing a covariate value leave the covariate-adjusted specifications.",
            "Exclusiones: {always} empresas apoyadas desde el primer año quedan fuera (sin año previo al apoyo con que comparar); {covariates} empresas sin valor en alguna covariable salen de las especificaciones ajustadas por covariables.",
        ),
        "doc.flow.analysis": _m(
            "Analysis sample for {outcome}: {participants} participants and {comparison} comparison firms, {firm_years} responding firm-years with the outcome observed.",
            "Muestra de análisis para {outcome}: {participants} participantes y {comparison} empresas de comparación, {firm_years} observaciones empresa-año con respuesta y el resultado observado.",
        ),
        "doc.flow.table": _m(
            "Firms and response rate by year", "Empresas y tasa de respuesta por año"
        ),
        "doc.flow.col.rate_p": _m(
            "Response rate, participants", "Tasa de respuesta, participantes"
        ),
        "doc.flow.col.rate_c": _m("Response rate, comparison", "Tasa de respuesta, comparación"),
        "doc.note.response": _m(
            "Firms in the panel each year and the share of them that answered; cells below the minimum cell size are suppressed.",
            "Empresas del panel cada año y proporción de ellas que respondió; las celdas por debajo del tamaño mínimo se suprimen.",
        ),
        "doc.what.analysis_sample": _m("the analysis sample", "la muestra de análisis"),
        "doc.note.cluster": _m(
            "Standard errors clustered by {cluster} ({n} clusters).",
            "Errores estándar agrupados por {cluster} ({n} conglomerados).",
        ),
        "doc.note.cluster_only": _m(
            "Standard errors clustered by {cluster}.", "Errores estándar agrupados por {cluster}."
        ),
        "doc.note.covariates": _m("Covariates: {covariates}.", "Covariables: {covariates}."),
        "doc.note.control": _m("Comparison group: {control}.", "Grupo de comparación: {control}."),
        "doc.control.not_yet_treated": _m("firms not yet supported", "empresas aún no apoyadas"),
        "doc.control.never_treated": _m("firms never supported", "empresas nunca apoyadas"),
        "doc.note.significance": _m(
            "95% intervals; two-sided p-values; an effect is called significant when its interval excludes zero (p < 0.05).",
            "Intervalos del 95 %; valores p bilaterales; un efecto se considera significativo cuando su intervalo excluye el cero (p < 0,05).",
        ),
    }
)


# --- page 16 and the report's reading of it (issue 12) --------------------------------------
MESSAGES.update(
    {
        "nb16.title": _m("16 Pre-specified effects", "16 Efectos preespecificados"),
        "nb16.intro": _m(
            "The pre-specified estimator ({estimator}) on the primary and secondary outcomes and on women-led and other firms separately: the numbers the final report states, estimated once here.",
            "El estimador preespecificado ({estimator}) sobre los resultados primario y secundarios y, por separado, sobre las empresas lideradas por mujeres y las demás: las cifras que cita el informe final, estimadas una sola vez aquí.",
        ),
        "final.recorded.missing": _m(
            "Not available: the run recorded no pre-specified estimate for {outcome}. Run the pre-specified effects page (notebook 16) in the same run to enable it.",
            "No disponible: la ejecución no registró una estimación preespecificada para {outcome}. Ejecute la página de efectos preespecificados (cuaderno 16) en la misma ejecución para habilitarla.",
        ),
        "final.truth.own_estimand": _m(
            "Each estimate is set beside the true value of its own estimand, computed from the simulation's true effects of the same sample with the estimator's weights (for Callaway–Sant'Anna's simple aggregation: each cohort's true effects weighted by its size among the firms the estimate used).",
            "Cada estimación se compara con el valor verdadero de su propio estimando, calculado con los efectos verdaderos de la simulación en la misma muestra y los pesos del estimador (para la agregación simple de Callaway–Sant'Anna: los efectos verdaderos de cada cohorte ponderados por su tamaño entre las empresas que usa la estimación).",
        ),
        "final.recorded.missing_secondary": _m(
            "{outcome}: no pre-specified estimate recorded in this run.",
            "{outcome}: no se registró una estimación preespecificada en esta ejecución.",
        ),
    }
)

# --- the report document: issue 14's analyses (reporting/report_topics.py) ------------------
MESSAGES.update(
    {
        "doc.topic.unbounded": _m("unbounded interval", "intervalo no acotado"),
        # total factor productivity
        "doc.tfp": _m("Total factor productivity", "Productividad total de los factores"),
        "doc.tfp.what": _m(
            "total factor productivity, which needs production-function estimates (capital and intermediate inputs in the panel, the productivity page in the run)",
            "la productividad total de los factores, que requiere estimar la función de producción (capital e insumos intermedios en el panel, la página de productividad en la ejecución)",
        ),
        "doc.tfp.finding": _m(
            "Participation raised total factor productivity by {effect} log points (about {pct}), 95% interval {ci}, which excludes zero.",
            "La participación elevó la productividad total de los factores en {effect} puntos logarítmicos (cerca de {pct}), intervalo del 95 % {ci}, que excluye el cero.",
        ),
        "doc.tfp.finding_not": _m(
            "The estimated effect on total factor productivity is {effect} log points (about {pct}), 95% interval {ci}, which includes zero: no effect can be claimed.",
            "El efecto estimado sobre la productividad total de los factores es de {effect} puntos logarítmicos (cerca de {pct}), intervalo del 95 % {ci}, que incluye el cero: no puede afirmarse un efecto.",
        ),
        "doc.tfp.no_effect": _m(
            "The production function was estimated, but the run recorded no effect on total factor productivity.",
            "Se estimó la función de producción, pero la ejecución no registró un efecto sobre la productividad total de los factores.",
        ),
        "doc.tfp.methods": _m(
            "Input elasticities by {methods}.", "Elasticidades de los insumos según {methods}."
        ),
        "doc.tfp.method.production_acf": _m("Ackerberg-Caves-Frazer", "Ackerberg-Caves-Frazer"),
        "doc.tfp.method.production_op": _m("Olley-Pakes", "Olley-Pakes"),
        "doc.tfp.method.production_lp": _m("Levinsohn-Petrin", "Levinsohn-Petrin"),
        "doc.tfp.axis": _m("Output elasticity", "Elasticidad del producto"),
        "doc.tfp.figure": _m(
            "Production function: input elasticities by estimator",
            "Función de producción: elasticidades de los insumos por estimador",
        ),
        "doc.tfp.note": _m(
            "Points: estimated elasticities; bars: 95% intervals. Total factor productivity is the part of output the inputs do not explain.",
            "Puntos: elasticidades estimadas; barras: intervalos del 95 %. La productividad total de los factores es la parte del producto que los insumos no explican.",
        ),
        # dose-response
        "doc.dose": _m("Dose-response", "Dosis-respuesta"),
        "doc.dose.what": _m(
            "the dose-response curve, which needs a recorded intensity of support per firm (the dose) and the dose-response page in the run",
            "la curva dosis-respuesta, que requiere una intensidad de apoyo registrada por empresa (la dosis) y la página de dosis-respuesta en la ejecución",
        ),
        "doc.dose.att": _m(
            "Averaged over the doses received, the effect is {effect} (95% interval {ci}).",
            "Promediado sobre las dosis recibidas, el efecto es {effect} (intervalo del 95 % {ci}).",
        ),
        "doc.dose.rises": _m(
            "Each additional unit of dose raises the effect by {acrt} on average (95% interval {ci}): more support, larger gains.",
            "Cada unidad adicional de dosis eleva el efecto en {acrt} en promedio (intervalo del 95 % {ci}): más apoyo, mayores ganancias.",
        ),
        "doc.dose.falls": _m(
            "Each additional unit of dose lowers the effect by {acrt} on average (95% interval {ci}): gains do not grow with support.",
            "Cada unidad adicional de dosis reduce el efecto en {acrt} en promedio (intervalo del 95 % {ci}): las ganancias no crecen con el apoyo.",
        ),
        "doc.dose.flat": _m(
            "The average response to an additional unit of dose is {acrt} (95% interval {ci}), which includes zero: the data show no clear gradient.",
            "La respuesta media a una unidad adicional de dosis es {acrt} (intervalo del 95 % {ci}), que incluye el cero: los datos no muestran un gradiente claro.",
        ),
        "doc.dose.curve_only": _m(
            "The effect by dose is shown below.", "El efecto según la dosis se muestra abajo."
        ),
        "doc.dose.curve": _m("Effect at each dose", "Efecto en cada dosis"),
        "doc.dose.bins": _m("Effect by dose group", "Efecto por grupo de dosis"),
        "doc.dose.axis": _m("Dose (intensity of support)", "Dosis (intensidad del apoyo)"),
        "doc.dose.axis_effect": _m("Effect", "Efecto"),
        "doc.dose.figure": _m(
            "Effect by intensity of support", "Efecto según la intensidad del apoyo"
        ),
        "doc.dose.note": _m(
            "Line: effect at each dose with its 95% band; points: dose groups with 95% intervals. The slope is causal only under strong parallel trends.",
            "Línea: efecto en cada dosis con su banda del 95 %; puntos: grupos de dosis con intervalos del 95 %. La pendiente es causal solo bajo tendencias paralelas fuertes.",
        ),
        # spillovers
        "doc.spill": _m("Spillovers to linked firms", "Efectos indirectos en empresas vinculadas"),
        "doc.spill.what": _m(
            "spillovers, which need the business links between firms (a links table) and the network page in the run",
            "los efectos indirectos, que requieren los vínculos empresariales entre firmas (una tabla de vínculos) y la página de red en la ejecución",
        ),
        "doc.spill.found": _m(
            "Firms linked to participants changed by {effect} (95% interval {ci}): the programme reached beyond the firms it supported, and comparisons with linked firms understate its effect.",
            "Las empresas vinculadas a participantes cambiaron en {effect} (intervalo del 95 % {ci}): el programa llegó más allá de las empresas apoyadas y las comparaciones con empresas vinculadas subestiman su efecto.",
        ),
        "doc.spill.none": _m(
            "No spillover to linked firms can be claimed: the exposure effect is {effect} (95% interval {ci}), which includes zero.",
            "No puede afirmarse un efecto indirecto en las empresas vinculadas: el efecto de exposición es {effect} (intervalo del 95 % {ci}), que incluye el cero.",
        ),
        "doc.spill.direct": _m(
            "The direct effect on participants is {effect} (95% interval {ci}).",
            "El efecto directo en las participantes es {effect} (intervalo del 95 % {ci}).",
        ),
        "doc.spill.placebo_fails": _m(
            "Caution: the placebo (exposure before support began) also differs from zero.",
            "Precaución: el placebo (exposición antes del apoyo) también difiere de cero.",
        ),
        "doc.spill.term.direct_effect": _m("Direct effect", "Efecto directo"),
        "doc.spill.term.exposure_effect": _m(
            "Exposure (spillover)", "Exposición (efecto indirecto)"
        ),
        "doc.spill.term.placebo_exposure": _m("Placebo exposure", "Exposición placebo"),
        "doc.spill.figure": _m("Direct and spillover effects", "Efectos directos e indirectos"),
        "doc.spill.note": _m(
            "Points: estimates; bars: 95% intervals. Exposure: share of a firm's baseline partners that were supported.",
            "Puntos: estimaciones; barras: intervalos del 95 %. Exposición: proporción de los socios de la empresa en la línea de base que recibieron apoyo.",
        ),
        # distribution
        "doc.dist": _m("Distribution of effects", "Distribución de los efectos"),
        "doc.dist.what": _m(
            "quantile effects, which need a continuous outcome observed at baseline and end line and the distribution page in the run",
            "los efectos por cuantil, que requieren un resultado continuo observado en la línea de base y al final y la página de distribución en la ejecución",
        ),
        "doc.dist.broad": _m(
            "Gains were broad: the effect is positive and significant at {k} of {n} quantiles.",
            "Las ganancias fueron amplias: el efecto es positivo y significativo en {k} de {n} cuantiles.",
        ),
        "doc.dist.top": _m(
            "Gains were concentrated among the better-performing firms: the effect is positive and significant at {k} of {n} quantiles, all above the median.",
            "Las ganancias se concentraron en las empresas de mejor desempeño: el efecto es positivo y significativo en {k} de {n} cuantiles, todos por encima de la mediana.",
        ),
        "doc.dist.bottom": _m(
            "Gains were concentrated among the weaker firms: the effect is positive and significant at {k} of {n} quantiles, all below the median.",
            "Las ganancias se concentraron en las empresas más débiles: el efecto es positivo y significativo en {k} de {n} cuantiles, todos por debajo de la mediana.",
        ),
        "doc.dist.some": _m(
            "The effect is positive and significant at {k} of {n} quantiles, without a clear pattern along the distribution.",
            "El efecto es positivo y significativo en {k} de {n} cuantiles, sin un patrón claro a lo largo de la distribución.",
        ),
        "doc.dist.none": _m(
            "No quantile effect is distinguishable from zero ({k} of {n} quantiles significant).",
            "Ningún efecto por cuantil se distingue de cero ({k} de {n} cuantiles significativos).",
        ),
        "doc.dist.mean": _m(
            "The changes-in-changes average effect is {effect} (95% interval {ci}).",
            "El efecto medio de cambios en cambios es {effect} (intervalo del 95 % {ci}).",
        ),
        "doc.dist.unconditional": _m(
            "Changes-in-changes compares the whole distributions of participants and never-supported firms without covariates; the pre-specified {estimator} estimate, which conditions on them, is {effect} (95% interval {ci}). Where the two averages differ, read the pattern across quantiles rather than its level.",
            "Cambios en cambios compara las distribuciones completas de participantes y empresas nunca apoyadas sin covariables; la estimación preespecificada de {estimator}, que sí las considera, es {effect} (intervalo del 95 % {ci}). Cuando ambos promedios difieren, interprete el patrón entre cuantiles y no su nivel.",
        ),
        "doc.dist.shares": _m(
            "Share above the baseline median: participants {p0} at baseline, {p1} at end line; comparison firms {c0} and {c1}.",
            "Proporción por encima de la mediana de la línea de base: participantes {p0} al inicio y {p1} al final; empresas de comparación {c0} y {c1}.",
        ),
        "doc.dist.qte": _m("Quantile effect", "Efecto por cuantil"),
        "doc.dist.mean_label": _m("Average effect", "Efecto medio"),
        "doc.dist.axis": _m("Quantile of the outcome", "Cuantil del resultado"),
        "doc.dist.figure": _m(
            "Effects along the outcome's distribution (changes-in-changes)",
            "Efectos a lo largo de la distribución del resultado (cambios en cambios)",
        ),
        "doc.dist.note": _m(
            "Points: quantile treatment effects on the treated with 95% intervals (Athey and Imbens 2006); dashed line: average effect.",
            "Puntos: efectos del tratamiento sobre los tratados por cuantil con intervalos del 95 % (Athey e Imbens 2006); línea discontinua: efecto medio.",
        ),
        # cost-effectiveness
        "doc.cost": _m("Cost-effectiveness", "Costo-efectividad"),
        "doc.cost.what": _m(
            "cost-effectiveness, which needs the programme's costs in the configuration (program.costs) and the cost-effectiveness page in the run",
            "el costo-efectividad, que requiere los costos del programa en la configuración (program.costs) y la página de costo-efectividad en la ejecución",
        ),
        "doc.cost.finding": _m("The programme cost {parts}.", "El programa costó {parts}."),
        "doc.cost.cost_per_firm": _m("{value} per supported firm", "{value} por empresa apoyada"),
        "doc.cost.cost_per_outcome_unit": _m(
            "{value} per unit of effect on the primary outcome per firm ({ci})",
            "{value} por unidad de efecto sobre el resultado principal por empresa ({ci})",
        ),
        "doc.cost.cost_per_job": _m(
            "{value} per job created ({ci})", "{value} por empleo creado ({ci})"
        ),
        "doc.cost.interval": _m("95% interval {low}–{high}", "intervalo del 95 % {low}–{high}"),
        "doc.cost.unbounded": _m(
            "interval unbounded: the effect's interval includes zero",
            "intervalo no acotado: el intervalo del efecto incluye el cero",
        ),
        "doc.cost.short.cost_per_firm": _m("Per firm", "Por empresa"),
        "doc.cost.short.cost_per_outcome_unit": _m("Per unit of effect", "Por unidad de efecto"),
        "doc.cost.short.cost_per_job": _m("Per job", "Por empleo"),
        "doc.cost.figure": _m("Cost per result", "Costo por resultado"),
        "doc.cost.note": _m(
            "Bars: cost ratios; whiskers: 95% intervals from the effect's uncertainty where bounded.",
            "Barras: razones de costo; bigotes: intervalos del 95 % derivados de la incertidumbre del efecto cuando están acotados.",
        ),
    }
)

# --- the reports' landing page (pipeline/site.py), en and es -------------------------------
MESSAGES.update(
    {
        "site.title": _m("{program} evaluation: reports", "Evaluación de {program}: informes"),
        "site.heading": _m(
            "{program} impact evaluation: reports", "Evaluación de impacto de {program}: informes"
        ),
        "site.switch.es": _m("Versión en español", "Versión en español"),
        "site.switch.en": _m("English version", "English version"),
        "site.run": _m("Run", "Ejecución"),
        "site.package": _m("package", "paquete"),
        "site.summary": _m(
            "{jobs} jobs: {ok} ran, {cached} up to date, {failed} failed, {not_run} not run",
            "{jobs} trabajos: {ok} ejecutados, {cached} al día, {failed} fallidos, {not_run} sin ejecutar",
        ),
        "site.complete": _m(
            "Complete: all {n} jobs succeeded.", "Completa: los {n} trabajos terminaron bien."
        ),
        "site.incomplete": _m(
            "INCOMPLETE: {n} of {total} jobs did not succeed.",
            "INCOMPLETA: {n} de {total} trabajos no terminaron bien.",
        ),
        "site.incomplete_more": _m(
            "Their results are missing from the pages and tables.",
            "Sus resultados faltan en las páginas y los cuadros.",
        ),
        "site.headline": _m("Headline result", "Resultado principal"),
        "site.headline_missing": _m(
            "not available in this run (no primary estimate was recorded; it needs the pre-specified effects page to succeed).",
            "no disponible en esta ejecución (no se registró la estimación principal; requiere que la página de efectos preespecificados termine bien).",
        ),
        "site.finals": _m("Final evaluation report", "Informe final de evaluación"),
        "site.document": _m("document", "documento"),
        "site.no_page": _m("no page", "sin página"),
        "site.language.en": _m("English", "Inglés"),
        "site.language.es": _m("Spanish", "Español"),
        "site.by_question": _m("Analysis pages by question", "Páginas de análisis por pregunta"),
        "site.effects_on": _m("Effects on {outcome}", "Efectos sobre {outcome}"),
        "site.other_pages": _m(
            "Other pages: data, descriptives and outcomes no question names",
            "Otras páginas: datos, descriptivos y resultados que ninguna pregunta nombra",
        ),
        "site.no_member": _m(
            "No page of this run addresses it.", "Ninguna página de esta ejecución la aborda."
        ),
        "site.tables": _m("Tables and manifest", "Cuadros y manifiesto"),
        "site.file.estimates_csv": _m(
            "every estimate of every job (CSV)",
            "todas las estimaciones de todos los trabajos (CSV)",
        ),
        "site.file.estimates_parquet": _m("the same table (Parquet)", "el mismo cuadro (Parquet)"),
        "site.file.values": _m(
            "scalars recorded by the notebooks", "valores registrados por los cuadernos"
        ),
        "site.file.manifest": _m(
            "run manifest: jobs, parameters, hashes, timings, versions",
            "manifiesto de la ejecución: trabajos, parámetros, huellas, tiempos, versiones",
        ),
        "site.jobs": _m("Jobs of this run", "Trabajos de esta ejecución"),
        "site.col.status": _m("status", "estado"),
        "site.col.reason": _m("reason", "motivo"),
        "site.col.time": _m("time (s)", "tiempo (s)"),
        "site.col.page": _m("page", "página"),
        "site.open": _m("open", "abrir"),
        "site.status.ok": _m("ok (ran)", "bien (ejecutado)"),
        "site.status.cached": _m("ok (up to date)", "bien (al día)"),
        "site.status.failed": _m("FAILED", "FALLÓ"),
        "site.status.failed_earlier": _m(
            "FAILED (last run; not re-run)", "FALLÓ (última ejecución; no se repitió)"
        ),
        "site.status.stale": _m(
            "stale (inputs changed, not re-run)",
            "desactualizado (cambiaron las entradas, no se repitió)",
        ),
        "site.status.not_run": _m("not run", "sin ejecutar"),
        "site.status.pending": _m("pending (run cut off)", "pendiente (ejecución interrumpida)"),
    }
)

# --- generated questions and findings worded by the outcome's kind (issue 12) ---------------
MESSAGES.update(
    {
        "doc.note.effects_plain": _m(
            "Average effect on participants, {estimator}.",
            "Efecto promedio en las participantes, {estimator}.",
        ),
        "doc.question.log": _m(
            "{outcome}: by what percentage did the level change with participation?",
            "{outcome}: ¿en qué porcentaje cambió el nivel con la participación?",
        ),
        "doc.question.share": _m(
            "{outcome}: by how many percentage points did it change with participation?",
            "{outcome}: ¿en cuántos puntos porcentuales cambió con la participación?",
        ),
        "doc.question.level": _m(
            "{outcome}: how much did it change with participation?",
            "{outcome}: ¿cuánto cambió con la participación?",
        ),
        "doc.finding.log.sig": _m(
            "{outcome}: with participation the level changed by about {pct} ({effect} log points; 95% interval {ci}), an interval that excludes zero.",
            "{outcome}: con la participación el nivel cambió en cerca de {pct} ({effect} puntos logarítmicos; intervalo del 95 % {ci}), un intervalo que excluye el cero.",
        ),
        "doc.finding.log.not": _m(
            "{outcome}: the estimated change in the level is about {pct} ({effect} log points; 95% interval {ci}), an interval that includes zero: no effect can be claimed.",
            "{outcome}: el cambio estimado del nivel es de cerca de {pct} ({effect} puntos logarítmicos; intervalo del 95 % {ci}), un intervalo que incluye el cero: no puede afirmarse un efecto.",
        ),
        "doc.finding.share.sig": _m(
            "{outcome}: participation changed it by {effect} percentage points (95% interval {ci} points), an interval that excludes zero.",
            "{outcome}: con la participación cambió en {effect} puntos porcentuales (intervalo del 95 % {ci} puntos), un intervalo que excluye el cero.",
        ),
        "doc.finding.share.not": _m(
            "{outcome}: the estimated change is {effect} percentage points (95% interval {ci} points), an interval that includes zero: no effect can be claimed.",
            "{outcome}: el cambio estimado es de {effect} puntos porcentuales (intervalo del 95 % {ci} puntos), un intervalo que incluye el cero: no puede afirmarse un efecto.",
        ),
        "doc.finding.level.sig": _m(
            "{outcome}: participation changed it by {effect} per firm on average (95% interval {ci}), an interval that excludes zero.",
            "{outcome}: con la participación cambió en {effect} por empresa en promedio (intervalo del 95 % {ci}), un intervalo que excluye el cero.",
        ),
        "doc.finding.level.not": _m(
            "{outcome}: the estimated change is {effect} per firm on average (95% interval {ci}), an interval that includes zero: no effect can be claimed.",
            "{outcome}: el cambio estimado es de {effect} por empresa en promedio (intervalo del 95 % {ci}), un intervalo que incluye el cero: no puede afirmarse un efecto.",
        ),
    }
)


def _merge_topics() -> None:
    """Merge the per-topic catalogues (one module each, so topics are edited independently)."""
    from evaluation.reporting.resources import (
        messages_costs,
        messages_distribution,
        messages_dose_response,
        messages_productivity,
        messages_spillovers,
    )

    for module in (
        messages_productivity,
        messages_dose_response,
        messages_spillovers,
        messages_distribution,
        messages_costs,
    ):
        clash = sorted(set(module.MESSAGES) & set(MESSAGES))
        if clash:
            raise ValueError(f"{module.__name__}: message ids already defined: {clash}")
        MESSAGES.update(module.MESSAGES)


_merge_topics()
