"""mkdocs hooks: the pages of the documentation site that ``make docs`` generates at build time.

* ``cli.md``, the command-line reference, written from the click definitions of
  ``graphviz_backprop.cli.cli`` (every command, argument and option, as ``--help`` shows
  them), so it cannot drift from the code;
* ``notebook.md``, the example notebook ``docs/notebook.ipynb`` run in a fresh kernel, with
  what each cell shows (the stepper of a trace, a frame's picture);
* ``gallery/``, one page per file of the example library ``expressions/*.toml``, with its
  final frame (SVG) and its animation (GIF) drawn by the tool itself,
  ``gbp render FILE --final -o NAME.svg`` and ``gbp render FILE -o NAME.gif``.

Everything goes into ``build/docs/`` (not committed) and is added to the site's files; the
gallery's pages are added to the navigation under "Gallery".  A picture is drawn again only
when it is missing or older than its expression file, the package or this script.

Run it alone to write the generated files without building the site::

    .venv/bin/python scripts/docs_hooks.py
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "expressions"
GENERATED = ROOT / "build" / "docs"
GALLERY = "gallery"
#: Seconds one ``gbp render`` may take before the build fails.
RENDER_TIMEOUT = 300
#: Characters that plain text must escape in markdown (``<`` becomes ``&lt;``).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]>|#])")

__all__ = ["cli_reference", "gallery", "notebook_page", "generate", "on_config", "on_files",
           "on_page_markdown"]


# ---- the command-line reference --------------------------------------------------------------

def _help_markdown(text: str | None) -> str:
    """A click help text as markdown: paragraphs stay paragraphs, a ``\\b`` block is code."""
    if not text:
        return ""
    out = []
    for block in re.split(r"\n\s*\n", inspect.cleandoc(text)):
        if block.startswith("\b"):
            body = inspect.cleandoc(block[1:].lstrip("\n"))
            out.append(f"```\n{body}\n```")
        else:
            out.append(_escape(" ".join(block.split())))
    return "\n\n".join(out)


def _escape(text: str) -> str:
    """Plain text as markdown: ``*``, ``_``, ``|`` ... escaped, ``<`` as an entity."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")


def _cell(text: str, code: bool = False) -> str:
    """One line of a table cell (in a code span, ``|`` needs no escape)."""
    text = " ".join(text.split())
    return text if code else _escape(text)


def _metavar(param: click.Parameter, ctx: click.Context) -> str:
    try:
        return param.make_metavar(ctx)  # click >= 8.2
    except TypeError:
        return param.make_metavar()  # click 8.1


def _command_markdown(cmd: click.Command, ctx: click.Context, level: int) -> list[str]:
    path = ctx.command_path
    lines = [f"{'#' * level} `{path}`", ""]
    if cmd.help:
        lines += [_help_markdown(cmd.help), ""]
    usage = " ".join(cmd.collect_usage_pieces(ctx))
    lines += ["```", f"{path} {usage}".rstrip(), "```", ""]
    params = cmd.get_params(ctx)
    arguments = [p for p in params if isinstance(p, click.Argument)]
    if arguments:
        lines += ["**Arguments:** " + ", ".join(
            f"`{_metavar(p, ctx)}`" + ("" if p.required else " (optional)")
            for p in arguments), ""]
    records = [p.get_help_record(ctx) for p in params if isinstance(p, click.Option)]
    records = [r for r in records if r]
    if records:
        lines += ["| Option | Description |", "| --- | --- |"]
        lines += [f"| `{_cell(opts, code=True)}` | {_cell(help_)} |" for opts, help_ in records]
        lines.append("")
    if cmd.epilog:
        lines += [_help_markdown(cmd.epilog), ""]
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            sub_ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
            lines += _command_markdown(sub, sub_ctx, level + 1)
    return lines


def cli_reference() -> str:
    """The markdown page of every ``gbp`` command and option, from the click definitions."""
    from graphviz_backprop.cli import cli

    ctx = cli.make_context("gbp", [], resilient_parsing=True)
    names = [n for n in cli.list_commands(ctx) if not cli.get_command(ctx, n).hidden]
    head = [
        "# Command-line reference",
        "",
        "Every command and option of `gbp` (also installed as `graphviz-backprop`, and run as"
        " `python -m graphviz_backprop`). This page is generated from the click definitions"
        " in `graphviz_backprop/cli/` each time the site is built, so it says what"
        " `gbp COMMAND --help` says.",
        "",
        "Commands: " + ", ".join(f"[`gbp {n}`](#gbp-{n})" for n in names) + ".",
        "",
        "Exit codes: 0 success, 2 bad input (one `Error: ...` line), 1 anything else;"
        " `gbp check` also exits 1 when a claim is wrong (see"
        " [Checking a derivation](derivations.md#exit-codes)).",
        "",
    ]
    return "\n".join(head + _command_markdown(cli, ctx, 2)).rstrip() + "\n"


