"""A small package for `python3 -m compileall`."""
from .shapes import area

__all__ = ["area"]
