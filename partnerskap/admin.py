from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Bruker, Gruppemedlemskap, Organisasjon, OrganisasjonAlias, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["navn", "fylke"]
    search_fields = ["navn", "fylke"]
    list_filter = ["fylke"]


class OrganisasjonAliasInline(admin.TabularInline):
    model = OrganisasjonAlias
    extra = 0


class GruppemedlemskapInline(admin.TabularInline):
    """The members of a group. Each row is validated by Gruppemedlemskap.clean(): only a group
    («is a group» ticked) has members, never itself, and never one that already contains it."""

    model = Gruppemedlemskap
    fk_name = "gruppe"
    extra = 0
    autocomplete_fields = ["medlem"]


@admin.register(Organisasjon)
class OrganisasjonAdmin(admin.ModelAdmin):
    list_display = ["navn", "forkortelse", "type", "er_gruppe", "region"]
    list_filter = ["type", "er_gruppe", "region"]
    search_fields = ["navn", "forkortelse", "aliaser__navn"]
    prepopulated_fields = {"slug": ["navn"]}
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    readonly_fields = ["medlem_av"]
    inlines = [OrganisasjonAliasInline, GruppemedlemskapInline]
    # A web address typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("Member of"))
    def medlem_av(self, obj: Organisasjon) -> str:
        """The groups it is a direct member of, each linking to the group, where the
        membership is edited."""
        if obj.pk is None:
            return "–"
        rows = obj.grupper.select_related("gruppe").order_by("gruppe__navn")
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (
                    reverse("admin:partnerskap_organisasjon_change", args=[m.gruppe_id]),
                    m.gruppe.navn,
                )
                for m in rows
            ),
        )
        return links or "–"


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
