"""Filters of the reporting API (django-filter): programme, indicator, year, region, round,
tiltak. Any value that is not a usable id or year is a 400 naming the parameter."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tiltak.filters import MAX_ID
from tiltak.models import MAX_YEAR, MIN_YEAR

from .models import (
    Behandling,
    Indikator,
    Indikatormaal,
    Indikatorverdi,
    Rapporteringsrunde,
    Statusrapport,
)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


class IndikatorFilter(django_filters.FilterSet):
    program = IdFilter(field_name="program_id", label=_("Programme id"))

    class Meta:
        model = Indikator
        fields = ["program"]


class IndikatormaalFilter(django_filters.FilterSet):
    program = IdFilter(field_name="indikator__program_id", label=_("Programme id"))
    indikator = IdFilter(field_name="indikator_id", label=_("Indicator id"))
    aar = YearFilter(field_name="aar", label=_("Year"))

    class Meta:
        model = Indikatormaal
        fields = ["program", "indikator", "aar"]


class IndikatorverdiFilter(django_filters.FilterSet):
    program = IdFilter(field_name="indikator__program_id", label=_("Programme id"))
    indikator = IdFilter(field_name="indikator_id", label=_("Indicator id"))
    aar = YearFilter(field_name="aar", label=_("Year"))
    region = IdFilter(field_name="region_id", label=_("Region id"))
    kommune = IdFilter(field_name="kommune_id", label=_("Municipality (organisation id)"))
    hele_omraadet = django_filters.BooleanFilter(
        method="filter_whole_area", label=_("Only values for the whole area")
    )

    class Meta:
        model = Indikatorverdi
        fields = ["program", "indikator", "aar", "region", "kommune"]

    def filter_whole_area(self, queryset, name, value):
        if value is None:
            return queryset
        whole = {"region__isnull": True, "kommune__isnull": True}
        return queryset.filter(**whole) if value else queryset.exclude(**whole)


class RapporteringsrundeFilter(django_filters.FilterSet):
    program = IdFilter(field_name="program_id", label=_("Programme id"))
    aar = YearFilter(field_name="aar", label=_("Year"))

    class Meta:
        model = Rapporteringsrunde
        fields = ["program", "aar"]


class StatusrapportFilter(django_filters.FilterSet):
    program = IdFilter(field_name="runde__program_id", label=_("Programme id"))
    runde = IdFilter(field_name="runde_id", label=_("Reporting round id"))
    tiltak = IdFilter(field_name="tiltak_id", label=_("Measure id"))
    aar = YearFilter(field_name="aar", label=_("Year"))
    behandling = django_filters.ChoiceFilter(choices=Behandling.choices, label=_("Review"))

    class Meta:
        model = Statusrapport
        fields = ["program", "runde", "tiltak", "aar", "behandling"]
