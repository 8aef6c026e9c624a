"""Step ``opendata``: the open-data bundle of the demo, written where the demo's site serves it
(``var/demo-opendata/``, never the real forum's copy); its ``ATTRIBUTION.md`` names every
source of the demo (:func:`cityforum.demo.sources.attribution_markdown`)."""

from __future__ import annotations

from .builder import DemoBuild


def publish_bundle(run: DemoBuild) -> str:
    from cityforum.opendata.site import publish

    published = publish(force=True)
    return f"open-data bundle at {published.folder}"
