"""The synthesis services the demo calls, in one place.

The synthesis app is being reorganised into sub-packages (``synthesis/opinion/``,
``synthesis/themes/``, ``synthesis/capitals/``); the demo only uses their public service
functions, and finds each at its new address first, then at its current one, so that the
demo builds on either side of that change.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


def _service(name: str, *modules: str) -> Any:
    for module in modules:
        try:
            return getattr(import_module(module), name)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"no synthesis service {name} in {', '.join(modules)}")


def run_opinion_map(*args: Any, **kwargs: Any) -> Any:
    return _service(
        "run_opinion_map", "cityforum.synthesis.opinion.services", "cityforum.synthesis.services"
    )(*args, **kwargs)


def run_themes(*args: Any, **kwargs: Any) -> Any:
    return _service(
        "run_themes", "cityforum.synthesis.themes.services", "cityforum.synthesis.themes_services"
    )(*args, **kwargs)


def approve_themes(*args: Any, **kwargs: Any) -> Any:
    return _service(
        "approve_themes",
        "cityforum.synthesis.themes.services",
        "cityforum.synthesis.themes_services",
    )(*args, **kwargs)


def confirm_capitals(*args: Any, **kwargs: Any) -> Any:
    return _service(
        "confirm_capitals",
        "cityforum.synthesis.capitals.services",
        "cityforum.synthesis.capitals_services",
    )(*args, **kwargs)


def train_capital_classifier(*args: Any, **kwargs: Any) -> Any:
    return _service(
        "train_capital_classifier",
        "cityforum.synthesis.capitals.services",
        "cityforum.synthesis.capitals_services",
    )(*args, **kwargs)
