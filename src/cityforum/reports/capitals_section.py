"""The balance of the five capitals of resilience: in what people contributed, and in the
cities that were assessed.

The contributions' profile is the one stored with the approved themes synthesis (the capitals
of the contributions in scope when an organiser approved it), not a count made while
printing. The cities' scores are those each latest assessment stored when it was computed;
the network's median per capital is a plain median of those stored scores
(:func:`cityforum.assessments.scoring.medians`), which recomputes no synthesis.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cityforum.analysis.capitals import CAPITALS
from cityforum.assessments import charts as radar_charts
from cityforum.assessments import scoring
from cityforum.assessments.models import CAPITAL_CHOICES, Assessment
from cityforum.assessments.services import latest_city_assessments
from cityforum.programme.models import Capital
from cityforum.synthesis.models import ThemeRun

from .blocks import Block, Cell, Chart, Column, Notice, Paragraph, Source, Table
from .charts import CAPITAL_COLOURS, BarInput, bars
from .formatting import date_label, decimal, number, on_site, percent


def capital_names() -> dict[str, str]:
    names = {c.code: str(c.name) for c in Capital.objects.all()}
    return {code: names.get(code, code) for code in CAPITALS}


def contributions_profile(run: ThemeRun | None, base_url: str, page: str) -> list[Block]:
    """How many contributions speak of each capital, as recorded at the approval."""
    profile: dict[str, Any] | None = run.capitals_profile if run is not None else None
    if not profile:
        return [
            Notice(
                _(
                    "No capitals profile has been recorded yet: it is kept with a themes "
                    "synthesis when an organiser approves it."
                )
            )
        ]
    assert run is not None
    names = capital_names()
    counts, shares = profile.get("counts", {}), profile.get("shares", {})
    under = set(profile.get("under_represented", []))
    source = Source(
        _("Capitals profile recorded on %(date)s with the approval of themes synthesis no. %(id)d")
        % {"date": date_label(run.approved_at), "id": run.pk},
        on_site(base_url, page),
    )
    table = Table(
        caption=_("Contributions per capital"),
        columns=[
            Column(_("Capital")),
            Column(_("Contributions"), True),
            Column(_("Share of the tags"), True),
        ],
        rows=[
            [
                Cell(names[c] + (" (" + _("under-represented") + ")" if c in under else "")),
                Cell(number(counts.get(c, 0))),
                Cell(percent(shares.get(c, 0.0))),
            ]
            for c in CAPITALS
        ],
        source=source,
    )
    drawing = bars(
        [
            BarInput(names[c], counts.get(c, 0), percent(shares.get(c, 0.0)), CAPITAL_COLOURS[c])
            for c in CAPITALS
        ]
    )
    description = _(
        "Of %(n)s visible contributions, %(tagged)s carry capitals (%(confirmed)s confirmed by "
        "moderators): %(shares)s."
    ) % {
        "n": number(profile.get("n_contributions", 0)),
        "tagged": number(profile.get("n_tagged", 0)),
        "confirmed": number(profile.get("n_confirmed", 0)),
        "shares": "; ".join(f"{names[c]} {percent(shares.get(c, 0.0))}" for c in CAPITALS),
    }
    blocks: list[Block] = []
    if drawing is None:
        blocks.append(Notice(_("No contribution carries a capital yet.")))
    else:
        blocks.append(
            Chart("bars", _("Capitals of the contributions"), description, drawing, table, source)
        )
    if under:
        blocks.append(
            Paragraph(
                _("Under-represented: %(capitals)s (less than half an even share of the tags).")
                % {"capitals": ", ".join(names[c] for c in CAPITALS if c in under)}
            )
        )
    return blocks


def _band(code: str) -> str:
    return {"balanced": _("balanced"), "uneven": _("uneven"), "unbalanced": _("unbalanced")}.get(
        code, "—"
    )


def assessed_cities(base_url: str) -> list[Block]:
    """The latest complete assessment of each assessed city, and their median profile."""
    latest = list(
        latest_city_assessments()
        .filter(bri__isnull=False)
        .select_related("city__country")
        .order_by("city__name")
    )
    if not latest:
        return [
            Notice(
                _(
                    "No city has been assessed yet: the capital balance of the cities appears "
                    "here once the first assessment is recorded."
                )
            )
        ]
    names = capital_names()
    short = {code: str(label) for code, label in CAPITAL_CHOICES}
    index = on_site(base_url, reverse("assessments:index"))
    source = Source(
        _("Latest assessment of each of %(n)s cities, as stored when it was computed")
        % {"n": number(len(latest))},
        index,
    )
    rows = [_city_row(a, base_url) for a in latest]
    table = Table(
        caption=_("Capital scores of the assessed cities (0 to 100)"),
        columns=[
            Column(_("City")),
            Column(_("Year"), True),
            *[Column(short.get(c, names[c]), True) for c in CAPITALS],
            Column(_("BRI"), True),
            Column(_("Balance")),
        ],
        rows=rows,
        source=source,
    )
    median = scoring.medians(a.scores for a in latest)
    blocks: list[Block] = []
    radar = radar_charts.radar([("network", _("Median of the network"), median)], names)
    if radar is not None and median is not None:
        description = _("Median score of the %(n)s assessed cities per capital: %(scores)s.") % {
            "n": number(len(latest)),
            "scores": "; ".join(f"{names[c]} {decimal(median[c])}" for c in CAPITALS),
        }
        blocks.append(
            Chart("radar", _("Median capital scores of the assessed cities"), description, radar)
        )
    blocks.append(table)
    blocks.append(
        Paragraph(
            _(
                "The Balanced Resilience Index (BRI) is the geometric mean of the five scores: "
                "it rewards cities whose capitals grow together. Balance is the BRI over the "
                "plain mean; balanced from 0.97, uneven from 0.90, unbalanced below."
            )
        )
    )
    return blocks


def _city_row(assessment: Assessment, base_url: str) -> list[Cell]:
    city = assessment.city
    assert city is not None
    url = on_site(base_url, reverse("assessments:detail", args=[assessment.pk]))
    label = f"{city.name} ({city.country.name})" if city.country_id else city.name
    return [
        Cell(label, url),
        Cell(str(assessment.year)),
        *[Cell(decimal((assessment.scores or {}).get(c))) for c in CAPITALS],
        Cell(decimal(assessment.bri)),
        Cell(_band(assessment.band)),
    ]
