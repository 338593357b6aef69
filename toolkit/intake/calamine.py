"""python-calamine, guarded: what it cannot read becomes :class:`ReadError`, and a roster's first sheet.

calamine parses untrusted files; its errors and its Rust panics end here, quietly, as one
exception that a caller turns into a ledger rejection or a clear message. The readers of returns
(:mod:`toolkit.read.reader`) and of a roster workbook (:func:`read_first_sheet`, which
:mod:`toolkit.campaign.folder` runs in an isolated worker) both read through it.
"""

from __future__ import annotations

import io
import os
import sys
from contextlib import contextmanager
from typing import Any

__all__ = ["ReadError", "calamine_errors", "read_first_sheet"]


class ReadError(Exception):
    """The workbook cannot be read (corrupt, encrypted); becomes a ledger rejection."""


def read_first_sheet(path: str) -> tuple[int, list[list[Any]]]:
    """The first sheet of a workbook file (a roster): the index of its first row and its rows.

    The package checks run first, as for a return; run it in a worker (:func:`toolkit.intake.isolated.run_isolated`).
    """
    from python_calamine import CalamineWorkbook

    from .ooxml import Limits, workbook_problem

    with open(path, "rb") as fh:
        data = fh.read()
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip package or an OLE2 (.xls) file
        problem = workbook_problem(data, Limits())
        if problem:
            raise ReadError(problem[1].text(problem[0], "en"))
    with calamine_errors():
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return (sheet.start or (0, 0))[0], sheet.to_python()  # calamine starts at the first used row


_DEVNULL: list[int] = []


@contextmanager
def calamine_errors():
    """Run calamine calls: its errors and a Rust panic become :class:`ReadError`, quietly.

    A panic (pyo3's PanicException is a BaseException) is caught and its message becomes the
    rejection's detail; Rust's panic hook also writes it, with a backtrace, straight to file
    descriptor 2, which is pointed at the null device meanwhile (``--debug`` keeps it).
    """
    quiet = not os.environ.get("TOOLKIT_DEBUG")
    saved = -1
    if quiet:
        try:
            if not _DEVNULL:
                _DEVNULL.append(os.open(os.devnull, os.O_WRONLY))
            saved = os.dup(2)
            sys.stderr.flush()
            os.dup2(_DEVNULL[0], 2)
        except (OSError, ValueError, AttributeError):  # no fd 2 to borrow (e.g. a GUI process)
            saved = -1
    try:
        yield
    except (KeyboardInterrupt, SystemExit, MemoryError):  # out of memory is the worker's limit, not the file's fault
        raise
    except BaseException as exc:
        raise ReadError(str(exc)[:200]) from None
    finally:
        if saved >= 0:
            os.dup2(saved, 2)
            os.close(saved)
