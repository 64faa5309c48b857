"""Messages of the spillovers analysis (issue 14), merged into the catalogue by messages.py.

Same rules as messages.MESSAGES: id -> {"en": ..., "es": ...} with the same placeholders.
"""

from __future__ import annotations


def _m(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


MESSAGES: dict[str, dict[str, str]] = {
    "spill.heading": _m(
        "Spillovers to non-participants through business links",
        "Efectos indirectos en las no participantes a través de los vínculos empresariales",
    ),
    "spill.intro": _m(
        "A firm's exposure in a year is the share of its business partners that had been "
        "supported by then, counting only links formed up to the baseline year ({base}): links "
        "formed later may themselves result from the programme. A two-way fixed-effects "
        "regression of {outcome} on own participation and exposure separates the direct effect "
        "on participants (with no supported partner) from the spillover on comparison firms "
        "(all partners supported against none), following Clarke (2017) and Butts (2021). "
        "Standard errors are clustered by {cluster} ({n_clusters} clusters).",
        "La exposición de una empresa en un año es la proporción de sus socias comerciales que "
        "ya habían recibido apoyo, contando solo los vínculos formados hasta el año de línea de "
        "base ({base}): los vínculos posteriores pueden ser resultado del propio programa. Una "
        "regresión con efectos fijos de empresa y año de {outcome} sobre la participación "
        "propia y la exposición separa el efecto directo en las participantes (sin socias "
        "apoyadas) del efecto indirecto en las empresas de comparación (todas sus socias "
        "apoyadas frente a ninguna), según Clarke (2017) y Butts (2021). Los errores estándar "
        "se agrupan por {cluster} ({n_clusters} conglomerados).",
    ),
    "spill.controls": _m(
        "Both the fixed-effects and the two-stage fits include {controls} (conditional "
        "parallel trends, as on the effects pages).",
        "Tanto la estimación con efectos fijos como la de dos etapas incluyen {controls} "
        "(tendencias paralelas condicionales, como en las páginas de efectos).",
    ),
    "spill.controls.none": _m(
        "No covariate or sector is in the data: the fits rely on unconditional parallel trends.",
        "Los datos no tienen covariables ni sector: las estimaciones suponen tendencias "
        "paralelas incondicionales.",
    ),
    "spill.counts": _m(
        "{exposed} of {comparison} comparison firms had at least one supported partner by "
        "{end}; {with_partners} had a business partner at baseline ({pairs} links formed up to "
        "{base}; {later} more were formed afterwards).",
        "{exposed} de {comparison} empresas de comparación tenían al menos una socia apoyada en "
        "{end}; {with_partners} tenían una socia comercial en la línea de base ({pairs} vínculos "
        "formados hasta {base}; después se formaron {later} más).",
    ),
    "spill.finding.detected": _m(
        "Spillover: having all baseline partners supported changed a comparison firm's "
        "{outcome} by {effect} (95% CI {ci}, {p}), while the direct effect on participants, net "
        "of spillover, was {direct} (95% CI {direct_ci}).",
        "Efecto indirecto: tener todas las socias de la línea de base apoyadas cambió {outcome} "
        "de una empresa de comparación en {effect} (IC 95 % {ci}, {p}), mientras que el efecto "
        "directo en las participantes, neto del efecto indirecto, fue {direct} (IC 95 % "
        "{direct_ci}).",
    ),
    "spill.finding.none": _m(
        "Spillover: no effect on comparison firms through their business partners can be told "
        "apart from zero ({effect}, 95% CI {ci}, {p}); the direct effect on participants, net "
        "of spillover, was {direct} (95% CI {direct_ci}).",
        "Efecto indirecto: ningún efecto en las empresas de comparación a través de sus socias "
        "comerciales se distingue de cero ({effect}, IC 95 % {ci}, {p}); el efecto directo en "
        "las participantes, neto del efecto indirecto, fue {direct} (IC 95 % {direct_ci}).",
    ),
    "spill.bootstrap": _m(
        "With only {n_clusters} clusters, CRV1 intervals are too narrow: the intervals and "
        "p-values of the direct effect and of the spillover through all baseline links come "
        "from a restricted wild cluster bootstrap ({reps} draws, Rademacher weights, by "
        "{cluster}); the other rows are CRV1.",
        "Con solo {n_clusters} conglomerados, los intervalos CRV1 son demasiado estrechos: los "
        "intervalos y valores p del efecto directo y del efecto indirecto a través de todos los "
        "vínculos de la línea de base provienen de un bootstrap salvaje restringido por "
        "conglomerados ({reps} extracciones, pesos de Rademacher, por {cluster}); las demás "
        "filas son CRV1.",
    ),
    "spill.table.caption": _m(
        "Direct effect and spillovers on {outcome}",
        "Efecto directo y efectos indirectos sobre {outcome}",
    ),
    "spill.table.note": _m(
        "Two-way fixed effects (firm and year); exposure = share of baseline partners supported; "
        "CRV1 by {cluster}. Two-stage DiD: fixed effects estimated on firm-years neither "
        "supported nor exposed (Gardner 2021), GMM standard errors by {cluster}. Any partner "
        "supported: an indicator in place of the share. By link "
        "type: the exposure through links of that type only. "
        "Placebo: the share of partners supported among links formed after {base}, beside the "
        "baseline exposure.",
        "Efectos fijos de empresa y año; exposición = proporción de socias de la línea de base "
        "apoyadas; CRV1 por {cluster}. DiD en dos etapas: efectos fijos estimados en los "
        "años-empresa ni apoyados ni expuestos (Gardner 2021), errores estándar GMM por "
        "{cluster}. Alguna socia apoyada: un indicador en lugar de la "
        "proporción. Por tipo de vínculo: la exposición solo a través de vínculos de ese tipo. "
        "Placebo: la proporción de socias apoyadas entre los vínculos "
        "formados después de {base}, junto a la exposición de la línea de base.",
    ),
    "spill.figure.title": _m(
        "Spillover on comparison firms: by specification and link type",
        "Efecto indirecto en las empresas de comparación: por especificación y tipo de vínculo",
    ),
    "spill.figure.effect": _m("Spillover", "Efecto indirecto"),
    "spill.figure.placebo": _m("Placebo", "Placebo"),
    "spill.spec.all": _m("All baseline links", "Todos los vínculos de la línea de base"),
    "spill.spec.any": _m(
        "Any partner supported (yes/no)",
        "Alguna socia apoyada (sí/no)",
    ),
    "spill.spec.two_stage": _m(
        "Two-stage DiD (robust to staggered support)",
        "DiD en dos etapas (robusto al apoyo escalonado)",
    ),
    "spill.spec.placebo": _m(
        "Placebo: links formed after {base}",
        "Placebo: vínculos formados después de {base}",
    ),
    "spill.column.term": _m("Effect", "Efecto"),
    "spill.term.direct_effect": _m(
        "Direct effect on participants (net of spillover)",
        "Efecto directo en las participantes (neto del efecto indirecto)",
    ),
    "spill.term.exposure_effect": _m(
        "Spillover on comparison firms",
        "Efecto indirecto en las empresas de comparación",
    ),
    "spill.term.exposure_effect_treated": _m(
        "Additional effect of exposure on participants",
        "Efecto adicional de la exposición en las participantes",
    ),
    "spill.term.placebo_exposure": _m(
        "Placebo exposure (comparison firms)",
        "Exposición placebo (empresas de comparación)",
    ),
    "spill.placebo": _m(
        "Placebo: the share of supported partners among links formed after {base} has a "
        "coefficient of {effect} (95% CI {ci}, {p}) for comparison firms. Such links could not "
        "carry a spillover before they existed; an estimate far from zero would point to firms "
        "linking up with participants because of their own trends, not to spillovers.",
        "Placebo: la proporción de socias apoyadas entre los vínculos formados después de "
        "{base} tiene un coeficiente de {effect} (IC 95 % {ci}, {p}) para las empresas de "
        "comparación. Esos vínculos no podían transmitir efectos antes de existir; una "
        "estimación lejos de cero indicaría que las empresas se vinculan con participantes por "
        "sus propias tendencias, no efectos indirectos.",
    ),
    "spill.missing.no_baseline_links": _m(
        "No business link was formed up to the baseline year ({base}). Exposure is measured on "
        "the baseline network only (later links may result from the programme), so the "
        "spillover analysis needs links observed at baseline (links table with years up to "
        "{base}).",
        "No se formó ningún vínculo empresarial hasta el año de línea de base ({base}). La "
        "exposición se mide solo en la red de la línea de base (los vínculos posteriores pueden "
        "ser resultado del programa), así que el análisis de efectos indirectos necesita "
        "vínculos observados en la línea de base (tabla links con años hasta {base}).",
    ),
    "spill.missing.no_exposed_comparison": _m(
        "No comparison firm with an observed {outcome} has a supported partner in the baseline "
        "network: the spillover on non-participants cannot be estimated. Links between "
        "comparison firms and participants observed by {base} would enable it.",
        "Ninguna empresa de comparación con {outcome} observado tiene una socia apoyada en la "
        "red de la línea de base: no se puede estimar el efecto indirecto en las no "
        "participantes. Lo permitirían vínculos entre empresas de comparación y participantes "
        "observados hasta {base}.",
    ),
    "spill.missing.types": _m(
        "Link types through which no comparison firm was exposed at baseline are left out: "
        "{types}.",
        "Se omiten los tipos de vínculo a través de los cuales ninguna empresa de comparación "
        "estaba expuesta en la línea de base: {types}.",
    ),
    "spill.missing.placebo": _m(
        "No link was formed after {base} with a supported partner: the placebo on later links "
        "cannot be computed.",
        "No se formó ningún vínculo con una socia apoyada después de {base}: no se puede "
        "calcular el placebo sobre vínculos posteriores.",
    ),
    "spill.missing.cluster": _m(
        "No inference cluster is configured or found in the data (analysis.cluster): standard "
        "errors are clustered by firm, which ignores the correlation between linked firms that "
        "spillovers create. Naming a firm-level column that groups linked firms (a business "
        "cluster, stratum or territory) in analysis.cluster would enable clustered inference "
        "at that level.",
        "No hay un conglomerado de inferencia configurado ni en los datos (analysis.cluster): "
        "los errores estándar se agrupan por empresa, lo que ignora la correlación entre "
        "empresas vinculadas que crean los efectos indirectos. Indicar en analysis.cluster una "
        "columna de nivel empresa que agrupe a las empresas vinculadas (un clúster empresarial, "
        "estrato o territorio) permitiría la inferencia agrupada a ese nivel.",
    ),
    "spill.link_type.client": _m("Client", "Cliente"),
    "spill.link_type.supplier": _m("Supplier", "Proveedor"),
    "spill.link_type.knowledge": _m("Knowledge", "Conocimiento"),
    "spill.link_type.joint_sales": _m("Joint sales", "Ventas conjuntas"),
    "spill.link_type.joint_purchase": _m("Joint purchase", "Compras conjuntas"),
    "spill.link_type.unknown": _m("Untyped links", "Vínculos sin tipo"),
}
