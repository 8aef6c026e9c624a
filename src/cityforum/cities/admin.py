from django.contrib import admin

from .models import City, Country


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
