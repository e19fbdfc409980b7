"""Tiltak search filters, shared by the HTML search page and the API."""

from functools import cached_property, reduce
from operator import and_, or_

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from partnerskap.models import Organisasjon, Region
from partnerskap.selectors import Grupperelasjoner, organisasjon_grupper

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


class FlagCheckbox(forms.CheckboxInput):
    """A checkbox in the search form that the API can also set: "true"/"1"/"on"/"ja" tick it,
    anything else (absent, "false", "0", "nei") leaves it unticked."""

    def value_from_datadict(self, data, files, name):
        return str(data.get(name, "")).strip().lower() in {"true", "1", "on", "ja"}


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
    direkte = django_filters.BooleanFilter(
        label=_("Only the organisation's own roles (not through its groups)"),
        method="filter_flag_noop",
        widget=FlagCheckbox,
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
            "direkte",
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

    @cached_property
    def organisasjon_grupper(self) -> Grupperelasjoner | None:
        """The groups of the organisation searched for, whose roles count as its own unless
        `direkte` is ticked; None without an organisation (or when the form is invalid). The
        search page and the API use it to mark each result «via <group>»."""
        if not self.is_bound or not self.is_valid():
            return None
        organisasjon = self.form.cleaned_data.get("organisasjon")
        if not organisasjon:
            return None
        if self.form.cleaned_data.get("direkte"):
            return Grupperelasjoner(grupper=(), medlemmer=())
        return organisasjon_grupper(organisasjon=organisasjon)

    def filter_organisasjon(self, queryset, name, value: Organisasjon):
        """Tiltak where the organisation, or a group it belongs to (nested groups too), has a
        role — the given role when `rolle` is set."""
        if not value:
            return queryset
        grupper = self.organisasjon_grupper or Grupperelasjoner(grupper=(), medlemmer=())
        roles = Ansvar.objects.filter(organisasjon_id__in=[value.pk, *grupper.gruppe_ids])
        if rolle := self.form.cleaned_data.get("rolle"):
            roles = roles.filter(rolle=rolle)
        return queryset.filter(pk__in=roles.values("tiltak_id"))

    def filter_noop(self, queryset, name, value: str):
        # The role only qualifies the organisation filter (see filter_organisasjon).
        return queryset

    def filter_flag_noop(self, queryset, name, value: bool):
        # `direkte` only qualifies the organisation filter (see organisasjon_grupper).
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
