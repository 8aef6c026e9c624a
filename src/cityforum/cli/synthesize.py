"""``cityforum synthesize``: compute a consultation's syntheses and store them for the site.

``cityforum synthesize opinion CONSULTATION_SLUG [--seed N] [--groups K] [--background]``
computes the opinion map (or reuses the stored one when the votes have not changed), through
the same service as the admin action.

``cityforum synthesize texts [CONSULTATION_SLUG] [--themes K] [--seed N] [--background]``
computes the themes, global trends and regional specificities of the visible contributions (all
consultations by default, each contribution's region as its region), stored for an organiser
to review and approve. ``cityforum synthesize themes [--consultation SLUG]`` is the same command
under its first name.

``cityforum synthesize train-capitals`` trains the capital classifier on the capitals that
moderators confirmed, and stores it for the suggestions.
"""

from __future__ import annotations

import click
import redis

from .django_setup import setup_django

#: Redis refusing a background job (``REDIS_URL`` set, Redis away): the run was marked failed
#: with the reason (``synthesis.runs.refuse``); the command says so in one line.
QUEUE_ERRORS = (redis.ConnectionError, redis.TimeoutError)


def _queue_refused(error: BaseException) -> click.ClickException:
    from django.utils.translation import gettext as _

    return click.ClickException(
        _("The job queue could not be reached (%(error)s); ask again once it is back.")
        % {"error": error}
    )


@click.group()
def synthesize() -> None:
    """Compute the syntheses and store them (opinion map, themes)."""


@synthesize.command("opinion")
@click.argument("consultation_slug")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--groups",
    type=click.IntRange(min=2, max=9),
    default=None,
    help="Force this number of opinion groups (default: chosen by silhouette).",
)
@click.option(
    "--background",
    is_flag=True,
    help="Queue the computation for the background worker instead of running it here.",
)
def opinion(consultation_slug: str, seed: int, groups: int | None, background: bool) -> None:
    """The opinion map (the Pol.is method) of a consultation's current votes, stored."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from cityforum.programme.models import Consultation
    from cityforum.synthesis.models import OpinionMapRun
    from cityforum.synthesis.opinion.services import run_opinion_map

    consultation = (
        Consultation.objects.filter(slug=consultation_slug).order_by("-forum__edition").first()
    )
    if consultation is None:
        raise click.ClickException(
            _("No consultation is called “%(slug)s”.") % {"slug": consultation_slug}
        )
    try:
        run = run_opinion_map(consultation, seed=seed, groups=groups, background=background)
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    except QUEUE_ERRORS as error:
        raise _queue_refused(error) from None
    if run.status == OpinionMapRun.Status.DONE:
        click.echo(
            _("Opinion map of “%(title)s”: %(k)d groups, %(n)d votes (run %(id)d, input %(sha)s).")
            % {
                "title": consultation.title,
                "k": run.n_groups,
                "n": run.n_votes,
                "id": run.pk,
                "sha": run.input_sha256[:12],
            }
        )
    elif run.status == OpinionMapRun.Status.FAILED:
        raise click.ClickException(run.error)
    else:
        click.echo(
            _("Opinion map of “%(title)s” queued for the background worker (run %(id)d).")
            % {"title": consultation.title, "id": run.pk}
        )


def _themes(
    consultation_slug: str | None, n_themes: int | None, seed: int, background: bool
) -> None:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from cityforum.programme.models import Consultation
    from cityforum.synthesis.models import ThemeRun
    from cityforum.synthesis.themes.services import run_themes

    consultation = None
    if consultation_slug is not None:
        consultation = (
            Consultation.objects.filter(slug=consultation_slug).order_by("-forum__edition").first()
        )
        if consultation is None:
            raise click.ClickException(
                _("No consultation is called “%(slug)s”.") % {"slug": consultation_slug}
            )
    try:
        run = run_themes(consultation, n_themes=n_themes, seed=seed, background=background)
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    except QUEUE_ERRORS as error:
        raise _queue_refused(error) from None
    if run.status == ThemeRun.Status.DONE:
        click.echo(
            _(
                "%(k)d themes in %(n)d contributions (run %(id)d, input %(sha)s); "
                "an organiser approves it before it is public."
            )
            % {
                "k": run.n_themes,
                "n": run.n_contributions,
                "id": run.pk,
                "sha": run.input_sha256[:12],
            }
        )
    elif run.status == ThemeRun.Status.FAILED:
        raise click.ClickException(run.error)
    else:
        click.echo(
            _("The themes are queued for the background worker (run %(id)d).") % {"id": run.pk}
        )


_THEMES_OPTION = click.option("--themes", "n_themes", type=click.IntRange(min=2, max=30))
_SEED_OPTION = click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
_BACKGROUND_OPTION = click.option(
    "--background",
    is_flag=True,
    help="Queue the computation for the background worker instead of running it here.",
)


@synthesize.command("texts")
@click.argument("consultation_slug", required=False)
@_THEMES_OPTION
@_SEED_OPTION
@_BACKGROUND_OPTION
def texts(consultation_slug: str | None, n_themes: int | None, seed: int, background: bool) -> None:
    """Themes, global trends and regional specificities of the visible contributions of one
    consultation (default: all, each contribution's region as its region), stored for an
    organiser to review and approve."""
    _themes(consultation_slug, n_themes, seed, background)


@synthesize.command("themes")
@click.option(
    "--consultation",
    "consultation_slug",
    default=None,
    help="Only this consultation (default: all consultations, each region as a region).",
)
@_THEMES_OPTION
@_SEED_OPTION
@_BACKGROUND_OPTION
def themes(
    consultation_slug: str | None, n_themes: int | None, seed: int, background: bool
) -> None:
    """The same as ``synthesize texts``, under its first name."""
    _themes(consultation_slug, n_themes, seed, background)


@synthesize.command("train-capitals")
def train_capitals() -> None:
    """Train the capital classifier on the capitals moderators confirmed, and store it."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from cityforum.synthesis.capitals.services import train_capital_classifier

    try:
        stored = train_capital_classifier()
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    top1 = stored.metrics.get("top1", {})
    click.echo(
        _(
            "Capital classifier %(sha)s: %(n)d contributions, %(e)d examples; first suggestion "
            "among the confirmed capitals (cross-validation): lexicon %(lexicon).2f, classifier "
            "%(classifier).2f, blend %(blend).2f with weight %(weight)s."
        )
        % {
            "sha": stored.sha256[:12],
            "n": stored.n_contributions,
            "e": stored.n_examples,
            "lexicon": top1.get("lexicon", 0.0),
            "classifier": top1.get("classifier", 0.0),
            "blend": top1.get(f"blend_{stored.weight}", 0.0),
            "weight": stored.weight,
        }
    )
