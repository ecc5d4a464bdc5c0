"""Tally from Python: crowd-kit-compatible aggregation (``tally.aggregation``), answer readers
(:func:`read_answers`) and metrics (``tally.metrics``), computed by Tally's Swift library."""

from ._io import read_answers
from . import aggregation, metrics

__version__ = "0.1.0"
__all__ = ["aggregation", "metrics", "read_answers", "__version__"]
