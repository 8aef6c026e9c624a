"""Background jobs of the synthesis app (huey)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def compute_opinion_map(run_id: int) -> None:
    """Compute a queued opinion-map run; progress and outcome are stored on the run."""
    from .services import compute_queued_run

    compute_queued_run(run_id)


@db_task()
def compute_themes(run_id: int) -> None:
    """Compute a queued themes run (themes, trends, specificities); progress and outcome are
    stored on the run, as for the opinion map."""
    from .themes_services import compute_queued_theme_run

    compute_queued_theme_run(run_id)
