from django.contrib import admin

from .models import ApiToken, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "local_government", "party", "country_code", "province"]
    list_filter = ["kind", "party"]
    search_fields = ["name"]
    raw_id_fields = ["local_government", "province"]
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "last_used"]
    readonly_fields = ["prefix", "digest", "created", "last_used"]
    raw_id_fields = ["user"]
