from django.contrib import admin

from .models import Place, PlaceName


class PlaceNameInline(admin.TabularInline):
    model = PlaceName
    extra = 0
    fields = ["name", "key"]
    readonly_fields = ["key"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "country_code",
        "kind",
        "population",
        "timezone",
        "geonameid",
        "subdivision_code",
        "admin1_code",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "=geonameid", "=subdivision_code"]
    inlines = [PlaceNameInline]
    show_full_result_count = False
