"""Citebot: answers questions from a shelf of news articles with verbatim, cited quotes."""

__version__ = "0.1.0"
