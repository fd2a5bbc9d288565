"""The CLI reference (docs/cli.md) is generated, up to date and complete, and no help text names an option or a
page that does not exist (as sqlite-utils tests its docs)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from aligncat.cli import main
from aligncat.commands.reference import cli_markdown, option_names, walk

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "cli.md"
COMMANDS = list(walk(main))


def _section(path: tuple[str, ...]) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {' '.join(path)}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def test_docs_cli_md_is_generated_from_the_commands() -> None:
    assert DOC.read_text(encoding="utf-8") == cli_markdown(main), (
        "docs/cli.md is out of date: run `aligncat cli-reference --write docs/cli.md`")


def test_the_hidden_command_prints_the_same_reference() -> None:
    result = CliRunner().invoke(main, ["cli-reference"])
    assert result.exit_code == 0, result.output
    assert result.output == cli_markdown(main)


@pytest.mark.parametrize("path,cmd,ctx", COMMANDS, ids=[" ".join(p[1:]) for p, _, _ in COMMANDS])
def test_every_command_and_option_is_in_docs_cli_md(path, cmd, ctx) -> None:
    section = _section(path)  # raises if the command has no section
    missing = [name for name in option_names(cmd, ctx) if not re.search(rf"`[^`]*(?<![\w-]){re.escape(name)}\b",
                                                                          section)]
    assert not missing, f"{' '.join(path)}: {missing} not in its section of docs/cli.md"
    for p in cmd.params:
        if isinstance(p, click.Argument):
            assert (p.metavar or p.name.upper()).strip("[]").rstrip(".") in section


def _help_texts(cmd: click.Command, ctx: click.Context) -> list[str]:
    texts = [cmd.help or "", cmd.epilog or ""]
    texts += [p.help or "" for p in cmd.get_params(ctx) if isinstance(p, click.Option)]
    return texts


def _resolve(words: list[str]) -> tuple[click.Command, click.Context] | None:
    """The command a code span `aligncat a b ...` runs (the longest run of command words)."""
    found = None
    for path, cmd, ctx in COMMANDS:
        if list(path[1:]) == words[:len(path) - 1] and (found is None or len(path) > len(found[0])):
            found = (path, cmd, ctx)
    return None if found is None else found[1:]


def _check_text(text: str, path: tuple[str, ...], cmd: click.Command, ctx: click.Context) -> list[str]:
    problems = []
    own = set(option_names(cmd, ctx))
    parent, child_opts = ctx.parent, set()
    while parent is not None and parent.command is not main:
        own |= set(option_names(parent.command, parent))
        parent = parent.parent
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            child_opts |= set(option_names(sub, click.Context(sub, parent=ctx)))
    spans = re.findall(r"`(aligncat [^`]*)`", text)
    for span in spans:
        words = span.split()[1:]
        resolved = _resolve([w for w in words if not w.startswith("-")])
        if resolved is None:
            problems.append(f"{' '.join(path)}: `{span}` names no command")
            continue
        names = set(option_names(*resolved))
        problems += [f"{' '.join(path)}: `{span}` names {w}, not an option of that command"
                     for w in words if w.startswith("-") and w.split("=")[0] not in names]
    rest = re.sub(r"`aligncat [^`]*`", "", text)
    for name in re.findall(r"(?<![\w/.-])--[a-z][a-z-]*", rest):
        if name not in own | child_opts:
            problems.append(f"{' '.join(path)}: its help names {name}, which it does not have")
    for page in re.findall(r"\bdocs/[\w./-]+\.md\b", text):
        if not (ROOT / page).is_file():
            problems.append(f"{' '.join(path)}: its help names {page}, which does not exist")
    return problems


def test_no_help_text_names_an_option_or_page_that_does_not_exist() -> None:
    problems = []
    for path, cmd, ctx in COMMANDS:
        for text in _help_texts(cmd, ctx):
            problems += _check_text(text, path, cmd, ctx)
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_wrong_option_and_a_missing_page() -> None:
    """The check above can fail: a help text naming a missing option, command or page is reported."""
    path, cmd, ctx = next(c for c in COMMANDS if c[0] == ("aligncat", "validate"))
    text = "Use --strictest, or `aligncat export --nope`, or `aligncat frobnicate`; see docs/nowhere.md."
    problems = _check_text(text, path, cmd, ctx)
    assert len(problems) == 4, problems


def test_every_catalog_command_names_the_folder_with_dash_c() -> None:
    """One way to name the catalog folder: every command that reads one has -C/--catalog DIR."""
    reads_a_catalog = {"validate", "export", "stats", "new", "fmt", "readme", "build", "serve", "graph", "import"}
    for path, cmd, ctx in COMMANDS:
        if set(path[1:2]) & reads_a_catalog and not isinstance(cmd, click.Group) or path[1:] == ("graph",):
            names = option_names(cmd, ctx)
            assert "-C" in names and "--catalog" in names, f"{' '.join(path)} has no -C/--catalog"


def test_the_older_positional_catalog_still_works_and_agrees_with_dash_c(tmp_path) -> None:
    mini = str(ROOT / "tests" / "data" / "mini_catalog")
    env = {"ALIGNCAT_NO_CACHE": "1"}
    new = CliRunner().invoke(main, ["stats", "-C", mini], env=env)
    old = CliRunner().invoke(main, ["stats", mini], env=env)
    assert new.exit_code == old.exit_code == 0 and new.output == old.output
    both = CliRunner().invoke(main, ["stats", "-C", mini, str(tmp_path)], env=env)
    assert both.exit_code == 2 and "given twice" in both.output
