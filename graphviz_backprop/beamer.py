"""A LaTeX Beamer snippet that shows the pages of a frames PDF one overlay at a time.

``\\input`` it inside a Beamer frame: overlay k shows page k, so the frame becomes as many
slides as there are steps, every one the same size (the stable layout).  See docs/beamer.md.

>>> print(snippet("neuron/sigmoid-neuron.pdf", 2))
% Made by graphviz-backprop ('gbp render --beamer'): 2 steps, one per overlay.
% Inside a Beamer frame: \\input{neuron/sigmoid-neuron.tex}
\\begin{center}%
\\only<1>{\\includegraphics[width=\\linewidth,height=0.8\\textheight,keepaspectratio,page=1]{neuron/sigmoid-neuron.pdf}}%
\\only<2>{\\includegraphics[width=\\linewidth,height=0.8\\textheight,keepaspectratio,page=2]{neuron/sigmoid-neuron.pdf}}%
\\end{center}%
<BLANKLINE>
"""

from __future__ import annotations

import re

from .errors import InputError

__all__ = ["snippet", "OPTIONS"]

#: How big each page is drawn: the frame's width, at most 80% of its height.
OPTIONS = "width=\\linewidth,height=0.8\\textheight,keepaspectratio"

# Characters TeX reads literally in a file name; '%', '#', '\\', '{', '}', '~', '$', '^', '&'
# and spaces would need quoting that differs between engines, so they are refused.
_SAFE_PATH = re.compile(r"[A-Za-z0-9._/+-]+")


def snippet(pdf_path: str, pages: int) -> str:
    """The ``.tex`` text: page k of ``pdf_path`` on overlay k, for ``pages`` pages."""
    if not _SAFE_PATH.fullmatch(pdf_path) or pdf_path.startswith("-"):
        raise InputError(f"cannot name '{pdf_path}' in LaTeX: use a folder whose path has only"
                         " letters, digits and . _ / + - (no spaces)")
    if pages < 1:
        raise ValueError("a Beamer snippet needs at least one page")
    tex_name = pdf_path[:-4] + ".tex" if pdf_path.endswith(".pdf") else "this file"
    lines = [
        f"% Made by graphviz-backprop ('gbp render --beamer'): {pages} step"
        f"{'s' if pages != 1 else ''}, one per overlay.",
        f"% Inside a Beamer frame: \\input{{{tex_name}}}",
        "\\begin{center}%",
    ]
    for k in range(1, pages + 1):
        lines.append(f"\\only<{k}>{{\\includegraphics[{OPTIONS},page={k}]{{{pdf_path}}}}}%")
    lines.append("\\end{center}%")
    return "\n".join(lines) + "\n"
