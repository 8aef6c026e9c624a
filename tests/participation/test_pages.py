"""The pages: list with filters, contribution page, forms, moderation queue; all inert HTML."""

from __future__ import annotations

from django.test import Client

from cityforum.participation import services
from cityforum.participation.models import Contribution

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_consultation_page_links_to_its_contributions(regional) -> None:
    page = Client().get(f"/en/consultations/{regional.slug}/").content.decode()
    assert f"/en/participate/consultations/{regional.slug}/" in page


def test_contribute_by_form_then_see_it_listed_and_filtered(regional, author) -> None:
    client = client_for(author)
    response = client.post(
        f"/en/participate/consultations/{regional.slug}/contribute/",
        {"type": "challenge", "title": "Flooding", "body": "Our streets flood every rainy season.",
         "language": "en", "capitals": ["environmental"]},
    )  # fmt: skip
    contribution = Contribution.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{contribution.pk}/")
    listing = f"/en/participate/consultations/{regional.slug}/"
    assert "Flooding" in Client().get(listing).content.decode()
    assert "Flooding" not in Client().get(listing + "?capital=human").content.decode()
    assert "Flooding" in Client().get(listing + "?region=africa&language=en").content.decode()


def test_a_bad_form_says_why_and_writes_nothing(regional, author) -> None:
    response = client_for(author).post(
        f"/en/participate/consultations/{regional.slug}/contribute/",
        {"type": "challenge", "title": "  ", "body": "", "capitals": []},
    )
    assert response.status_code == 200 and "This field" in response.content.decode()
    assert not Contribution.objects.exists()


def test_the_public_is_asked_to_sign_in(regional) -> None:
    response = Client().get(f"/en/participate/consultations/{regional.slug}/contribute/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_script_and_html_in_every_text_field_are_inert(regional, author, person) -> None:
    c = services.contribute(
        regional, author, type="proposal", title=XSS, body=XSS + " **strong**",
        language="en", capitals=["human"],
    )  # fmt: skip
    services.comment(c, person("participant"), XSS)
    page = Client().get(f"/en/participate/contributions/{c.pk}/").content.decode()
    assert "<script>window" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "<strong>strong</strong>" in page
    listing = Client().get(f"/en/participate/consultations/{regional.slug}/").content.decode()
    assert "<script>window" not in listing


def test_the_contribution_page_shows_endorsements_by_constituency(
    contribution, person, organisations
) -> None:
    services.endorse(contribution, person("participant", "m@x.org", organisations["city"]))
    page = Client().get(f"/en/participate/contributions/{contribution.pk}/").content.decode()
    assert "1 endorsement" in page and "local government" in page and "Africa" in page


def test_endorse_comment_report_by_form(contribution, person) -> None:
    reader = person("participant")
    client = client_for(reader)
    base = f"/en/participate/contributions/{contribution.pk}/"
    client.post(base + "endorse/")
    client.post(base + "endorse/")  # a second click: a message, still one endorsement
    assert contribution.endorsements.count() == 1
    client.post(base + "comment/", {"body": "Good idea"})
    assert contribution.comments.get().body == "Good idea"
    client.post(base + "report/", {"reason": "Duplicate"})
    assert contribution.reports.count() == 1


def test_moderators_use_the_queue_and_the_page(contribution, person, author) -> None:
    services.report(person("participant"), contribution, "Off topic")
    moderator = client_for(person("moderator of the region"))
    queue = moderator.get("/en/participate/moderation/")
    assert queue.status_code == 200 and "Off topic" in queue.content.decode()
    assert (
        client_for(person("participant", "p2@x.org")).get("/en/participate/moderation/").status_code
        == 403
    )
    moderator.post(
        f"/en/participate/contributions/{contribution.pk}/moderate/",
        {"action": "hide", "reason": "Not about the city"},
    )
    contribution.refresh_from_db()
    assert contribution.is_hidden
    assert Client().get(f"/en/participate/contributions/{contribution.pk}/").status_code == 404
    mine = client_for(author).get(f"/en/participate/contributions/{contribution.pk}/")
    assert "Not about the city" in mine.content.decode()


def test_workshop_minutes_form(regional, person, organisations) -> None:
    moderator = client_for(person("moderator of the region"))
    path = f"/en/participate/consultations/{regional.slug}/workshop/"
    assert moderator.get(path).status_code == 200
    moderator.post(
        path,
        {"type": "practice", "title": "Market committees", "language": "en",
         "body": "Market committees meet weekly with the mayor.", "capitals": ["economic"],
         "meeting_name": "Thiès workshop", "meeting_date": "2021-04-22",
         "meeting_place": "Thiès", "on_behalf_of": organisations["city"].pk},
    )  # fmt: skip
    c = Contribution.objects.get()
    assert c.source == "workshop"
    page = Client().get(f"/en/participate/contributions/{c.pk}/").content.decode()
    assert "Thiès workshop" in page and "Ville de Thiès" in page
    assert client_for(person("participant")).get(path).status_code == 403
