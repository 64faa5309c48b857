"""Every word of the reports in English and Spanish, and number formatting per language.

The message catalogue (:data:`evaluation.reporting.resources.messages.MESSAGES`) maps a message
id to its text in each language; notebooks and helpers never hard-code a sentence, they ask for
``t(message_id, language, **values)``. Numbers follow the conventions the donor's readers expect:
English ``1,234.5`` and ``12.5%``; Spanish ``1.234,5`` and ``12,5 %`` (the Real Academia
Española puts a space before the percent sign; the brief asks for the period as the thousands
separator, which is also what most Latin American statistical offices print).

Variable labels come from the codebook (:mod:`evaluation.data.codebook`: ``description`` in
English, ``label_es`` in Spanish) for raw columns and from the catalogue (``var.<name>``) for
the processed panel's derived columns.
"""

from __future__ import annotations

import datetime as _dt
import math
import string
from collections.abc import Mapping
from typing import Any

from evaluation.reporting.resources.messages import MESSAGES

LANGUAGES: tuple[str, ...] = ("en", "es")
MISSING = "–"  # printed for a missing number, in both languages

_SEPARATORS = {"en": (",", "."), "es": (".", ",")}  # (thousands, decimal)
_MONTHS = {
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "es": (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    ).split(),
}


def check_language(language: str) -> str:
    """Return ``language`` if it is a report language, else raise a clear ``ValueError``."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return language


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message (what a translation must keep)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, language: str = "en", /, **values: Any) -> str:
    """The message ``key`` in ``language``, with ``{placeholders}`` filled from ``values``.

    Numbers should be formatted by the caller (:func:`fmt_number` and friends) so that the
    message decides the words and the formatter the digits.

    Examples
    --------
    >>> t("report.seed", "es", seed=7)
    'Semilla aleatoria: 7'
    """
    check_language(language)
    try:
        entry = MESSAGES[key]
    except KeyError:
        close = sorted(k for k in MESSAGES if k.split(".")[0] == key.split(".")[0])[:8]
        raise KeyError(
            f"no message {key!r} in the catalogue; messages of that family: {close}"
        ) from None
    text = entry[language]
    needed = placeholders(text)
    missing = needed - set(values)
    if missing:
        raise KeyError(f"message {key!r} needs values for {sorted(missing)}")
    return text.format(**values) if needed else text


def has_message(key: str) -> bool:
    """Whether the catalogue holds ``key``."""
    return key in MESSAGES


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def fmt_number(value: Any, language: str = "en", digits: int = 1) -> str:
    """A number with the language's thousands and decimal separators.

    >>> fmt_number(1234.5, "en"), fmt_number(1234.5, "es")
    ('1,234.5', '1.234,5')
    """
    check_language(language)
    if _is_missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    text = f"{value:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0.0"
    thousands, decimal = _SEPARATORS[language]
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def fmt_int(value: Any, language: str = "en") -> str:
    """A count: no decimals, thousands separated (``12,345`` / ``12.345``)."""
    return fmt_number(value, language, digits=0)


def fmt_percent(share: Any, language: str = "en", digits: int = 1) -> str:
    """A share (0.125) as a percentage: ``12.5%`` in English, ``12,5 %`` in Spanish."""
    if _is_missing(share):
        return MISSING
    number = fmt_number(100 * float(share), language, digits)
    return f"{number}%" if language == "en" else f"{number}\u00a0%"


def fmt_interval(low: Any, high: Any, language: str = "en", digits: int = 3) -> str:
    """A confidence interval: ``[0.012, 0.045]``; Spanish separates with ``;`` (decimal comma)."""
    sep = ", " if check_language(language) == "en" else "; "
    if _is_missing(low) or _is_missing(high):
        return MISSING
    return f"[{fmt_number(low, language, digits)}{sep}{fmt_number(high, language, digits)}]"


def fmt_pvalue(p: Any, language: str = "en") -> str:
    """A p-value with three decimals, ``< 0.001`` (``< 0,001``) below that."""
    if _is_missing(p):
        return MISSING
    if float(p) < 0.001:
        return "< " + fmt_number(0.001, language, 3)
    return fmt_number(p, language, 3)


def fmt_p(p: Any, language: str = "en") -> str:
    """A p-value as a statement for running text: ``p = 0.012`` or ``p < 0.001``."""
    text = fmt_pvalue(p, language)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def fmt_date(value: _dt.date | str, language: str = "en") -> str:
    """A date in words: ``27 November 2026`` / ``27 de noviembre de 2026``."""
    check_language(language)
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    month = _MONTHS[language][value.month - 1]
    if language == "en":
        return f"{value.day} {month} {value.year}"
    return f"{value.day} de {month} de {value.year}"


def fmt_effect(estimate: Any, language: str = "en", digits: int = 3) -> str:
    """An effect in log points with its approximate percentage change, e.g. ``0.095 (≈ +10.0%)``.

    The percentage is ``100 (exp(b) - 1)``, the exact change a log-point effect implies.
    """
    if _is_missing(estimate):
        return MISSING
    pct = math.expm1(float(estimate))
    sign = "+" if pct >= 0 else ""
    return f"{fmt_number(estimate, language, digits)} (≈ {sign}{fmt_percent(pct, language, 1)})"


def _declared_label(name: str, language: str) -> str | None:
    """The label of an outcome declared in the configuration (``outcomes.<name>.label``)."""
    from evaluation.config import ConfigError, load_settings

    try:
        declared = load_settings().outcomes.get(name)
    except ConfigError:  # the command reports configuration errors; a label is no place to
        return None
    return declared.label.get(language) if declared is not None and declared.label else None


def _money_mode() -> str:
    """``nominal`` when the configured processed data hold money as reported (no price index
    covered them, data manifest ``contents.money``), else ``real``."""
    import json

    from evaluation.config import ConfigError, load_settings

    try:
        path = load_settings().path("processed") / "data_manifest.json"
        contents = json.loads(path.read_text(encoding="utf-8")).get("contents", {})
    except (ConfigError, OSError, ValueError):
        return "real"
    return "nominal" if contents.get("money") == "nominal" else "real"


def variable_label(name: str, language: str = "en") -> str:
    """The report label of a column: a declared outcome's own label (configuration), the
    catalogue's ``var.<name>`` (its ``.nominal`` form when the processed money is nominal),
    then the codebook.

    Falls back to the column name itself, so a new outcome added to the grid still prints.
    """
    check_language(language)
    declared = _declared_label(name, language)
    if declared:
        return declared
    key = f"var.{name}"
    if f"{key}.nominal" in MESSAGES and _money_mode() == "nominal":
        key = f"{key}.nominal"
    if key in MESSAGES:
        return MESSAGES[key][language]
    from evaluation.data.codebook import RAW_COLUMNS

    for column in RAW_COLUMNS:
        if column.name == name:
            if language == "es" and column.label_es:
                return column.label_es
            return column.description
    return name


def country_name(code: Any, language: str = "en") -> str:
    """A country code (ISO 3166-1 alpha-2) in words, in ``language``; other values unchanged.

    Names come from the Unicode CLDR territory names (through Babel), so no programme's
    countries are listed in code; a code CLDR does not know, or any other value, prints as
    given.
    """
    check_language(language)
    text = str(code)
    try:
        from babel import Locale

        return Locale(language).territories.get(text.upper(), text) if len(text) == 2 else text
    except (ImportError, ValueError):  # pragma: no cover - Babel ships with the environment
        return text


def labels(names: list[str] | tuple[str, ...], language: str = "en") -> dict[str, str]:
    """``{column: label}`` for several columns (for ``DataFrame.rename``)."""
    return {name: variable_label(name, language) for name in names}


def catalogue_problems(messages: Mapping[str, Mapping[str, str]] = MESSAGES) -> list[str]:
    """Every defect of a catalogue: a missing language, an empty text, mismatched placeholders.

    The test suite asserts this list is empty, so a message added in one language only fails.
    """
    problems: list[str] = []
    for key, entry in messages.items():
        for language in LANGUAGES:
            text = entry.get(language)
            if text is None:
                problems.append(f"{key}: no {language} text")
            elif not str(text).strip():
                problems.append(f"{key}: empty {language} text")
        extra = set(entry) - set(LANGUAGES)
        if extra:
            problems.append(f"{key}: unknown languages {sorted(extra)}")
        texts = [entry.get(lang) for lang in LANGUAGES if entry.get(lang)]
        if len(texts) == len(LANGUAGES):
            fields = [placeholders(text) for text in texts]
            if any(f != fields[0] for f in fields):
                problems.append(f"{key}: placeholders differ between languages {fields}")
    return problems
