"""Messages of the productivity analysis (issue 14), merged into the catalogue by messages.py.

Same rules as messages.MESSAGES: id -> {"en": ..., "es": ...} with the same placeholders.
"""

from __future__ import annotations


def _m(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


MESSAGES: dict[str, dict[str, str]] = {
    "var.log_tfp": _m(
        "Log total factor productivity", "Log de la productividad total de los factores"
    ),
    # the production-function terms as recorded (tfp_log_<input>), for the final report
    "var.log_labour": _m("Labour (log)", "Trabajo (log)"),
    "var.log_capital": _m("Capital (log)", "Capital (log)"),
    "var.log_intermediates": _m("Intermediate inputs (log)", "Consumo intermedio (log)"),
    "var.returns_to_scale": _m("Returns to scale", "Rendimientos a escala"),
    "est.production_op": _m("Olley–Pakes", "Olley–Pakes"),
    "est.production_lp": _m("Levinsohn–Petrin", "Levinsohn–Petrin"),
    "est.production_acf": _m("Ackerberg–Caves–Frazer", "Ackerberg–Caves–Frazer"),
    "missing.production_config": _m(
        "No production function is configured (analysis.production): name the output, labour, "
        "capital and intermediate-input (or investment) columns of the panel to estimate total "
        "factor productivity.",
        "No hay función de producción configurada (analysis.production): indique las columnas "
        "del panel de producto, trabajo, capital y consumo intermedio (o inversión) para estimar "
        "la productividad total de los factores.",
    ),
    "missing.production_inputs": _m(
        "The production inputs {columns} are not in the data: supply them as firm-year values "
        "(and configure them in analysis.production) to estimate total factor productivity.",
        "Los insumos de producción {columns} no están en los datos: suminístrelos como valores "
        "por empresa y año (y configúrelos en analysis.production) para estimar la "
        "productividad total de los factores.",
    ),
    "missing.production_method": _m(
        "{method} cannot be estimated with these data.",
        "{method} no se puede estimar con estos datos.",
    ),
    "nb12.title": _m(
        "Total factor productivity (TFP)", "Productividad total de los factores (PTF)"
    ),
    "nb12.intro": _m(
        "Total factor productivity is the part of output that the inputs do not explain. A "
        "production function ({form}, {output_kind}) is estimated on the firm-years of the "
        "panel by the control-function methods: Olley–Pakes (1996; investment as the proxy for "
        "productivity), Levinsohn–Petrin (2003) and Ackerberg–Caves–Frazer (2015; intermediate "
        "inputs as the proxy). The productivity of the configured method ({method}) becomes the "
        "outcome of the difference-in-differences below.",
        "La productividad total de los factores es la parte del producto que los insumos no "
        "explican. Se estima una función de producción ({form}, {output_kind}) con los "
        "años-empresa del panel por los métodos de función de control: Olley–Pakes (1996; la "
        "inversión como proxy de la productividad), Levinsohn–Petrin (2003) y "
        "Ackerberg–Caves–Frazer (2015; el consumo intermedio como proxy). La productividad del "
        "método configurado ({method}) es el resultado de las diferencias en diferencias de "
        "más abajo.",
    ),
    "nb12.form.cobb_douglas": _m("Cobb–Douglas", "Cobb–Douglas"),
    "nb12.form.translog": _m("translog", "translog"),
    "nb12.output.value_added": _m("value added", "valor agregado"),
    "nb12.output.gross": _m("gross output", "producción bruta"),
    "nb12.inputs.heading": _m(
        "Production inputs in the data", "Insumos de producción en los datos"
    ),
    "nb12.role.output": _m("Output", "Producto"),
    "nb12.role.labour": _m("Labour (free input)", "Trabajo (insumo libre)"),
    "nb12.role.capital": _m("Capital (state input)", "Capital (insumo de estado)"),
    "nb12.role.intermediates": _m(
        "Intermediate inputs (proxy of LP and ACF)", "Consumo intermedio (proxy de LP y ACF)"
    ),
    "nb12.role.investment": _m("Investment (proxy of OP)", "Inversión (proxy de OP)"),
    "nb12.column": _m("Column", "Columna"),
    "nb12.found": _m("In the data", "En los datos"),
    "nb12.not_configured": _m("not configured", "no configurada"),
    "nb12.sample": _m(
        "{rows} firm-years of {firms} firms with positive output and inputs enter the "
        "estimation; {excluded} responding firm-years with a zero, negative or missing value "
        "are left out. Lags are the previous year of the same firm.",
        "Entran en la estimación {rows} años-empresa de {firms} empresas con producto e insumos "
        "positivos; se excluyen {excluded} años-empresa con respuesta y un valor nulo, negativo "
        "o ausente. Los rezagos son el año anterior de la misma empresa.",
    ),
    "nb12.method_missing": _m(
        "{method} is not estimated: it needs {what}.",
        "{method} no se estima: necesita {what}.",
    ),
    "nb12.elasticities.heading": _m(
        "Output elasticities by method", "Elasticidades del producto por método"
    ),
    "nb12.elasticities.note": _m(
        "Output elasticities with standard errors from a block bootstrap over firms ({reps} draws; normal intervals). Returns to scale "
        "is their sum. OLS ignores that input choices respond to productivity; the control "
        "functions correct for it.",
        "Elasticidades del producto con errores estándar de un bootstrap por bloques de empresas ({reps} réplicas; intervalos "
        "normales). Los rendimientos a escala son su suma. MCO ignora que la elección de "
        "insumos responde a la productividad; las funciones de control lo corrigen.",
    ),
    "nb12.elasticities.translog": _m(
        "Translog: the elasticities are evaluated at the sample mean of the inputs.",
        "Translog: las elasticidades se evalúan en la media muestral de los insumos.",
    ),
    "nb12.returns_to_scale": _m("Returns to scale", "Rendimientos a escala"),
    "nb12.ols": _m("OLS (reference)", "MCO (referencia)"),
    "nb12.did.heading": _m(
        "Programme effect on log TFP", "Efecto del programa sobre el log de la PTF"
    ),
    "nb12.did.text": _m(
        "{estimator}: participation changed the log TFP of participating firms by {effect} "
        "(95% CI {ci}; {p}).",
        "{estimator}: la participación cambió el log de la PTF de las empresas participantes en "
        "{effect} (IC 95 % {ci}; {p}).",
    ),
    "nb12.did.caveat": _m(
        "One production function is estimated for participants and comparison firms; the law "
        "of motion of productivity includes the firm's participation in the previous year, so "
        "that the programme may shift productivity (De Loecker 2013). An effect on log TFP is "
        "an effect on output beyond what the measured inputs explain.",
        "Se estima una sola función de producción para participantes y empresas de "
        "comparación; la ley de movimiento de la productividad incluye la participación de la "
        "empresa el año anterior, de modo que el programa puede desplazar la productividad (De "
        "Loecker 2013). Un efecto sobre el log de la PTF es un efecto sobre el producto más "
        "allá de lo que explican los insumos medidos.",
    ),
    "nb12.dynamic.heading": _m(
        "Effect on log TFP by year since entry",
        "Efecto sobre el log de la PTF por año desde la entrada",
    ),
    # simulated data without a production structure (the truth file states no elasticities)
    "nb12.simulated": _m(
        "These data are simulated and their design states no production function (the truth "
        "file gives no input elasticities): capital and intermediate inputs were not generated "
        "from firms' productivity, so the elasticities and total factor productivity above show "
        "that the method runs, not a finding.",
        "Estos datos son simulados y su diseño no define una función de producción (el archivo "
        "de efectos verdaderos no da elasticidades de los insumos): el capital y los insumos intermedios "
        "no se generaron a partir de la productividad de las empresas, de modo que las "
        "elasticidades y la productividad total de los factores muestran que el método funciona, "
        "no un hallazgo.",
    ),
    "doc.tfp.simulated": _m(
        "These data are simulated without a production function, so this is a check that the "
        "method runs, not a finding.",
        "Estos datos se simularon sin una función de producción: esto comprueba que el método "
        "funciona, no es un hallazgo.",
    ),
}
