"""The code catalogue's sections: every issue and ledger reason code, by the stage that raises it.

Each section (a module of this package) declares its stage's codes as ``CODES``; the stage imports
its ``CODES`` from here, and :mod:`toolkit.codes` imports every section statically, so looking
a code up never depends on which stage modules a process happened to import. Adding a code
means adding it to its stage's section here. :data:`SECTIONS` is the order docs/issue-codes.md
follows.
"""

from __future__ import annotations

from . import checks, identify, intake, ledger, reading, rectification, values

__all__ = ["SECTIONS"]

# In pipeline order: taking files in, reading, identifying, the ledger, then the checks of a return.
SECTIONS = (intake, reading, identify, ledger, checks, values, rectification)
