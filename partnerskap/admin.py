from django.contrib import admin

from .models import Organisasjon, OrganisasjonAlias, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["navn", "fylke"]
    search_fields = ["navn", "fylke"]
    list_filter = ["fylke"]


class OrganisasjonAliasInline(admin.TabularInline):
    model = OrganisasjonAlias
    extra = 0


@admin.register(Organisasjon)
class OrganisasjonAdmin(admin.ModelAdmin):
    list_display = ["navn", "forkortelse", "type", "er_gruppe", "region"]
    list_filter = ["type", "er_gruppe", "region"]
    search_fields = ["navn", "forkortelse", "aliaser__navn"]
    prepopulated_fields = {"slug": ["navn"]}
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    inlines = [OrganisasjonAliasInline]
