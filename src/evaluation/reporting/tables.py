"""Published tables: small-cell suppression, no personal data, numbers formatted per language.

Every table a report prints goes through :func:`publish_table`. It follows the usual rules of
statistical disclosure control for business microdata (e.g. Eurostat's *Handbook on
Statistical Disclosure Control*, ch. 4; Hundepool et al. 2012):

* **Primary suppression** — every statistic (count, mean, share, estimate) computed from fewer
  than ``min_cell`` firms (but at least one) is withheld. Cells of zero firms are shown: they
  reveal no firm's value, and a statistic of zero firms is undefined and prints as missing.
* **Secondary suppression** — where the published cells of a line add up to a published total
  (the rows above a total row, the columns left of a total column), a single suppressed cell
  could be recovered by subtraction; the next-smallest cell of that line is then withheld too,
  repeating until no line has exactly one withheld cell.

Withheld cells print a mark (``s``) explained in a footnote, in the report language. A table
whose columns include personal data or firm identifiers is refused outright.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.reporting.translations import (
    check_language,
    fmt_int,
    fmt_number,
    fmt_percent,
    fmt_pvalue,
    t,
)

MARK = "s"
# Columns that identify a firm or a person: never in a published table.
_IDENTIFIERS = ("firm_id", "firm_a", "firm_b")


def _personal_columns() -> set[str]:
    from evaluation.data.codebook import RAW_COLUMNS

    return {c.name for c in RAW_COLUMNS if c.personal} | set(_IDENTIFIERS)


@dataclass
class PublishedTable:
    """A table ready to print: formatted text, which cells were withheld, and why.

    Attributes
    ----------
    frame : the formatted table (strings), suppressed cells replaced by the mark.
    values : the numbers before formatting, suppressed cells set to NaN (safe to plot).
    suppressed : boolean mask, True where a cell is withheld (primary or secondary).
    primary : boolean mask of the primary suppressions alone.
    caption : the table's title, in the report language.
    notes : footnotes (the suppression note first when a cell is withheld).
    """

    frame: pd.DataFrame
    values: pd.DataFrame
    suppressed: pd.DataFrame
    primary: pd.DataFrame
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def n_suppressed(self) -> int:
        return int(self.suppressed.to_numpy().sum())

    def to_html(self) -> str:
        """Self-contained HTML (a ``<table>`` with caption and footnotes, no scripts)."""
        table = self.frame.to_html(
            index=self.frame.index.name is not None or not _is_range(self.frame.index),
            border=0,
            classes="published-table",
            escape=True,
            na_rep="",
        )
        caption = f"<p class='table-caption'><strong>{html.escape(self.caption)}</strong></p>"
        notes = "".join(
            f"<p class='table-note'><small>{html.escape(n)}</small></p>" for n in self.notes
        )
        return f"<div class='published'>{caption if self.caption else ''}{table}{notes}</div>"

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return "\n".join([self.caption, self.frame.to_string(), *self.notes]).strip()


def _is_range(index: pd.Index) -> bool:
    return isinstance(index, pd.RangeIndex)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _check_columns(df: pd.DataFrame, names: Sequence[str], argument: str) -> None:
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise KeyError(
            f"publish_table: {argument} names columns {missing} that the table does not have; "
            f"its columns are {list(df.columns)}"
        )


def suppression_mask(
    df: pd.DataFrame,
    *,
    count_columns: Sequence[str] | Mapping[str, str | Sequence[str]] = (),
    row_count: str | None = None,
    total_rows: Sequence[Hashable] = (),
    total_column: str | None = None,
    min_cell: int = 5,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which cells to withhold: ``(primary, all)`` boolean masks shaped like ``df``.

    Parameters
    ----------
    count_columns : columns holding numbers of firms. A list means each count cell stands for
        itself; a mapping ``{statistic: count column(s)}`` also withholds the statistic where
        any of its counts is below ``min_cell`` (a mean, a share or an estimate computed from
        those firms). Count columns named in a mapping's values are counts too.
    row_count : a column giving the number of firms behind every statistic of its row: all
        other numeric cells of a row with fewer than ``min_cell`` firms are withheld.
    total_rows : index labels of rows that are totals of the other rows (secondary suppression
        down the columns).
    total_column : a column that is the total of the plain count columns (secondary
        suppression across each row).
    """
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell}")
    if isinstance(count_columns, Mapping):
        stat_counts = {k: _as_list(v) for k, v in count_columns.items()}
        counts = sorted({c for v in stat_counts.values() for c in v}, key=list(df.columns).index)
        _check_columns(df, list(stat_counts), "count_columns (statistics)")
    else:
        stat_counts = {}
        counts = list(count_columns)
    _check_columns(df, counts, "count_columns")
    if row_count is not None:
        _check_columns(df, [row_count], "row_count")
        counts = [c for c in counts if c != row_count] + [row_count]
    if total_column is not None:
        _check_columns(df, [total_column], "total_column")
    unknown_totals = [r for r in total_rows if r not in df.index]
    if unknown_totals:
        raise KeyError(
            f"publish_table: total_rows {unknown_totals} are not row labels of the table"
        )

    numeric = df.apply(pd.to_numeric, errors="coerce")
    numeric_cols = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    primary = pd.DataFrame(False, index=df.index, columns=df.columns)

    def small(column: str) -> pd.Series:
        v = numeric[column]
        return ((v < min_cell) & (v > 0)).fillna(False)

    for column in counts:
        primary[column] |= small(column)
    for stat, sources in stat_counts.items():
        for source in sources:
            primary[stat] |= small(source)
    if row_count is not None:
        thin = small(row_count)
        for column in numeric_cols:
            if column != row_count:
                primary[column] |= thin

    mask = primary.copy()
    plain_counts = [c for c in counts if c != total_column]
    body_rows = [r for r in df.index if r not in set(total_rows)]

    def propagate_row(row: Hashable) -> None:
        # a row whose firm count is withheld has all its statistics withheld
        if row_count is not None and mask.at[row, row_count]:
            for column in numeric_cols:
                mask.at[row, column] = True
        for stat, sources in stat_counts.items():
            if any(mask.at[row, s] for s in sources):
                mask.at[row, stat] = True

    def line_fix(cells: list[tuple[Hashable, str]], total: tuple[Hashable, str] | None) -> bool:
        """Withhold one more cell of a line that has exactly one withheld cell."""
        hidden = [c for c in cells if mask.at[c]]
        if len(hidden) != 1 or (total is not None and mask.at[total]):
            return False
        candidates = [
            c for c in cells if not mask.at[c] and pd.notna(numeric.at[c]) and numeric.at[c] > 0
        ]
        if candidates:
            target = min(candidates, key=lambda c: (numeric.at[c], cells.index(c)))
        elif total is not None:
            target = total
        else:
            return False
        mask.at[target] = True
        return True

    for _ in range(100):  # each pass withholds at least one cell; tables are small
        changed = False
        for row in df.index:
            propagate_row(row)
        if total_rows:
            columns_down = [*counts, *stat_counts]
            for column in columns_down:
                cells = [(r, column) for r in body_rows]
                for total in total_rows:
                    changed |= line_fix(cells, (total, column))
        if total_column is not None and plain_counts:
            for row in df.index:
                cells = [(row, c) for c in plain_counts]
                changed |= line_fix(cells, (row, total_column))
        if not changed:
            break
    for row in df.index:
        propagate_row(row)
    return primary, mask


