"""Command line: `aligncat rules`, the list of every diagnostic code."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    @group.command("rules")
    @click.option("--markdown", is_flag=True, help="Print the table for docs/diagnostics.md.")
    def rules(markdown: bool) -> None:
        """List every diagnostic code: the stage that reports it, its severity and what it means."""
        from ..pipeline import all_codes, codes_markdown

        if markdown:
            click.echo(codes_markdown(), nl=False)
            return
        codes = all_codes()
        width = max(map(len, codes))
        for code, (stage, severity, text) in codes.items():
            click.echo(f"{code:<{width}}  {stage:<6}  {severity:<7}  {text}")
