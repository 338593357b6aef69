"""The rows of one sheet of the authoring workbook, found by their header labels, values converted.

Columns are found by header (Chinese, English or the spec key), so a reordered or a
translated workbook reads the same. A misspelt header, a word that is not in a dropdown, a
number that is not a number: each stops with its cell and the likely right spelling.
"""

from __future__ import annotations

from typing import Any, Iterator

import yaml

from .places import Places, Row
from .read import SheetCells, cell_name
from .vocab import COLUMNS, NO, YES, did_you_mean, lookup, options, spellings, split_list, word

__all__ = ["Reader", "text_of"]

_HEADER_SCAN = 5  # the header is one of the first rows (a title row above it is allowed)


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
            self.places.fail_at(cell_name(sheet.name, 0, 0), f"expected a header row ({', '.join(first)} …), got none",
                                f"应为表头行（{'、'.join(first)}……），实际没有")
        _, row, cols, heads, unknown = best
        for c, text in unknown:
            en, zh = did_you_mean(text, spellings(vocab))
            self.places.fail_at(cell_name(sheet.name, row, c),
                                f"expected a column header such as {', '.join(options(vocab, 'en'))}, got {text!r}{en}",
                                f"应为以下列名之一：{'、'.join(options(vocab, 'zh'))}，实际为“{text}”{zh}")
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
                what_en, what_zh = ("a whole number", "整数") if whole else ("a number", "数字")
                self.places.fail(row, key, f"expected {what_en}, got {value!r}", f"应为{what_zh}，实际为“{value}”")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if whole and not isinstance(value, int):
            self.places.fail(row, key, f"expected a whole number, got {value!r}", f"应为整数，实际为 {value}")
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
        self.places.fail(row, key, f"expected yes or no (是/否), got {text!r}", f"应为“是”或“否”，实际为“{text}”")

    def choice(self, row: Row, key: str, vocab: dict) -> str | None:
        text = self.text(row, key)
        if text is None:
            return None
        found = lookup(vocab, text)
        if found is None:
            en, zh = did_you_mean(text, spellings(vocab))
            self.places.fail(row, key, f"expected one of {', '.join(options(vocab, 'en'))}, got {text!r}{en}",
                             f"应为以下之一：{'、'.join(options(vocab, 'zh'))}，实际为“{text}”{zh}")
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
            self.places.fail(row, key, f"expected a mapping such as {{status: status, closed: [已完成]}}, got {text!r}",
                             f"应为映射，如 {{status: status, closed: [已完成]}}，实际为“{text}”")
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
                self.places.fail(row, key, f"expected lines like 已完成：完成、已整改, got {line!r}",
                                 f"应为每行“选项：同义词、同义词”，如“已完成：完成、已整改”，实际为“{line}”")
            out[choice.strip()] = split_list(rest.replace("\n", " "))
        return out
