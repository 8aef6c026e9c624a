from django.contrib import admin

from .models import City, CityRole, Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso2", "name", "section", "population")
    list_filter = ("section",)
    search_fields = ("iso2", "iso3", "name")
    filter_horizontal = ("secondary_sections",)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "population", "admin1_code")
    list_filter = ("country__section",)
    search_fields = ("search_name", "name")
    list_select_related = ("country",)
    show_full_result_count = False


@admin.register(CityRole)
class CityRoleAdmin(admin.ModelAdmin):
    """Read-only: roles are computed by ``cityforum init`` from the registry."""

    list_display = ("city", "role", "subtype", "population_band", "intermediation_score")
    list_filter = ("role", "subtype", "population_band", "city__country__section")
    search_fields = ("city__search_name",)
    list_select_related = ("city", "city__country")
    show_full_result_count = False

    def get_readonly_fields(self, request: object, obj: object = None) -> list[str]:
        return [f.name for f in CityRole._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
