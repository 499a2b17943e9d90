r"""LaTeX source -> the same small syntax tree as Python source, by a grammar of our own.

A formula copied from a slide is read as written: ``\frac{1}{1+e^{-(w_0x_0+w_1x_1+w_2)}}``
becomes ``1/(1 + exp(-(w0*x0 + w1*x1 + w2)))``, so its circuit has the cs231n gates and its
inputs come in the order they are written.  Nothing is executed or evaluated: the text is cut
into tokens and each token is checked against what the grammar knows; anything else is a
:class:`ParseError` naming it (``\int is not supported``).

What is read: numbers; letters as variables, each one a name (``xy`` is x times y), with a
subscript (``w_0``, ``w_{10}`` are ``w0``, ``w10``); Greek letters (``\alpha`` is ``alpha``);
``e`` as Euler's number, ``\pi``; ``+ - * /``, ``\cdot``, ``\times``, ``\div`` and
multiplication by juxtaposition (``2x``, ``w_0 x_0``); ``\frac{a}{b}``; powers ``x^2``,
``x^{n}`` and ``e^{...}`` (the exp gate); ``\sqrt{}``, ``\exp``, ``\log``, ``\ln``, ``\sin``,
``\cos``, ``\tanh``, ``\sigma(...)`` (the logistic function), ``\max``, ``\min``, the known
functions by name (``\operatorname{relu}(x)``, ``\mathrm{softplus}(x)``); ``|x|``; groups in
``( )``, ``[ ]``, ``{ }`` and ``\left( ... \right)``; spacing commands; ``$`` delimiters; and
a leading ``f =`` or ``f(x) =`` that names the output.

>>> from graphviz_backprop.graph import build
>>> c = build(parse_latex(r"\frac{1}{1+e^{-(w_0x_0+w_1x_1+w_2)}}"))
>>> [c.label(n) for n in c.gates], list(c.inputs)
(['*', '*', '+', '+', '*-1', 'exp', '+1', '1/x'], ['w0', 'x0', 'w1', 'x1', 'w2'])
>>> try:
...     parse_latex(r"\int_0^1 x\,dx")
... except ParseError as err:
...     print(err)
\int is not supported (supported: \frac, \cdot, \times, \sqrt, \exp, \log, ...) (line 1, column 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import LimitError, ParseError
from .gates import FUNCTIONS
from .rawtext import MAX_DEPTH, MAX_NUMBER_CHARS, MAX_SOURCE_CHARS
from .syntax import BinOp, Call, Expr, Name, Neg, Num, Program, Statement, depth_of

__all__ = ["parse_latex", "looks_like_latex"]

#: Commands that name a function of one argument, and the function.
_FUNCTIONS = {"exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos",
              "tanh": "tanh", "sigma": "sigmoid", "sqrt": "sqrt"}
#: Commands that name a function of two or more arguments.
_MULTI = {"max": "max", "min": "min"}
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
          "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "tau", "upsilon", "phi",
          "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Phi",
          "Psi", "Omega")
#: Greek letters whose name is a Python keyword or one of ours.
_RENAMED = {"lambda": "lam", "Lambda": "Lam"}
#: Commands that only space or size things: skipped.
_SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "big",
            "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr"}
_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
_NAMED = ("operatorname", "mathrm", "text", "textrm", "mathit", "textit")
_SUPPORTED = r"\frac, \cdot, \times, \sqrt, \exp, \log, ..."
_CLOSING = {"(": ")", "[": "]", "{": "}", "|": "|"}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<command>\\(?:[A-Za-z]+|.))
  | (?P<letter>[A-Za-z])
  | (?P<symbol>[-+*/^_=(){}\[\]|,.])
""", re.VERBOSE)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    line: int
    col: int


