"""Messages of the distribution analysis (issue 14), merged into the catalogue by messages.py.

Same rules as messages.MESSAGES: id -> {"en": ..., "es": ...} with the same placeholders.
"""

from __future__ import annotations


def _m(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


MESSAGES: dict[str, dict[str, str]] = {
    # --- page 14 --------------------------------------------------------------------------
    "nb14.title": _m(
        "Distribution of the effect: who gained", "Distribución del efecto: quién ganó"
    ),
    "nb14.intro": _m(
        "Changes-in-changes (Athey and Imbens 2006) compares the whole distribution of "
        "{outcome}, not only its mean. A participant at a given rank of the comparison firms' "
        "distribution at baseline ({base}) is assumed to have kept that rank without support; "
        "its counterfactual at the end line ({end}) is the comparison firms' value at that "
        "rank. Participants supported by {end}: {treated} firms; firms never supported: "
        "{comparison}. Unlike a difference in means, the estimates do not depend on the scale "
        "of the outcome (logs or levels give the same ranks).",
        "El método de cambios en cambios (Athey e Imbens 2006) compara toda la distribución "
        "de {outcome}, no solo su media. Se supone que una participante en un rango dado de la "
        "distribución de las empresas de comparación en la línea de base ({base}) habría "
        "conservado ese rango sin apoyo; su contrafactual al final ({end}) es el valor de las "
        "empresas de comparación en ese rango. Participantes apoyadas hasta {end}: {treated} "
        "empresas; empresas nunca apoyadas: {comparison}. A diferencia de una diferencia de "
        "medias, las estimaciones no dependen de la escala del resultado (logaritmos o niveles "
        "dan los mismos rangos).",
    ),
    "nb14.quantiles.heading": _m(
        "Effects along the participants' distribution",
        "Efectos a lo largo de la distribución de las participantes",
    ),
    "nb14.share.heading": _m(
        "Firms above the baseline median", "Empresas por encima de la mediana de la línea de base"
    ),
    "nb14.share.text": _m(
        "The baseline median of {outcome} across all firms of the sample is {median}. The "
        "share of participants above it went from {p_base} at baseline to {p_end} at the end "
        "line, that of comparison firms from {c_base} to {c_end}: a difference in changes of "
        "{diff} percentage points.",
        "La mediana de {outcome} en la línea de base, entre todas las empresas de la muestra, "
        "es {median}. La proporción de participantes por encima de ella pasó de {p_base} en la "
        "línea de base a {p_end} al final, la de las empresas de comparación de {c_base} a "
        "{c_end}: una diferencia de cambios de {diff} puntos porcentuales.",
    ),
    "nb14.finding.heading": _m("Finding", "Hallazgo"),
    "nb14.finding.broad": _m(
        "Gains were broad: the effect is positive and distinguishable from zero at {k} of the "
        "{n} quantiles, across the distribution (average effect {mean}, 95% CI {ci}).",
        "Las ganancias fueron amplias: el efecto es positivo y distinguible de cero en {k} de "
        "los {n} cuantiles, a lo largo de la distribución (efecto promedio {mean}, IC 95 % {ci}).",
    ),
    "nb14.finding.concentrated_top": _m(
        "Gains were concentrated in the upper part of the distribution: the effect is positive "
        "and distinguishable from zero only at the quantiles {where} (average effect {mean}, "
        "95% CI {ci}).",
        "Las ganancias se concentraron en la parte alta de la distribución: el efecto es "
        "positivo y distinguible de cero solo en los cuantiles {where} (efecto promedio {mean}, "
        "IC 95 % {ci}).",
    ),
    "nb14.finding.concentrated_bottom": _m(
        "Gains were concentrated in the lower part of the distribution: the effect is positive "
        "and distinguishable from zero only at the quantiles {where} (average effect {mean}, "
        "95% CI {ci}).",
        "Las ganancias se concentraron en la parte baja de la distribución: el efecto es "
        "positivo y distinguible de cero solo en los cuantiles {where} (efecto promedio {mean}, "
        "IC 95 % {ci}).",
    ),
    "nb14.finding.concentrated": _m(
        "Gains were concentrated: the effect is positive and distinguishable from zero only at "
        "the quantiles {where} (average effect {mean}, 95% CI {ci}).",
        "Las ganancias se concentraron: el efecto es positivo y distinguible de cero solo en "
        "los cuantiles {where} (efecto promedio {mean}, IC 95 % {ci}).",
    ),
    "nb14.finding.negative": _m(
        "No gain is distinguishable from zero; the effect is negative at the quantiles {where} "
        "(average effect {mean}, 95% CI {ci}).",
        "Ninguna ganancia es distinguible de cero; el efecto es negativo en los cuantiles "
        "{where} (efecto promedio {mean}, IC 95 % {ci}).",
    ),
    "nb14.finding.none": _m(
        "No quantile effect is distinguishable from zero: these data cannot tell whether gains "
        "were broad or concentrated (average effect {mean}, 95% CI {ci}).",
        "Ningún efecto por cuantil es distinguible de cero: estos datos no permiten saber si "
        "las ganancias fueron amplias o concentradas (efecto promedio {mean}, IC 95 % {ci}).",
    ),
    "nb14.caveat": _m(
        "Identifying assumptions: without support, a firm's rank in its group's distribution of "
        "unobserved determinants of the outcome does not change between the two years, and the "
        "participants' baseline values lie within the comparison firms' range. A quantile "
        "effect compares two distributions, not the same firms: the effect at the 10% quantile "
        "is the gap between the participants' 10% quantile and its counterfactual, not the gain "
        "of the firms that started lowest. The comparison is unconditional: unlike the "
        "pre-specified estimator, it uses no covariates, so where outcomes trend differently "
        "with firm characteristics the level of these effects is biased; their pattern across "
        "quantiles is the more robust reading.",
        "Supuestos de identificación: sin apoyo, el rango de una empresa en la distribución de "
        "los determinantes no observados del resultado de su grupo no cambia entre los dos "
        "años, y los valores de línea de base de las participantes están dentro del rango de "
        "las empresas de comparación. Un efecto por cuantil compara dos distribuciones, no las "
        "mismas empresas: el efecto en el cuantil 10 % es la brecha entre el cuantil 10 % de "
        "las participantes y su contrafactual, no la ganancia de las empresas que empezaron más "
        "abajo. La comparación es incondicional: a diferencia del estimador preespecificado, no "
        "usa covariables, de modo que si los resultados evolucionan de forma distinta según las "
        "características de las empresas, el nivel de estos efectos está sesgado; su patrón "
        "entre cuantiles es la lectura más robusta.",
    ),
    # --- notes under the tables -----------------------------------------------------------
    "dist.note.bootstrap": _m(
        "Standard errors from {reps} bootstrap draws resampling whole clusters ({cluster}, "
        "{n_clusters} clusters), seed {seed}; normal 95% intervals.",
        "Errores estándar de {reps} réplicas bootstrap que remuestrean conglomerados enteros "
        "({cluster}, {n_clusters} conglomerados), semilla {seed}; intervalos normales del 95 %.",
    ),
    "dist.note.bootstrap_firms": _m(
        "Standard errors from {reps} bootstrap draws resampling firms within each group, seed "
        "{seed}; normal 95% intervals.",
        "Errores estándar de {reps} réplicas bootstrap que remuestrean empresas dentro de cada "
        "grupo, semilla {seed}; intervalos normales del 95 %.",
    ),
    "dist.note.periods": _m(
        "Before: baseline {base}; after: end line {end}. Quantiles are those of the "
        "participants' end-line distribution (empirical, left-continuous inverse).",
        "Antes: línea de base {base}; después: final {end}. Los cuantiles son los de la "
        "distribución de las participantes al final (empírica, inversa continua por la "
        "izquierda).",
    ),
    "dist.note.outside": _m(
        "{share} of the participants' baseline values lie outside the comparison firms' "
        "baseline range; their counterfactual is set at that range's edge.",
        "{share} de los valores de línea de base de las participantes están fuera del rango de "
        "las empresas de comparación; su contrafactual se fija en el borde de ese rango.",
    ),
    "dist.note.excluded": _m(
        "Left out: {always} firm(s) supported from the first panel year (no baseline) and "
        "{late} participant(s) not yet supported at the end line.",
        "Excluidas: {always} empresa(s) apoyadas desde el primer año del panel (sin línea de "
        "base) y {late} participante(s) aún no apoyadas al final.",
    ),
    "dist.note.share": _m(
        "Firms with the outcome observed in the year; the threshold is the pooled baseline "
        "median of both groups.",
        "Empresas con el resultado observado en el año; el umbral es la mediana conjunta de "
        "ambos grupos en la línea de base.",
    ),
    # --- figure and tables ----------------------------------------------------------------
    "dist.fig.title": _m(
        "Effect at each quantile of the participants' distribution",
        "Efecto en cada cuantil de la distribución de las participantes",
    ),
    "dist.fig.x": _m(
        "Quantile of the participants' end-line distribution",
        "Cuantil de la distribución de las participantes al final",
    ),
    "dist.fig.y": _m("Effect on {outcome}", "Efecto en {outcome}"),
    "dist.fig.qte": _m("Quantile effect", "Efecto por cuantil"),
    "dist.fig.band": _m("95% CI", "IC 95 %"),
    "dist.fig.mean": _m("Average effect (CiC)", "Efecto promedio (CeC)"),
    "dist.table.term": _m("Effect", "Efecto"),
    "dist.table.mean": _m("Average (CiC)", "Promedio (CeC)"),
    "dist.table.quantile": _m("Quantile {q}", "Cuantil {q}"),
    "dist.table.observed": _m("Participants, end line", "Participantes, final"),
    "dist.table.counterfactual": _m("Counterfactual", "Contrafactual"),
    "dist.share.firms": _m("Firms {year}", "Empresas {year}"),
    "dist.share.share": _m("Above the median, {year}", "Por encima de la mediana, {year}"),
    # --- missing data ---------------------------------------------------------------------
    "missing.cic": _m(
        "Changes-in-changes needs the outcome at baseline ({base}) and at the end line ({end}) "
        "for participants supported by then and for never-supported comparison firms: {reason}",
        "El método de cambios en cambios necesita el resultado en la línea de base ({base}) y "
        "al final ({end}) para las participantes apoyadas hasta entonces y para empresas de "
        "comparación nunca apoyadas: {reason}",
    ),
}
