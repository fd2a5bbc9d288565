"""aligncat: a validated catalog of a survey's resources, its evolution graph, a static site and citations.

The public API is imported on first use (PEP 562), so that importing one stage (`aligncat.source`) does not import
the later ones with the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Catalog", "Diagnostic", "RELATION_TYPES", "Record", "Severity", "Validation", "load_catalog",
           "validate_catalog"]
__version__ = "0.1.0"

_WHERE = {"Catalog": "catalog", "Diagnostic": "diagnostics", "Severity": "diagnostics", "RELATION_TYPES": "model",
          "Record": "model", "Validation": "pipeline", "load_catalog": "pipeline", "validate_catalog": "pipeline"}

if TYPE_CHECKING:
    from .catalog import Catalog
    from .diagnostics import Diagnostic, Severity
    from .model import RELATION_TYPES, Record
    from .pipeline import Validation, load_catalog, validate_catalog


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'aligncat' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
