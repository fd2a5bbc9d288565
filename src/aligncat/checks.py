"""The names of the rules stage before it became the `rules` package (rules/) and pipeline.py; kept for older
callers and scripts. New code imports from `aligncat.rules` and `aligncat.pipeline`."""

from __future__ import annotations

from .catalog import CatalogFacts
from .model import normalise_title
from .pipeline import all_codes, codes_markdown
from .rules import (
           RULES,
           TRACKING_PARAMS,
           Rule,
           at,
           did_you_mean,
           recheck,
           rule,
           run_rules,
           run_rules_by_rule,
           strip_tracking,
)

run_checks = run_rules
run_checks_by_rule = run_rules_by_rule
_at = at

__all__ = ["RULES", "TRACKING_PARAMS", "CatalogFacts", "Rule", "all_codes", "codes_markdown", "did_you_mean",
           "normalise_title", "recheck", "rule", "run_checks", "run_checks_by_rule", "strip_tracking"]
