"""Messages of the costs analysis (issue 14), merged into the catalogue by messages.py.

Same rules as messages.MESSAGES: id -> {"en": ..., "es": ...} with the same placeholders.
"""

from __future__ import annotations


def _m(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


MESSAGES: dict[str, dict[str, str]] = {
    # --- page 15 --------------------------------------------------------------------------
    "nb15.title": _m("Cost-effectiveness", "Costo-efectividad"),
    "nb15.intro": _m(
        "What a unit of effect cost: the programme's cost per supported firm, per unit of "
        "{outcome} gained per firm and per job, with 95% confidence sets carried over from the "
        "effects' uncertainty. Effects: {estimator}, the pre-specified estimator, estimated on "
        "this page.",
        "Lo que costó una unidad de efecto: el costo del programa por empresa apoyada, por "
        "unidad de {outcome} ganada por empresa y por empleo, con conjuntos de confianza del "
        "95 % derivados de la incertidumbre de los efectos. Efectos: {estimator}, el estimador "
        "preespecificado, estimado en esta página.",
    ),
    "nb15.costs": _m(
        "Costs: {total} {currency}{year_text}, spread over {firms} supported firms ({source}).",
        "Costos: {total} {currency}{year_text}, repartidos entre {firms} empresas apoyadas "
        "({source}).",
    ),
    "nb15.costs.year": _m(" at {year} prices", " a precios de {year}"),
    "nb15.costs.source.total": _m("configured total", "total configurado"),
    "nb15.costs.source.table": _m(
        "sum of the cost table by {level}", "suma de la tabla de costos por {level}"
    ),
    "nb15.costs.source.total+table": _m(
        "configured total; the table by {level} says where it went",
        "total configurado; la tabla por {level} indica a dónde fue",
    ),
    "nb15.costs.unmatched": _m(
        "{n} row(s) of the cost table name a {level} that is not in the data and are left out.",
        "{n} fila(s) de la tabla de costos nombran un(a) {level} que no está en los datos y se "
        "excluyen.",
    ),
    "nb15.costs.note": _m("Note on the costs: {note}", "Nota sobre los costos: {note}"),
    "nb15.table.heading": _m(
        "Cost per firm, per unit of effect, per job",
        "Costo por empresa, por unidad de efecto, por empleo",
    ),  # fmt: skip
    "nb15.finding.heading": _m("Finding", "Hallazgo"),
    "nb15.finding.bounded": _m(
        "Each supported firm cost {per_firm} {currency}; raising {outcome} by {unit} per firm "
        "cost {cost} {currency} (95% set {low} to {high}).",
        "Cada empresa apoyada costó {per_firm} {currency}; elevar {outcome} en {unit} por "
        "empresa costó {cost} {currency} (conjunto del 95 %: {low} a {high}).",
    ),
    "nb15.finding.unbounded": _m(
        "Each supported firm cost {per_firm} {currency}; the effect on {outcome} is not "
        "distinguishable from zero, so the cost of {unit} has no upper bound (point value "
        "{cost} {currency}; at least {lower} {currency}).",
        "Cada empresa apoyada costó {per_firm} {currency}; el efecto en {outcome} no es "
        "distinguible de cero, por lo que el costo de {unit} no tiene cota superior (valor "
        "puntual {cost} {currency}; al menos {lower} {currency}).",
    ),
    "nb15.finding.not_positive": _m(
        "Each supported firm cost {per_firm} {currency}; the estimated effect on {outcome} is "
        "not positive, so there is no cost per unit of gain.",
        "Cada empresa apoyada costó {per_firm} {currency}; el efecto estimado en {outcome} no "
        "es positivo, por lo que no hay costo por unidad de ganancia.",
    ),
    "nb15.jobs.bounded": _m(
        "Each job created cost {cost} {currency} (95% set {low} to {high}; {effect} jobs per "
        "supported firm).",
        "Cada empleo creado costó {cost} {currency} (conjunto del 95 %: {low} a {high}; "
        "{effect} empleos por empresa apoyada).",
    ),
    "nb15.jobs.unbounded": _m(
        "The employment effect ({effect} jobs per supported firm) is not distinguishable from "
        "zero: the cost per job has no upper bound (point value {cost} {currency}; at least "
        "{lower} {currency}).",
        "El efecto en el empleo ({effect} empleos por empresa apoyada) no es distinguible de "
        "cero: el costo por empleo no tiene cota superior (valor puntual {cost} {currency}; al "
        "menos {lower} {currency}).",
    ),
    "nb15.jobs.not_positive": _m(
        "The estimated employment effect ({effect} jobs per supported firm) is not positive: "
        "there is no cost per job created.",
        "El efecto estimado en el empleo ({effect} empleos por empresa apoyada) no es positivo: "
        "no hay costo por empleo creado.",
    ),
    "nb15.logframe.heading": _m(
        "Costs against the logframe targets", "Costos frente a las metas del marco lógico"
    ),  # fmt: skip
    "nb15.logframe.text": _m(
        "The total cost divided by each numeric target of the results framework (the planned "
        "unit cost) and by what the data show was achieved, where the indicator is a count.",
        "El costo total dividido por cada meta numérica del marco de resultados (el costo "
        "unitario previsto) y por lo que los datos muestran como logrado, cuando el indicador "
        "es un conteo.",
    ),
    "nb15.caveat": _m(
        "The ratios divide the cost by the average effect over the years observed after "
        "support began; effects after the panel ends, benefits to other outcomes and to firms "
        "not supported are not counted. A cost set without an upper bound means the data are "
        "consistent with no effect at all.",
        "Las razones dividen el costo por el efecto promedio en los años observados después "
        "del inicio del apoyo; no se cuentan los efectos posteriores al panel, los beneficios "
        "en otros resultados ni en empresas no apoyadas. Un conjunto de costos sin cota "
        "superior significa que los datos son compatibles con ningún efecto.",
    ),
    # --- labels ---------------------------------------------------------------------------
    "cost.term.cost_per_firm": _m("Cost per supported firm", "Costo por empresa apoyada"),
    "cost.term.cost_per_outcome_unit": _m(
        "Cost per unit of effect per firm", "Costo por unidad de efecto por empresa"
    ),
    "cost.term.cost_per_job": _m("Cost per job", "Costo por empleo"),
    "cost.unit.percent": _m("one percentage point", "un punto porcentual"),
    "cost.unit.level": _m("one unit", "una unidad"),
    "cost.unit.job": _m("one job", "un empleo"),
    "cost.col.per": _m("Per", "Por"),
    "cost.col.cost": _m("Cost ({currency})", "Costo ({currency})"),
    "cost.col.set": _m("95% set ({currency})", "Conjunto del 95 % ({currency})"),
    "cost.col.effect": _m("Effect per firm", "Efecto por empresa"),
    "cost.col.effect_ci": _m("Effect, 95% CI", "Efecto, IC 95 %"),
    "cost.set.accounting": _m("no sampling uncertainty", "sin incertidumbre muestral"),
    "cost.set.unbounded": _m("at least {lower}; no upper bound", "al menos {lower}; sin cota"),
    "cost.set.open": _m("no bound (effect may be zero)", "sin cota (el efecto puede ser cero)"),
    "cost.set.not_positive": _m("no gain: not defined", "sin ganancia: no definido"),
    "cost.lf.indicator": _m("Indicator", "Indicador"),
    "cost.lf.target": _m("Target", "Meta"),
    "cost.lf.achieved": _m("Achieved (count)", "Logrado (conteo)"),
    "cost.lf.per_target": _m(
        "Cost per targeted unit ({currency})", "Costo por unidad prevista ({currency})"
    ),  # fmt: skip
    "cost.lf.per_achieved": _m(
        "Cost per achieved unit ({currency})", "Costo por unidad lograda ({currency})"
    ),  # fmt: skip
    "cost.level.cluster": _m("cluster", "clúster"),
    "cost.level.firm": _m("firm", "empresa"),
    "cost.level.programme": _m("programme", "programa"),
    "cost.fig.title": _m(
        "Cost per unit across the effect's 95% interval",
        "Costo por unidad a lo largo del intervalo del 95 % del efecto",
    ),  # fmt: skip
    "cost.fig.y": _m("Cost per unit ({currency})", "Costo por unidad ({currency})"),
    "cost.fig.estimate": _m("Point estimate", "Estimación puntual"),
    "cost.fig.unbounded": _m(
        "interval reaches zero:\nunbounded", "el intervalo llega a cero:\nsin cota"
    ),  # fmt: skip
    "cost.fig.x.percent": _m(
        "Effect per firm (percentage points)", "Efecto por empresa (puntos porcentuales)"
    ),  # fmt: skip
    "cost.fig.x.level": _m(
        "Effect per firm (units of the outcome)", "Efecto por empresa (unidades del resultado)"
    ),  # fmt: skip
    "cost.fig.x.jobs": _m("Effect per firm (jobs)", "Efecto por empresa (empleos)"),
    # --- missing data ---------------------------------------------------------------------
    "missing.costs": _m(
        "No programme costs were supplied. Add program.costs to the configuration -- a total "
        "with its currency and price year, and/or a table of amounts per cluster or per firm "
        "(cluster_id or firm_id, amount) -- to compute the cost per supported firm, per unit "
        "of effect and per job.",
        "No se suministraron costos del programa. Agregue program.costs a la configuración "
        "-- un total con su moneda y año de precios, y/o una tabla de montos por clúster o por "
        "empresa (cluster_id o firm_id, amount) -- para calcular el costo por empresa apoyada, "
        "por unidad de efecto y por empleo.",
    ),
    "missing.costs_table": _m(
        "The table of costs {path} (program.costs.table) was not found; give its path "
        "relative to the repository root or an absolute one.",
        "No se encontró la tabla de costos {path} (program.costs.table); indique su ruta "
        "relativa a la raíz del repositorio o una absoluta.",
    ),
    "missing.costs_level": _m(
        "The costs are given by {column}, but the data have no {column}: give costs per firm "
        "or a programme total.",
        "Los costos se dan por {column}, pero los datos no tienen {column}: indique costos por "
        "empresa o un total del programa.",
    ),
    "missing.jobs": _m(
        "The cost per job needs the number of employees per firm-year and an estimable "
        "employment effect: {reason}",
        "El costo por empleo necesita el número de empleados por empresa y año y un efecto "
        "estimable en el empleo: {reason}",
    ),
    "missing.costs_effect": _m(
        "The cost per unit of effect needs an estimate of the effect on {outcome}: {reason}",
        "El costo por unidad de efecto necesita una estimación del efecto en {outcome}: {reason}",
    ),
}
