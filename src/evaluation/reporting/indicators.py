"""The logframe in words: the analysis layer's numbers and evidence pieces, in each language.

:func:`evaluation.analysis.indicators.logframe` returns numbers, status codes and evidence as
(message id, typed values); this module renders them with the message catalogue and the
language's number conventions (:mod:`evaluation.reporting.translations`). Formatting only:
nothing here estimates or counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evaluation.reporting.translations import (
    LANGUAGES,
    MISSING,
    fmt_number,
    fmt_percent,
    t,
    variable_label,
)


def _signed(value: float, language: str, digits: int = 3) -> str:
    """A number with its sign (``+0.104``, ``-0,020``), as effects are written; no ``-0.000``."""
    sign = "-" if value < 0 and round(abs(value), digits) > 0 else "+"
    return sign + fmt_number(abs(value), language, digits)


def format_value(kind: str, value: Any, language: str) -> str:
    """One typed value of an evidence piece in ``language`` (see ``analysis.indicators.Value``)."""
    if kind == "text":
        return str(value)
    if kind == "outcome":
        label = variable_label(str(value), language)
        return label[0].lower() + label[1:] if label[:2].istitle() else label
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return MISSING
    if kind == "int":
        return fmt_number(value, language, 0)
    if kind == "year":
        return str(int(value))
    if kind == "share":
        return fmt_percent(value, language, 0)
    if kind == "signed":
        return _signed(float(value), language)
    if kind == "pct_signed":
        pct = _signed(100 * float(value), language, 1)
        return pct + ("%" if language == "en" else "\u00a0%")
    return fmt_number(value, language, 3)


def piece_text(piece: Any, language: str) -> str:
    """A (message id, values) piece as a sentence of the catalogue."""
    key, values = piece
    return t(
        key, language, **{k: format_value(kind, v, language) for k, (kind, v) in values.items()}
    )


def count_cell(value: Any, language: str) -> str:
    """A count target's achieved cell: an integer, or three decimals, or ``–`` when absent."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return MISSING
    value = float(value)
    return fmt_number(value, language, 0 if value.is_integer() else 3)


def worded(frame: pd.DataFrame) -> pd.DataFrame:
    """The logframe with its words: ``achieved_text``, ``status``, ``evidence`` (English) and
    their ``_es`` twins, beside the analysis layer's numbers."""
    out = frame.copy()
    for language in LANGUAGES:
        suffix = "" if language == "en" else f"_{language}"
        out[f"achieved_text{suffix}"] = [
            piece_text(p, language) if p else count_cell(a, language)
            for p, a in zip(frame["achieved_piece"], frame["achieved"], strict=True)
        ]
        out[f"status{suffix}"] = [t(f"logframe.status.{s}", language) for s in frame["status_code"]]
        out[f"evidence{suffix}"] = [
            "; ".join(piece_text(p, language) for p in pieces)
            for pieces in frame["evidence_pieces"]
        ]
    return out.drop(columns=["evidence_pieces", "achieved_piece"])
