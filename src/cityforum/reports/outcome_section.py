"""The outcome texts: the documents drafted in a consultation (the Code of Conduct for
Resilience, recommendations), in their current version, with their signatories.

The text is :func:`cityforum.drafting.exports.describe` — the same description the drafting
app's own exports are made from — so the report and the document's PDF say the same thing:
where it stands (starting draft, being drafted, frozen), its version, and a visible mark on any
article still in its source language. Signatories are organisations, never the people who
signed for them.
"""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cityforum.drafting.exports import describe
from cityforum.drafting.models import Document
from cityforum.participation.models import Contribution, Visibility
from cityforum.people.models import Organisation
from cityforum.programme.models import Consultation

from .blocks import (
    Block,
    Cell,
    Column,
    DraftedText,
    Fact,
    Facts,
    Item,
    Items,
    Notice,
    Section,
    Source,
    Table,
)
from .formatting import number, on_site

#: Recommendations listed when a consultation has no drafted text yet.
RECOMMENDATIONS_MAX = 10


def documents(consultations: list[Consultation]) -> list[Document]:
    return list(
        Document.objects.filter(consultation__in=consultations)
        .select_related("consultation")
        .order_by("consultation__order", "created_at", "pk")
    )


def signatory_count(document: Document) -> int:
    return document.signatures.count() if document.is_frozen else 0


def document_blocks(document: Document, language: str, base_url: str) -> list[Block]:
    """The document's status and version, its text, and its signatories by region."""
    description = describe(document, language, base_url=base_url)
    version = description["version"]
    url = on_site(base_url, reverse("drafting:document", args=[document.slug]))
    reference = (
        _("%(title)s, version %(n)s of %(date)s")
        % {"title": description["title"], "n": version["number"], "date": version["date_label"]}
        if version["number"]
        else str(description["title"])
    )
    source = Source(reference, url)
    facts = [
        Fact(_("Status"), description["status_label"]),
        Fact(
            _("Version"),
            f"{version['number']} · {version['date_label']}" if version["number"] else "—",
        ),
    ]
    blocks: list[Block] = []
    if document.is_frozen:
        n = signatory_count(document)
        facts.append(
            Fact(
                _("Signatories"),
                ngettext("%(n)s organisation", "%(n)s organisations", n) % {"n": number(n)},
                on_site(base_url, reverse("drafting:signatories", args=[document.slug])),
            )
        )
    blocks.append(Facts(facts, source=source))
    blocks.append(DraftedText(description, source=source))
    if document.is_frozen:
        blocks.append(_signatories_table(document, description, base_url))
    else:
        blocks.append(
            Notice(
                _(
                    "This text is not frozen yet: organisations sign it once its final version "
                    "is frozen."
                )
            )
        )
    return blocks


def _signatories_table(document: Document, description: dict, base_url: str) -> Table:
    local = Organisation.Kind.LOCAL_GOVERNMENT
    rows = []
    for group in description["signatories"]:
        organisations = group["organisations"]
        governments = sum(1 for o in organisations if o["kind"] == local)
        rows.append(
            [
                Cell(group["name"]),
                Cell(number(governments)),
                Cell(number(len(organisations) - governments)),
                Cell(number(len(organisations))),
            ]
        )
    total = sum(len(g["organisations"]) for g in description["signatories"])
    url = on_site(base_url, reverse("drafting:signatories", args=[document.slug]))
    return Table(
        caption=_("Signatories by region: %(n)s organisations") % {"n": number(total)},
        columns=[
            Column(_("Region")),
            Column(_("Local governments"), True),
            Column(_("Other organisations"), True),
            Column(_("Total"), True),
        ],
        rows=rows,
        source=Source(_("Signatures of the frozen text"), url),
    )


def _recommendations(consultation: Consultation, base_url: str) -> list[Block]:
    """Participants' own recommendations, most endorsed first: what the outcome will draw on,
    said as such (not an adopted text)."""
    rows = list(
        Contribution.objects.filter(
            consultation=consultation,
            status=Visibility.VISIBLE,
            type=Contribution.Type.RECOMMENDATION,
        )
        .annotate(n=Count("endorsements"))
        .order_by("-n", "-created_at", "-pk")[:RECOMMENDATIONS_MAX]
    )
    if not rows:
        return []
    items = [
        Item(
            text=c.title,
            detail=ngettext("%(n)s endorsement", "%(n)s endorsements", c.n) % {"n": number(c.n)},
            url=on_site(base_url, reverse("participation:contribution", args=[c.pk])),
        )
        for c in rows
    ]
    return [
        Items(
            items,
            quoted=True,
            source=Source(
                _("Recommendations of the participants, most endorsed first"),
                on_site(base_url, reverse("participation:list", args=[consultation.slug])),
            ),
            title=_("Recommendations put forward by participants (not an adopted text)"),
        )
    ]


def outcome_section(consultation: Consultation, language: str, base_url: str) -> Section:
    """The consultation's drafted texts; when there is none, its most endorsed
    recommendations, said to be participants' proposals."""
    section = Section("outcome", _("Outcome text"))
    drafted = documents([consultation])
    if not drafted:
        section.blocks.append(
            Notice(
                _(
                    "No outcome text has been drafted for this consultation yet. Its expected "
                    "output: %(output)s"
                )
                % {"output": consultation.expected_output or "—"}
            )
        )
        section.blocks += _recommendations(consultation, base_url)
        return section
    if len(drafted) == 1:
        section.title = drafted[0].title
        section.blocks = document_blocks(drafted[0], language, base_url)
        return section
    for document in drafted:
        sub = Section(f"document-{document.slug}", document.title)
        sub.blocks = document_blocks(document, language, base_url)
        section.subsections.append(sub)
    return section


def drafted_texts_section(
    consultations: list[Consultation], language: str, base_url: str
) -> Section:
    """The forum's drafted texts (the Code of Conduct), each with its signatories."""
    section = Section("code", _("Outcome texts"))
    drafted = documents(consultations)
    if not drafted:
        section.blocks.append(Notice(_("No outcome text has been drafted yet.")))
        return section
    if len(drafted) == 1:
        section.title = drafted[0].title
        section.blocks = document_blocks(drafted[0], language, base_url)
        return section
    for document in drafted:
        sub = Section(f"document-{document.slug}", document.title)
        sub.blocks = document_blocks(document, language, base_url)
        section.subsections.append(sub)
    return section
