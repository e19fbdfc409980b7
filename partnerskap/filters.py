"""The organisation FilterSet: the organisation list page and the API filter the same way."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .models import Organisasjon, OrganisasjonType, Region
from .selectors import organisasjon_search


class OrganisasjonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search in name, abbreviation and alternative names"), method="filter_text"
    )
    type = django_filters.ChoiceFilter(label=_("Type"), choices=OrganisasjonType.choices)
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.all())
    # A typed choice rather than BooleanFilter: that one ignores a misspelt value silently,
    # where the API must answer 400.
    er_gruppe = extend_schema_field({"type": "boolean", "description": _("Is a group.")})(
        django_filters.TypedChoiceFilter(
            label=_("Is a group"),
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
        )
    )

    class Meta:
        model = Organisasjon
        fields = ["q", "type", "region", "er_gruppe"]

    def filter_text(self, queryset, name, value):
        return organisasjon_search(q=value, queryset=queryset)
