"""briefing: turn a folder of articles and a themes codebook into a MkDocs briefing site."""

__version__ = "0.1.0"
