"""mkdocs hooks: the pages of the documentation site that ``make docs`` generates at build time.

* ``cli.md``, the command-line reference, written from the click definitions of
  ``graphviz_backprop.cli.cli`` (every command, argument and option, as ``--help`` shows
  them), so it cannot drift from the code;
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

import click

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "expressions"
GENERATED = ROOT / "build" / "docs"
GALLERY = "gallery"
#: Seconds one ``gbp render`` may take before the build fails.
RENDER_TIMEOUT = 300
#: Characters that plain text must escape in markdown (``<`` becomes ``&lt;``).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]>|#])")

__all__ = ["cli_reference", "gallery", "generate", "on_config", "on_files", "on_page_markdown"]


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
        f"From [`expressions/{name}.toml`](#the-file), evaluated at the values of its `[at]`"
        " table:",
        "",
        "| input | value | gradient |",
        "| --- | ---: | ---: |",
    ]
    output = trace.circuit.output_name
    for input_name, value in trace.inputs.items():
        lines.append(f"| `{input_name}` | {_number(value)} |"
                     f" {_number(trace.gradients[input_name])} |")
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
    from graphviz_backprop.source import load_expression_file

    folder.mkdir(parents=True, exist_ok=True)
    tomls = sorted(EXAMPLES.glob("*.toml"), key=lambda p: p.stem)
    examples = [load_expression_file(p) for p in tomls]
    code = sorted((ROOT / "graphviz_backprop").glob("*.py")) + [Path(__file__).resolve()]
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


def generate(folder: Path = GENERATED) -> list[Path]:
    """Write every generated page and picture into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    cli_page = folder / "cli.md"
    cli_page.write_text(cli_reference(), encoding="utf-8")
    return [cli_page, *gallery(folder / GALLERY)]


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
