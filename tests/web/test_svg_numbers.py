"""Charts and maps stay valid SVG in every language: no decimal comma in a coordinate."""

from __future__ import annotations

import re

import pytest
from django.test import Client

NUMBER_ATTRIBUTES = re.compile(r'\b(cx|cy|r|x|y|x1|y1|x2|y2|points|viewBox|width|height)="([^"]*)"')


@pytest.mark.parametrize("language", ["fr", "es", "en"])
def test_the_city_map_uses_dots_for_decimals(registry: None, client: Client, language: str) -> None:
    from cityforum.cities.roles import compute_roles

    compute_roles()
    page = client.get(f"/{language}/cities/2553455/").content.decode()
    svg = page[page.index("<svg") : page.rindex("</svg>")]
    values = NUMBER_ATTRIBUTES.findall(svg)
    assert len(values) > 5
    for name, value in values:
        if name in {"width", "height"} and value.endswith("%"):
            continue
        for number in re.split(
            r"[\s,]+" if name in {"points", "viewBox"} else r"\s+", value.strip()
        ):
            float(number)  # "150,0" would fail here, and break the drawing in the browser
        if name not in {"points", "viewBox"}:
            assert "," not in value, f"{name}={value!r} in /{language}/"
