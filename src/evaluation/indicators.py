"""The program's results framework: logframe targets against what the data show.

Targets live in ``config/evaluation.yml`` (``program.logframe``), each with a definition, a
baseline, a target and the kind of evidence that can show it:

* ``count`` — the indicator is a count or share (clusters created, organizations offering more
  services): the achieved value is a descriptive count, and the status compares it with the
  target;
* ``effect`` — the indicator claims a change caused by the program (higher productivity, more
  inter-connected firms): the achieved value is the causal estimate with its 95% interval, and
  the target is met only when the interval lies above zero. A before/after count of firms whose
  productivity rose is shown beside it *as description*, never as the effect (secular growth and
  selection would count as program success otherwise);
* ``not_measurable`` — these data cannot show it (a market-wide BDS market when only the four
  supporting organizations are observed): the status says so.

Breakdowns by country, organization, cluster and women-led status are aggregated tables with
the number of firms behind each cell, published through
:func:`evaluation.reporting.tables.publish_table` (small cells are withheld).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

EVIDENCE = ("count", "effect", "not_measurable")
STATUSES = ("met", "not_met", "not_measurable")

# Own bilingual catalogue for the logframe's status words and evidence sentences.
TEXT: dict[str, dict[str, str]] = {
    "status.met": {"en": "met", "es": "cumplida"},
    "status.not_met": {"en": "not met", "es": "no cumplida"},
    "status.not_measurable": {
        "en": "not measurable with these data",
        "es": "no medible con estos datos",
    },
    "ev.clusters": {
        "en": "count: {n} clusters with participating SMEs ({firms} SMEs)",
        "es": "conteo: {n} clústeres con pymes participantes ({firms} pymes)",
    },
    "ev.women_share": {
        "en": "count: {n} of {total} clusters reach {threshold} women-led SMEs (lowest share {low})",
        "es": "conteo: {n} de {total} clústeres alcanzan {threshold} de pymes lideradas por mujeres (participación mínima {low})",
    },
    "ev.effect": {
        "en": "effect: {estimate} ({label}), 95% CI {low} to {high}, on {n} participating SMEs",
        "es": "efecto: {estimate} ({label}), IC 95 % {low} a {high}, sobre {n} pymes participantes",
    },
    # The achieved cell of an effect indicator: the effect in its own unit and the number of
    # participating SMEs it is estimated on, so it is never read against a count target.
    "achieved.productivity": {
        "en": "effect of {estimate} on log productivity (≈ {pct}) across {n} participating SMEs",
        "es": "efecto de {estimate} en la productividad en logaritmos (≈ {pct}) en {n} pymes participantes",
    },
    "achieved.linkage": {
        "en": "effect of {estimate} business links per SME across {n} participating SMEs",
        "es": "efecto de {estimate} vínculos empresariales por pyme en {n} pymes participantes",
    },
    "achieved.missing": {"en": "no estimate", "es": "sin estimación"},
    "ev.effect_missing": {
        "en": "no causal estimate available in this run",
        "es": "no hay estimación causal disponible en esta ejecución",
    },
    "ev.productivity_descriptive": {
        "en": "description, not an effect: {up} of {n} participants observed in {base} and {end} raised productivity (comparison firms: {share_c})",
        "es": "descripción, no un efecto: {up} de {n} participantes observadas en {base} y {end} aumentaron su productividad (empresas de comparación: {share_c})",
    },
    "ev.organizations": {
        "en": "count: {n} of {total} organizations offer more BDS services in {end} than in {base}",
        "es": "conteo: {n} de {total} organizaciones ofrecen más servicios BDS en {end} que en {base}",
    },
    "ev.women_network": {
        "en": "count: {end_links} links between women-led SMEs in {end} ({base_links} in {base}); {firms} women-led SMEs linked",
        "es": "conteo: {end_links} vínculos entre pymes lideradas por mujeres en {end} ({base_links} en {base}); {firms} pymes lideradas por mujeres vinculadas",
    },
    "ev.bds_market": {
        "en": "only the supporting organizations are observed: their BDS clients went from {base_clients} ({base}) to {end_clients} ({end}); the market as a whole is not observed",
        "es": "solo se observan las organizaciones de apoyo: sus clientes BDS pasaron de {base_clients} ({base}) a {end_clients} ({end}); el mercado en su conjunto no se observa",
    },
    # --- narrative of the diagnostics pages (notebooks 08-11) -----------------------------
    "nb08.title": {
        "en": "08 Program results framework",
        "es": "08 Marco de resultados del programa",
    },
    "nb08.intro": {
        "en": "Each logframe target of PROMIPYME against what the data show. Counts are descriptive; where a target claims that the program *caused* a change, only the causal estimate ({estimator}) with its 95% interval is evidence, and the target counts as met only when the interval lies above zero.",
        "es": "Cada meta del marco lógico de PROMIPYME frente a lo que muestran los datos. Los conteos son descriptivos; cuando una meta afirma que el programa *causó* un cambio, solo la estimación causal ({estimator}) con su intervalo del 95 % es evidencia, y la meta se da por cumplida solo si el intervalo está por encima de cero.",
    },
    "nb08.logframe": {
        "en": "Logframe targets and achievement",
        "es": "Metas del marco lógico y su logro",
    },
    "nb08.breakdowns": {
        "en": "Participating SMEs by country, organization, cluster and women-led status",
        "es": "Pymes participantes por país, organización, clúster y liderazgo femenino",
    },
    "nb08.breakdowns.text": {
        "en": "Cells resting on fewer than {min_cell} firms are withheld (marked s).",
        "es": "Las celdas con menos de {min_cell} empresas se ocultan (marcadas s).",
    },
    "nb08.gender": {
        "en": "The women-led network as a result of its own",
        "es": "La red de empresas lideradas por mujeres como resultado propio",
    },
    "nb08.gender.participation": {
        "en": "Women lead {share_p} of participating SMEs and {share_c} of comparison firms. The lowest share of women-led SMEs in a cluster is {low} against a target of {target} in every cluster ({n} of {total} clusters reach it).",
        "es": "Las mujeres lideran {share_p} de las pymes participantes y {share_c} de las empresas de comparación. La menor participación de pymes lideradas por mujeres en un clúster es {low}, frente a una meta de {target} en cada clúster ({n} de {total} clústeres la alcanzan).",
    },
    "nb08.gender.effect": {
        "en": "Effect on {outcome} for women-led participants: {effect} (95% CI {ci}); difference from other participants (triple differences, CRV1 by {cluster}): {gap} (95% CI {gap_ci}, {p}).",
        "es": "Efecto sobre {outcome} en participantes lideradas por mujeres: {effect} (IC 95 % {ci}); diferencia con las demás participantes (triples diferencias, CRV1 por {cluster}): {gap} (IC 95 % {gap_ci}, {p}).",
    },
    "nb08.gender.links": {
        "en": "Business links: participation changed the number of links of women-led firms by {effect} (95% CI {ci}) and of other firms by {other} (95% CI {other_ci}), baseline {base} to end line {end}.",
        "es": "Vínculos empresariales: la participación cambió el número de vínculos de las empresas lideradas por mujeres en {effect} (IC 95 % {ci}) y de las demás en {other} (IC 95 % {other_ci}), de la línea de base {base} al final {end}.",
    },
    "nb08.share_table": {
        "en": "Women-led share of participating SMEs per cluster (target 25%)",
        "es": "Participación de pymes lideradas por mujeres por clúster (meta 25 %)",
    },
    "nb09.title": {"en": "09 Inter-firm business network", "es": "09 Red empresarial entre firmas"},
    "nb09.intro": {
        "en": "Business links between SMEs, year by year: how many, how dense within each cluster, how many cross clusters or countries, and how many involve women-led firms. Firms are never named or labelled.",
        "es": "Vínculos empresariales entre pymes, año por año: cuántos, cuán densos dentro de cada clúster, cuántos cruzan clústeres o países y cuántos involucran empresas lideradas por mujeres. Las empresas nunca se nombran ni se etiquetan.",
    },
    "nb09.summary": {"en": "The network by year", "es": "La red por año"},
    "nb09.clusters": {
        "en": "Clusters at baseline ({base}) and end line ({end})",
        "es": "Clústeres en la línea de base ({base}) y al final ({end})",
    },
    "nb09.did": {
        "en": "Participation raised a firm's number of business links by {effect} (95% CI {ci}, {p}; DiD on degree {base} to {end}, CRV1 by {cluster}, {n_clusters} clusters). This compares the change for participants with the change for comparison firms; it is an effect, unlike the raw growth of the network shown above.",
        "es": "La participación aumentó el número de vínculos empresariales de una empresa en {effect} (IC 95 % {ci}, {p}; DiD en el grado de {base} a {end}, CRV1 por {cluster}, {n_clusters} clústeres). Compara el cambio de las participantes con el de las empresas de comparación; es un efecto, a diferencia del crecimiento bruto de la red mostrado arriba.",
    },
    "nb09.figures": {
        "en": "The network at end line, by country",
        "es": "La red al final, por país",
    },
    "nb10.title": {
        "en": "10 Power, balance and attrition",
        "es": "10 Potencia, balance y atrición",
    },
    "nb10.power": {"en": "Minimum detectable effect", "es": "Efecto mínimo detectable"},
    "nb10.power.text": {
        "en": "With {clusters} clusters of about {per} firms ({share} participants), an intra-cluster correlation of the pre/post contrast of {icc} (from comparison firms) and {pre} pre- and {post} post-periods, the design detects an effect on {outcome} of {mde} with 80% power at the 5% level (formula: Bloom 1995 with the panel contrast variance of Burlig, Preonas & Woerman 2020). Check by simulation: on comparison firms only, half of each stratum made pseudo-participants with the stratum's entry year (analytic MDE of that design {mde_p}), re-randomizing them within strata and adding an effect of {mde_p}, the TWFE test (CRV1) rejects in {sim} of {reps} draws (target 80%); with no effect it rejects in {size} (nominal 5%).",
        "es": "Con {clusters} clústeres de unas {per} empresas ({share} participantes), una correlación intraclúster del contraste antes/después de {icc} (de las empresas de comparación) y {pre} periodos previos y {post} posteriores, el diseño detecta un efecto sobre {outcome} de {mde} con 80 % de potencia al 5 % (fórmula: Bloom 1995 con la varianza del contraste en panel de Burlig, Preonas y Woerman 2020). Verificación por simulación: solo con empresas de comparación, la mitad de cada estrato como pseudo-participantes con el año de entrada del estrato (EMD analítico de ese diseño {mde_p}), re-aleatorizándolas dentro de los estratos y añadiendo un efecto de {mde_p}, la prueba TWFE (CRV1) rechaza en {sim} de {reps} sorteos (meta 80 %); sin efecto rechaza en {size} (nominal 5 %).",
    },
    "nb10.balance": {
        "en": "Balance at baseline: full baseline sample and analysis sample after attrition",
        "es": "Balance en la línea de base: muestra completa y muestra de análisis tras la atrición",
    },
    "nb10.balance.text": {
        "en": "Differences participants minus comparison firms in {year}, within strata, CRV1 by {cluster}. Joint test: full sample F = {f_full} ({p_full}); firms still responding in {end}: F = {f_an} ({p_an}).",
        "es": "Diferencias participantes menos empresas de comparación en {year}, dentro de estratos, CRV1 por {cluster}. Prueba conjunta: muestra completa F = {f_full} ({p_full}); empresas que aún responden en {end}: F = {f_an} ({p_an}).",
    },
    "nb10.attrition": {"en": "Attrition", "es": "Atrición"},
    "nb10.attrition.text": {
        "en": "In {end}, {resp_t} of participants and {resp_c} of comparison firms responded (difference {diff}, {p}; joint test of differential attrition on baseline characteristics {joint}). Lee (2009) bounds on the effect on the {base}-to-{end} change in {outcome} for firms that would respond either way: [{lower}, {upper}], Imbens-Manski 95% interval {im}.",
        "es": "En {end} respondieron {resp_t} de las participantes y {resp_c} de las empresas de comparación (diferencia {diff}, {p}; prueba conjunta de atrición diferencial según características de base {joint}). Cotas de Lee (2009) para el efecto sobre el cambio {base}-{end} de {outcome} en las empresas que responderían en cualquier caso: [{lower}, {upper}], intervalo del 95 % de Imbens-Manski {im}.",
    },
    "nb10.unbalanced.text": {
        "en": "Does attrition move the main estimate? The pre-specified Callaway-Sant'Anna effect on {outcome} uses the {n_bal} firms that answered every year: {est_bal} (95% CI {ci_bal}). The same specification on every observed firm-year ({n_all} firms; each comparison a repeated cross-section, as R did's allow_unbalanced_panel) gives {est_all} (95% CI {ci_all}). Its interval is wider because it does not difference each firm with itself.",
        "es": "¿Mueve la atrición la estimación principal? El efecto preespecificado de Callaway-Sant'Anna sobre {outcome} usa las {n_bal} empresas que respondieron todos los años: {est_bal} (IC 95 % {ci_bal}). La misma especificación con todos los años-empresa observados ({n_all} empresas; cada comparación como cortes transversales repetidos, como allow_unbalanced_panel de R did) da {est_all} (IC 95 % {ci_all}). Su intervalo es más amplio porque no compara cada empresa consigo misma.",
    },
    "nb10.unbalanced.failed": {
        "en": "The Callaway-Sant'Anna effect on every observed firm-year could not be estimated on these data: {reason}",
        "es": "El efecto de Callaway-Sant'Anna con todos los años-empresa observados no pudo estimarse con estos datos: {reason}",
    },
    "nb10.cs_balanced": {
        "en": "Callaway-Sant'Anna, firms observed every year ({firms} firms)",
        "es": "Callaway-Sant'Anna, empresas observadas todos los años ({firms} empresas)",
    },
    "nb10.cs_all": {
        "en": "Callaway-Sant'Anna, every observed firm-year ({firms} firms)",
        "es": "Callaway-Sant'Anna, todos los años-empresa observados ({firms} empresas)",
    },
    "nb11.title": {
        "en": "11 Sensitivity and multiple outcomes",
        "es": "11 Sensibilidad y múltiples resultados",
    },
    "nb11.honest": {
        "en": "Sensitivity to violations of parallel trends (Rambachan & Roth)",
        "es": "Sensibilidad a violaciones de tendencias paralelas (Rambachan y Roth)",
    },
    "nb11.honest.text": {
        "en": "Event study of {outcome} ({estimator}). Robust 95% intervals for the effect in the first year of support: if post-entry violations of parallel trends may be up to Mbar times the largest pre-entry one, the effect stays significant up to Mbar = {rm}; if the slope of the differential trend may change by M per year, up to M = {sd}. The same for the average over the post-entry years: Mbar = {rm_avg}.",
        "es": "Estudio de eventos de {outcome} ({estimator}). Intervalos robustos del 95 % para el efecto en el primer año de apoyo: si las violaciones de tendencias paralelas después de la entrada pueden ser hasta Mbar veces la mayor antes de la entrada, el efecto sigue siendo significativo hasta Mbar = {rm}; si la pendiente de la tendencia diferencial puede cambiar en M por año, hasta M = {sd}. Lo mismo para el promedio de los años posteriores: Mbar = {rm_avg}.",
    },
    "nb11.multiple": {
        "en": "Multiple outcomes and subgroups",
        "es": "Múltiples resultados y subgrupos",
    },
    "nb11.multiple.text": {
        "en": "TWFE effects (CRV1 by {cluster}) for each outcome and subgroup, with Romano-Wolf family-wise adjusted p-values ({reps} cluster-bootstrap draws), Benjamini-Hochberg and Anderson's sharpened q-values over the {k} hypotheses. The standardized index of productivity outcomes (Kling, Liebman & Katz 2007) moves by {index} comparison-group SDs (95% CI {index_ci}).",
        "es": "Efectos TWFE (CRV1 por {cluster}) para cada resultado y subgrupo, con p-valores ajustados por Romano-Wolf ({reps} réplicas bootstrap por clúster), Benjamini-Hochberg y q-valores afinados de Anderson sobre las {k} hipótesis. El índice estandarizado de resultados de productividad (Kling, Liebman y Katz 2007) cambia en {index} desviaciones estándar del grupo de comparación (IC 95 % {index_ci}).",
    },
    "nb11.ri": {
        "en": "Randomization inference at the cluster level",
        "es": "Inferencia por aleatorización a nivel de clúster",
    },
    "nb11.ri.text": {
        "en": "Re-assigning the entry cohorts across the {clusters} strata ({reps} assignments), the TWFE estimate of {estimate} has a randomization p-value of {p} (Monte Carlo SE {se}).",
        "es": "Reasignando las cohortes de entrada entre los {clusters} estratos ({reps} asignaciones), la estimación TWFE de {estimate} tiene un p-valor por aleatorización de {p} (error Monte Carlo {se}).",
    },
}


def text(key: str, language: str, /, **values: Any) -> str:
    """A sentence of this module's catalogue in ``language`` (``en`` or ``es``)."""
    if language not in ("en", "es"):
        raise ValueError(f"language must be 'en' or 'es', got {language!r}")
    return TEXT[key][language].format(**values)


