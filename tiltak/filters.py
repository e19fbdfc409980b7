"""Tiltak search filters, shared by the HTML search page and the API."""

from functools import reduce
from operator import and_, or_

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from partnerskap.models import Organisasjon, Region

from .models import Ansvar, Delmaal, Handlingsprogram, Rolle, Tema, Tiltak, TiltakStatus, TiltakType

SEARCH_FIELDS = (
    "tittel",
    "beskrivelse",
    "virkemiddel",
    "finansiering",
    "forventet_resultat",
    "hovedansvar_tekst",
    "samarbeidsparter_tekst",
)


class RolleFilterChoices:
    EITHER = ""
    choices = [
        ("", _("Lead or collaborator")),
        (Rolle.HOVEDANSVAR, _("Lead responsibility")),
        (Rolle.SAMARBEIDSPART, _("Collaborator")),
    ]


class TiltakFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search text"), method="filter_text")
    program = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Handlingsprogram.objects.none(), empty_label=_("All")
    )
    tema = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Tema.objects.none(), empty_label=_("All")
    )
    delmaal = django_filters.ModelChoiceFilter(
        label=_("Sub-goal"), queryset=Delmaal.objects.none(), empty_label=_("All")
    )
    organisasjon = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisasjon.objects.all(),
        to_field_name="slug",
        method="filter_organisasjon",
        empty_label=_("All"),
    )
    rolle = django_filters.ChoiceFilter(
        label=_("Role"),
        choices=RolleFilterChoices.choices[1:],
        empty_label=RolleFilterChoices.choices[0][1],
        method="filter_noop",
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=TiltakType.choices, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TiltakStatus.choices, empty_label=_("All")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        method="filter_region",
        empty_label=_("All"),
    )

    class Meta:
        model = Tiltak
        fields = [
            "q",
            "program",
            "tema",
            "delmaal",
            "organisasjon",
            "rolle",
            "type",
            "status",
            "region",
        ]

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = programmes if programmes is not None else Handlingsprogram.objects.public()
        self.filters["program"].queryset = programmes
        temaer = Tema.objects.filter(program__in=programmes).select_related("program")
        delmaal = Delmaal.objects.filter(tema__program__in=programmes).select_related(
            "tema", "tema__program"
        )
        self.filters["tema"].queryset = temaer
        self.filters["delmaal"].queryset = delmaal
        self.filters["tema"].field.label_from_instance = lambda t: (
            f"{t.program.navn} {t.program.periode}: {t}"
        )
        self.filters["delmaal"].field.label_from_instance = _delmaal_label
        self.form.fields["q"].widget = forms.TextInput(attrs={"type": "search"})
        for form_field in self.form.fields.values():
            form_field.widget.attrs["class"] = "ds-input"

    def filter_text(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        per_word = []
        for word in words[:10]:
            fields = [Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS]
            fields.append(
                Q(
                    pk__in=Ansvar.objects.filter(
                        Q(organisasjon__navn__icontains=word)
                        | Q(organisasjon__forkortelse__iexact=word)
                    ).values("tiltak_id")
                )
            )
            per_word.append(reduce(or_, fields))
        return queryset.filter(reduce(and_, per_word))

    def filter_organisasjon(self, queryset, name, value: Organisasjon):
        if not value:
            return queryset
        return queryset.for_organisasjon(value, rolle=self.form.cleaned_data.get("rolle") or None)

    def filter_noop(self, queryset, name, value: str):
        # The role only qualifies the organisation filter (see filter_organisasjon).
        return queryset

    @extend_schema_field({"type": "integer", "description": "Region id."})
    def filter_region(self, queryset, name, value: Region):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=Ansvar.objects.filter(organisasjon__region=value).values("tiltak_id")
        )


def _delmaal_label(delmaal: Delmaal) -> str:
    text = str(delmaal)
    if len(text) > 90:
        text = text[:87] + "…"
    return f"{delmaal.tema.program.navn} {delmaal.tema.program.periode}: {text}"
