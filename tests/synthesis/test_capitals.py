"""Capital tags: suggested while writing (never imposed), confirmed or corrected by moderators and
organisers (every confirmation kept), counted in each consultation's capitals profile with an
alert while it is open, and learned by a classifier that then changes the suggestions."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cityforum.cli.main import cli
from cityforum.core.models import AuditEvent
from cityforum.participation.models import Contribution
from cityforum.people.models import User
from cityforum.programme.models import Capital, Consultation, Region, Status
from cityforum.synthesis.capitals.services import (
    MIN_TRAINING,
    capitals_profile,
    confirm_capitals,
    suggest_for_text,
    train_capital_classifier,
)
from cityforum.synthesis.models import CapitalClassifierModel, CapitalTag

PASSWORD = "a-long-pass-phrase"

FOOTBALL = [
    "The football club needs a new stadium.",
    "Supporters of the football club meet every Sunday.",
    "The stadium of the club is too small for the supporters.",
    "Football matches on Sunday bring the supporters together.",
]
WATER = [
    "Clean drinking water must reach every home.",
    "Water cuts hit poor families the hardest.",
    "Collect rain water to irrigate the gardens.",
    "Protect the river and its drinking water.",
]
NEW_FOOTBALL_TEXT = ("A stadium for our club", "The football supporters want a bigger stadium.")


@pytest.fixture
def africa(programme: None) -> Consultation:
    consultation = Consultation.objects.get(slug="regional-africa")
    consultation.status = Status.OPEN
    consultation.save(update_fields=["status"])
    return consultation


@pytest.fixture
def author(programme: None) -> User:
    return User.objects.create_user("author@example.org", PASSWORD, role="participant")


@pytest.fixture
def moderator(programme: None) -> User:
    person = User.objects.create_user("moderator@example.org", PASSWORD, role="moderator")
    person.moderated_regions.add(Region.objects.get(code="africa"))
    return person


def contribute(
    consultation: Consultation, author: User, title: str, body: str, capitals: list[str]
) -> Contribution:
    contribution = Contribution.objects.create(
        consultation=consultation,
        author=author,
        region=consultation.region,
        type="proposal",
        title=title,
        body=body,
        language="en",
    )
    contribution.capitals.set(Capital.objects.filter(code__in=capitals))
    return contribution


def words(response: object) -> str:
    """The page's text as a reader sees it: tags removed, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", html_lib.unescape(text)).replace(" .", ".").replace(" ,", ",")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- suggestions while writing ----------------------------------------------------------------


def test_the_form_asks_for_suggestions_and_still_works_without_them(
    africa: Consultation, author: User
) -> None:
    client = client_for(author)
    form = client.get(f"/en/participate/consultations/{africa.slug}/contribute/").content.decode()
    assert 'hx-post="/en/synthesis/capitals/suggest/"' in form
    assert 'id="capital-suggestions"' in form and 'aria-live="polite"' in form
    response = client.post(
        f"/en/participate/consultations/{africa.slug}/contribute/",
        {
            "type": "proposal",
            "title": "Trees",
            "body": "More trees and bike lanes in our neighbourhood.",
            "language": "en",
            "capitals": ["environmental"],
        },
    )
    assert response.status_code == 302  # the plain form, no JavaScript: published
    assert Contribution.objects.get().capitals.get().code == "environmental"


def test_suggestions_follow_the_words_of_the_text(africa: Consultation, author: User) -> None:
    client = client_for(author)
    response = client.post(
        "/en/synthesis/capitals/suggest/",
        {
            "title": "Trees",
            "body": "More trees and bike lanes in our neighbourhood.",
            "language": "",
        },
    )
    text = words(response)
    assert response.status_code == 200 and "Suggested capitals: Environmental capital (" in text
    assert "From the words of the text; you choose." in text
    culture = client.post(
        "/es/synthesis/capitals/suggest/",
        {"title": "Cultura", "body": "Conciertos de jazz y un festival de música en la plaza."},
    )
    assert "Capital cultural (" in words(culture)  # capital names in Spanish
    short = client.post("/en/synthesis/capitals/suggest/", {"title": "Hello", "body": ""})
    assert "No capital suggested yet" in short.content.decode()
    assert Client().post("/en/synthesis/capitals/suggest/", {"title": "x"}).status_code == 403


# --- confirming and correcting ----------------------------------------------------------------


def test_confirmations_are_kept_with_where_the_capitals_came_from(
    africa: Consultation, author: User, moderator: User
) -> None:
    text = contribute(
        africa, author, "Trees", "More trees and bike lanes in our neighbourhood.", ["human"]
    )
    suggested = suggest_for_text(text.title, text.body, "en").capitals
    assert suggested[0] == "environmental"
    first = confirm_capitals(text, ["human"], by=moderator)
    second = confirm_capitals(text, suggested, by=moderator)
    third = confirm_capitals(text, ["economic"], by=moderator)
    assert [first.source, second.source, third.source] == ["author", "lexicon", "reviewer"]
    assert third.confirmed_by == moderator and third.confirmed_at is not None
    assert CapitalTag.objects.filter(contribution=text).count() == 3  # corrections are kept
    assert list(text.capitals.values_list("code", flat=True)) == ["human"]  # author's choice
    assert AuditEvent.objects.filter(verb="synthesis.capitals_correct").get().actor == moderator