# ---- the gate table ------------------------------------------------------------------------

def gate_reference() -> str:
    """The markdown page of every gate of the table (``graphviz_backprop/gates.py``)."""
    from graphviz_backprop.gates import GATES
    from graphviz_backprop.symbolic import sympy_formula_texts

    rows = []
    for gate in GATES.values():
        names = ("a", "b") if gate.arity == 2 else ("x",)
        c: Any = 2.0 if gate.constant else None
        if gate.array:  # an index, a class index: the settings that are data
            c = {"index": (0,), "cross_entropy": 2}.get(gate.key)
        written = gate.apply_text(list(names), None if gate.array else c)
        if gate.array:  # its local gradients as products with the upstream gradient g
            local = ", ".join(gate.local_texts(names) or ())
        else:
            local = ", ".join(sympy_formula_texts(gate.key, c, names))
        source = f"`{gate.function}(...)`" if gate.function else "an operator"
        if gate.aliases:
            source += ", also " + ", ".join(f"`{a}`" for a in gate.aliases)
        notes = []
        if gate.kink:
            notes.append("kink (see [Conventions](conventions.md#gradients-at-kinks))")
        if gate.expand:
            notes.append(f"composite: `--expand` writes it as `{gate.expand}`")
        if gate.local_text is None:
            notes.append("its local gradient is written by sympy")
        if gate.array:
            notes.append("on whole vectors and matrices: the local gradient is given as the"
                         " vector-Jacobian product with the upstream gradient `g`")
        rows.append([f"`{_cell(gate.key, code=True)}`",
                     f"`{_cell(gate.label_text(c), code=True)}`",
                     f"`{_cell(written, code=True)}`", source,
                     f"`{_cell(local, code=True)}`", "; ".join(notes)])
    head = [
        "# The gate table",
        "",
        "Every gate of `graphviz_backprop/gates.py`, one row each; this page is generated from"
        " the table each time the site is built. A gate with a constant is shown with the"
        " constant 2; the local gradients are d out / d input, one per input wire, with the"
        " inputs called `a`, `b` or `x`. Every gate that is not marked as working on whole"
        " vectors and matrices also works on them entry by entry, with numpy broadcasting"
        " (docs: the matrix form). To add a gate, see"
        " [Adding a gate](adding-a-gate.md).",
        "",
        "| key | drawn as | computes | in a source | local gradients | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    return "\n".join(head + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


# ---- the architecture ------------------------------------------------------------------------

PACKAGE = ROOT / "graphviz_backprop"
#: The stages of the data flow, in order, and the modules of each (the rest support them).
STAGES = [
    ("read", ["source", "tomlfile", "rawtext", "whitelist", "latex", "parser", "fromsympy",
              "passes", "syntax"]),
    ("build", ["gate_rules", "array_rules", "gates", "graph"]),
    ("evaluate", ["arrays", "entrywise", "backprop", "symbolic", "formulas"]),
    ("frames", ["arraytext", "frames"]),
    ("draw", ["themes", "matrices", "layout", "draw"]),
    ("render", ["bands", "slide", "dot", "compose", "raster", "render", "output", "stepper",
                "notebook", "beamer", "deck"]),
    ("use", ["style", "frame", "tracing", "check", "cli"]),
]


def package_modules() -> dict[str, tuple[str, set[str]]]:
    """Each module (a subpackage counts as one) -> (first docstring line, modules it imports)."""
    import ast

    modules: dict[str, tuple[str, set[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        name = rel.parts[0].removesuffix(".py")
        if name in ("__init__", "__main__"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = (ast.get_docstring(tree) or "").strip().split("\n")[0]
        depth = len(rel.parts) - 1  # inside a subpackage, ".." is the package
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = node.module.split(".")[0] if node.module else None
                if node.level == depth + 1 and base:
                    imported.add(base)
                elif node.level == depth + 1:
                    imported.update(a.name for a in node.names)
        summary, deps = modules.get(name, ("", set()))
        if rel.name == "__init__.py" or not summary:
            summary = doc or summary
        modules[name] = (summary, deps | (imported - {name}))
    return modules


def architecture_page(folder: Path) -> list[Path]:
    """The architecture page and its picture: the modules by stage, imports as arrows."""
    import graphviz

    modules = package_modules()
    staged = {m for _, names in STAGES for m in names}
    support = sorted(set(modules) - staged)
    dot = graphviz.Digraph("architecture", graph_attr={
        "rankdir": "LR", "newrank": "true", "fontname": "Helvetica", "nodesep": "0.15",
        "ranksep": "0.5", "bgcolor": "white"},
        node_attr={"shape": "box", "style": "rounded", "fontname": "Helvetica",
                   "fontsize": "11", "margin": "0.08,0.04", "height": "0.3"},
        edge_attr={"color": "#8b949e", "arrowsize": "0.5"})
    for stage, names in [*STAGES, ("support", support)]:
        with dot.subgraph(name=f"cluster_{stage}") as box:
            box.attr(label=stage, fontname="Helvetica", fontsize="12", color="#d0d7de",
                     style="rounded")
            for name in names:
                if name in modules:
                    box.node(name, f"{name}/" if (PACKAGE / name).is_dir() else f"{name}.py")
    import networkx as nx

    imports = nx.DiGraph((dep, name) for name, (_, deps) in modules.items()
                         for dep in deps if dep in modules and dep not in support)
    for dep, name in sorted(nx.transitive_reduction(imports).edges):  # the shortest story
        dot.edge(dep, name)
    image = folder / "img" / "architecture.svg"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(dot.pipe(format="svg"))
    lines = [
        "# Architecture",
        "",
        "The package is a pipeline, and its modules follow the data: a source is read into a"
        " syntax tree, built into a graph of gates, evaluated forward and backward, cut into"
        " the steps of an animation, drawn as Graphviz scenes, and rendered into files; the"
        " Python API (`tracing.py`), `gbp check` (`check/`) and the command line (`cli/`) use"
        " the stages. An arrow runs from a module to the modules that import it, so the data"
        " flows left to right; imports only flow that way (a test holds it). An import that"
        " another path of arrows already implies is not drawn. The modules of"
        " the \"support\" box (errors, limits, lazy imports, number formatting) are used"
        " throughout; their arrows are left out.",
        "",
        "This page is generated from the code each time the site is built: the picture is"
        " drawn by Graphviz from the package's imports, and each line is the module's own"
        " first docstring line.",
        "",
        "![The modules of graphviz_backprop by stage of the data flow; arrows are imports]"
        "(img/architecture.svg)",
        "",
    ]
    for stage, names in [*STAGES, ("support", support)]:
        lines += [f"## {stage.capitalize()}", ""]
        for name in names:
            if name in modules:
                shown = f"{name}/" if (PACKAGE / name).is_dir() else f"{name}.py"
                lines.append(f"- `{shown}`: {_escape(modules[name][0])}")
        lines.append("")
    page = folder / "architecture.md"
    page.write_text("\n".join(lines), encoding="utf-8")
    return [page, image]


# ---- the gallery -----------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s()<>,;]+[^\s()<>,;.]")


def _text(text: str) -> str:
    """Plain text of an expression file as markdown: special characters escaped, URLs linked."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(_escape(text[last:match.start()]))
        parts.append(f"<{match.group(0)}>")
        last = match.end()
    parts.append(_escape(text[last:]))
    return " ".join("".join(parts).split())


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.3g}"


def _cell_value(value) -> str:
    """A value or gradient in the gallery's table: a number, or a vector or matrix as nested
    brackets (its shape alone when it is large), as ``gbp eval`` writes it."""
    from graphviz_backprop.arrays import is_array
    from graphviz_backprop.notation import value_text

    return f"`{value_text(value)}`" if is_array(value) else _number(value)


def _newer(target: Path, sources: list[Path]) -> bool:
    return target.is_file() and target.stat().st_mtime >= max(p.stat().st_mtime for p in sources)


def _render(toml: Path, target: Path, *extra: str) -> None:
    """``gbp render TOML [extra] -o TARGET``; a failure stops the build with gbp's message."""
    command = [sys.executable, "-m", "graphviz_backprop", "render", str(toml), *extra,
               "-o", str(target)]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=RENDER_TIMEOUT,
                             cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"gbp render {toml.name} took longer than {RENDER_TIMEOUT} s") from None
    if run.returncode != 0:
        raise RuntimeError(f"gbp render {toml.name} {' '.join(extra)} failed:"
                           f" {(run.stderr or run.stdout).strip()}")


def _aligned(commands: list[tuple[str, str]]) -> list[str]:
    width = max(len(command) for command, _ in commands)
    return [f"{command.ljust(width)}    # {comment}" for command, comment in commands]


def _example_page(example, trace) -> str:
    name = example.name
    lines = [
        f"# {_text(example.title)}",
        "",
        _text(example.description),
        "",
        f"**Source:** {_text(example.source)}",
        "",
        f"[![{_text(example.title)}: every value and gradient]({name}.svg)]({name}.svg)",
        "",
        "## The animation",
        "",
        f"[![{_text(example.title)}: forward and backward, gate by gate]({name}.gif)]({name}.gif)",
        "",
        "Click a picture to see it at full size.",
        "",
        "## The circuit",
        "",
        f"From [`expressions/{name}.toml`](#the-file), evaluated at its values (its `[at]`"
        " table, or the numbers its program binds to the inputs):",
        "",
        "| input | value | gradient |",
        "| --- | ---: | ---: |",
    ]
    output = trace.circuit.output_name
    for input_name, value in trace.inputs.items():
        lines.append(f"| `{input_name}` | {_cell_value(value)} |"
                     f" {_cell_value(trace.gradients[input_name])} |")
    lines += [
        "",
        f"Output `{output}` = {_number(trace.value)}. The gradient column is"
        f" d{output}/d(input), computed by the backward pass the animation shows.",
        "",
        "## The file",
        "",
        "```toml",
        Path(example.path).read_text(encoding="utf-8").strip(),
        "```",
        "",
        "## Make it yourself",
        "",
        "```",
        *_aligned([
            (f"gbp render {name} -o {name}.gif", "the animation"),
            (f"gbp render {name} --final -o {name}.svg", "the final frame"),
            (f"gbp render {name} -o {name}-frames/", "every frame, numbered SVG files"),
            (f"gbp eval {name}", "every value and gradient as a table"),
        ]),
        "```",
        "",
        "Copy the file to change its values or its circuit; `gbp render my.toml` reads it.",
        "",
    ]
    return "\n".join(lines)


def _index_page(examples) -> str:
    lines = [
        "# Gallery",
        "",
        "Every circuit of the example library, [`expressions/`](../formats.md#expression-files),"
        " drawn by the tool itself each time the site is built. Each page has the final frame,"
        " the animation, the numbers and the file. Use a name as SOURCE: `gbp render relu`,"
        " `gbp eval softmax-cross-entropy`; `gbp examples` lists them.",
        "",
    ]
    for example in examples:
        lines += [
            f"## [{_text(example.title)}]({example.name}.md)",
            "",
            f"`{example.name}`: {_text(example.description)}",
            "",
            f"[![{_text(example.title)}]({example.name}.svg)]({example.name}.md)",
            "",
        ]
    return "\n".join(lines)


def gallery(folder: Path) -> list[Path]:
    """Write the gallery into ``folder``: an index, a page and two pictures per example."""
    import graphviz_backprop as gb
    from graphviz_backprop.tomlfile import load_expression_file

    folder.mkdir(parents=True, exist_ok=True)
    tomls = sorted(EXAMPLES.glob("*.toml"), key=lambda p: p.stem)
    examples = [load_expression_file(p) for p in tomls]
    code = [*sorted((ROOT / "graphviz_backprop").glob("*.py")), Path(__file__).resolve()]
    jobs = []
    for toml, example in zip(tomls, examples):
        if example.name != toml.stem:
            raise RuntimeError(f"{toml.name}: name '{example.name}' is not the file's name")
        for suffix, extra in ((".svg", ("--final",)), (".gif", ())):
            target = folder / f"{example.name}{suffix}"
            if not _newer(target, [toml, *code]):
                jobs.append((toml, target, extra))
    with ThreadPoolExecutor(max_workers=min(4, max(2, os.cpu_count() or 2))) as pool:
        for future in [pool.submit(_render, toml, target, *extra) for toml, target, extra in jobs]:
            future.result()
    written = []
    for example in examples:
        page = folder / f"{example.name}.md"
        page.write_text(_example_page(example, gb.trace(example.path)), encoding="utf-8")
        written += [page, folder / f"{example.name}.svg", folder / f"{example.name}.gif"]
    index = folder / "index.md"
    index.write_text(_index_page(examples), encoding="utf-8")
    stale = {p for p in folder.iterdir() if p.is_file()} - set(written) - {index}
    for path in stale:  # an example that was removed or renamed
        path.unlink()
    return [index, *written]


# ---- the example notebook, run -------------------------------------------------------------

NOTEBOOK = ROOT / "docs" / "notebook.ipynb"


def _fence(text: str, lang: str = "") -> list[str]:
    ticks = "````" if "```" in text else "```"
    return [f"{ticks}{lang}", text.rstrip("\n"), ticks, ""]


def notebook_page(folder: Path) -> list[Path]:
    """Run ``docs/notebook.ipynb`` in a fresh kernel (nbclient, ipykernel) and write it as
    ``notebook.md``: its text, its code, and what each cell showed (the stepper as its HTML, a
    frame as an SVG file beside the page).  A cell that fails stops the build."""
    import nbclient
    import nbformat

    code = [*sorted((ROOT / "graphviz_backprop").glob("*.py")), Path(__file__).resolve()]
    page = folder / "notebook.md"
    pictures = sorted(folder.glob("notebook-*.svg"))
    if _newer(page, [NOTEBOOK, *code]):
        return [page, *pictures]
    for old in pictures:
        old.unlink()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=RENDER_TIMEOUT,
                                     resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        raise RuntimeError(f"docs/notebook.ipynb failed: {str(err).strip().splitlines()[-1]}"
                           ) from None
    lines = ["<!-- generated by scripts/docs_hooks.py from docs/notebook.ipynb -->", ""]
    written = [page]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines += [cell.source, ""]
            continue
        if cell.cell_type != "code":
            continue
        lines += _fence(cell.source, "python")
        for out in cell.outputs:
            data = out.get("data", {})
            if out.output_type == "stream":
                lines += _fence(out.text)
            elif "text/html" in data:
                lines += ['<div class="notebook-output">', data["text/html"], "</div>", ""]
            elif "image/svg+xml" in data:
                picture = folder / f"notebook-{len(written)}.svg"
                picture.write_text(data["image/svg+xml"], encoding="utf-8")
                written.append(picture)
                lines += [f"![the cell's picture]({picture.name})", ""]
            elif "text/plain" in data:
                lines += _fence(data["text/plain"])
    page.write_text("\n".join(lines), encoding="utf-8")
    return written


def generate(folder: Path = GENERATED) -> list[Path]:
    """Write every generated page and picture into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    cli_page = folder / "cli.md"
    cli_page.write_text(cli_reference(), encoding="utf-8")
    gates_page = folder / "gates.md"
    gates_page.write_text(gate_reference(), encoding="utf-8")
    return [cli_page, gates_page, *architecture_page(folder), *notebook_page(folder),
            *gallery(folder / GALLERY)]


# ---- mkdocs hooks ------------------------------------------------------------------------------

def on_config(config):
    """Put one navigation entry per example, by name, under "Gallery" (after its index)."""
    tomls = sorted(EXAMPLES.glob("*.toml"), key=lambda p: p.stem)
    pages = [{p.stem: f"{GALLERY}/{p.stem}.md"} for p in tomls]
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Gallery" in entry:
            entry["Gallery"] = [f"{GALLERY}/index.md", *pages]
    return config


def on_files(files, config):
    """Generate the pages and pictures and add them to the site's files."""
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    try:
        paths = generate(GENERATED)
    except RuntimeError as err:
        raise PluginError(str(err)) from None
    for path in paths:
        uri = path.relative_to(GENERATED).as_posix()
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"docs/{uri} exists, but the build generates {uri}: remove one")
        files.append(File(uri, str(GENERATED), config.site_dir, config.use_directory_urls))
    return files


_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s#]+)(#[^)\s]*)?\)")


def on_page_markdown(markdown, page, config, files):
    """A link from a page to a file of the repository outside ``docs/`` (as in
    ``[tests/data/derivations/](../tests/data/derivations/)``, which works on GitHub) becomes
    plain text on the site, once the file is found to exist; a link to a missing file is left
    alone, so the strict build fails on it."""
    if page.file.abs_src_path is None:
        return markdown
    docs = Path(config.docs_dir).resolve()
    here = Path(page.file.abs_src_path).resolve().parent

    def unlink(match: re.Match) -> str:
        text, target = match.group(1), match.group(2)
        if "://" in target or target.startswith(("/", "mailto:")):
            return match.group(0)
        path = (here / target).resolve()
        inside = path.is_relative_to(docs) or path.is_relative_to(GENERATED.resolve())
        if inside or not path.is_relative_to(ROOT) or not path.exists():
            return match.group(0)
        where = path.relative_to(ROOT).as_posix() + ("/" if path.is_dir() else "")
        return text if where in text else f"{text} (`{where}` in the repository)"

    return _LINK.sub(unlink, markdown)


if __name__ == "__main__":
    for written in generate(GENERATED):
        print(written.relative_to(ROOT))
