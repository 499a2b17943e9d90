"""One step of gradient descent: each parameter moved against its gradient, the circuit
evaluated again at the new point, and the frames that show it.

For every updated input, ``W_new = W − lr · ∂f/∂W`` (numbers or arrays alike); the output
after the step is a whole new evaluation there.  Which inputs move: those named, or by
default every *parameter*, an input that is not *data*.  Data are the inputs named as the
lecture names examples and labels: a name starting with ``x``, ``X``, ``y`` or ``Y``
(``x``, ``x0``, ``X_batch``, ``y``).  Class indices (``k`` of ``cross_entropy``) are not
inputs at all, so they never move.

>>> from graphviz_backprop.tracing import trace
>>> t = trace("W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)")
>>> step = sgd_step(t.evaluation, 0.5)
>>> step.names, step.updated["W"].round(12).tolist(), round(step.output_after, 12)
(('W',), [[0.056, 0.412], [-0.352, 0.696]], 0.07424)
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .arrays import all_finite, frozen, is_array, to_lists
from .backprop import Evaluation, evaluate
from .errors import EvaluationError, InputError, ValuesError
from .frames import Step
from .notation import DIGITS, constant, value_text
from .passes import Update

if TYPE_CHECKING:
    import numpy as np
else:
    from .lazy import lazy_import

    np = lazy_import("numpy")

__all__ = ["DATA_PREFIXES", "Descent", "SgdStep", "is_data", "parameters", "descent_of",
           "sgd_step", "sgd_steps"]

#: The first letters of the inputs that are data, not parameters (see the module's doc).
DATA_PREFIXES = ("x", "X", "y", "Y")


def is_data(name: str) -> bool:
    """Whether an input is data by its name (an example ``x``, ``X``, or a label ``y``).

    >>> [is_data(n) for n in ("x", "x0", "X_train", "y", "W", "w0", "b", "bias")]
    [True, True, True, True, False, False, False, False]
    """
    return name.startswith(DATA_PREFIXES)


def parameters(evaluation: Evaluation) -> tuple[str, ...]:
    """The inputs a step moves by default: every input that is not data."""
    return tuple(n for n in evaluation.circuit.inputs if not is_data(n))


@dataclass(frozen=True)
class Descent:
    """A step to take: the learning rate, the inputs to move (None: the parameters) and
    what the rate is called in captions (``lr``, or the source's ``step_size``)."""

    lr: float
    update: tuple[str, ...] | None = None
    rate_name: str = "lr"


def descent_of(updates: Sequence[Update]) -> Descent | None:
    """The step of a source's parameter updates (``W -= lr * dW``, see ``passes.py``): one
    step size for all of them."""
    if not updates:
        return None
    if len({u.rate for u in updates}) > 1:
        raise InputError("the parameter updates use different step sizes ("
                         + ", ".join(f"{u.rate_name} for {u.name}" for u in updates)
                         + "); one step of gradient descent takes one step size")
    return Descent(updates[0].rate, tuple(u.name for u in updates), updates[0].rate_name)


def _check_rate(lr: Any) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise ValuesError(f"the learning rate must be a positive number, not {lr!r}")
    rate = float(lr)
    if not math.isfinite(rate) or rate <= 0:
        raise ValuesError(f"the learning rate must be a positive finite number, not {lr!r}")
    return rate


def _names(evaluation: Evaluation, update: str | Iterable[str] | None) -> tuple[str, ...]:
    inputs = list(evaluation.circuit.inputs)
    if update is None:
        chosen = parameters(evaluation)
        if not chosen:
            raise ValuesError(f"no parameter to update: every input ({', '.join(inputs)}) is"
                              " data by its name (x..., X..., y..., Y...); name the inputs"
                              " to update, as in --update " + (inputs[0] if inputs else "W"))
        return chosen
    if isinstance(update, str):
        update = [n.strip() for n in update.split(",")]
    chosen = tuple(dict.fromkeys(n for n in update if n))
    if not chosen:
        raise ValuesError("no input to update: name at least one, as in --update W,b")
    for name in chosen:
        if name not in evaluation.circuit.inputs:
            close = difflib.get_close_matches(name, inputs, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ValuesError(f"cannot update '{name}': it is not an input ({hint}inputs:"
                              f" {', '.join(inputs) or 'none'})")
    return chosen


@dataclass(frozen=True)
class SgdStep:
    """The result of one step: the rate, each updated input before and after, its
    gradient, and the evaluation at the new point (``after``)."""

    lr: float
    names: tuple[str, ...]
    before: dict[str, Any]
    gradients: dict[str, Any]
    updated: dict[str, Any]
    evaluation: Evaluation
    after: Evaluation
    rate_name: str = "lr"

    @property
    def output_before(self) -> Any:
        return self.evaluation.output

    @property
    def output_after(self) -> Any:
        return self.after.output

    def to_dict(self) -> dict[str, Any]:
        """The ``sgd`` object of ``gbp eval --json``."""
        return {"lr": self.lr, "updated": {n: to_lists(v) for n, v in self.updated.items()},
                "output_after": to_lists(self.output_after)}

    @cached_property
    def lines(self) -> list[str]:
        """The step as lines of text for the table of ``gbp eval``."""
        c = self.evaluation.circuit
        f = c.wire_names[c.output]
        out = [f"gradient descent step, {self.rate_name} = {constant(self.lr)}:"]
        for n in self.names:
            out.append(f"  {n}_new = {n} − {self.rate_name} · ∂{f}/∂{n} ="
                       f" {value_text(self.before[n])} − {constant(self.lr)} ·"
                       f" {_paren(value_text(self.gradients[n]))} ="
                       f" {value_text(self.updated[n])}")
        out.append(f"  {f} after the step: {value_text(self.output_before)} →"
                   f" {value_text(self.output_after)}")
        return out


def _moved(value: Any, grad: Any, lr: float) -> Any:
    if is_array(value) or is_array(grad):
        return frozen(np.asarray(value, dtype=float) - lr * np.asarray(grad, dtype=float))
    return float(value) - lr * float(grad)


def sgd_step(evaluation: Evaluation, lr: float, update: str | Iterable[str] | None = None,
             rate_name: str = "lr") -> SgdStep:
    """One step of gradient descent from ``evaluation``: each input of ``update`` (by
    default :func:`parameters`) moved by −``lr`` times its gradient, then the circuit
    evaluated again at the new point."""
    rate = _check_rate(lr)
    if evaluation.symbolic:
        raise ValuesError("a gradient descent step needs numbers: give every input a value")
    names = _names(evaluation, update)
    c = evaluation.circuit
    before = {n: evaluation.values[c.inputs[n]] for n in names}
    grads = {n: evaluation.grads[c.inputs[n]] for n in names}
    updated = {n: _moved(before[n], grads[n], rate) for n in names}
    for n, value in updated.items():
        if not all_finite(value):
            raise EvaluationError(f"the step takes {n} out of float64's range; try a smaller"
                                  " learning rate")
    point = dict(evaluation.at or {})
    point.update(updated)
    try:
        after = evaluate(c, point)
    except EvaluationError as err:
        raise EvaluationError(f"after the step: {err}") from None
    return SgdStep(rate, names, before, grads, updated, evaluation, after, rate_name)


def _shown(value: Any, decimals: int | None) -> Any:
    """A value as its numbers are written (each entry rounded as the caption shows it)."""
    if is_array(value):
        return np.vectorize(lambda v: float(value_text(float(v), decimals, DIGITS)))(value)
    return float(value_text(value, decimals, DIGITS))


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def sgd_steps(step: SgdStep, last: Step, decimals: int | None = None) -> list[Step]:
    """The frames of a step, after ``last`` (the final frame, whose picture they keep): one
    per updated input with ``W_new = W − lr · ∂f/∂W`` in numbers, then the output after."""
    c = step.evaluation.circuit
    f = c.wire_names[c.output]

    def num(value: Any) -> str:
        return value_text(value, decimals, DIGITS)

    captions = []
    rate, name = constant(step.lr), step.rate_name
    for n in step.names:
        value, grad, new = step.before[n], step.gradients[n], step.updated[n]
        again = _shown(value, decimals) - step.lr * _shown(grad, decimals)
        sign = "=" if num(again) == num(new) else "≈"
        captions.append(
            f"Gradient descent step on {n}: {n}_new = {n} − {name} · ∂{f}/∂{n} ="
            f" {num(value)} − {rate} · {_paren(num(grad))} {sign} {num(new)}")
    captions.append(f"{f} after the step: {num(step.output_before)} →"
                    f" {num(step.output_after)}")
    kinds = ["update"] * len(step.names) + ["after"]
    return [Step(last.index + i, kind, caption, last.computed, last.backed, last.seeded)
            for i, (kind, caption) in enumerate(zip(kinds, captions), start=1)]