@pytest.mark.parametrize(
    ("capitals", "message"),
    [
        ([], "Choose between 1 and 3 capitals."),
        (["human", "social", "economic", "cultural"], "Choose between 1 and 3 capitals."),
        (["built"], "Unknown capital “built”"),
    ],
)
def test_a_bad_tag_is_refused_and_nothing_is_written(
    africa: Consultation, author: User, moderator: User, capitals: list[str], message: str
) -> None:
    text = contribute(africa, author, "Trees", "More trees in the park.", ["human"])
    with pytest.raises(ValidationError, match=message):
        confirm_capitals(text, capitals, by=moderator)
    assert not CapitalTag.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="synthesis.capitals").exists()


def test_only_organisers_and_the_consultation_s_moderators_confirm(
    africa: Consultation, author: User, organiser: User
) -> None:
    text = contribute(africa, author, "Trees", "More trees in the park.", ["human"])
    elsewhere = User.objects.create_user("latam@example.org", PASSWORD, role="moderator")
    elsewhere.moderated_regions.add(Region.objects.get(code="latam"))
    for person in (author, elsewhere):
        with pytest.raises(PermissionDenied):
            confirm_capitals(text, ["social"], by=person)
    assert not CapitalTag.objects.exists()
    assert confirm_capitals(text, ["social"], by=organiser).source == "reviewer"
    assert client_for(elsewhere).get("/en/synthesis/regional-africa/capitals/").status_code == 403
    response = client_for(elsewhere).post(
        f"/en/synthesis/capitals/contributions/{text.pk}/", {"capitals": ["human"]}
    )
    assert response.status_code == 403 and CapitalTag.objects.count() == 1


def test_moderators_confirm_on_a_page_with_the_suggestions(
    africa: Consultation, author: User, moderator: User
) -> None:
    text = contribute(africa, author, "Trees", "More trees and bike lanes in our park.", ["human"])
    client = client_for(moderator)
    response = client.get("/en/synthesis/regional-africa/capitals/")
    page = words(response)
    assert text.title in page and "Suggested capitals: Environmental capital" in page
    assert f'action="/en/synthesis/capitals/contributions/{text.pk}/"' in response.content.decode()
    assert "Train the classifier" not in page  # organisers only
    response = client.post(
        f"/en/synthesis/capitals/contributions/{text.pk}/",
        {
            "capitals": ["environmental", "social"],
            "next": "/en/synthesis/regional-africa/capitals/",
        },
        follow=True,
    )
    assert "confirmed (the reviewer&#x27;s correction)" in response.content.decode()
    assert CapitalTag.objects.get().capitals == ["social", "environmental"]
    bad = client.post(f"/en/synthesis/capitals/contributions/{text.pk}/", {}, follow=True)
    assert "Choose between 1 and 3 capitals." in bad.content.decode()
    assert CapitalTag.objects.count() == 1
    assert Client().get("/en/synthesis/regional-africa/capitals/").status_code == 302


# --- the profile and its alert ------------------------------------------------------------------

PROFILE = (
    [["environmental", "social"]] * 4
    + [["human"]] * 3
    + [["economic", "environmental"]] * 2
    + [["social"]]
)


def _profile_corpus(consultation: Consultation, author: User, tags: list[list[str]]) -> list:
    return [
        contribute(consultation, author, f"Contribution {i}", f"Text number {i}.", capitals)
        for i, capitals in enumerate(tags)
    ]


def test_an_open_consultation_says_which_capitals_are_under_represented(
    africa: Consultation, author: User, moderator: User
) -> None:
    made = _profile_corpus(africa, author, PROFILE)
    profile = capitals_profile(africa)
    assert profile.counts == {
        "human": 3,
        "social": 5,
        "economic": 2,
        "cultural": 0,
        "environmental": 6,
    }
    assert profile.under == ["cultural"]  # 0 % < 10 %; economic has 2/16 = 12.5 %
    page = words(client_for(None).get("/en/synthesis/regional-africa/themes/"))
    assert "Under-represented so far: Cultural capital." in page
    assert "under 10 % (an even share is 20 %)" in page and "from 10 contributions" in page
    response = client_for(None).get("/en/consultations/regional-africa/")
    assert 'href="/en/synthesis/regional-africa/themes/"' in response.content.decode()
    assert "Under-represented so far among the contributions: Cultural capital." in words(response)

    for contribution in made[4:6]:  # two corrections bring culture to 2 of 18 tags
        confirm_capitals(contribution, ["human", "cultural"], by=moderator)
    assert capitals_profile(africa).under == []
    page = client_for(None).get("/en/synthesis/regional-africa/themes/").content.decode()
    assert "Under-represented so far" not in page


