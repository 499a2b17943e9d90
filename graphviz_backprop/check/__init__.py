"""Check a hand derivation of a backward pass, claim by claim, against the engine.

A derivation is a TOML file (the circuit and a ``[claims]`` table) or code written the way
the cs231n notes write it (the forward pass, then lines such as ``dfdq = z`` and
``dx += ...``).  Numbers are compared within a :class:`Tolerance`, formulas by symbolic
equivalence, and a wrong claim computed from another wrong one is traced back to the first
wrong step.  In code, the gradient of an input that no line assigns is reported as missing.
User text only goes through :func:`graphviz_backprop.parser.parse`; the backward lines are
interpreted over that whitelisted tree, never executed.

The stages, one module each, in the order a derivation flows through them: ``files`` reads
a text, a file or a folder and hands a TOML derivation to ``claims`` and code to ``code``;
both take the forward pass and the correct answers from ``answers`` (the engine's circuit,
evaluation and backward pass; ``names`` turns claim keys into nodes), compare with
``compare`` (numbers within a tolerance, formulas by exact arithmetic and spot checks),
``code`` runs the backward lines through ``interpret`` (the whitelisted tree, the gate
table's checked arithmetic; ``vectorized`` for vectors, matrices and masks such as
``(Z > 0)``), all within the time ``budget`` allows; a wrong vector or matrix gets its note
(its shape, a fix that works) from ``shapes``; the verdicts are the records of ``results``,
and ``text`` prints them.

No line assigns dfdy or dfdz here:

>>> report = check_text('''
... x = -2; y = 5; z = -4
... q = x + y
... f = q * z
... dfdq = -z
... dfdx = dfdq * 1.0
... ''', "code")
>>> [(c.name, c.status, c.line) for c in report.claims]  # doctest: +NORMALIZE_WHITESPACE
[('dfdq', 'wrong', 5), ('dfdx', 'inherited', 6), ('dfdy', 'missing', None),
 ('dfdz', 'missing', None)]
>>> report.claims[1].root_cause
(('dfdq', 5),)
"""

from __future__ import annotations

from .files import SUFFIXES, check_file, check_folder, check_text
from .results import (
    DEFAULT_ABS_TOL,
    DEFAULT_REL_TOL,
    ClaimResult,
    FolderEntry,
    FolderReport,
    NameWarning,
    Report,
    Tolerance,
)
from .text import format_folder, format_report, summary

__all__ = [
    "Tolerance", "ClaimResult", "NameWarning", "Report", "FolderEntry", "FolderReport",
    "check_text", "check_file", "check_folder", "format_report", "format_folder", "summary",
    "DEFAULT_ABS_TOL", "DEFAULT_REL_TOL", "SUFFIXES",
]
