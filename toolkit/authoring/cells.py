"""The rows of one sheet of the authoring workbook, found by their header labels, values converted.

Columns are found by header (Chinese, English or the spec key), so a reordered or a
translated workbook reads the same. A misspelt header, a word that is not in a dropdown, a
number that is not a number: each stops with its cell and the likely right spelling.
"""

from __future__ import annotations

from typing import Any, Iterator

import yaml

from ..i18n import Words, define
from .places import Places, Row, said
from .read import SheetCells, cell_name
from .vocab import COLUMNS, NO, YES, did_you_mean, lookup, options, spellings, split_list, word

__all__ = ["Reader", "text_of"]

_HEADER_SCAN = 5  # the header is one of the first rows (a title row above it is allowed)

define("authoring", {
    "no_header": ("应为表头行（{first}……），实际没有", "expected a header row ({first} …), got none"),
    "unknown_header": ("应为以下列名之一：{options}，实际为“{text}”{hint}",
                       "expected a column header such as {options}, got {text!r}{hint}"),
    "a_number": ("数字", "a number"),
    "a_whole_number": ("整数", "a whole number"),
    "number": ("应为{what}，实际为“{value}”", "expected {what}, got {value!r}"),
    "whole": ("应为整数，实际为 {value}", "expected a whole number, got {value!r}"),
    "flag": ("应为“是”或“否”，实际为“{text}”", "expected yes or no (是/否), got {text!r}"),
    "choice": ("应为以下之一：{options}，实际为“{text}”{hint}", "expected one of {options}, got {text!r}{hint}"),
    "mapping": ("应为映射，如 {{status: status, closed: [已完成]}}，实际为“{text}”",
                "expected a mapping such as {{status: status, closed: [已完成]}}, got {text!r}"),
    "synonyms": ("应为每行“选项：同义词、同义词”，如“已完成：完成、已整改”，实际为“{line}”",
                 "expected lines like 已完成：完成、已整改, got {line!r}"),
})


def listed(zh: list[str], en: list[str]) -> Words:
    """A list of words joined as each language joins a list (、 or , )."""
    return Words("、".join(zh), ", ".join(en))


def text_of(value: Any) -> str | None:
    """A cell as text: None for empty; whole numbers without '.0'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if text.strip() else None


class Reader:
    """Rows of the sheets of one authoring workbook, with errors at their cells."""

    def __init__(self, places: Places, lang: str):
        self.places, self.lang = places, lang

    def header(self, sheet: SheetCells, key: str) -> tuple[int, dict[str, int], dict[int, str]]:
        """The header row, spec key → column and column → header text; an unknown header stops."""
        vocab = {k: (zh, en) for k, zh, en, _ in COLUMNS[key]}
        best = (0, -1, {}, {}, [])
        for r in range(min(_HEADER_SCAN, sheet.n_rows)):
            cols, heads, unknown = {}, {}, []
            for c in range(sheet.n_cols):
                text = text_of(sheet.get(r, c))
                if text is None:
                    continue
                found = lookup(vocab, text)
                if found is None:
                    unknown.append((c, text))
                else:
                    cols[found], heads[c] = c, text.strip()
            if len(cols) > best[0]:
                best = (len(cols), r, cols, heads, unknown)
        if best[0] == 0:
            first = [w for w in (word(p, self.lang) for p in vocab.values())][:3]
            self.places.fail_at(cell_name(sheet.name, 0, 0), said("no_header", first=listed(first, first)))
        _, row, cols, heads, unknown = best
        for c, text in unknown:
            self.places.fail_at(cell_name(sheet.name, row, c), said(
                "unknown_header", options=listed(options(vocab, "zh"), options(vocab, "en")), text=text,
                hint=did_you_mean(text, spellings(vocab))))
        return row, cols, heads

    def rows(self, sheet: SheetCells, key: str) -> Iterator[Row]:
        """Each non-empty row under the header, with its raw values by spec key."""
        head, cols, heads = self.header(sheet, key)
        for r in range(head + 1, sheet.n_rows):
            values = {k: sheet.get(r, c) for k, c in cols.items()}
            if all(text_of(v) is None for v in values.values()):
                continue
            yield Row(key, sheet.name, r, dict(cols), heads, values)

    # ------------------------------------------------------------------ conversions

    def text(self, row: Row, key: str) -> str | None:
        return text_of(row.values.get(key))

    def ident(self, row: Row, key: str) -> str | None:
        text = self.text(row, key)
        return text.strip() if text else None

    def number(self, row: Row, key: str, whole: bool = False) -> int | float | None:
        value = row.values.get(key)
        if value is None or text_of(value) is None:
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip().rstrip("分").strip())
            except ValueError:
                what = said("a_whole_number" if whole else "a_number")
                self.places.fail(row, key, said("number", what=what, value=value))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if whole and not isinstance(value, int):
            self.places.fail(row, key, said("whole", value=value))
        return value

    def flag(self, row: Row, key: str) -> bool | None:
        text = self.text(row, key)
        if text is None:
            return None
        low = text.strip().lower()
        if low in YES:
            return True
        if low in NO:
            return False
        self.places.fail(row, key, said("flag", text=text))

    def choice(self, row: Row, key: str, vocab: dict) -> str | None:
        text = self.text(row, key)
        if text is None:
            return None
        found = lookup(vocab, text)
        if found is None:
            self.places.fail(row, key, said("choice", options=listed(options(vocab, "zh"), options(vocab, "en")),
                                            text=text, hint=did_you_mean(text, spellings(vocab))))
        return found

    def listing(self, row: Row, key: str) -> list[str] | None:
        text = self.text(row, key)
        return split_list(text) if text else None

    def mapping(self, row: Row, key: str) -> dict | None:
        """YAML flow text in one cell ({sheet: gaps, columns: {gap_ref: gap_no}})."""
        text = self.text(row, key)
        if text is None:
            return None
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            value = exc
        if not isinstance(value, dict):
            self.places.fail(row, key, said("mapping", text=text))
        return value

    def synonyms(self, row: Row, key: str) -> dict | None:
        """"已完成：完成、已整改" one choice a line, or YAML flow text."""
        text = self.text(row, key)
        if text is None:
            return None
        if text.lstrip().startswith("{"):
            return self.mapping(row, key)
        out: dict[str, list[str]] = {}
        for line in text.split("\n"):
            if not line.strip():
                continue
            choice, sep, rest = line.replace("：", ":").partition(":")
            if not sep:
                self.places.fail(row, key, said("synonyms", line=line))
            out[choice.strip()] = split_list(rest.replace("\n", " "))
        return out