def say(key: str, language: str, /, **values: Any) -> None:
    """Display a sentence of this catalogue as Markdown (report pages)."""
    from IPython.display import Markdown, display

    display(Markdown(text(key, language, **values)))


def heading(key: str, language: str, level: int = 2, **values: Any) -> None:
    """Display a heading of this catalogue."""
    from IPython.display import Markdown, display

    display(Markdown(f"{'#' * level} {text(key, language, **values)}"))


def _fmt(value: float, language: str, digits: int = 3) -> str:
    s = f"{value:,.{digits}f}"
    if language == "es":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s


def _pct(share: float, language: str) -> str:
    return _fmt(100 * share, language, 0) + ("%" if language == "en" else " %")


def _signed(value: float, language: str, digits: int = 3) -> str:
    """A number with its sign (``+0.104``, ``-0,020``), as effects are written."""
    sign = "-" if value < 0 and round(abs(value), digits) > 0 else "+"  # no "-0.000"
    return sign + _fmt(abs(value), language, digits)


def _count_cell(value: Any, language: str) -> str:
    """A count target's achieved cell: an integer, or three decimals, or ``–`` when absent."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    value = float(value)
    return _fmt(value, language, 0 if value.is_integer() else 3)


@dataclass(frozen=True)
class Target:
    """One logframe target from config."""

    id: str
    indicator: Mapping[str, str]
    definition: Mapping[str, str]
    baseline: float | None
    target: float | None
    evidence: str
    measure: str
    threshold: float | None = None


def logframe_targets(program: Mapping[str, Any]) -> list[Target]:
    """Validate and read ``program.logframe`` of the settings; errors name the entry and key."""
    if hasattr(program, "logframe"):  # the settings' Program model
        entries = [e.model_dump(exclude_none=True) for e in program.logframe]
    else:
        entries = program.get("logframe") if program else None
    if not entries:
        raise ValueError("config program.logframe: no targets defined")
    out = []
    for k, e in enumerate(entries):
        where = f"config program.logframe[{k}] ({e.get('id', '?')})"
        for key in ("id", "indicator", "definition", "evidence", "measure"):
            if key not in e:
                raise ValueError(f"{where}: missing key {key!r}")
        if e["evidence"] not in EVIDENCE:
            raise ValueError(f"{where}: evidence must be one of {EVIDENCE}, got {e['evidence']!r}")
        if e["measure"] not in MEASURES:
            raise ValueError(
                f"{where}: unknown measure {e['measure']!r}; known: {sorted(MEASURES)}"
            )
        for key in ("indicator", "definition"):
            if not isinstance(e[key], Mapping) or not {"en", "es"} <= set(e[key]):
                raise ValueError(f"{where}: {key} needs 'en' and 'es' texts")
        out.append(
            Target(
                id=e["id"],
                indicator=e["indicator"],
                definition=e["definition"],
                baseline=e.get("baseline"),
                target=e.get("target"),
                evidence=e["evidence"],
                measure=e["measure"],
                threshold=e.get("threshold"),
            )  # fmt: skip
        )
    return out


@dataclass
class Measured:
    """What the data show for one target."""

    achieved: float | None
    status: str
    evidence: dict[str, str]
    conf_low: float | None = None
    conf_high: float | None = None
    baseline_observed: float | None = None
    estimate: float | None = None  # effect indicators: the causal estimate
    n_effect: int | None = None  # and the participating SMEs it is estimated on
    achieved_text: dict[str, str] | None = None  # the achieved cell, when not a count


# --------------------------------------------------------------------------------------
# measures (one per kind of indicator)
# --------------------------------------------------------------------------------------
def _participants(firms: pd.DataFrame) -> pd.DataFrame:
    return firms[firms["participant"].astype(int) == 1]


def clusters_created(t: Target, ctx: Mapping[str, Any]) -> Measured:
    part = _participants(ctx["firms"])
    n = int(part["cluster_id"].nunique())
    status = "met" if t.target is not None and n >= t.target else "not_met"
    ev = {lang: text("ev.clusters", lang, n=n, firms=len(part)) for lang in ("en", "es")}
    return Measured(n, status, ev)


def women_share_by_cluster(firms: pd.DataFrame, threshold: float = 0.25) -> pd.DataFrame:
    """Per business cluster: participating SMEs, women-led SMEs, their share, target reached."""
    part = _participants(firms)
    out = part.groupby("cluster_id").agg(
        country=("country", "first"),
        organization=("organization", "first"),
        firms=("women_led", "size"),
        women_led=("women_led", "sum"),
    )
    out["share_women_led"] = out["women_led"] / out["firms"]
    out["meets_target"] = out["share_women_led"] >= threshold - 1e-12
    return out.reset_index()


def clusters_meeting_women_share(t: Target, ctx: Mapping[str, Any]) -> Measured:
    threshold = float(t.threshold if t.threshold is not None else 0.25)
    tab = women_share_by_cluster(ctx["firms"], threshold)
    n = int(tab["meets_target"].sum())
    total = len(tab)
    target = t.target if t.target is not None else total
    status = "met" if n >= target and n == total else "not_met"
    ev = {
        lang: text(
            "ev.women_share",
            lang,
            n=n,
            total=total,
            threshold=_pct(threshold, lang),
            low=_pct(float(tab["share_women_led"].min()), lang),
        )  # fmt: skip
        for lang in ("en", "es")
    }
    return Measured(n, status, ev)


def _effect_measured(
    t: Target,
    effect: Mapping[str, Any] | None,
    extra: Mapping[str, str] | None = None,
    unit: str = "productivity",
) -> Measured:
    """An effect indicator: met only when the 95% interval lies above zero.

    The achieved value is not a number in the target's unit (a count of SMEs) but the effect
    in its own unit (``unit``: ``productivity`` for a log outcome, with the implied percent
    change exp(b) - 1; ``linkage`` for business links per SME) and the number of
    participating SMEs it is estimated on.
    """
    if effect is None:
        ev = {lang: text("ev.effect_missing", lang) for lang in ("en", "es")}
        if extra:
            ev = {lang: f"{ev[lang]}; {extra[lang]}" for lang in ev}
        missing = {lang: text("achieved.missing", lang) for lang in ("en", "es")}
        return Measured(None, "not_measurable", ev, achieved_text=missing)
    est, lo, hi = float(effect["estimate"]), float(effect["conf_low"]), float(effect["conf_high"])
    status = "met" if lo > 0 else "not_met"
    ev = {}
    for lang in ("en", "es"):
        s = text(
            "ev.effect", lang, estimate=_fmt(est, lang), label=effect.get("label", ""),
            low=_fmt(lo, lang), high=_fmt(hi, lang), n=int(effect.get("n_treated", 0)),
        )  # fmt: skip
        if extra and extra.get(lang):
            s = f"{s}; {extra[lang]}"
        ev[lang] = s
    n = int(effect.get("n_treated", 0))
    cell = {}
    for lang in ("en", "es"):
        pct = _signed(100 * float(np.expm1(est)), lang, 1) + ("%" if lang == "en" else " %")
        cell[lang] = text(
            f"achieved.{unit}", lang, estimate=_signed(est, lang), pct=pct, n=_fmt(n, lang, 0)
        )
    return Measured(None, status, ev, lo, hi, estimate=est, n_effect=n, achieved_text=cell)


def productivity_descriptive(
    panel: pd.DataFrame, base: int, end: int, outcome: str = "log_labor_productivity"
) -> dict[str, float]:
    """Before/after counts (description only): firms whose outcome rose from ``base`` to ``end``."""
    wide = panel.pivot_table(index=["firm_id", "participant"], columns="year", values=outcome)
    if base not in wide.columns or end not in wide.columns:
        return {"n": 0, "up": 0, "share_c": float("nan")}
    both = wide[[base, end]].dropna()
    rose = (both[end] > both[base]).groupby(level="participant").agg(["size", "sum", "mean"])
    get = lambda g, c: float(rose.loc[g, c]) if g in rose.index else float("nan")  # noqa: E731
    return {"n": int(get(1, "size") or 0), "up": int(get(1, "sum") or 0), "share_c": get(0, "mean")}


def productivity_effect(t: Target, ctx: Mapping[str, Any]) -> Measured:
    base, end = ctx["baseline_year"], ctx["endline_year"]
    extra = None
    if ctx.get("panel") is not None:
        d = productivity_descriptive(ctx["panel"], base, end)
        extra = {
            lang: text(
                "ev.productivity_descriptive",
                lang,
                up=d["up"],
                n=d["n"],
                base=base,
                end=end,
                share_c=_pct(d["share_c"], lang) if np.isfinite(d["share_c"]) else "–",
            )  # fmt: skip
            for lang in ("en", "es")
        }
    return _effect_measured(t, ctx.get("productivity"), extra)


def organizations_strengthened(t: Target, ctx: Mapping[str, Any]) -> Measured:
    org = ctx["organizations"]
    base, end = ctx["baseline_year"], ctx["endline_year"]
    wide = org.pivot_table(index="organization", columns="year", values="bds_services")
    if base not in wide.columns or end not in wide.columns:
        raise ValueError(f"organizations: bds_services not observed in {base} and {end}")
    n = int((wide[end] > wide[base]).sum())
    status = "met" if t.target is not None and n >= t.target else "not_met"
    ev = {
        lang: text("ev.organizations", lang, n=n, total=len(wide), base=base, end=end)
        for lang in ("en", "es")
    }
    return Measured(n, status, ev, baseline_observed=0)


def women_network_links(t: Target, ctx: Mapping[str, Any]) -> Measured:
    links, firms = ctx["links"], ctx["firms"]
    base, end = ctx["baseline_year"], ctx["endline_year"]
    women = set(firms.loc[firms["women_led"].astype(int) == 1, "firm_id"])

    def count(year: int) -> tuple[int, int]:
        ly = links[links["year"] == year].drop_duplicates(["firm_a", "firm_b"])
        both = ly[ly["firm_a"].isin(women) & ly["firm_b"].isin(women)]
        return len(both), len(set(both["firm_a"]) | set(both["firm_b"]))

    b_links, _ = count(base)
    e_links, e_firms = count(end)
    status = "met" if e_links > b_links and e_links > 0 else "not_met"
    ev = {
        lang: text(
            "ev.women_network",
            lang,
            end_links=e_links,
            base_links=b_links,
            end=end,
            base=base,
            firms=e_firms,
        )
        for lang in ("en", "es")
    }
    return Measured(e_links, status, ev, baseline_observed=b_links)


def linkage_effect(t: Target, ctx: Mapping[str, Any]) -> Measured:
    return _effect_measured(t, ctx.get("linkage"), unit="linkage")


def bds_market(t: Target, ctx: Mapping[str, Any]) -> Measured:
    org = ctx["organizations"]
    base, end = ctx["baseline_year"], ctx["endline_year"]
    clients = org.groupby("year")["bds_clients"].sum()
    ev = {
        lang: text(
            "ev.bds_market",
            lang,
            base=base,
            end=end,
            base_clients=int(clients.get(base, 0)),
            end_clients=int(clients.get(end, 0)),
        )  # fmt: skip
        for lang in ("en", "es")
    }
    return Measured(None, "not_measurable", ev)


MEASURES = {
    "clusters_created": clusters_created,
    "clusters_meeting_women_share": clusters_meeting_women_share,
    "productivity_effect": productivity_effect,
    "organizations_strengthened": organizations_strengthened,
    "women_network_links": women_network_links,
    "linkage_effect": linkage_effect,
    "bds_market": bds_market,
}


def effect_summary(
    result: Any, term: str, label: str, n_treated: int | None = None
) -> dict[str, Any]:
    """The estimate, interval and p-value of ``term`` in an estimation result, for the logframe."""
    row = result.tidy().set_index("term").loc[term]
    return {
        "estimate": float(row["estimate"]),
        "conf_low": float(row["conf_low"]),
        "conf_high": float(row["conf_high"]),
        "p_value": float(row["p_value"]),
        "label": label,
        "n_treated": int(n_treated) if n_treated is not None else 0,
    }


def logframe(
    targets: list[Target],
    *,
    firms: pd.DataFrame,
    organizations: pd.DataFrame,
    links: pd.DataFrame,
    panel: pd.DataFrame | None = None,
    productivity: Mapping[str, Any] | None = None,
    linkage: Mapping[str, Any] | None = None,
    baseline_year: int = 2015,
    endline_year: int = 2018,
) -> pd.DataFrame:
    """The logframe table: one row per target, English columns and ``_es`` twins.

    Columns: ``indicator``, ``definition``, ``baseline``, ``target``, ``achieved`` (counts
    only: a number in the target's unit), ``estimate``, ``conf_low``, ``conf_high`` and
    ``n_effect`` (effects only: the causal estimate, its interval and the participating SMEs
    it is estimated on), ``achieved_text`` (the achieved cell as a report shows it: the count,
    or for an effect "effect of +0.104 on log productivity (≈ +11.0%) across 243
    participating SMEs", so an effect is never read against a count target), ``status``,
    ``evidence``, ``evidence_type`` (and ``indicator_es``, ``definition_es``,
    ``achieved_text_es``, ``status_es``, ``evidence_es``).
    """
    ctx = {
        "firms": firms, "organizations": organizations, "links": links, "panel": panel,
        "productivity": productivity, "linkage": linkage,
        "baseline_year": baseline_year, "endline_year": endline_year,
    }  # fmt: skip
    rows = []
    for t in targets:
        m = MEASURES[t.measure](t, ctx)
        if t.evidence == "not_measurable":
            m.status = "not_measurable"
        if m.status not in STATUSES:
            raise ValueError(f"indicator {t.id}: status {m.status!r}")
        baseline = t.baseline if t.baseline is not None else m.baseline_observed
        cells = m.achieved_text or {lang: _count_cell(m.achieved, lang) for lang in ("en", "es")}
        rows.append(
            {
                "id": t.id,
                "indicator": t.indicator["en"],
                "indicator_es": t.indicator["es"],
                "definition": t.definition["en"],
                "definition_es": t.definition["es"],
                "baseline": baseline,
                "target": t.target,
                "achieved": m.achieved,
                "achieved_text": cells["en"],
                "achieved_text_es": cells["es"],
                "estimate": m.estimate,
                "conf_low": m.conf_low,
                "conf_high": m.conf_high,
                "n_effect": m.n_effect,
                "status": text(f"status.{m.status}", "en"),
                "status_es": text(f"status.{m.status}", "es"),
                "status_code": m.status,
                "evidence": m.evidence["en"],
                "evidence_es": m.evidence["es"],
                "evidence_type": t.evidence,
            }
        )
    return pd.DataFrame(rows)


def breakdown(firms: pd.DataFrame, by: str) -> pd.DataFrame:
    """Participating SMEs by ``by`` (country, organization, cluster_id, women_led): firms,
    women-led firms and their share; aggregated, ready for ``publish_table(row_count="firms")``."""
    if by not in firms.columns:
        raise ValueError(f"breakdown: column {by!r} not in firms")
    part = _participants(firms)
    out = part.groupby(by).agg(firms=("firm_id", "size"), women_led=("women_led", "sum"))
    out["share_women_led"] = out["women_led"] / out["firms"]
    return out
