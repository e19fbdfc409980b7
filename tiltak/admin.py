"""The admin reads the programme tree but never writes it: every change to a programme, tema,
delmål, satsingsområde, tiltak or party goes through the services in the portal or the API,
which check the rules (the lock of an adopted programme, the workflow), record who and why in
the history and refuse stale saves. Here they are lists and read-only pages for
administrators; reverting history from the admin is off (SIMPLE_HISTORY_REVERT_DISABLED).
Regional plans, the organisation registry, users and API tokens stay editable."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .models import Ansvar, Delmaal, Handlingsprogram, RegionalPlan, Satsingsomraade, Tema, Tiltak


class ReadOnlyAdminMixin:
    """View only, for everyone, superusers included."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's form of an old version saves a POST whenever the form is valid,
        # whatever the change permission says: only reading it is allowed here.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(RegionalPlan)
class RegionalPlanAdmin(admin.ModelAdmin):
    list_display = ["navn", "eier", "start_aar", "slutt_aar"]
    search_fields = ["navn"]
    autocomplete_fields = ["eier"]


class TemaInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Tema
    extra = 0
    fields = ["nummer", "navn", "etikett", "ansvarlig"]
    autocomplete_fields = ["ansvarlig"]
    show_change_link = True


@admin.register(Handlingsprogram)
class HandlingsprogramAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["navn", "start_aar", "slutt_aar", "status", "eier"]
    list_filter = ["status", "eier"]
    search_fields = ["navn", "undertittel"]
    autocomplete_fields = ["eier", "forrige_versjon"]
    filter_horizontal = ["planer"]
    list_select_related = ["eier"]
    inlines = [TemaInline]


class DelmaalInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Delmaal
    extra = 0
    fields = ["nummer", "navn", "rekkefoelge"]
    show_change_link = True


@admin.register(Tema)
class TemaAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "program", "etikett", "ansvarlig"]
    list_filter = ["program"]
    search_fields = ["navn", "etikett", "overordnet_maal"]
    autocomplete_fields = ["program", "ansvarlig"]
    list_select_related = ["program", "ansvarlig"]
    inlines = [DelmaalInline]


class SatsingsomraadeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Satsingsomraade
    extra = 0
    fields = ["navn", "prioritert_handling", "rekkefoelge"]
    show_change_link = True


@admin.register(Delmaal)
class DelmaalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "tema"]
    list_filter = ["tema__program"]
    search_fields = ["nummer", "navn"]
    autocomplete_fields = ["tema"]
    list_select_related = ["tema"]
    inlines = [SatsingsomraadeInline]


@admin.register(Satsingsomraade)
class SatsingsomraadeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["navn", "tema", "delmaal"]
    list_filter = ["tema__program"]
    search_fields = ["navn", "prioritert_handling"]
    autocomplete_fields = ["tema", "delmaal"]
    list_select_related = ["tema", "delmaal"]


class AnsvarInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Ansvar
    extra = 0
    fields = ["rolle", "organisasjon", "rekkefoelge", "tekst_som_skrevet"]
    autocomplete_fields = ["organisasjon"]


@admin.register(Tiltak)
class TiltakAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["nummer_visning", "tittel", "program", "tema", "type", "status"]
    list_display_links = ["tittel"]
    list_filter = ["program", "type", "status", "tema__nummer"]
    search_fields = ["tittel", "beskrivelse", "virkemiddel", "ansvar__organisasjon__navn"]
    autocomplete_fields = ["program", "tema", "delmaal", "satsingsomraade"]
    list_select_related = ["program", "tema"]
    inlines = [AnsvarInline]

    def get_queryset(self, request):
        # Soft-deleted tiltak stay reachable for administrators.
        return Tiltak.alle.select_related("program", "tema")


@admin.register(Ansvar)
class AnsvarAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["tiltak", "organisasjon", "rolle", "tekst_som_skrevet"]
    list_filter = ["rolle", "organisasjon__type"]
    search_fields = ["organisasjon__navn", "tekst_som_skrevet", "tiltak__tittel"]
    autocomplete_fields = ["tiltak", "organisasjon"]
    list_select_related = ["tiltak", "tiltak__tema", "organisasjon"]
