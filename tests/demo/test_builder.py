"""The demo builder, on its small slice (the same steps as ``make demo``, less data): every kind
of page gets its content, made through the apps' services, and what it is stays visible.

The slice is built once for the module (about a minute on two cores), the facts the tests
check are read back, and the database is emptied afterwards, as a transactional test does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from cityforum.demo import builder
from cityforum.demo.accounts import DEMO_ACCOUNTS
from cityforum.demo.builder import DemoBuild, Step
from cityforum.demo.polis_conversations import MAX_STATEMENT, shorten
from cityforum.demo.sources import POLIS_CONVERSATIONS, SHARED, SOURCES


def build_small_demo(tmp: Path) -> DemoBuild:
    """The small slice, into the test database, with the demo on and its files under ``tmp``."""
    with override_settings(
        CITYFORUM_DEMO=True,
        CITYFORUM_OPENDATA_DIR=tmp / "opendata",
        CITYFORUM_DEMO_REPORT_DIR=tmp / "report",
    ):
        return builder.build(DemoBuild(small=True, shared=SHARED, echo=lambda line: None))


def read_facts(tmp: Path) -> dict[str, Any]:
    from django.db.models import Count

    from cityforum.assessments.models import Assessment
    from cityforum.drafting.models import Amendment, Document
    from cityforum.participation.models import Contribution
    from cityforum.people.models import User
    from cityforum.programme.models import Consultation
    from cityforum.recommendations.models import Recommendation, StatusChange
    from cityforum.recommendations.support import support_many
    from cityforum.synthesis.models import CapitalTag, OpinionMapRun, ThemeRun

    cities = Assessment.objects.filter(kind="city").select_related("city__role")
    recommendations = list(
        Recommendation.objects.annotate(n_evidence=Count("evidence")).prefetch_related(
            "capitals", "endorsements"
        )
    )
    supports = support_many(recommendations)
    with override_settings(CITYFORUM_DEMO=True):
        about = Client().get("/fr/demo/about/").content.decode()
    attribution = next((tmp / "opendata").rglob("ATTRIBUTION.md")).read_text(encoding="utf-8")
    return {
        "statuses": set(
            Consultation.objects.filter(kind__in=["thematic", "regional"]).values_list(
                "status", flat=True
            )
        ),
        "opinion": set(
            OpinionMapRun.objects.filter(status="done").values_list("consultation__slug", flat=True)
        ),
        "languages": set(Contribution.objects.values_list("language", flat=True)),
        "regions": set(Contribution.objects.values_list("region__code", flat=True)),
        "contributions": Contribution.objects.count(),
        "approved": list(
            ThemeRun.objects.filter(approved_at__isnull=False).values_list(
                "consultation__slug", flat=True
            )
        ),
        "tags": CapitalTag.objects.count(),
        "amendments": dict(Amendment.objects.values_list("status").annotate(n=Count("pk"))),
        "versions": Document.objects.get().versions.count(),
        "cities": {a.city_id for a in cities},
        "roles": {a.city.role.role for a in cities},
        "logins": {
            a.role: User.objects.get(email=a.email).check_password(a.password)
            for a in DEMO_ACCOUNTS
        },
        "attribution": attribution,
        "reports": sorted(p.name for p in (tmp / "report").iterdir()),
        "brief": (tmp / "report" / "g20-brief-en.md").read_text(encoding="utf-8"),
        "recommendations": [
            {
                "status": r.status,
                "line": r.line,
                "addressee": r.addressee,
                "capitals": {c.code for c in r.capitals.all()},
                "evidence": r.n_evidence,
                "translated": all(getattr(r, f"text_{lang}") for lang in ("fr", "en", "es")),
                "sections": set(
                    r.endorsements.exclude(region=None).values_list("region__code", flat=True)
                ),
                "backed": supports[r.pk].backed_across_regions,
                "text": r.text,
            }
            for r in recommendations
        ],
        "evidence_kinds": set(
            Recommendation.objects.values_list("evidence__kind", flat=True).distinct()
        ),
        "reasons": list(StatusChange.objects.values_list("to_status", "reason")),
        "about_lists": all(f"/fr/recommendations/{r.pk}/" in about for r in recommendations),
    }


@pytest.fixture(scope="module")
def facts(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    from django.core.management import call_command

    tmp = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock():
        try:
            build_small_demo(tmp)
            yield read_facts(tmp)
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_every_consultation_of_the_programme_is_open(facts: dict[str, Any]) -> None:
    assert facts["statuses"] == {"open"}


def test_each_polis_conversation_has_its_opinion_map(facts: dict[str, Any]) -> None:
    assert facts["opinion"] == set(POLIS_CONVERSATIONS.values())


def test_contributions_come_in_three_languages_from_several_regions(
    facts: dict[str, Any], shared_data: Path
) -> None:
    assert facts["languages"] == {"fr", "en", "es"}
    assert len(facts["regions"] - {None}) >= 5
    assert facts["contributions"] >= 100


def test_themes_are_approved_for_the_programme_and_busy_consultations(
    facts: dict[str, Any],
) -> None:
    assert None in facts["approved"]  # the whole programme
    assert len(facts["approved"]) >= 3


def test_a_sample_of_capitals_is_confirmed(facts: dict[str, Any]) -> None:
    assert 20 <= facts["tags"] < facts["contributions"]


def test_the_code_of_conduct_has_accepted_rejected_and_pending_amendments(
    facts: dict[str, Any],
) -> None:
    assert facts["amendments"] == {"accepted": 2, "rejected": 1, "pending": 2}
    assert facts["versions"] >= 3  # the starting draft, then one per accepted amendment


def test_cities_of_several_roles_are_assessed(facts: dict[str, Any]) -> None:
    assert len(facts["cities"]) >= 8
    assert {"intermediary", "metropolis", "small_town"} <= facts["roles"]


def test_every_demo_account_signs_in_with_its_published_password(facts: dict[str, Any]) -> None:
    assert facts["logins"] == {"organiser": True, "moderator": True, "participant": True}


def test_the_open_data_bundle_attributes_every_source(facts: dict[str, Any]) -> None:
    for source in SOURCES:
        assert source.attribution in facts["attribution"]
    assert "GeoNames" in facts["attribution"]
    assert "recommendations" in facts["attribution"] and "demo wording" in facts["attribution"]


def test_the_forum_report_and_the_g20_brief_are_generated_in_three_languages(
    facts: dict[str, Any],
) -> None:
    assert facts["reports"] == sorted(
        f"{stem}-{lang}.md" for stem in ("forum-report", "g20-brief") for lang in ("en", "es", "fr")
    )
    adopted_global = [
        r
        for r in facts["recommendations"]
        if (r["status"], r["addressee"]) == ("adopted", "global")
    ]
    # The brief lists the adopted global recommendations (in English, from their translation).
    assert f"adopted these {len(adopted_global)} recommendations" in facts["brief"]
    assert "backed across regions" in facts["brief"]


def test_recommendations_span_the_lines_capitals_and_addressees_with_evidence(
    facts: dict[str, Any],
) -> None:
    recs = facts["recommendations"]
    assert 10 <= len(recs) <= 15
    assert {r["line"] for r in recs} == {
        "advocacy",
        "financing",
        "capacity_building",
        "implementation",
    }
    assert {r["addressee"] for r in recs} == {"local", "national", "regional", "global"}
    assert len(set().union(*(r["capitals"] for r in recs))) == 5
    assert all(r["evidence"] >= 1 for r in recs)
    assert all(r["translated"] for r in recs)
    # Evidence of several kinds, all of it from what the build computed and approved.
    assert {"theme", "contribution", "consensus_statement"} <= facts["evidence_kinds"]
    # The About page lists them as the demo's own wording.
    assert facts["about_lists"]


def test_recommendations_are_endorsed_across_sections_and_decided_with_reasons(
    facts: dict[str, Any],
) -> None:
    recs = facts["recommendations"]
    assert len(set().union(*(r["sections"] for r in recs))) >= 3
    assert any(r["backed"] for r in recs) and not all(r["backed"] for r in recs)
    statuses = [r["status"] for r in recs]
    assert statuses.count("withdrawn") == 1
    assert {"draft", "consulted", "adopted"} <= set(statuses)
    assert sum(r["addressee"] == "global" and r["status"] == "adopted" for r in recs) >= 3
    # Every change of status has its public reason; the adopted went through "consulted".
    assert all(reason for _to, reason in facts["reasons"])
    changes = [to for to, _reason in facts["reasons"]]
    assert changes.count("adopted") == statuses.count("adopted")
    assert changes.count("consulted") >= statuses.count("adopted") + statuses.count("consulted")


# --- without building ---------------------------------------------------------------------


def test_the_builder_refuses_to_fill_a_forum_that_is_not_a_demo() -> None:
    with override_settings(CITYFORUM_DEMO=False), pytest.raises(ImproperlyConfigured):
        builder.build(DemoBuild(small=True, shared=None))


def test_another_app_adds_its_step_after_the_one_it_names() -> None:
    step = Step("observatory", lambda run: "made")
    try:
        builder.register_step(step, after="themes")
        names = [s.name for s in builder.steps()]
        assert names[names.index("themes") + 1] == "observatory"
        assert names.count("observatory") == 1
    finally:
        builder._EXTRA.clear()
    assert "observatory" not in [s.name for s in builder.steps()]


def test_a_long_polis_statement_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "word " * 100
    short = shorten(text)
    assert len(short) <= MAX_STATEMENT and short.endswith("word…")
    assert shorten("Short enough.") == "Short enough."


def test_sources_not_confirmed_for_redistribution_are_not_copied_into_the_repository() -> None:
    from cityforum.demo.sources import BUNDLED

    copied = {p.name for p in BUNDLED.rglob("*")}
    assert "proposals.csv" not in copied and "contributions.csv" not in copied
    assert {s.key for s in SOURCES if not s.bundled} == {"barcelona", "lille"}
    size = sum(p.stat().st_size for p in BUNDLED.rglob("*") if p.is_file())
    assert size < 3_000_000


@pytest.mark.django_db
def test_the_banner_and_the_about_page_appear_only_on_a_demo(programme: None) -> None:
    client = Client()
    with override_settings(CITYFORUM_DEMO=False):
        assert "demo-banner" not in client.get("/en/").content.decode()
        assert client.get("/en/demo/about/").status_code == 404
    with override_settings(CITYFORUM_DEMO=True):
        home = client.get("/es/").content.decode()
        assert "demo-banner" in home and "/es/demo/about/" in home
        assert "consultas públicas que no formaron parte de este foro" in home
        about = client.get("/fr/demo/about/").content.decode()
        for account in DEMO_ACCOUNTS:
            assert account.email in about and account.password in about
        assert "Sants Montjuïc" in about  # how Barcelona's districts were mapped
        assert "The Computational Democracy Project" in about


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command sets DATABASE_URL and CITYFORUM_DEMO: monkeypatch puts them back."""
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("CITYFORUM_DEMO", "0")
    return CliRunner()


def test_the_demo_refuses_a_public_address_unless_told(runner: CliRunner, tmp_path: Path) -> None:
    from cityforum.cli.main import cli

    out = tmp_path / "demo.sqlite3"
    result = runner.invoke(cli, ["demo", "--host", "0.0.0.0", "--out", str(out)])
    assert result.exit_code == 2
    assert "--allow-public" in result.output and "public passwords" in result.output
    assert not out.exists()


def test_the_demo_refuses_the_forums_own_database(runner: CliRunner) -> None:
    from cityforum.cli.main import cli
    from cityforum.settings.paths import VAR_DIR

    result = runner.invoke(cli, ["demo", "--out", str(VAR_DIR / "cityforum.sqlite3")])
    assert result.exit_code == 2
    assert "the forum's own database" in result.output
