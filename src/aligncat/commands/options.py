"""Command line: the options every command shares, so the catalog folder is named one way everywhere."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path

import click

DEFAULT_CATALOG = Path("catalog")
_PATH = click.Path(file_okay=False, path_type=Path)
POSITIONAL_NOTE = ("The catalog folder may also be given as CATALOG after the command's other arguments: the older "
                   "form of -C/--catalog, deprecated but still accepted.")


def catalog_option(*, dest: str = "catalog", positional: bool = False,
                   default: Path | None = DEFAULT_CATALOG) -> Callable[[Callable], Callable]:
    """`-C/--catalog DIR` (default ./catalog) on a command; with `positional`, the older `[CATALOG]` argument too.

    The function receives the folder as `dest`. Giving both forms with different folders is a usage error.
    """

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            given = kwargs.pop("_catalog_option", None)
            legacy = kwargs.pop("_catalog_positional", None) if positional else None
            if given is not None and legacy is not None and given != legacy:
                raise click.UsageError(f"the catalog folder is given twice ({legacy} and -C {given}); give it once, "
                                       "with -C/--catalog DIR")
            kwargs[dest] = given if given is not None else legacy if legacy is not None else default
            return fn(*args, **kwargs)

        if positional:
            run.__doc__ = inspect.cleandoc(fn.__doc__ or "") + "\n\n" + POSITIONAL_NOTE
            run = click.argument("_catalog_positional", metavar="[CATALOG]", required=False, type=_PATH)(run)
        return click.option("-C", "--catalog", "_catalog_option", type=_PATH, default=None, metavar="DIR",
                            help="The catalog folder (default: ./catalog)." if default is not None else
                            "The catalog folder (default: the group's -C, else ./catalog).")(run)

    return decorate
