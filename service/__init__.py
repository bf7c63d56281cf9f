"""Storyline: de-duplicate incoming news and group it into stories."""

__version__ = "0.1.0"
