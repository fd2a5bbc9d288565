"""aligncat: a validated catalog of a survey's resources, its evolution graph, a static site and citations."""

from .diagnostics import Diagnostic, Severity
from .load import Catalog, load_catalog
from .model import RELATION_TYPES, Record

__all__ = ["Catalog", "Diagnostic", "RELATION_TYPES", "Record", "Severity", "load_catalog"]
__version__ = "0.1.0"
