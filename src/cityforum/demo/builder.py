"""Building the demonstration forum: an ordered registry of steps, each in a module named for
what it makes, each calling the apps' services as an organiser, moderator or participant would.

The builder never chooses the database: the ``cityforum demo`` command points Django at a
separate file (``var/demo.sqlite3``) before anything runs, and :func:`build` refuses to run
unless ``CITYFORUM_DEMO`` is on, so a real forum is never filled with demonstration data.

Other apps add their own step with :func:`register_step` (e.g. a future ``observatory`` app:
``register_step(Step("observatory", fill_observatory), after="themes")``), so that the demo
shows what they make without this module knowing them. The ``recommendations`` step, written
before such a hook was needed, is one of the default steps: after the themes and the
assessments (its evidence cites approved themes), before the report (whose recommendations
chapter and G20 brief it fills).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass
class DemoBuild:
    """What the steps share: the options, the demo accounts, and what each step made."""

    small: bool
    shared: Path | None
    echo: Callable[[str], None] = print
    #: Demo accounts by role (``organiser``, ``moderator``, ``participant``), then authors.
    people: dict[str, Any] = field(default_factory=dict)
    #: One line per step, for the summary printed at the end.
    made: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def shared_folder(self, *parts: str) -> Path | None:
        """A folder of the shared data, or ``None`` when it is not beside this checkout."""
        if self.shared is None:
            return None
        path = self.shared.joinpath(*parts)
        return path if path.exists() else None


@dataclass(frozen=True)
class Step:
    """One stage of the build: ``run`` makes its content and says what, in one line."""

    name: str
    run: Callable[[DemoBuild], str]


#: The build, in order. Filled by :func:`default_steps`; extended by :func:`register_step`.
_EXTRA: list[tuple[Step, str | None]] = []


def register_step(step: Step, *, after: str | None = None) -> None:
    """Add a step to every later build, after the step named ``after`` (at the end if None).

    The hook for apps the demo does not know: a step that cites approved themes goes
    ``after="themes"``.
    """
    _EXTRA[:] = [(s, a) for s, a in _EXTRA if s.name != step.name]
    _EXTRA.append((step, after))


def default_steps() -> list[Step]:
    from . import (
        accounts,
        amendments,
        assessments,
        capital_tags,
        contributions,
        database,
        opening,
        opinion_maps,
        outcome_report,
        polis_conversations,
        publication,
        recommendations,
        themes,
    )

    return [
        Step("database", database.prepare),
        Step("accounts", accounts.create_demo_accounts),
        Step("opening", opening.open_consultations),
        Step("polis", polis_conversations.import_conversations),
        Step("opinion", opinion_maps.compute_opinion_maps),
        Step("contributions", contributions.import_contributions),
        Step("capital_tags", capital_tags.confirm_sample),
        Step("themes", themes.compute_and_approve),
        Step("amendments", amendments.amend_code_of_conduct),
        Step("assessments", assessments.assess_cities),
        Step("recommendations", recommendations.make_recommendations),
        Step("report", outcome_report.generate),
        Step("opendata", publication.publish_bundle),
    ]


def steps() -> list[Step]:
    """The default steps with the registered ones inserted where they asked."""
    ordered = default_steps()
    for step, after in _EXTRA:
        names = [s.name for s in ordered]
        ordered = [s for s in ordered if s.name != step.name]
        position = names.index(after) + 1 if after in names else len(ordered)
        ordered.insert(position, step)
    return ordered


def build(run: DemoBuild) -> DemoBuild:
    """Run every step in order; each prints its line as it ends."""
    if not getattr(settings, "CITYFORUM_DEMO", False):
        raise ImproperlyConfigured(
            "The demo is built only with CITYFORUM_DEMO=1, on its own database "
            "(use `cityforum demo`)."
        )
    for step in steps():
        started = time.perf_counter()
        line = step.run(run)
        run.timings[step.name] = time.perf_counter() - started
        run.made[step.name] = line
        run.echo(f"  {step.name:<15} {run.timings[step.name]:6.1f} s  {line}")
    return run
