"""A person downloads everything the forum holds about them, and erases their account.

After an erasure the person's name and e-mail address appear in no column of any table;
their votes still count, under a pseudonymous voter no longer linked to anyone; what they
wrote is deleted or kept anonymised, as they chose. Bad input changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count
from django.test import Client

from cityforum.core.audit import record
from cityforum.core.models import AuditEvent
from cityforum.participation import services as participation
from cityforum.participation.models import Comment, Contribution, Endorsement, Report
from cityforum.people import privacy
from cityforum.people.models import ApiToken, Organisation, User
from cityforum.programme.models import Consultation, Status
from cityforum.statements import services as statements
from cityforum.statements.models import Statement, Vote, VoteEvent, Voter

PASSWORD = "a-long-pass-phrase-42"
NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quillfeather@example.org"
DATA = "/en/accounts/profile/data/"
DOWNLOAD = "/en/accounts/profile/data/download/"
ERASE = "/en/accounts/profile/erase/"


@pytest.fixture
def consultation(programme: None) -> Consultation:
    c = Consultation.objects.get(slug="regional-africa")
    c.status = Status.OPEN
    c.save(update_fields=["status"])
    return c


@pytest.fixture
def zephyrine(consultation: Consultation) -> User:
    organisation = Organisation.objects.create(name="Quillfeather Cooperative", kind="partner")
    return User.objects.create_user(
        EMAIL,
        PASSWORD,
        display_name=NAME,
        first_name="Zephyrine",
        last_name="Quillfeather",
        organisation=organisation,
        organisation_role="Coordinator",
    )


@pytest.fixture
def other(consultation: Consultation) -> User:
    return User.objects.create_user("other@example.org", PASSWORD, display_name="Other Person")


@pytest.fixture
def organiser(consultation: Consultation) -> User:
    return User.objects.create_user("org@example.org", PASSWORD, role="organiser")


@pytest.fixture
def footprint(
    consultation: Consultation, zephyrine: User, other: User, organiser: User
) -> dict[str, Any]:
    """Zephyrine takes part in every way; others answer her and vote beside her."""
    mine = participation.contribute(
        consultation,
        zephyrine,
        type="proposal",
        title="Shaded markets",
        body=f"Signed: {NAME} ({EMAIL}). Markets need shade.",
        language="en",
        capitals=["environmental"],
    )
    participation.edit_contribution(
        mine,
        zephyrine,
        type="proposal",
        title="Shaded markets for every town",
        body=f"Signed: {NAME}. Markets and bus stops need shade.",
        language="en",
        capitals=["environmental"],
    )
    theirs = participation.contribute(
        consultation,
        other,
        type="practice",
        title="Night buses",
        body="Our town runs night buses.",
        language="en",
        capitals=["social"],
    )
    participation.endorse(theirs, zephyrine)
    participation.endorse(mine, other)
    my_comment = participation.comment(theirs, zephyrine, "Zephyrine likes this a lot.")
    reply = participation.comment(theirs, other, "Thank you!", parent=my_comment)
    participation.comment(mine, other, "Good idea.")
    participation.report(zephyrine, theirs, "Written by a bot?")
    statement = statements.add_statement(consultation, "Markets need shade.", by=organiser)
    proposed = statements.add_statement(consultation, "Towns need trees.", by=zephyrine)
    statements.moderate_statement(proposed, by=organiser, accept=True)
    for person, value in ((zephyrine, 1), (other, -1), (organiser, 1)):
        statements.cast_vote(consultation, statement.pk, value, user=person)
        statements.cast_vote(consultation, proposed.pk, value, user=person)
    statements.cast_vote(consultation, statement.pk, 0, user=zephyrine)  # a change of mind
    ApiToken.issue(zephyrine)
    record("account.note", zephyrine, actor=organiser, reason=f"Called {NAME} back")
    return {"mine": mine, "theirs": theirs, "my_comment": my_comment, "reply": reply}


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _counts() -> dict[int, dict[int, int]]:
    """Votes per statement and value: what the opinion map and the pages count."""
    out: dict[int, dict[int, int]] = {}
    for row in Vote.objects.values("statement_id", "value").annotate(n=Count("pk")):
        out.setdefault(row["statement_id"], {})[row["value"]] = row["n"]
    return out


def _columns(cursor: Any, table: str) -> list[str]:
    if connection.vendor == "sqlite":
        cursor.execute(f"PRAGMA table_info({connection.ops.quote_name(table)})")
        return [row[1] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table]
    )
    return [row[0] for row in cursor.fetchall()]


def _where_found(needle: str) -> list[str]:
    """Every table and column whose value, as text, holds ``needle`` (any case)."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in _columns(cursor, table):
                cast = f"CAST({quote(column)} AS TEXT)"
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE LOWER({cast}) LIKE %s",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


