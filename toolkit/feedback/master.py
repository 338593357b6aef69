"""The feedback master: a template's master workbook with the issue sheet first, and each unit's
feedback workbook made from it the way generate makes the unit's own.

The master is built once (xlsxwriter, :func:`toolkit.generate.master.build_master` with the issue
sheet of :mod:`toolkit.feedback.notice` in front) and its zip parts kept, the unchanged ones
compressed once (:class:`toolkit.generate.outbox.MasterPackage`). A unit's workbook rewrites
only what is the unit's own: the prefilled tokens, the sheets holding its values and faults
(:mod:`toolkit.feedback.sheets`), the issue sheet, styles.xml with the fills it uses, the print
area, and comment parts where it has comments. Loading and saving a whole workbook per unit
(openpyxl) cost twenty to a hundred times generating it; this costs a few times.
"""

from __future__ import annotations

import html
import re
from functools import partial

from ..generate.master import MasterContext, build_master
from ..generate.outbox import MasterPackage
from ..spec.model import TemplateSpec
from .notice import IssueSheet, Notice, add_issue_sheet
from .sheets import SheetEdit, SheetPart, add_relationships, comments_xml, patch_sheet, vml_xml
from .styles import StyleBook

__all__ = ["FeedbackMaster"]

_SHEET = re.compile(r'<sheet name="([^"]*)" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"/>')
_REL = re.compile(r'<Relationship Id="(rId\d+)" Type="[^"]*" Target="([^"]*)"/>')
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_DEFAULT = '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'


class FeedbackMaster:
    """The parts every feedback workbook of one template and campaign shares."""

    def __init__(self, spec: TemplateSpec, ctx: MasterContext):
        self.package = MasterPackage(build_master(spec, ctx, first_sheet=partial(add_issue_sheet, lang=ctx.lang)))
        self.names = {p.name for p in self.package.parts}
        rels = dict(_REL.findall(self._text("xl/_rels/workbook.xml.rels")))
        sheets = [(html.unescape(name), "xl/" + rels[rid]) for name, rid in _SHEET.findall(self._text("xl/workbook.xml"))]
        (first, part), *rest = sheets
        self.issue_sheet = IssueSheet(first, part, self._text(part), ctx.lang)
        self.sheets = {name: SheetPart.read(name, part, self._text(part)) for name, part in rest}
        self.styles = StyleBook(self._text("xl/styles.xml"))

    def _text(self, name: str, values: dict[str, str] | None = None) -> str:
        return self.package.part(name, values).decode("utf-8")

    def has_sheet(self, name: str) -> bool:
        return name in self.sheets or name == self.issue_sheet.name

    def render(self, values: dict[str, str], edits: dict[str, SheetEdit], listed, notice: Notice) -> bytes:
        """One unit's feedback workbook: its prefilled *values*, the *edits* of its sheets, its issue list."""
        styles = self.styles.for_unit()
        replaced, added, comment_parts = {}, [], []
        for name, edit in edits.items():
            sheet = self.sheets[name]
            rid = self._comments(sheet, edit.notes, replaced, added, comment_parts) if edit.notes else None
            replaced[sheet.part] = patch_sheet(sheet, self._text(sheet.part, values), edit, styles, rid).encode("utf-8")
        issue_xml, last = self.issue_sheet.xml(listed, notice)
        replaced[self.issue_sheet.part] = issue_xml
        replaced["xl/workbook.xml"] = self.issue_sheet.print_area(self._text("xl/workbook.xml", values), last).encode()
        replaced["xl/styles.xml"] = styles.xml()
        if comment_parts:
            replaced["[Content_Types].xml"] = self._content_types(comment_parts)
        return self.package.render(values, replaced, added)

    def _comments(self, sheet: SheetPart, notes: dict, replaced: dict, added: list, comment_parts: list) -> str:
        """Add the comments of *sheet* (part, VML drawing, relationships); the relationship id of its drawing."""
        n = len(comment_parts) + 1
        comments, vml = f"xl/comments_feedback{n}.xml", f"xl/drawings/vmlDrawing_feedback{n}.vml"
        rels_part = sheet.part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        old = self._text(rels_part) if rels_part in self.names else None
        rels, (rid, _) = add_relationships(old, [("vmlDrawing", "../" + vml[3:]), ("comments", "../" + comments[3:])])
        if old is None:
            added.append((rels_part, rels.encode("utf-8")))
        else:
            replaced[rels_part] = rels.encode("utf-8")
        added.extend([(comments, comments_xml(notes)), (vml, vml_xml(notes, n))])
        comment_parts.append(comments)
        return rid

    def _content_types(self, comment_parts: list[str]) -> bytes:
        xml = self._text("[Content_Types].xml")
        if 'Extension="vml"' not in xml:
            xml = xml.replace('<Default Extension="xml"', _VML_DEFAULT + '<Default Extension="xml"', 1)
        overrides = "".join(f'<Override PartName="/{p}" ContentType="{_COMMENTS_TYPE}"/>' for p in comment_parts)
        return xml.replace("</Types>", overrides + "</Types>").encode("utf-8")
