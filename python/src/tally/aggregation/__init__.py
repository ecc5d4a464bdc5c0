"""crowd-kit-compatible aggregation backed by Tally.

``from crowdkit.aggregation import DawidSkene`` becomes ``from tally.aggregation import
DawidSkene``: the same class names, constructor arguments, methods and fitted attributes (pandas
objects with crowd-kit's index and column names). Methods crowd-kit lacks are here too, one class
per registry method (``IBCC`` …), and :func:`aggregator` reaches any method by registry name.
"""

from ._base import BaseAggregator
from ._classes import GLAD, KOS, MACE, MMSR, DawidSkene, GoldMajorityVote, MajorityVote, OneCoinDawidSkene, Wawa, ZeroBasedSkill
from ._registry import RegistryAggregator, aggregator, registry_classes

__all__ = ["BaseAggregator", "DawidSkene", "GLAD", "GoldMajorityVote", "KOS", "MACE", "MMSR", "MajorityVote", "OneCoinDawidSkene",
           "Wawa", "ZeroBasedSkill", "RegistryAggregator", "aggregator", "methods"]


def methods():
    """Every method of Tally's registry, as the library describes it (name, parameters, …)."""
    from .. import _native
    return _native.methods()


def __getattr__(name: str):
    # Registry methods without a crowd-kit class (IBCC and whatever the registry gains), made on first use.
    classes = registry_classes()
    if name in classes:
        globals()[name] = classes[name]
        return classes[name]
    raise AttributeError(f"module 'tally.aggregation' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(registry_classes()))
