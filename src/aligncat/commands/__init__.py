"""Command modules of the CLI, one per area; each defines `register(group)` and imports heavy modules lazily.

Registration is explicit: the commands are those of the modules in COMMAND_MODULES, in this order in `--help`.
"""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES = ("contribute", "graph", "init", "rules", "site", "reference")


def register_all(group: click.Group) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(group)
