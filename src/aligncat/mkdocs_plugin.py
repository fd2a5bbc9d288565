"""The name MkDocs finds the aligncat plugin by (the `mkdocs.plugins` entry point in pyproject.toml); the plugin
itself is aligncat.site.plugin."""

from .site.plugin import AligncatPlugin

__all__ = ["AligncatPlugin"]