def _formatter(
    column: str,
    series: pd.Series,
    *,
    language: str,
    counts: set[str],
    digits: Mapping[str, int],
    percent: set[str],
    pvalues: set[str],
    default_digits: int,
):
    if column in counts:
        return lambda v: fmt_int(v, language)
    if column in percent:
        return lambda v: fmt_percent(v, language, digits.get(column, 1))
    if column in pvalues:
        return lambda v: fmt_pvalue(v, language)
    if pd.api.types.is_bool_dtype(series):
        return lambda v: t("common.yes" if v else "common.no", language)
    if pd.api.types.is_integer_dtype(series):
        return lambda v: fmt_int(v, language)
    if pd.api.types.is_numeric_dtype(series):
        return lambda v: fmt_number(v, language, digits.get(column, default_digits))
    return lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def publish_table(
    df: pd.DataFrame,
    *,
    count_columns: Sequence[str] | Mapping[str, str | Sequence[str]] = (),
    row_count: str | None = None,
    total_rows: Sequence[Hashable] = (),
    total_column: str | None = None,
    min_cell: int | None = None,
    language: str = "en",
    digits: int | Mapping[str, int] = 3,
    percent_columns: Sequence[str] = (),
    pvalue_columns: Sequence[str] = ("p_value",),
    labels: Mapping[str, str] | None = None,
    caption: str = "",
    notes: Sequence[str] = (),
    mark: str = MARK,
) -> PublishedTable:
    """Suppress small cells, refuse personal data, format numbers: a table fit to publish.

    Parameters
    ----------
    df : the table, one row per group; its index (if not a plain range) is printed.
    count_columns, row_count, total_rows, total_column : see :func:`suppression_mask`.
    min_cell : smallest number of firms a published statistic may rest on; ``None`` reads
        ``analysis.min_cell`` from the settings (default 5).
    language : ``"en"`` or ``"es"`` (separators, the footnote, yes/no).
    digits : decimals of non-count numbers, one for all or per column.
    percent_columns : shares (0-1) printed as percentages; ``pvalue_columns`` as p-values.
    labels : column headings; columns not named keep their name.

    Examples
    --------
    >>> tab = pd.DataFrame({"group": ["a", "b"], "firms": [12, 3], "mean": [1.5, 2.0]})
    >>> publish_table(tab, row_count="firms").frame["mean"].tolist()
    ['1.500', 's']
    """
    check_language(language)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"publish_table takes a DataFrame, not {type(df).__name__}")
    named = {str(c) for c in df.columns} | {str(n) for n in df.index.names if n is not None}
    personal = sorted(_personal_columns() & named)
    if personal:
        raise ValueError(
            f"publish_table refuses a table with personal data or firm identifiers: {personal}; "
            "aggregate to groups of firms before publishing"
        )
    if df.index.has_duplicates:
        raise ValueError("publish_table: the table's row labels must be unique")
    if min_cell is None:
        from evaluation.config import load_settings

        min_cell = load_settings().analysis.min_cell
    primary, mask = suppression_mask(
        df,
        count_columns=count_columns,
        row_count=row_count,
        total_rows=total_rows,
        total_column=total_column,
        min_cell=min_cell,
    )
    counts = set(count_columns if not isinstance(count_columns, Mapping) else [])
    if isinstance(count_columns, Mapping):
        counts |= {c for v in count_columns.values() for c in _as_list(v)}
    if row_count:
        counts.add(row_count)
    if total_column:
        counts.add(total_column)
    per_column = dict(digits) if isinstance(digits, Mapping) else {}
    default_digits = digits if isinstance(digits, int) else 3

    values = df.copy()
    text = pd.DataFrame(index=df.index, columns=df.columns, dtype=object)
    for column in df.columns:
        fmt = _formatter(
            column,
            df[column],
            language=language,
            counts=counts,
            digits=per_column,
            percent=set(percent_columns),
            pvalues=set(pvalue_columns),
            default_digits=default_digits,
        )
        hidden = mask[column].to_numpy()
        text[column] = [mark if h else fmt(v) for v, h in zip(df[column], hidden, strict=True)]
        if hidden.any():
            if pd.api.types.is_numeric_dtype(values[column]):
                values[column] = values[column].astype(float)
            values.loc[hidden, column] = np.nan
    if labels:
        text = text.rename(columns=dict(labels))
    all_notes = list(notes)
    if mask.to_numpy().any():
        all_notes.insert(0, t("table.suppressed", language, mark=mark, min_cell=min_cell))
    return PublishedTable(
        frame=text,
        values=values,
        suppressed=mask,
        primary=primary,
        caption=caption,
        notes=all_notes,
    )