def looks_like_latex(text: str) -> bool:
    r"""Whether a source is LaTeX rather than Python: a command (``\frac``), a ``$``
    delimiter, or a braced power or subscript (``x^{2}``, ``w_{0}``).

    >>> looks_like_latex(r"\frac{1}{x}"), looks_like_latex("x**2 + 1"), looks_like_latex("e^{x}")
    (True, False, True)
    """
    return bool(re.search(r"\\[A-Za-z,;:!]|\$|[\^_]\{", text))


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    for number, line in enumerate(text.split("\n"), start=1):
        pos = 0
        while pos < len(line):
            match = _TOKEN.match(line, pos)
            if match is None:
                raise ParseError(f"'{line[pos]}' is not allowed in a LaTeX formula", number,
                                 pos + 1)
            kind = match.lastgroup or ""
            if kind == "number" and len(match.group()) > MAX_NUMBER_CHARS:
                raise LimitError(f"number is too long; the limit is {MAX_NUMBER_CHARS}"
                                 " characters", number, pos + 1)
            if kind != "space":
                found.append(_Token(kind, match.group(), number, pos + 1))
            pos = match.end()
    return found


class _Reader:
    """A recursive-descent reader over the tokens; ``depth`` bounds the nesting."""

    def __init__(self, tokens: list[_Token]):
        self.tokens = [t for t in tokens
                       if not (t.kind == "command" and t.text[1:] in _SPACING)]
        self.pos = 0
        self.depth = 0

    # -- tokens ----------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> _Token | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            last = self.tokens[-1] if self.tokens else _Token("", "", 1, 1)
            raise ParseError("the formula ends too early", last.line, last.col + len(last.text))
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.text in texts

    def expect(self, text: str) -> _Token:
        token = self.take()
        if token.text != text:
            raise ParseError(f"expected '{text}' but found '{token.text}'", token.line,
                             token.col)
        return token

    # -- grammar ---------------------------------------------------------------------------

    def statement(self) -> Statement:
        first = self.peek()
        if first is None:
            raise ParseError("empty formula: nothing to evaluate")
        target = self._target()
        value = self.expr()
        extra = self.peek()
        if extra is not None:
            raise ParseError(f"unexpected '{extra.text}'", extra.line, extra.col)
        return Statement(target, value, first.line, first.col)

    def _target(self) -> str | None:
        """``f =``, ``L =`` or ``f(x) =`` before the formula names its output."""
        for length in range(1, 8):
            token = self.peek(length)
            if token is None:
                return None
            if token.text == "=":
                break
        else:
            return None
        head = self.peek()
        if head is None or head.kind != "letter":
            raise ParseError("only a name may stand left of '='", *(head.line, head.col)
                             if head else (1, 1))
        name = self._name(self.take())
        if self.at("("):  # f(x) =: the arguments are just what the formula reads
            while not self.at(")"):
                self.take()
            self.take()
        self.expect("=")
        return name

    def expr(self) -> Expr:
        left = self.term()
        while self.at("+", "-"):
            op = self.take()
            left = BinOp(op.text, left, self.term(), op.line, op.col)
        return left

    def term(self) -> Expr:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None:
                return left
            if token.text in ("*", "/") or (token.kind == "command"
                                             and token.text[1:] in _OPERATORS):
                self.take()
                op = token.text if token.kind == "symbol" else _OPERATORS[token.text[1:]]
                left = BinOp(op, left, self.unary(), token.line, token.col)
            elif self._starts_factor(token):  # juxtaposition: 2x, w_0 x_0, x(y + 1)
                left = BinOp("*", left, self.power(), token.line, token.col)
            else:
                return left

    def _starts_factor(self, token: _Token) -> bool:
        if token.kind in ("letter", "number"):
            return True
        if token.kind == "command":
            return token.text[1:] not in ("right", "rvert") and token.text != "\\}"
        return token.text in ("(", "[", "{")

    def unary(self) -> Expr:
        signs = []
        while self.at("-", "+"):
            signs.append(self.take())
        result = self.power()
        for sign in reversed(signs):
            if sign.text == "-":
                result = Neg(result, sign.line, sign.col)
        return result

    def power(self) -> Expr:
        token = self.peek()
        base = self.primary()
        if self.at("^"):
            caret = self.take()
            exponent = self.argument()
            if isinstance(base, Name) and base.id == "e" and token and token.text == "e":
                return Call("exp", (exponent,), token.line, token.col)
            if isinstance(base, Num) and token and token.text == "e":
                return Call("exp", (exponent,), token.line, token.col)
            return BinOp("**", base, exponent, caret.line, caret.col)
        return base

    def argument(self) -> Expr:
        """The argument of ``^``, ``\\frac`` or ``\\sqrt``: a braced group or one token."""
        token = self.peek()
        if token is not None and token.text == "{":
            return self.group()
        if token is not None and token.kind == "number" and len(token.text) > 1 \
                and "." not in token.text:  # x^23 is x^{2}3, as LaTeX reads it
            self.take()
            rest = _Token("number", token.text[1:], token.line, token.col + 1)
            self.tokens.insert(self.pos, rest)
            return Num(float(token.text[0]), token.line, token.col)
        if token is not None and token.text == "-":
            sign = self.take()
            return Neg(self.argument(), sign.line, sign.col)
        return self.primary()

    def group(self) -> Expr:
        opening = self.take()
        closing = _CLOSING[opening.text]
        self.enter(opening)
        inner = self.expr()
        self.expect(closing)
        self.depth -= 1
        return inner

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH // 4:
            raise LimitError(f"the formula is nested more than {MAX_DEPTH // 4} levels deep",
                             token.line, token.col)

    def primary(self) -> Expr:
        token = self.peek()
        if token is None:
            self.take()  # raises: the formula ends too early
        assert token is not None
        if token.kind == "number":
            self.take()
            return Num(float(token.text), token.line, token.col)
        if token.kind == "letter":
            self.take()
            if token.text == "e" and not self.at("_"):
                return Num(2.718281828459045, token.line, token.col)
            return Name(self._name(token), token.line, token.col)
        if token.text in ("(", "[", "{"):
            return self.group()
        if token.text == "|":
            self.take()
            self.enter(token)
            inner = self.expr()
            self.expect("|")
            self.depth -= 1
            return Call("abs", (inner,), token.line, token.col)
        if token.kind == "command":
            return self.command()
        raise ParseError(f"unexpected '{token.text}'", token.line, token.col)

    def command(self) -> Expr:
        token = self.take()
        name = token.text[1:]
        self.enter(token)
        try:
            if name == "frac" or name in ("dfrac", "tfrac"):
                top = self.argument()
                return BinOp("/", top, self.argument(), token.line, token.col)
            if name == "left":
                opening = self.take()
                if opening.text not in ("(", "[", "|", "\\{"):
                    raise ParseError(f"\\left{opening.text} is not supported", opening.line,
                                     opening.col)
                inner = self.expr()
                self.expect("\\right")
                self.take()  # the closing delimiter
                return Call("abs", (inner,), token.line, token.col) if opening.text == "|" \
                    else inner
            if name == "pi":
                return Num(3.141592653589793, token.line, token.col)
            if name in _GREEK:
                return Name(self._subscripted(_RENAMED.get(name, name)), token.line, token.col)
            if name in _FUNCTIONS:
                return self._apply(_FUNCTIONS[name], token)
            if name in _MULTI:
                return self._apply_many(_MULTI[name], token)
            if name in _NAMED:
                word = self._word()
                if word.lower() in FUNCTIONS:
                    return self._apply(word.lower(), token)
                return Name(self._subscripted(word), token.line, token.col)
        finally:
            self.depth -= 1
        raise ParseError(f"{token.text} is not supported (supported: {_SUPPORTED})",
                         token.line, token.col)

    def _word(self) -> str:
        self.expect("{")
        letters = []
        while not self.at("}"):
            part = self.take()
            if part.kind not in ("letter", "number") and part.text != "_":
                raise ParseError(f"'{part.text}' in a name", part.line, part.col)
            letters.append(part.text)
        self.take()
        return "".join(letters)

    def _apply(self, function: str, token: _Token) -> Expr:
        """A function of one argument: ``\\exp(x)``, ``\\exp{x}``, ``\\log x``, ``\\sqrt{x}``,
        ``\\sigma(z)``; a power right after the name (``\\tanh^2 x``) is of the result."""
        power = None
        if self.at("^"):
            self.take()
            power = self.argument()
        if function == "sqrt" and self.at("["):
            raise ParseError("\\sqrt[n] is not supported; write x^{1/n}", token.line, token.col)
        if function == "sigmoid" and not self.at("(", "\\left", "{", "["):
            result: Expr = Name(self._subscripted("sigma"), token.line, token.col)
        else:
            arg = self.argument() if function == "sqrt" else self.power()
            result = Call(function, (arg,), token.line, token.col)
        if power is not None:
            result = BinOp("**", result, power, token.line, token.col)
        return result

    def _apply_many(self, function: str, token: _Token) -> Expr:
        self.expect("(")
        args = [self.expr()]
        while self.at(","):
            self.take()
            args.append(self.expr())
        self.expect(")")
        if len(args) < 2:
            raise ParseError(f"\\{function} takes at least 2 arguments", token.line, token.col)
        result = Call(function, (args[0], args[1]), token.line, token.col)
        for extra in args[2:]:
            result = Call(function, (result, extra), token.line, token.col)
        return result

    def _name(self, token: _Token) -> str:
        return self._subscripted(token.text)

    def _subscripted(self, name: str) -> str:
        """``w_0``, ``w_{10}``, ``x_i`` -> ``w0``, ``w10``, ``xi``."""
        if not self.at("_"):
            return name
        self.take()
        if self.at("{"):
            return name + self._word_in_braces()
        part = self.take()
        if part.kind == "number":
            if len(part.text) > 1:  # w_01 is w_{0}1: the subscript is one character
                self.tokens.insert(self.pos, _Token("number", part.text[1:], part.line,
                                                    part.col + 1))
            return name + part.text[0]
        if part.kind == "letter":
            return name + part.text
        raise ParseError(f"'{part.text}' as a subscript", part.line, part.col)

    def _word_in_braces(self) -> str:
        self.take()
        letters = []
        while not self.at("}"):
            part = self.take()
            if part.kind not in ("letter", "number") or "." in part.text:
                raise ParseError(f"'{part.text}' in a subscript; write letters and digits",
                                 part.line, part.col)
            letters.append(part.text)
        self.take()
        return "".join(letters)


def _strip_delimiters(text: str) -> str:
    stripped = text.strip()
    for opening, closing in (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)")):
        if stripped.startswith(opening) and stripped.endswith(closing) \
                and len(stripped) >= len(opening) + len(closing):
            start = text.index(opening)
            end = text.rindex(closing)
            return " " * (start + len(opening)) + text[start + len(opening):end]
    return text


def parse_latex(text: str) -> Program:
    """Read a LaTeX formula into a :class:`Program` of one statement."""
    if len(text) > MAX_SOURCE_CHARS:
        raise LimitError(f"source is {len(text):,} characters long; the limit is"
                         f" {MAX_SOURCE_CHARS:,}")
    body = _strip_delimiters(text)
    if "$" in body:
        raise ParseError("'$' inside the formula: give one formula")
    reader = _Reader(_tokens(body))
    statement = reader.statement()
    if depth_of(statement.value) > MAX_DEPTH:
        raise LimitError(f"the formula is more than {MAX_DEPTH} levels deep",
                         statement.line, statement.col)
    return Program((statement,), text)
