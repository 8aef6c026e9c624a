"""Step ``amendments``: demo participants amend the Code of Conduct's starting draft; the demo
organiser accepts some (each makes a new version), rejects one with a public reason, and
leaves others pending with their votes, endorsements and comments.

These amendments are written for the demonstration (no public data set holds amendments to
this code); the About page says so.
"""

from __future__ import annotations

from .builder import DemoBuild

#: (article number, kind, language, addition or new text, rationale, decision, reason).
AMENDMENTS: tuple[tuple[int, str, str, str, str, str, str], ...] = (
    (
        2,
        "modify",
        "fr",
        " Les jeunes et les habitants des quartiers périphériques y sont associés en premier.",
        "Nommer ceux que les consultations entendent le moins.",
        "accept",
        "Accepté : la consultation a souvent cité la jeunesse.",
    ),
    (
        8,
        "modify",
        "fr",
        " Les données ouvertes sont publiées sous licence libre, dans les langues des habitants.",
        "Sans licence ni traduction, la transparence reste théorique.",
        "accept",
        "Accepté : conforme à la politique de données ouvertes du forum.",
    ),
    (
        4,
        "modify",
        "fr",
        " Les villes garantissent un revenu minimum à chaque habitant.",
        "La solidarité doit être concrète.",
        "reject",
        "Rejeté : cela dépasse les compétences de la plupart des gouvernements locaux.",
    ),
    (
        6,
        "modify",
        "fr",
        " Elle garantit l'accès de tous à l'eau potable et à un assainissement sûr.",
        "L'eau est le premier des communs.",
        "pending",
        "",
    ),
    (
        5,
        "modify",
        "es",
        " Las ciudades intermedias reclaman una parte justa de la inversión pública nacional.",
        "Sin recursos, la justicia territorial no se cumple.",
        "pending",
        "",
    ),
)


def amend_code_of_conduct(run: DemoBuild) -> str:
    from cityforum.drafting import services as drafting
    from cityforum.drafting.models import Document

    document = Document.objects.get(slug="code-of-conduct-for-resilience")
    organiser = run.people["organiser"]
    amenders = [run.people[f"amender{n}"] for n in (1, 2, 3)]
    decided = {"accept": 0, "reject": 0, "pending": 0}
    for n, (number, kind, language, addition, rationale, decision, reason) in enumerate(AMENDMENTS):
        article = document.articles.get(number=number)
        author = amenders[n % len(amenders)]
        amendment = drafting.propose_amendment(
            document,
            article,
            by=author,
            kind=kind,
            language=language,
            text=article.text_in(language) + addition,
            rationale=rationale,
        )
        for voter, value in zip(amenders, ("agree", "agree", "disagree"), strict=True):
            if voter != author:
                drafting.vote(amendment, value, by=voter)
        drafting.endorse(amendment, by=run.people["participant"])
        drafting.comment(amendment, "Merci pour cette proposition.", by=run.people["participant"])
        if decision == "accept":
            drafting.accept_amendment(amendment, by=organiser, reason=reason)
        elif decision == "reject":
            drafting.reject_amendment(amendment, by=organiser, reason=reason)
        decided[decision] += 1
        drafting.give_opinion(article, "support", by=author)
    return (
        f"{len(AMENDMENTS)} amendments: {decided['accept']} accepted, "
        f"{decided['reject']} rejected, {decided['pending']} pending"
    )
