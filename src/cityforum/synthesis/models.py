"""Every model of the synthesis app, whichever part defines it.

The app is one Django app (label ``synthesis``, one migrations folder, the tables it always had)
in three parts; each part defines its models in its own ``models.py``. Django's app registry
loads this module, and ``from cityforum.synthesis.models import ThemeRun`` keeps working
everywhere.
"""

from __future__ import annotations

from .capitals.models import CapitalClassifierModel, CapitalTag
from .opinion.live_models import LiveMap, LiveMapUpdate, PolisImportInfo
from .opinion.models import OpinionMapRun
from .themes.models import ThemeReview, ThemeRun

__all__ = [
    "CapitalClassifierModel",
    "CapitalTag",
    "LiveMap",
    "LiveMapUpdate",
    "OpinionMapRun",
    "PolisImportInfo",
    "ThemeReview",
    "ThemeRun",
]
