"""graphviz-backprop: backpropagation through circuits of gates, node by node.

Trace an expression, a program of assignments, a file or a bundled example:

>>> import graphviz_backprop as gb
>>> t = gb.trace("(x+y)*z", x=-2, y=5, z=-4)
>>> t.value
-12.0
>>> t.gradients
{'x': -4.0, 'y': -4.0, 'z': 3.0}

The lecture's sigmoid neuron, with the gates of the cs231n figure:

>>> n = gb.trace("sigmoid-neuron")
>>> [n.circuit.label(g) for g in n.circuit.gates]
['*', '*', '+', '+', '*-1', 'exp', '+1', '1/x']
>>> round(n.gradients["x0"], 4)
0.3932

Without values the trace is symbolic:

>>> gb.trace("(x+y)*z").gradients["x"]
z

One step of gradient descent on the parameters (the inputs that are not data), and the
output evaluated again there:

>>> step = n.sgd(0.5)
>>> step.names, round(step.updated["w0"], 4), round(step.output_after, 4)
(('w0', 'w1', 'w2'), 2.0983, 0.6011)

Bad input raises one of the package's errors, never runs anything:

>>> gb.trace("__import__('os')")
Traceback (most recent call last):
...
graphviz_backprop.errors.ParseError: unknown function '__import__' (known: abs, ...) (line 1, ...)
"""

from .backprop import Evaluation, evaluate
from .errors import (
    EvaluationError,
    GbpError,
    GraphvizNotFoundError,
    InputError,
    LimitError,
    ParseError,
    RenderError,
    ValuesError,
)
from .fromsympy import parse_sympy
from .gates import GATES, Gate
from .graph import Circuit, build
from .parser import parse
from .sgd import SgdStep
from .syntax import Program
from .themes import THEMES, Theme
from .tomlfile import Example, list_examples, load_example
from .tracing import Trace, trace

__all__ = [
    "trace",
    "Trace",
    "parse",
    "parse_sympy",
    "build",
    "evaluate",
    "Program",
    "Circuit",
    "Evaluation",
    "SgdStep",
    "Gate",
    "GATES",
    "Example",
    "Theme",
    "THEMES",
    "list_examples",
    "load_example",
    "GbpError",
    "InputError",
    "ParseError",
    "LimitError",
    "ValuesError",
    "EvaluationError",
    "RenderError",
    "GraphvizNotFoundError",
]