def test_no_alert_when_closed_or_with_too_few_contributions(
    africa: Consultation, author: User
) -> None:
    made = _profile_corpus(africa, author, PROFILE)
    made[0].delete()
    assert capitals_profile(africa).under == []  # 9 tagged contributions: not judged yet
    contribute(africa, author, "Again", "Another text.", ["social"])
    assert capitals_profile(africa).under == ["cultural"]
    Consultation.objects.filter(pk=africa.pk).update(status=Status.CLOSED)
    page = client_for(None).get("/en/synthesis/regional-africa/themes/").content.decode()
    assert "Under-represented so far" not in page and "Cultural capital" in page


# --- training the classifier --------------------------------------------------------------------


def _confirmed_corpus(consultation: Consultation, author: User, by: User) -> None:
    """12 football texts confirmed as economic (the lexicon knows no word of them) and 12 water
    texts confirmed as environmental."""
    for topic, pool, capital in (
        ("football", FOOTBALL, "economic"),
        ("water", WATER, "environmental"),
    ):
        for i in range(12):
            body = " ".join(pool[(i + k) % 4] for k in range(2))
            text = contribute(consultation, author, f"{topic} {i}", body, ["human"])
            confirm_capitals(text, [capital], by=by)


def test_corrections_train_a_classifier_that_changes_the_suggestions(
    africa: Consultation, author: User, organiser: User
) -> None:
    before = suggest_for_text(*NEW_FOOTBALL_TEXT, "en")
    assert "economic" not in before.capitals
    _confirmed_corpus(africa, author, organiser)
    stored = train_capital_classifier(by=organiser)
    assert stored.n_contributions == 24 and stored.n_examples == 24
    assert len(stored.sha256) == 64 and len(stored.training_sha256) == 64
    assert stored.weight in (0.25, 0.5, 0.75) and stored.metrics["folds"] == 5
    assert stored.metrics["top1"]["classifier"] >= 0.9
    assert stored.metrics["per_capital"]["economic"] == 12
    after = suggest_for_text(*NEW_FOOTBALL_TEXT, "en")
    assert after.capitals[0] == "economic" and after.source == "classifier"
    assert train_capital_classifier(by=organiser) == stored  # same tags: nothing new
    page = client_for(organiser).post(
        "/en/synthesis/capitals/suggest/",
        {"title": NEW_FOOTBALL_TEXT[0], "body": NEW_FOOTBALL_TEXT[1]},
    )
    text = words(page)
    assert "Economic capital" in text and "confirmed on 24 contributions" in text
    event = AuditEvent.objects.get(verb="synthesis.capitals_train")
    assert event.actor == organiser and event.data["training_sha256"] == stored.training_sha256


def test_a_classifier_whose_checksum_fails_is_never_loaded(
    africa: Consultation, author: User, organiser: User
) -> None:
    _confirmed_corpus(africa, author, organiser)
    stored = train_capital_classifier(by=organiser)
    CapitalClassifierModel.objects.filter(pk=stored.pk).update(sha256="0" * 64)
    suggestion = suggest_for_text(*NEW_FOOTBALL_TEXT, "en")
    assert suggestion.source != "classifier" and "economic" not in suggestion.capitals


def test_too_few_confirmed_tags_train_nothing(
    africa: Consultation, author: User, organiser: User, moderator: User
) -> None:
    for i in range(MIN_TRAINING - 1):
        text = contribute(africa, author, f"T{i}", "Clean water for all.", ["environmental"])
        confirm_capitals(text, ["environmental"], by=moderator)
    with pytest.raises(ValidationError, match=f"at least {MIN_TRAINING} contributions"):
        train_capital_classifier(by=organiser)
    with pytest.raises(PermissionDenied):
        train_capital_classifier(by=moderator)
    response = client_for(organiser).post("/en/synthesis/capitals/train/", follow=True)
    assert "there are 19, with 1 different capitals" in html_lib.unescape(response.content.decode())
    assert client_for(moderator).post("/en/synthesis/capitals/train/").status_code == 403
    assert not CapitalClassifierModel.objects.exists()


def test_the_cli_trains_the_classifier(
    africa: Consultation, author: User, organiser: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    runner = CliRunner()
    empty = runner.invoke(cli, ["synthesize", "train-capitals"])
    assert empty.exit_code != 0 and "there are 0, with 0 different capitals" in empty.output
    _confirmed_corpus(africa, author, organiser)
    result = runner.invoke(cli, ["synthesize", "train-capitals"])
    assert result.exit_code == 0, result.output
    stored = CapitalClassifierModel.objects.get()
    assert f"Capital classifier {stored.sha256[:12]}: 24 contributions" in result.output
    assert stored.trained_by is None
