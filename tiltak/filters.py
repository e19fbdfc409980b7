"""Tiltak search filters, shared by the HTML search page and the API."""

from functools import cached_property

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from partnerskap.models import Organisasjon, Region
from partnerskap.selectors import Grupperelasjoner, organisasjon_grupper

from .models import Ansvar, Delmaal, Handlingsprogram, Rolle, Tema, Tiltak, TiltakStatus, TiltakType
from .selectors.search import tiltak_text_search

# The largest id a database can hold (bigint). SQLite raises OverflowError for a larger number
# where PostgreSQL finds nothing, so an id beyond it is an invalid choice before any query.
MAX_ID = 2**63 - 1


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


class IdChoiceField(django_filters.fields.ModelChoiceField):
    """A model choice by id where any text that is not a usable id is an invalid choice."""

    def to_python(self, value):
        if value not in self.empty_values:
            text = str(value).strip()
            if not text.isdigit() or int(text) > MAX_ID:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class TiltakFilterForm(forms.Form):
    def clean(self):
        """A theme or sub-goal of another programme than the chosen one says so, rather than
        silently finding nothing."""
        cleaned = super().clean()
        programme = cleaned.get("program")
        if programme is None:
            return cleaned
        tema, delmaal = cleaned.get("tema"), cleaned.get("delmaal")
        if tema is not None and tema.program_id != programme.pk:
            self.add_error(
                "tema",
                _(
                    "Theme: the theme is not in the chosen programme. Choose one of its "
                    "themes, or “All”."
                ),
            )
        if delmaal is not None and delmaal.tema.program_id != programme.pk:
            self.add_error(
                "delmaal",
                _(
                    "Sub-goal: the sub-goal is not in the chosen programme. Choose one of its "
                    "sub-goals, or “All”."
                ),
            )
        return cleaned


class TiltakFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search text"), method="filter_text")
    program = IdChoiceFilter(
        label=_("Programme"), queryset=Handlingsprogram.objects.none(), empty_label=_("All")
    )
    tema = IdChoiceFilter(label=_("Theme"), queryset=Tema.objects.none(), empty_label=_("All"))
    delmaal = IdChoiceFilter(
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
    region = IdChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        method="filter_region",
        empty_label=_("All"),
    )

    class Meta:
        model = Tiltak
        form = TiltakFilterForm
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
        fields = self.form.fields
        fields["q"].widget = forms.TextInput(attrs={"type": "search"})
        # The choices shown: the chosen programme's themes and sub-goals alone, or every
        # visible programme's grouped by programme (<optgroup>). Callables, so they are read
        # only when the form is rendered (never for the API), after validation has found the
        # programme; a submit re-renders them, so this works without JavaScript.
        fields["tema"].widget.choices = lambda: self._choices(
            temaer.order_by("program__start_aar", "program_id", "nummer", "id"),
            programme_path="program",
            label=str,
        )
        fields["delmaal"].widget.choices = lambda: self._choices(
            delmaal.order_by(
                "tema__program__start_aar",
                "tema__program_id",
                "tema__nummer",
                "rekkefoelge",
                "id",
            ),
            programme_path="tema__program",
            label=_delmaal_text,
        )
        fields["tema"].error_messages["invalid_choice"] = _("Theme: choose a theme from the list.")
        fields["delmaal"].error_messages["invalid_choice"] = _(
            "Sub-goal: choose a sub-goal from the list."
        )
        for form_field in fields.values():
            form_field.widget.attrs["class"] = "ds-input"

    def _chosen_programme(self) -> Handlingsprogram | None:
        form = self.form
        if not form.is_bound or "program" in form.errors:
            return None
        return form.cleaned_data.get("program")

    def _choices(self, queryset, *, programme_path: str, label) -> list:
        # A select reads its choices more than once when it renders: read the rows once.
        cache = self.__dict__.setdefault("_choices_cache", {})
        if programme_path not in cache:
            cache[programme_path] = self._read_choices(
                queryset, programme_path=programme_path, label=label
            )
        return cache[programme_path]

    def _read_choices(self, queryset, *, programme_path: str, label) -> list:
        programme = self._chosen_programme()
        if programme is not None:
            options = queryset.filter(**{programme_path: programme})
            return [("", _("All")), *((obj.pk, label(obj)) for obj in options)]
        groups: dict[tuple[int, str], list] = {}
        for obj in queryset:
            owner = obj.program if programme_path == "program" else obj.tema.program
            key = (owner.pk, f"{owner.navn} {owner.periode}")
            groups.setdefault(key, []).append((obj.pk, label(obj)))
        return [("", _("All")), *((name, options) for (_pk, name), options in groups.items())]

    def filter_text(self, queryset, name, value):
        # Every word must match: stemmed full text, folded substring, a party's name or a
        # number like «3.23» (tiltak/selectors/search.py).
        return tiltak_text_search(queryset, value)

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


def _delmaal_text(delmaal: Delmaal) -> str:
    text = str(delmaal)
    if len(text) > 90:
        text = text[:87] + "…"
    return text
