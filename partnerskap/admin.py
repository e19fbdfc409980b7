from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Bruker, Organisasjon, OrganisasjonAlias, Region


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
    # A web address typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Bruker)
class BrukerAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisasjon", "rolle", "is_active"]
    list_filter = ["rolle", "is_active", "is_staff", "organisasjon__type"]
    search_fields = ["email", "first_name", "last_name", "organisasjon__navn"]
    autocomplete_fields = ["organisasjon"]
    list_select_related = ["organisasjon"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name"]}),
        (_("Organisation and role"), {"fields": ["organisasjon", "rolle"]}),
        (
            _("Access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "organisasjon", "rolle", "password1", "password2"],
            },
        )
    ]
