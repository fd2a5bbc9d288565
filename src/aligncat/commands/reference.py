"""Command line: the CLI reference (docs/cli.md), generated from the click commands themselves.

`aligncat cli-reference` (hidden) prints it; `--write FILE` writes it. A test checks docs/cli.md is up to date,
that every command and option appears in it, and that no help text names an option or a page that does not exist.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import click

HEADER = """# Command line

Every command of `aligncat`, its arguments and options, as `aligncat <command> --help` prints them. This page is
generated from the commands themselves by `aligncat cli-reference --write docs/cli.md` (a test fails when it is out
of date).

Every command that reads a catalog names its folder the same way: `-C/--catalog DIR`, default `./catalog`.
`validate`, `export`, `stats`, `build` and `serve` also accept the folder as a last positional `CATALOG`, the older
form (deprecated, still accepted).
"""


def walk(group: click.Group, parent: click.Context | None = None
         ) -> Iterator[tuple[tuple[str, ...], click.Command, click.Context]]:
    """Every visible command, as (its words, the command, its context), groups before their commands, by name."""
    parent = parent or click.Context(group, info_name="aligncat", **group.context_settings)
    for name in sorted(group.commands):
        cmd = group.commands[name]
        if cmd.hidden:
            continue
        ctx = click.Context(cmd, info_name=name, parent=parent)
        yield tuple(ctx.command_path.split()), cmd, ctx
        if isinstance(cmd, click.Group):
            yield from walk(cmd, ctx)


def option_names(cmd: click.Command, ctx: click.Context) -> list[str]:
    """Every option string of a command (-C, --catalog, ...), the help option included."""
    names: list[str] = []
    for p in cmd.get_params(ctx):
        if isinstance(p, click.Option) and not p.hidden:
            names.extend(p.opts + p.secondary_opts)
    return names


def _usage(path: tuple[str, ...], cmd: click.Command, ctx: click.Context) -> str:
    return " ".join([*path, *cmd.collect_usage_pieces(ctx)])


def cli_markdown(main: click.Group) -> str:
    """docs/cli.md: every command with its usage, help and a table of its options."""
    from ..export import available_formats

    out = [HEADER]
    for path, cmd, ctx in walk(main):
        out += [f"## {' '.join(path)}", "", "```text", _usage(path, cmd, ctx), "```", ""]
        out += _help_markdown(cmd.help or "")
        rows = []
        for p in cmd.get_params(ctx):
            if not isinstance(p, click.Option) or p.hidden:
                continue
            record = p.get_help_record(ctx)
            if record is None:
                continue
            names, text = record
            rows.append(f"| `{_cell(names)}` | {_cell(text)} |")
        if rows:
            out += ["| option | what it does |", "| --- | --- |", *rows, ""]
        if path == ("aligncat", "export"):
            out += ["Formats:", "", "| FORMAT | what it writes |", "| --- | --- |"]
            out += [f"| `{name}` | {f.description} |" for name, f in sorted(available_formats().items())]
            out += [""]
    return "\n".join(out).rstrip() + "\n"


def _help_markdown(text: str) -> list[str]:
    """A command's help as Markdown: its paragraphs, and click's unwrapped (\\b) blocks as text blocks."""
    out: list[str] = []
    for para in inspect.cleandoc(text).split("\n\n"):
        if para.startswith("\b\n"):
            out += ["```text", para[2:], "```", ""]
        elif para.strip():
            out += [para.strip(), ""]
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def register(group: click.Group) -> None:
    @group.command("cli-reference", hidden=True)
    @click.option("--write", "target", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the reference to this file (atomically) instead of printing it.")
    def cli_reference(target: Path | None) -> None:
        """Print the command-line reference (docs/cli.md), generated from the commands."""
        text = cli_markdown(group)
        if target is None:
            click.echo(text, nl=False)
            return
        from ..atomic import write_atomic

        write_atomic(target, text)
        click.echo(f"wrote {target}", err=True)
