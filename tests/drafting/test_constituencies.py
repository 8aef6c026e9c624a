"""Support for amendments and articles broken down by constituency and region."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.drafting import services
from cityforum.drafting.constituencies import amendment_support, article_opinions
from cityforum.drafting.models import Amendment, Article, ArticleOpinion, Document
from cityforum.people.models import User


def counts(shares: list) -> dict[str, int]:
    return {s.code: s.count for s in shares if s.count}


def test_votes_and_endorsements_are_broken_down_by_constituency_and_region(
    amendment: Amendment, member: Callable[[str, str], User]
) -> None:
    mayor = member("city", "mayor@thies.sn")
    activist = member("ngo", "ana@rede.br")
    adviser = member("partner", "adviser@sahel.sn")
    services.vote(amendment, "agree", by=mayor)
    services.endorse(amendment, by=mayor)
    services.vote(amendment, "disagree", by=activist)
    services.vote(amendment, "agree", by=adviser)
    support = amendment_support(amendment)
    assert counts(support.agree.by_organisation_kind) == {"local_government": 1, "partner": 1}
    assert counts(support.disagree.by_organisation_kind) == {"civil_society": 1}
    assert counts(support.agree.by_region) == {"africa": 2}
    assert counts(support.disagree.by_region) == {"latam": 1}
    assert counts(support.endorsements.by_region) == {"africa": 1}
    rows = {r["code"]: r for r in support.by_region}
    assert rows["africa"] == {
        "code": "africa",
        "label": rows["africa"]["label"],
        "endorse": 1,
        "agree": 2,
        "disagree": 0,
    }
    assert (rows["latam"]["agree"], rows["latam"]["disagree"]) == (0, 1)
    assert support.as_dict()["agree"]["total"] == 2


def test_opinions_are_shares_of_each_regions_participants(
    document: Document,
    article: Article,
    amendment: Amendment,
    member: Callable[[str, str], User],
) -> None:
    # Africa: three people take part (one opinion each on this article, except one
    # who only voted on an amendment); Latam: two people, one opposes.
    a1, a2, a3 = (member("city", f"a{i}@thies.sn") for i in range(3))
    l1, l2 = member("ngo", "l1@rede.br"), member("ngo", "l2@rede.br")
    services.give_opinion(article, "support", by=a1)
    services.give_opinion(article, "support", by=a2)
    services.vote(amendment, "agree", by=a3)
    services.give_opinion(article, "oppose", by=l1)
    services.give_opinion(document.articles.get(number=1), "support", by=l2)
    opinions = article_opinions(article)
    regions = {r.code: r for r in opinions.by_region}
    assert (regions["africa"].participants, regions["africa"].support) == (3, 2)
    assert regions["africa"].support_percent == 67 and regions["africa"].oppose == 0
    assert (regions["latam"].participants, regions["latam"].oppose) == (2, 1)
    assert regions["latam"].oppose_share == 0.5
    # the amendment's author has no organisation: the unknown region
    assert regions["unknown"].participants == 1
    assert (opinions.support, opinions.oppose) == (2, 1)
    kinds = {r["code"]: r for r in opinions.by_organisation_kind}
    assert kinds["local_government"]["support"] == 2
    assert kinds["civil_society"]["oppose"] == 1
    assert opinions.as_dict()["by_region"]["latam"]["oppose_share"] == 0.5


def test_a_second_opinion_replaces_the_first_and_can_be_withdrawn(
    article: Article, participant: User
) -> None:
    services.give_opinion(article, "support", by=participant)
    services.give_opinion(article, "oppose", by=participant)
    assert list(ArticleOpinion.objects.values_list("value", flat=True)) == ["oppose"]
    assert services.withdraw_opinion(article, by=participant)
    assert not ArticleOpinion.objects.exists()
    assert not services.withdraw_opinion(article, by=participant)


def test_bad_opinions_are_refused(document: Document, article: Article, participant: User) -> None:
    with pytest.raises(ValidationError, match="support"):
        services.give_opinion(article, "maybe", by=participant)
    document.consultation.status = "closed"
    document.consultation.save(update_fields=["status"])
    with pytest.raises(PermissionDenied, match="only taken while the consultation is open"):
        services.give_opinion(article, "support", by=participant)
    assert not ArticleOpinion.objects.exists()


def test_no_opinion_on_a_deleted_article(
    document: Document, article: Article, participant: User, organiser: User
) -> None:
    deletion = services.propose_amendment(
        document, article, by=participant, kind="delete", rationale="Redondant."
    )
    services.accept_amendment(deletion, by=organiser)
    with pytest.raises(ValidationError, match="deleted"):
        services.give_opinion(article, "oppose", by=participant)
    assert not ArticleOpinion.objects.exists()