def estimates_table(
    tidy: pd.DataFrame,
    *,
    language: str = "en",
    label_column: str | None = None,
    n_column: str | None = None,
    min_cell: int | None = None,
    digits: int = 3,
    caption: str = "",
    notes: Sequence[str] = (),
) -> PublishedTable:
    """A tidy estimates table (``term, estimate, std_error, p_value, conf_low, conf_high``)
    as published: the interval in one column, headings in the report language.

    ``n_column`` names the number of firms (e.g. participating firms) behind each estimate;
    estimates resting on fewer than ``min_cell`` are withheld with their whole row.
    """
    from evaluation.reporting.translations import fmt_interval

    label_column = label_column or "term"
    keep = [label_column, "estimate", "std_error", "p_value"]
    if n_column:
        keep.append(n_column)
    _check_columns(tidy, [*keep, "conf_low", "conf_high"], "estimates_table")
    frame = tidy[keep].copy().set_index(label_column)
    frame.index.name = t("common.term", language) if label_column == "term" else label_column
    published = publish_table(
        frame,
        row_count=n_column,
        min_cell=min_cell if n_column else 1,
        language=language,
        digits=digits,
        caption=caption,
        notes=notes,
    )
    ci = [
        MARK if hidden else fmt_interval(lo, hi, language, digits)
        for lo, hi, hidden in zip(
            tidy["conf_low"], tidy["conf_high"], published.suppressed["estimate"], strict=True
        )
    ]
    published.frame.insert(published.frame.columns.get_loc("p_value"), "ci", ci)
    headings = {
        "estimate": t("common.estimate", language),
        "std_error": t("common.std_error", language),
        "ci": t("common.ci", language),
        "p_value": t("common.p_value", language),
    }
    if n_column:
        headings[n_column] = t("common.n_treated", language)
    published.frame = published.frame.rename(columns=headings)
    return published