# --- Download ------------------------------------------------------------------------------


def test_the_download_holds_everything_about_the_person(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    response = _signed_in(zephyrine).get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cityforum-my-data.json"'
    data = json.loads(response.content)
    assert data["format"] == "cityforum-personal-data/1"
    assert data["profile"]["email"] == EMAIL
    assert data["profile"]["organisation"]["name"] == "Quillfeather Cooperative"
    (contribution,) = data["contributions"]
    assert contribution["title"] == "Shaded markets for every town"
    assert [h["title"] for h in contribution["history"]] == ["Shaded markets"]
    assert [c["body"] for c in data["comments"]] == ["Zephyrine likes this a lot."]
    assert [e["title"] for e in data["endorsements"]] == ["Night buses"]
    assert [r["reason"] for r in data["reports"]] == ["Written by a bot?"]
    assert [s["text"] for s in data["statements"]] == ["Towns need trees."]
    (votes,) = data["votes"]
    voter = Voter.objects.get(user=zephyrine)
    assert votes["voter"] == voter.public_id and votes["consultation"] == "regional-africa"
    assert sorted(v["value"] for v in votes["votes"]) == [0, 1]
    assert len(votes["history"]) == 3
    (token,) = data["api_tokens"]
    assert token["prefix"].startswith("cf_") and set(token) == {
        "prefix",
        "created_at",
        "last_used_at",
    }
    assert "account.note" in {e["verb"] for e in data["audit_events"]}


def test_the_download_names_no_other_person_and_no_secret(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    text = _signed_in(zephyrine).get(DOWNLOAD).content.decode()
    assert "other@example.org" not in text and "org@example.org" not in text
    assert ApiToken.objects.get(user=zephyrine).key_hash not in text
    assert zephyrine.password not in text


def test_the_api_gives_the_same_data_to_a_token_or_the_session(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    _record, token = ApiToken.issue(zephyrine)
    by_token = Client().get("/api/v1/me/data", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    by_session = _signed_in(zephyrine).get("/api/v1/me/data").json()
    assert by_token["profile"]["email"] == by_session["profile"]["email"] == EMAIL
    assert by_token["contributions"] == by_session["contributions"]


def test_the_api_refuses_without_credentials(db: None) -> None:
    response = Client().get("/api/v1/me/data")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_data_page_sums_up_and_links_to_download_and_erasure(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    page = _signed_in(zephyrine).get(DATA).content.decode()
    assert "Download all your data (JSON)" in page and DOWNLOAD in page and ERASE in page
    assert "Votes on statements" in page
    assert DATA in _signed_in(zephyrine).get("/en/accounts/profile/").content.decode()


def test_nobody_downloads_someone_else_s_data(zephyrine: User, organiser: User) -> None:
    with pytest.raises(PermissionDenied):
        privacy.export_personal_data(zephyrine, by=organiser)
    with pytest.raises(PermissionDenied):
        privacy.export_personal_data(zephyrine, by=AnonymousUser())


def test_every_model_pointing_at_people_is_in_the_download(zephyrine: User) -> None:
    """A model added later with a link to people is downloaded too ("other records")."""
    data = privacy.export_personal_data(zephyrine, by=zephyrine)
    labels = {f"{m._meta.label_lower}.{f.name}" for m, f in privacy.links_to_users()}
    assert labels >= privacy.SECTIONED
    assert set(data["other_records"]) <= labels - privacy.SECTIONED


# --- Erasure -------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["delete", "anonymise"])
def test_after_erasure_the_name_and_e_mail_are_nowhere_in_the_database(
    zephyrine: User, footprint: dict[str, Any], choice: str
) -> None:
    assert _where_found(NAME) and _where_found(EMAIL)  # the scan does find them before
    privacy.erase_account(zephyrine, password=PASSWORD, contributions=choice, by=zephyrine)
    assert _where_found(NAME) == []
    assert _where_found(EMAIL) == []
    assert _where_found("Quillfeather") == [
        "people_organisation.name"  # the organisation is not the person: it stays
    ]


@pytest.mark.parametrize("choice", ["delete", "anonymise"])
def test_votes_still_count_but_no_longer_lead_to_the_person(
    zephyrine: User, footprint: dict[str, Any], choice: str
) -> None:
    before, events = _counts(), VoteEvent.objects.count()
    voter = Voter.objects.get(user=zephyrine)
    privacy.erase_account(zephyrine, password=PASSWORD, contributions=choice, by=zephyrine)
    assert _counts() == before
    assert VoteEvent.objects.count() == events
    voter.refresh_from_db()
    assert voter.user_id is None and voter.session_key is None
    assert voter.votes.count() == 2
    assert not Voter.objects.filter(user=zephyrine).exists()


def test_deleting_removes_the_contributions_and_comments_but_not_others_replies(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    result = privacy.erase_account(
        zephyrine, password=PASSWORD, contributions="delete", by=zephyrine
    )
    assert result.contributions_deleted == 1 and result.comments_deleted == 1
    assert not Contribution.objects.filter(pk=footprint["mine"].pk).exists()
    assert not Comment.objects.filter(pk=footprint["my_comment"].pk).exists()
    reply = Comment.objects.get(pk=footprint["reply"].pk)
    assert reply.body == "Thank you!" and reply.parent_id is None
    assert Contribution.objects.filter(pk=footprint["theirs"].pk).exists()


def test_anonymising_keeps_what_was_written_as_a_former_participant(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    privacy.erase_account(zephyrine, password=PASSWORD, contributions="anonymise", by=zephyrine)
    kept = Contribution.objects.get(pk=footprint["mine"].pk)
    assert kept.author.public_name == "Former participant"
    assert kept.body == "Signed: [\u2026]. Markets and bus stops need shade."
    assert kept.organisation is None and kept.city is None
    assert kept.revisions.get().body == "Signed: [\u2026] ([\u2026]). Markets need shade."
    comment = Comment.objects.get(pk=footprint["my_comment"].pk)
    assert comment.body == "[\u2026] likes this a lot."  # "Zephyrine", her first name
    page = Client().get(f"/en/participate/contributions/{kept.pk}/").content.decode()
    assert "Former participant" in page


@pytest.mark.parametrize("choice", ["delete", "anonymise"])
def test_the_account_is_emptied_and_the_erasure_is_audited_without_personal_data(
    zephyrine: User, footprint: dict[str, Any], choice: str
) -> None:
    pk = zephyrine.pk
    privacy.erase_account(zephyrine, password=PASSWORD, contributions=choice, by=zephyrine)
    tombstone = User.objects.get(pk=pk)
    assert not tombstone.is_active and not tombstone.has_usable_password()
    assert tombstone.email.endswith("@erased.invalid")
    assert (tombstone.display_name, tombstone.first_name, tombstone.last_name) == ("", "", "")
    assert tombstone.organisation is None and tombstone.erased_at is not None
    assert not ApiToken.objects.filter(user_id=pk).exists()
    assert Statement.objects.get(text="Towns need trees.").author.public_name == (
        "Former participant"
    )
    assert Endorsement.objects.filter(person_id=pk).count() == 1  # counted, nameless
    assert Report.objects.filter(reporter_id=pk).count() == 1
    event = AuditEvent.objects.get(verb="account.erase")
    assert event.target_id == str(pk) and event.actor is None
    assert event.data["contributions"] == ("deleted" if choice == "delete" else "anonymised")
    assert EMAIL not in json.dumps(event.data) and NAME not in json.dumps(event.data)


def test_erasing_through_the_page_signs_the_person_out(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    client = _signed_in(zephyrine)
    page = client.get(ERASE).content.decode()
    assert "This cannot be undone." in page and 'name="password"' in page
    response = client.post(ERASE, {"password": PASSWORD, "contributions": "delete"})
    assert response.status_code == 200
    assert "Your account is erased" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/en/accounts/profile/").status_code == 302  # signed out
    assert not Client().login(username=EMAIL, password=PASSWORD)


def _snapshot() -> tuple[Any, ...]:
    return (
        list(User.objects.order_by("pk").values()),
        list(Contribution.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(Voter.objects.order_by("pk").values()),
        ApiToken.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password": "not-my-password", "contributions": "delete"}, "The password is wrong"),
        ({"password": PASSWORD}, "Choose whether your contributions are deleted or kept"),
        ({"password": PASSWORD, "contributions": "burn"}, "Choose whether your contributions"),
        ({"contributions": "anonymise"}, "Type your password to erase your account."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_erased(
    zephyrine: User, footprint: dict[str, Any], form: dict[str, str], message: str
) -> None:
    client = _signed_in(zephyrine)
    before = _snapshot()
    response = client.post(ERASE, form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before
    assert client.get("/en/accounts/profile/").status_code == 200  # still signed in


def test_the_service_refuses_a_wrong_password_and_writes_nothing(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    before = _snapshot()
    with pytest.raises(ValidationError, match="The password is wrong"):
        privacy.erase_account(zephyrine, password="guess", contributions="delete", by=zephyrine)
    assert _snapshot() == before


def test_wrong_passwords_count_as_failed_sign_ins(
    zephyrine: User, footprint: dict[str, Any]
) -> None:
    client = _signed_in(zephyrine)
    for _attempt in range(10):
        assert client.post(ERASE, {"password": "x", "contributions": "delete"}).status_code == 400
    response = client.post(ERASE, {"password": PASSWORD, "contributions": "delete"})
    assert response.status_code == 429
    assert User.objects.get(pk=zephyrine.pk).email == EMAIL


def test_the_last_organiser_cannot_leave_the_forum_without_one(
    consultation: Consultation, zephyrine: User
) -> None:
    """Someone must be able to run the forum: another organiser is named first."""
    zephyrine.role = "organiser"
    zephyrine.save()
    before = _snapshot()
    with pytest.raises(ValidationError, match="last organiser"):
        privacy.erase_account(zephyrine, password=PASSWORD, contributions="delete", by=zephyrine)
    assert _snapshot() == before
    User.objects.create_user("second@example.org", PASSWORD, role="organiser")
    privacy.erase_account(zephyrine, password=PASSWORD, contributions="delete", by=zephyrine)
    assert User.objects.get(pk=zephyrine.pk).is_erased


def test_nobody_erases_someone_else_s_account(zephyrine: User, organiser: User) -> None:
    with pytest.raises(PermissionDenied):
        privacy.erase_account(zephyrine, password=PASSWORD, contributions="delete", by=organiser)
    assert User.objects.get(pk=zephyrine.pk).email == EMAIL


def test_an_account_is_erased_once(zephyrine: User) -> None:
    privacy.erase_account(zephyrine, password=PASSWORD, contributions="delete", by=zephyrine)
    with pytest.raises(ValidationError, match="already erased"):
        privacy.erase_account(zephyrine, password=PASSWORD, contributions="delete", by=zephyrine)
    assert AuditEvent.objects.filter(verb="account.erase").count() == 1


@pytest.mark.parametrize(
    ("role", "own", "expected"),
    [
        ("public", False, False),
        ("participant", True, True),
        ("participant", False, False),
        ("moderator", True, True),
        ("organiser", True, True),
        ("organiser", False, False),
        ("inactive participant", True, False),
    ],
)
def test_the_privacy_rules_for_every_role(db: None, role: str, own: bool, expected: bool) -> None:
    someone = User.objects.create_user("someone@example.org", PASSWORD)
    if role == "public":
        actor: Any = AnonymousUser()
    else:
        actor = User.objects.create_user(
            "actor@example.org",
            PASSWORD,
            role=role.split()[-1],
            is_active=not role.startswith("inactive"),
        )
    target = actor if own else someone
    assert actor.has_perm("people.download_data", target) is expected
    assert actor.has_perm("people.erase_account", target) is expected


def test_the_pages_need_a_signed_in_person(db: None) -> None:
    for url in (DATA, DOWNLOAD, ERASE):
        assert Client().get(url).status_code == 302


def test_drafting_work_is_downloaded_and_kept_without_the_name(zephyrine: User) -> None:
    """Amendments, votes and opinions on the Code of Conduct: in the download, then nameless."""
    from cityforum.drafting import services as drafting
    from cityforum.drafting.models import AmendmentVote, ArticleOpinion
    from cityforum.drafting.seed import load_code_of_conduct

    document = load_code_of_conduct()
    Consultation.objects.filter(pk=document.consultation_id).update(status=Status.OPEN)
    document.refresh_from_db()
    article = document.articles.get(number=2)
    amendment = drafting.propose_amendment(
        document,
        article,
        by=zephyrine,
        kind="modify",
        text="Cities publish their budgets every year.",
        rationale=f"As {NAME} argued at the workshop.",
        language="en",
    )
    drafting.vote(amendment, "agree", by=zephyrine)
    drafting.give_opinion(article, "support", by=zephyrine)

    other = privacy.export_personal_data(zephyrine, by=zephyrine)["other_records"]
    (mine,) = other["drafting.amendment.author"]
    assert mine["rationale"] == f"As {NAME} argued at the workshop."
    assert [v["value"] for v in other["drafting.amendmentvote.user"]] == ["agree"]
    assert [o["value"] for o in other["drafting.articleopinion.user"]] == ["support"]

    privacy.erase_account(zephyrine, password=PASSWORD, contributions="delete", by=zephyrine)
    amendment.refresh_from_db()
    assert amendment.rationale == "As [\u2026] argued at the workshop."
    assert amendment.author.public_name == "Former participant"
    assert AmendmentVote.objects.filter(amendment=amendment, value="agree").count() == 1
    assert ArticleOpinion.objects.filter(article=article, value="support").count() == 1
    assert _where_found(NAME) == [] and _where_found(EMAIL) == []


def test_vote_exports_name_voters_by_their_pseudonymous_number_only(
    consultation: Consultation, zephyrine: User, footprint: dict[str, Any]
) -> None:
    import csv
    import io

    from cityforum.statements.exports import votes_csv

    rows = list(csv.DictReader(io.StringIO(votes_csv(consultation))))
    voters = {int(row["voter-id"]) for row in rows}
    assert voters == set(
        Voter.objects.filter(consultation=consultation).values_list("public_id", flat=True)
    )
    assert not voters & set(User.objects.values_list("pk", flat=True))
    assert Voter.objects.get(user=zephyrine).public_id in voters
    download = privacy.export_personal_data(zephyrine, by=zephyrine)
    assert download["votes"][0]["voter"] == Voter.objects.get(user=zephyrine).public_id
