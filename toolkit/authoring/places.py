"""Where each part of a spec came from in the workbook, so every error names 工作表!单元格.

Reading records, for every key path of the spec it builds (``sheets[2].fields[5]``), the row
it was read from and which column holds which key. An error of the spec loader names a key
path; :meth:`Places.translate` turns it into the cell, the column's header, what is wrong and
the did-you-mean the loader composed, in Chinese (English with ``--lang en``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import SpecError
from ..i18n import Msg, Words, define
from .read import cell_name

__all__ = ["Places", "Row", "SOURCE", "said"]

SOURCE = "AUTHORING"  # the loader's "file" while parsing: found again and replaced by the cell
_PATH = re.compile(r"\b(?:sheets|rules|summary|grades)\[\d+\](?:\.[A-Za-z_]+(?:\[\d+\])?)*")


@dataclass
class Row:
    """One row of a sheet of the workbook: 0-based row, spec key → column, column → header text."""

    sheet_key: str
    sheet: str
    row: int
    columns: dict[str, int]
    heads: dict[int, str] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)

    def _col(self, key: str | None) -> int:
        col = self.columns.get(key) if key else None
        return col if col is not None else self.columns.get("id", min(self.columns.values(), default=0))

    def cell(self, key: str | None = None) -> str:
        return cell_name(self.sheet, self.row, self._col(key))

    def header(self, key: str | None) -> str:
        return self.heads.get(self._col(key), "")


define("authoring", {
    "at_cell": ("{file}：{cell}{header}：{text}", "{file}: {cell}{header}: {text}"),
    "at": ("{file}：{where}：{text}", "{file}: {where}: {text}"),
    "header": ("（{header}）", " ({header})"),
    "loader": ("应为{expected}，实际为{got}", "expected {expected}, got {got}"),
})


def said(key: str, /, **params) -> Msg:
    """The authoring message *key* (``authoring.KEY``) with its values: what :meth:`Places.fail` says."""
    return Msg(f"authoring.{key}", params)


class Places:
    """Key paths → rows, and errors at a cell."""

    def __init__(self, file: str, lang: str = "zh"):
        self.file, self.lang = file, lang
        self.rows: dict[str, Row] = {}

    def add(self, path: str, row: Row) -> None:
        self.rows[path] = row

    def fail(self, row: Row, key: str | None, message: Msg) -> None:
        """Stop: the cell, its column header, and what is wrong (a message, read in either language)."""
        raise SpecError(self._message(row, key, message))

    def fail_at(self, where: str, message: Msg) -> None:
        raise SpecError(Msg("authoring.at", {"file": self.file, "where": where, "text": message}))

    def _message(self, row: Row, key: str | None, text: Msg | Words) -> Msg:
        header = row.header(key)
        return Msg("authoring.at_cell", {"file": self.file, "cell": row.cell(key), "text": text,
                                         "header": Msg("authoring.header", {"header": header}) if header else ""})

    # ------------------------------------------------------------------ loader errors

    def locate(self, path: str, got: str = "") -> tuple[Row | None, str | None]:
        """The row and key of a loader's key path (the nearest recorded parent row)."""
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        for cut in range(len(parts), 0, -1):
            prefix = "".join(p if p.startswith("[") else f".{p}" for p in parts[:cut]).lstrip(".")
            row = self.rows.get(prefix)
            if row is not None:
                key = parts[cut] if cut < len(parts) and not parts[cut].startswith("[") else None
                if key is None and parts[cut - 1] in row.columns:  # a top-level key: its own row
                    key = parts[cut - 1]
                if key is not None and key not in row.columns:
                    dup = self._duplicate(f"{prefix}.{key}", got)
                    if dup is not None:
                        return dup
                return row, key
            dup = self._duplicate(prefix, got)
            if dup is not None:
                return dup
        return None, None

    def _duplicate(self, list_path: str, got: str) -> tuple[Row, str] | None:
        """For "'x' twice": the last child row of *list_path* that holds x, and the key holding it."""
        m = re.match(r"'(.+)' twice", got or "")
        if not m:
            return None
        wanted = m.group(1).lower()
        hits = [(row, key) for path, row in self.rows.items()
                if re.fullmatch(re.escape(list_path) + r"\[\d+\]", path)
                for key, v in row.values.items() if key in row.columns and str(v).lower() == wanted]
        return hits[-1] if hits else None

    def cell_of(self, path: str) -> str:
        row, key = self.locate(path)
        return row.cell(key) if row else path

    def translate(self, exc: SpecError) -> SpecError:
        """A loader error about the spec read from the workbook, as an error at its cell.

        The loader's message (``spec.error``: source, key path, expected, got) is taken apart by its
        values; the key paths it quotes become cells in the text of either language.
        """
        msg = exc.message
        if msg is None or msg.key != "spec.error" or msg.params.get("source") != SOURCE:
            return exc
        path = msg.params["path"]
        path = path.text("en") if isinstance(path, Msg) else str(path)
        got = msg.params["got"]
        row, key = self.locate(path, got.en if isinstance(got, Words) else str(got))
        rest = Msg("authoring.loader", {"expected": msg.params["expected"], "got": got})
        zh, en = (_PATH.sub(lambda m: self.cell_of(m.group(0)), rest.text(lang)) for lang in ("zh", "en"))
        if row is None:
            return SpecError(Msg("authoring.at", {"file": self.file, "where": path, "text": Words(zh, en)}))
        return SpecError(self._message(row, key, Words(zh, f"{en} [{path}]")))
