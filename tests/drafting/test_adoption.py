"""Adoption: organisers freeze the final version; members of verified organisations sign
it; the signatories are listed by region, local governments first; the home page counts
them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cityforum.core.models import AuditEvent
from cityforum.drafting import services
from cityforum.drafting.models import Document, Signature
from cityforum.people.models import User

from .conftest import PASSWORD


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture
def frozen(document: Document, organiser: User) -> Document:
    services.freeze_document(document, by=organiser, note="Adopted in plenary.")
    document.refresh_from_db()
    return document


def test_an_organiser_freezes_the_document_from_its_page(
    document: Document, organiser: User, participant: User
) -> None:
    url = f"/en/drafting/{document.slug}/"
    assert "Freeze the document" not in signed_in(participant).get(url).content.decode()
    signed_in(participant).post(url + "freeze/")
    document.refresh_from_db()
    assert not document.is_frozen
    client = signed_in(organiser)
    assert "Freeze the document" in client.get(url).content.decode()
    response = client.post(url + "freeze/", {"note": "Adopted."}, follow=True)
    html = response.content.decode()
    assert "The document is frozen" in html
    assert "Freeze the document" not in html
    document.refresh_from_db()
    assert document.is_frozen
    assert document.versions.order_by("-number").first().note == "Adopted."


def test_members_of_verified_organisations_sign_local_governments_listed_first(
    frozen: Document, member: Callable[[str, str], User]
) -> None:
    services.sign(frozen, by=member("partner", "adviser@sahel.sn"))
    services.sign(frozen, by=member("ngo", "ana@rede.br"))
    services.sign(frozen, by=member("city", "mayor@thies.sn"))
    assert Signature.objects.count() == 3
    assert AuditEvent.objects.filter(verb="document.sign").count() == 3
    html = Client().get(f"/en/drafting/{frozen.slug}/signatories/").content.decode()
    assert "3 organisations have signed this document." in html
    africa, latam = html.index("Africa"), html.index("Latin America")
    assert africa < html.index("Ville de Thiès") < html.index("Agence Sahel") < latam
    assert latam < html.index("Rede Cidadã")


def test_signing_refusals_are_clear_and_write_nothing(
    document: Document,
    organiser: User,
    participant: User,
    member: Callable[[str, str], User],
) -> None:
    mayor = member("city", "mayor@thies.sn")
    with pytest.raises(ValidationError, match="only once it is frozen") as refused:
        services.sign(document, by=mayor)
    assert refused.value.code == "not_frozen"
    services.freeze_document(document, by=organiser)
    with pytest.raises(PermissionDenied, match="has not been verified"):
        services.sign(document, by=member("unverified", "joao@nova.br"))
    with pytest.raises(PermissionDenied, match="Only members of an organisation"):
        services.sign(document, by=participant)
    services.sign(document, by=mayor)
    with pytest.raises(ValidationError, match="Ville de Thiès has already signed") as twice:
        services.sign(document, by=member("city", "deputy@thies.sn"))
    assert twice.value.code == "duplicate"
    assert Signature.objects.count() == 1


def test_signing_through_the_page(frozen: Document, member: Callable[[str, str], User]) -> None:
    client = signed_in(member("city", "mayor@thies.sn"))
    page = client.get(f"/en/drafting/{frozen.slug}/").content.decode()
    assert "Sign for my organisation" in page
    response = client.post(f"/en/drafting/{frozen.slug}/sign/", follow=True)
    assert "Your organisation has signed the document." in response.content.decode()
    response = client.post(f"/en/drafting/{frozen.slug}/sign/", follow=True)
    assert "has already signed" in response.content.decode()
    unverified = signed_in(member("unverified", "joao@nova.br"))
    response = unverified.post(f"/en/drafting/{frozen.slug}/sign/", follow=True)
    assert "only verified organisations can sign" in response.content.decode()
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_home_page_counts_the_signatures(
    frozen: Document, member: Callable[[str, str], User], lang: str
) -> None:
    services.sign(frozen, by=member("city", "mayor@thies.sn"))
    services.sign(frozen, by=member("ngo", "ana@rede.br"))
    html = Client().get(f"/{lang}/").content.decode()
    assert f'href="/{lang}/drafting/{frozen.slug}/signatories/"' in html
    assert 'class="signature-count"' in html
    if lang == "en":
        assert "signed by 2 organisations" in html


def test_the_home_page_says_nothing_before_adoption(document: Document) -> None:
    html = Client().get("/en/").content.decode()
    assert "signatories" not in html
