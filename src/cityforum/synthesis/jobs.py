"""Background jobs of the synthesis (huey): the only module that knows the job queue.

Each job calls a service, never the reverse: the services enqueue through
:func:`cityforum.synthesis.queue.enqueue`, by the names registered below. The app imports this
module when it is ready, so that the worker (``manage.py run_huey``, which looks only for
``tasks`` modules) and the web processes both know the jobs.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import queue
from .opinion import services as opinion
from .themes import services as themes

#: The names the services enqueue by.
OPINION_MAP = "opinion_map"
THEMES = "themes"


@db_task()
def compute_opinion_map(run_id: int) -> None:
    """Compute a queued opinion-map run; progress and outcome are stored on the run."""
    opinion.compute_queued_run(run_id)


@db_task()
def compute_themes(run_id: int) -> None:
    """Compute a queued themes run (themes, trends, specificities); progress and outcome are
    stored on the run, as for the opinion map."""
    themes.compute_queued_theme_run(run_id)


queue.register(OPINION_MAP, compute_opinion_map)
queue.register(THEMES, compute_themes)
