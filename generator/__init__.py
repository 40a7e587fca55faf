"""briefing: turn a folder of articles and a themes codebook into a MkDocs briefing site."""

__version__ = "0.1.0"

from pathlib import Path as _Path

# The Jinja2 templates of the pages (presentation only; see generator.render).
TEMPLATES = _Path(__file__).resolve().parent.parent / "site_templates"
