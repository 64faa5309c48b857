"""Messages of the dose response analysis (issue 14), merged into the catalogue by messages.py.

Same rules as messages.MESSAGES: id -> {"en": ..., "es": ...} with the same placeholders.
"""

from __future__ import annotations


def _m(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


MESSAGES: dict[str, dict[str, str]] = {
    # --- page 13 --------------------------------------------------------------------------
    "nb13.title": _m(
        "13 Dose-response: the effect by intensity of support",
        "13 Dosis-respuesta: el efecto según la intensidad del apoyo",
    ),
    "nb13.intro": _m(
        "Participating firms need not receive the same amount of support. This page asks "
        "whether {outcome} responded more where support was more intense, with the "
        "difference-in-differences estimator for a continuous treatment of Callaway, "
        "Goodman-Bacon and Sant'Anna (2024): the change of {outcome} among participants with "
        "a given dose, minus the change among comparison firms.",
        "Las empresas participantes no necesariamente reciben la misma cantidad de apoyo. Esta "
        "página pregunta si {outcome} respondió más donde el apoyo fue más intenso, con el estimador "
        "de diferencias en diferencias para un tratamiento continuo de Callaway, Goodman-Bacon "
        "y Sant'Anna (2024): el cambio de {outcome} entre participantes con una dosis dada, "
        "menos el cambio entre las empresas de comparación.",
    ),
    "nb13.dose.definition": _m(
        "The dose of a participating firm is its total {column} from the year it joined the "
        "programme on. Comparison firms have a dose of zero: hours they report from other "
        "sources are not programme support.",
        "La dosis de una empresa participante es su total de {column} desde el año en que "
        "ingresó al programa. Las empresas de comparación tienen dosis cero: las horas que "
        "reportan de otras fuentes no son apoyo del programa.",
    ),
    "nb13.dose.definition_period": _m(
        "The dose of a participating firm is its total {column} from the year it joined the "
        "programme to {last}, the programme's last year. Comparison firms have a dose of zero: "
        "hours they report from other sources are not programme support.",
        "La dosis de una empresa participante es su total de {column} desde el año en que "
        "ingresó al programa hasta {last}, el último año del programa. Las empresas de "
        "comparación tienen dosis cero: las horas que reportan de otras fuentes no son apoyo "
        "del programa.",
    ),
    "nb13.excluded": _m(
        "Left out: {unknown} participating firms without any recorded {column} (unknown dose) "
        "and {zero} with a total of zero.",
        "Excluidas: {unknown} empresas participantes sin ningún registro de {column} (dosis "
        "desconocida) y {zero} con un total de cero.",
    ),
    "nb13.distribution.heading": _m(
        "How much support participants received",
        "Cuánto apoyo recibieron las participantes",
    ),
    "nb13.distribution.text": _m(
        "Doses of the {n} participating firms in the sample ({column}); by cohort when firms "
        "joined in different years.",
        "Dosis de las {n} empresas participantes de la muestra ({column}); por cohorte cuando "
        "las empresas ingresaron en años distintos.",
    ),
    "nb13.col.group": _m("Group", "Grupo"),
    "nb13.col.firms": _m("Firms", "Empresas"),
    "nb13.col.mean": _m("Mean", "Media"),
    "nb13.col.p10": _m("10th percentile", "Percentil 10"),
    "nb13.col.p25": _m("25th percentile", "Percentil 25"),
    "nb13.col.median": _m("Median", "Mediana"),
    "nb13.col.p75": _m("75th percentile", "Percentil 75"),
    "nb13.col.p90": _m("90th percentile", "Percentil 90"),
    "nb13.col.max": _m("Maximum", "Máximo"),
    "nb13.col.all": _m("All participants", "Todas las participantes"),
    "nb13.col.cohort": _m("Cohort {cohort}", "Cohorte {cohort}"),
    "nb13.assumptions.heading": _m("What the estimates assume", "Qué suponen las estimaciones"),
    "nb13.assumptions.pt": _m(
        "Parallel trends: without support, firms of every dose would have changed like the "
        "comparison firms. Under this assumption the curve gives, at each dose, the effect on "
        "the firms that received that dose, and the overall effect is the average effect on "
        "participants. It does not allow comparing doses: firms that received more support "
        "may differ in how much they would gain from any support.",
        "Tendencias paralelas: sin apoyo, las empresas de cualquier dosis habrían cambiado "
        "como las de comparación. Bajo este supuesto la curva da, en cada dosis, el efecto "
        "sobre las empresas que recibieron esa dosis, y el efecto global es el efecto promedio "
        "sobre las participantes. No permite comparar dosis: las empresas que recibieron más "
        "apoyo pueden diferir en cuánto ganarían con cualquier apoyo.",
    ),
    "nb13.assumptions.spt": _m(
        "Strong parallel trends: in addition, firms of every dose would have gained on average "
        "what the other participants would have gained from the same dose (no selection on "
        "gains). Only under this stronger assumption is the curve the effect of each dose on "
        "all participants, and its slope, the average causal response (the effect of one more "
        "unit of support), a causal quantity.",
        "Tendencias paralelas fuertes: además, las empresas de cada dosis habrían ganado en "
        "promedio lo que las demás participantes habrían ganado con la misma dosis (sin "
        "selección según la ganancia). Solo bajo este supuesto más fuerte la curva es el "
        "efecto de cada dosis sobre todas las participantes, y su pendiente, la respuesta "
        "causal promedio (el efecto de una unidad más de apoyo), una magnitud causal.",
    ),
    "nb13.conditioning.covariates": _m(
        "Trends are compared conditional on {covariates}: in every cohort and year, the "
        "comparison firms' change is predicted from these baseline characteristics and "
        "subtracted from each participant's change (outcome regression).",
        "Las tendencias se comparan condicionando en {covariates}: en cada cohorte y año, el "
        "cambio de las empresas de comparación se predice a partir de estas características de "
        "la línea de base y se resta del cambio de cada participante (regresión de resultados).",
    ),
    "nb13.conditioning.none": _m(
        "Trends are compared without conditioning on baseline characteristics.",
        "Las tendencias se comparan sin condicionar en características de la línea de base.",
    ),
    "nb13.excluded_covariates": _m(
        "{n} firms without a value of a baseline characteristic were left out.",
        "Se excluyeron {n} empresas sin valor en alguna característica de la línea de base.",
    ),
    "nb13.curve.heading": _m("The dose-response curve", "La curva dosis-respuesta"),
    "nb13.curve.text": _m(
        "Average effect on participants: {att} (95% CI {att_ci}); average causal response, per "
        "unit of {column}: {acrt} (95% CI {acrt_ci}). {n_treated} participating and "
        "{n_control} comparison firms; B-spline of degree {degree} in the dose; cohorts and "
        "years aggregated by their participating firms; standard errors clustered by "
        "{cluster} ({n_clusters} clusters). The shaded band covers the whole curve with 95% "
        "probability ({band}).",
        "Efecto promedio sobre las participantes: {att} (IC 95 % {att_ci}); respuesta causal "
        "promedio, por unidad de {column}: {acrt} (IC 95 % {acrt_ci}). {n_treated} empresas "
        "participantes y {n_control} de comparación; B-spline de grado {degree} en la dosis; "
        "cohortes y años agregados según sus empresas participantes; errores estándar "
        "agrupados por {cluster} ({n_clusters} conglomerados). La banda sombreada cubre toda "
        "la curva con 95 % de probabilidad ({band}).",
    ),
    "nb13.band.uniform": _m(
        "uniform band, multiplier bootstrap", "banda uniforme, bootstrap multiplicador"
    ),
    "nb13.band.pointwise": _m(
        "pointwise intervals only: no bootstrap draws",
        "solo intervalos puntuales: sin réplicas bootstrap",
    ),
    "nb13.figure.title": _m(
        "Effect of support by dose: {outcome}", "Efecto del apoyo según la dosis: {outcome}"
    ),
    "nb13.figure.att": _m("Effect at dose d, ATT(d)", "Efecto en la dosis d, ATT(d)"),
    "nb13.figure.acrt": _m(
        "Causal response at dose d, ACRT(d)", "Respuesta causal en la dosis d, ACRT(d)"
    ),
    "nb13.figure.x": _m("Dose: {column}", "Dosis: {column}"),
    "nb13.figure.estimate": _m("Estimate", "Estimación"),
    "nb13.figure.band": _m("95% band", "Banda 95 %"),
    "nb13.figure.overall": _m("Average effect", "Efecto promedio"),
    "nb13.figure.bins": _m("Dose bins (95% CI)", "Tramos de dosis (IC 95 %)"),
    "nb13.binned.heading": _m("Effects by dose bin", "Efectos por tramo de dosis"),
    "nb13.binned.text": _m(
        "Participants split into {bins} groups of about equal size by dose; each row is the "
        "change of {outcome} in the group minus that of comparison firms (same assumptions as "
        "the curve; no functional form).",
        "Participantes divididas en {bins} grupos de tamaño similar según la dosis; cada fila "
        "es el cambio de {outcome} en el grupo menos el de las empresas de comparación "
        "(mismos supuestos que la curva; sin forma funcional).",
    ),
    "nb13.col.bin": _m("Dose bin", "Tramo de dosis"),
    "nb13.col.median_dose": _m("Median dose", "Dosis mediana"),
    "nb13.col.firms_bin": _m("Participating firms", "Empresas participantes"),
    "nb13.finding.heading": _m("Finding", "Hallazgo"),
    "nb13.finding.rises": _m(
        "The effect on {outcome} rises with the intensity of support: each additional unit "
        "of {column} adds {acrt} on average (95% CI {acrt_ci}), around an average effect of "
        "{att}; read causally only under strong parallel trends.",
        "El efecto sobre {outcome} aumenta con la intensidad del apoyo: cada unidad adicional "
        "de {column} suma {acrt} en promedio (IC 95 % {acrt_ci}), en torno a un efecto "
        "promedio de {att}; solo tiene lectura causal bajo tendencias paralelas fuertes.",
    ),
    "nb13.finding.falls": _m(
        "The effect on {outcome} falls with the intensity of support: each additional unit "
        "of {column} changes it by {acrt} on average (95% CI {acrt_ci}), around an average "
        "effect of {att}; read causally only under strong parallel trends.",
        "El efecto sobre {outcome} disminuye con la intensidad del apoyo: cada unidad "
        "adicional de {column} lo cambia en {acrt} en promedio (IC 95 % {acrt_ci}), en torno "
        "a un efecto promedio de {att}; solo tiene lectura causal bajo tendencias paralelas "
        "fuertes.",
    ),
    "nb13.finding.flat": _m(
        "The data show no dose-response in {outcome}: the average effect is {att} (95% CI "
        "{att_ci}), but an additional unit of {column} changes it by {acrt} (95% CI "
        "{acrt_ci}), not distinguishable from zero.",
        "Los datos no muestran relación dosis-respuesta en {outcome}: el efecto promedio es "
        "{att} (IC 95 % {att_ci}), pero una unidad adicional de {column} lo cambia en {acrt} "
        "(IC 95 % {acrt_ci}), no distinguible de cero.",
    ),
    # --- what is missing --------------------------------------------------------------------
    "nb13.enable": _m(
        "The support each participating firm received, year by year (hours or spending, in "
        "the column {column}), would enable this page.",
        "El apoyo que recibió cada empresa participante, año por año (horas o gasto, en la "
        "columna {column}), permitiría esta página.",
    ),
    "dose.missing.column": _m(
        "No values of the dose column {column} were supplied; a per-firm intensity of support "
        "(e.g. hours or spending per firm-year) would enable this page.",
        "No se suministraron valores de la columna de dosis {column}; una intensidad de apoyo "
        "por empresa (p. ej. horas o gasto por empresa-año) permitiría esta página.",
    ),
    "dose.missing.positive": _m(
        "Only {n} participating firms have a positive total of {column}; the dose-response "
        "curve needs at least {minimum}. Recording the support each participant received "
        "would enable it.",
        "Solo {n} empresas participantes tienen un total positivo de {column}; la curva "
        "dosis-respuesta necesita al menos {minimum}. Registrar el apoyo que recibió cada "
        "participante la permitiría.",
    ),
    "dose.missing.variation": _m(
        "Every participating firm received the same total of {column}: with a single dose "
        "there is no dose-response to estimate (the main effects pages give the effect of "
        "participation).",
        "Todas las empresas participantes recibieron el mismo total de {column}: con una sola "
        "dosis no hay dosis-respuesta que estimar (las páginas de efectos principales dan el "
        "efecto de la participación).",
    ),
    "dose.missing.comparison": _m(
        "There are no comparison firms and a single cohort: the change without support cannot "
        "be estimated. Firms never supported, or a later cohort, would enable this page.",
        "No hay empresas de comparación y hay una sola cohorte: no se puede estimar el cambio "
        "sin apoyo. Empresas nunca apoyadas, o una cohorte posterior, permitirían esta página.",
    ),
}
