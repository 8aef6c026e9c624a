"""Upgrading to the synthesis in three parts (opinion/, themes/, capitals/) needs no migration
and loses no stored run.

The app kept its label, its migrations and its tables; only the Python modules moved. These
tests hold that: the models the migrations describe (the schema every existing database has)
are the models the code uses, column for column; and runs stored through the services read
back the same through the migrations' historical models (what an older release wrote and
read) and through the new modules' services and pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from huey.contrib.djhuey import HUEY

from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.synthesis import jobs
from cityforum.synthesis.capitals.services import (
    confirmed_tags,
    current_classifier,
    train_capital_classifier,
)
from cityforum.synthesis.models import (
    CapitalClassifierModel,
    CapitalTag,
    OpinionMapRun,
    ThemeReview,
    ThemeRun,
)
from cityforum.synthesis.opinion.services import latest_run, run_opinion_map
from cityforum.synthesis.themes.review import public_themes
from cityforum.synthesis.themes.review_services import rename_theme
from cityforum.synthesis.themes.services import approve_themes, latest_approved, run_themes

from . import test_themes_runs as _runs
from .test_capitals import _confirmed_corpus

corpus = _runs.corpus

#: The last migration before the move; the move itself added none. Later migrations add new
#: models of their own (0004: the live opinion map) or fields (0005: the runs' lease).
LAST_MIGRATION = ("synthesis", "0003_theme_review_and_capital_tags")
LATER_MIGRATIONS = {("synthesis", "0004_live_map"), ("synthesis", "0005_run_lease")}
MODELS = {
    "OpinionMapRun": "cityforum.synthesis.opinion.models",
    "ThemeRun": "cityforum.synthesis.themes.models",
    "ThemeReview": "cityforum.synthesis.themes.models",
    "CapitalTag": "cityforum.synthesis.capitals.models",
    "CapitalClassifierModel": "cityforum.synthesis.capitals.models",
}
RENAMED = {"fr": "L'eau pour tous", "en": "Water for everyone", "es": "Agua para todos"}


def historical_apps() -> Any:
    """The models as the migrations describe them: the schema of an existing database, built
    without importing a single model class of the code."""
    return MigrationLoader(connection).project_state().apps


@pytest.mark.django_db
def test_the_move_needs_no_new_migration() -> None:
    call_command("makemigrations", "synthesis", "--check", "--dry-run", verbosity=0)
    graph = MigrationLoader(connection).graph
    synthesis = {key for key in graph.nodes if key[0] == "synthesis"}
    before_move = set(graph.forwards_plan(LAST_MIGRATION))
    assert synthesis - before_move == LATER_MIGRATIONS


@pytest.mark.django_db
def test_every_model_keeps_its_app_label_table_and_columns() -> None:
    old = historical_apps()
    models = {model.__name__: model for model in apps.get_app_config("synthesis").get_models()}
    # Every moved model is there; the only others are the live map's, added after the move.
    assert set(models) - set(MODELS) == {"LiveMap", "LiveMapUpdate", "PolisImportInfo"}
    for name, module in MODELS.items():
        model, before = models[name], old.get_model("synthesis", name)
        assert model.__module__ == module  # the class lives in its part...
        assert model._meta.app_label == "synthesis"  # ...of the same app
        assert model._meta.db_table == before._meta.db_table == f"synthesis_{name.lower()}"
        # The same columns of the same types (their order is the migrations' own).
        columns = {(f.column, f.get_internal_type()) for f in model._meta.concrete_fields}
        assert columns == {(f.column, f.get_internal_type()) for f in before._meta.concrete_fields}
        # Audit events and permissions point at the content type: the same row as before.
        assert ContentType.objects.get_for_model(model).app_label == "synthesis"
    tables = set(connection.introspection.table_names())
    assert {model._meta.db_table for model in models.values()} <= tables


@pytest.mark.django_db
def test_stored_runs_read_back_through_the_old_schema_and_the_new_modules(
    conversation: Consultation, corpus: dict[str, Any], organiser: User
) -> None:
    # Runs of the three parts, stored through their services.
    opinion = run_opinion_map(conversation, by=organiser)
    themes = run_themes(None, by=organiser, n_themes=4)
    rename_theme(themes, 0, RENAMED, by=organiser)
    approve_themes(themes, by=organiser)
    author = User.objects.create_user("tagged@example.org", "x" * 12, role="participant")
    africa = Consultation.objects.get(slug="regional-africa")
    _confirmed_corpus(africa, author, organiser)
    classifier = train_capital_classifier(by=organiser)

    # Every stored row reads the same through the models the migrations describe (what the
    # release before the move read and wrote) as through the new modules' classes.
    old = historical_apps()
    for model in (OpinionMapRun, ThemeRun, ThemeReview, CapitalTag, CapitalClassifierModel):
        before = old.get_model("synthesis", model.__name__)
        rows = list(model.objects.order_by("pk").values())
        assert rows, model.__name__
        assert rows == list(before.objects.order_by("pk").values())

    # The new modules' services and pages read them.
    assert latest_run(conversation).pk == opinion.pk
    page = Client().get(f"/en/synthesis/{conversation.slug}/opinion/")
    assert page.status_code == 200 and page.context["run"].pk == opinion.pk

    approved = latest_approved(None)
    assert approved is not None and approved.pk == themes.pk
    shown = public_themes(approved.reviewed)
    assert shown and shown[0]["labels"]["en"] == RENAMED["en"]
    page = Client().get("/en/synthesis/themes/")
    assert page.status_code == 200 and RENAMED["en"] in page.content.decode()

    assert len(confirmed_tags()) == CapitalTag.objects.count() == 24
    stored, loaded = current_classifier()  # checksum verified, unpickled
    assert stored is not None and stored.pk == classifier.pk and loaded is not None


@pytest.mark.django_db
def test_a_job_queued_before_the_upgrade_still_runs_after_it(
    conversation: Consultation, organiser: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # queued, the worker not yet there
        queued = run_opinion_map(conversation, by=organiser, background=True)
    # The queue stores a job by the name it had in synthesis/tasks.py; the worker finds it.
    stored = HUEY.serialize_task(jobs.compute_opinion_map.s(queued.pk))
    assert HUEY.serializer.deserialize(stored).name == (
        "cityforum.synthesis.tasks.compute_opinion_map"
    )
    HUEY.deserialize_task(stored).execute()
    queued.refresh_from_db()
    assert queued.status == OpinionMapRun.Status.DONE and queued.n_groups >= 2
    themes = HUEY.serializer.deserialize(HUEY.serialize_task(jobs.compute_themes.s(queued.pk)))
    assert themes.name == "cityforum.synthesis.tasks.compute_themes"
