"""What the parser accepts, and what it calls what it refuses: module prefixes, other
spellings of the known functions, named constants, reserved names, operators, the name of
every forbidden kind of syntax, characters that look like operators, and the lines of
pasted code that are skipped unread.
"""

from __future__ import annotations

import ast
import difflib
import math

from .errors import ParseError
from .gates import ALIASES, FUNCTIONS

__all__ = ["MODULES", "ALIASES", "CONSTANTS", "reserved", "OPERATORS", "OPERATOR_TEXT", "MASKS",
           "FORBIDDEN", "LOOKALIKES", "HARMLESS_IMPORTS", "known_functions",
           "unknown_function", "ignored"]


#: Module prefixes accepted in calls (``math.exp``, ``np.exp``, ``torch.tanh``).
MODULES = ("math", "np", "numpy", "torch")




#: Named constants, reachable only through a module prefix (``math.pi``).
CONSTANTS = {"pi": math.pi, "e": math.e}




def reserved(name: str) -> bool:
    """Whether a name cannot be bound or used as a variable: a function, a module, Value."""
    return name in FUNCTIONS or name in MODULES or name == "Value"


OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
             ast.MatMult: "@"}


OPERATOR_TEXT = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}


#: Comparisons read as 0/1 masks in the backward code ``gbp check`` reads (``dZ = dA * (Z > 0)``),
#: by numpy's names for them; the forward language has no comparisons.
MASKS = {ast.Gt: "greater", ast.GtE: "greater_equal", ast.Lt: "less", ast.LtE: "less_equal"}


#: What each kind of Python syntax is called in an error message.
FORBIDDEN = {
    ast.Lambda: "lambda expressions are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Dict: "dict literals are not allowed",
    ast.Set: "set literals are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.IfExp: "conditional expressions are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' / 'or' is not allowed",
    ast.Slice: "slices are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Attribute: "attribute access is not allowed",
    ast.Import: "import statements are not allowed (math.exp and np.exp work without one)",
    ast.ImportFrom: "import statements are not allowed (math.exp and np.exp work without one)",
    ast.FunctionDef: "function definitions are not allowed",
    ast.AsyncFunctionDef: "function definitions are not allowed",
    ast.ClassDef: "class definitions are not allowed",
    ast.Return: "return is not allowed",
    ast.Delete: "del is not allowed",
    ast.For: "loops are not allowed",
    ast.AsyncFor: "loops are not allowed",
    ast.While: "loops are not allowed",
    ast.If: "if statements are not allowed",
    ast.With: "with statements are not allowed",
    ast.AsyncWith: "with statements are not allowed",
    ast.Raise: "raise is not allowed",
    ast.Try: "try statements are not allowed",
    ast.Assert: "assert is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.Pass: "pass is not allowed",
    ast.Break: "break is not allowed",
    ast.Continue: "continue is not allowed",
    ast.AnnAssign: "annotations are not allowed",
}


#: Characters that look like operators, with what to type instead.
LOOKALIKES = {
    "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*",
    "\u2217": "*", "\u00f7": "/", "\u2215": "/", "\u00b2": "**2", "\u00b3": "**3",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": "a space",
}


def known_functions() -> str:
    return ", ".join(sorted(FUNCTIONS))


def unknown_function(name: str, line: int, col: int) -> ParseError:
    close = difflib.get_close_matches(name.split(".")[-1], sorted(FUNCTIONS), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return ParseError(f"unknown function '{name}' ({hint}known: {known_functions()})", line, col)


#: Imports that pasted code needs and this reader does not: skipped (nothing is imported).
HARMLESS_IMPORTS = {"math", "numpy", "torch", "micrograd", "micrograd.engine"}


def ignored(node: ast.stmt) -> bool:
    """Lines of pasted code that only show, label, import or start things: ``print(...)``,
    ``g.backward()``, ``x.label = 'x'``, ``import numpy as np``, ``from micrograd.engine
    import Value``.  They are skipped whole, their arguments unread (never run).
    """
    if isinstance(node, ast.Import):
        return all(a.name in HARMLESS_IMPORTS and (a.asname or a.name) in MODULES
                   for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module in HARMLESS_IMPORTS and node.level == 0
                and all(a.name == "Value" and a.asname is None for a in node.names))
    if (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Attribute) and node.targets[0].attr == "label"
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
        return True
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    func = node.value.func
    if isinstance(func, ast.Name) and func.id == "print":
        return True
    return (isinstance(func, ast.Attribute) and func.attr in ("backward", "zero_grad")
            and not node.value.args and not node.value.keywords)
