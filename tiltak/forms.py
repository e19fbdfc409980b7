"""Every form of the programme app: the tree, parties, the Excel import, rolling and comparison.
They parse and check input; every write goes through a service, whose ValidationErrors are put
back on the fields with `add_service_errors`."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from partnerskap.forms import DesignsystemetMixin
from partnerskap.models import Organisasjon, OrganisasjonType
from partnerskap.validators import no_control_characters
from tiltak.exports import XLSX_CONTENT_TYPE
from tiltak.models import (
    MAX_YEAR,
    MIN_YEAR,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Ansvar,
    Delmaal,
    Handlingsprogram,
    RegionalPlan,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
)
from tiltak.selectors.tree import TemaNode
from tiltak.services.common import PROGRESS_FIELDS, TILTAK_FIELDS
from tiltak.services.excel.container import MAX_FILE_BYTES
from tiltak.services.excel.types import KEEP_PORTAL, USE_FILE, OrgChoice


class FieldNamedErrorsMixin(DesignsystemetMixin):
    """Every error message starts with its field's label ("Title: This field is required."),
    so the error summary at the top of the page says which field is wrong on its own. Every
    text field refuses control characters (the models do too; here the form says so even for
    fields that are not a model's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and no_control_characters not in field.validators:
                field.validators.append(no_control_characters)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not hasattr(self, "_errors") or self._errors is None:
            return
        for name, errors in self._errors.items():
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            label = str(self.fields[name].label or name)
            errors[:] = [
                ValidationError(m if str(m).startswith(f"{label}:") else f"{label}: {m}")
                for m in errors
            ]


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or at the top for fields the form
    does not have)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TemaForm(FieldNamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Tema
        fields = ["navn", "etikett", "overordnet_maal", "ansvarlig", "ansvarlig_tekst"]
        widgets = {"navn": forms.TextInput(), "overordnet_maal": _textarea(2)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ansvarlig"].queryset = Organisasjon.objects.order_by("navn")
        self.fields["ansvarlig"].empty_label = _("None")


class DelmaalForm(FieldNamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Delmaal
        fields = ["nummer", "navn", "smarte_maal"]
        widgets = {"navn": _textarea(2), "smarte_maal": _textarea(3)}


class SatsingsomraadeForm(FieldNamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Satsingsomraade
        fields = ["navn", "prioritert_handling"]
        widgets = {"navn": _textarea(2), "prioritert_handling": _textarea(3)}


def placement_choices(tree: list[TemaNode], nivaa: str) -> list[tuple[str, str]]:
    """Every place a tiltak can sit in the programme, from `programme_tree`: values
    "tema:<id>", "delmaal:<id>", "satsing:<id>"; labels spell out the path."""
    choices = []
    for node in tree:
        tema = node.tema
        tema_label = f"{nivaa} {tema.nummer}: {tema.navn}"
        choices.append((f"tema:{tema.pk}", tema_label))
        for dnode in node.delmaal:
            d = dnode.delmaal
            if d is not None:
                choices.append((f"delmaal:{d.pk}", f"{tema_label} › {str(d)[:80]}"))
            for snode in dnode.satsingsomraader:
                s = snode.satsingsomraade
                if s is not None:
                    path = f"{tema_label} › {str(d)[:60]} › " if d else f"{tema_label} › "
                    choices.append((f"satsing:{s.pk}", f"{path}{s.navn[:80]}"))
    return choices


def resolve_placement(value: str, tree: list[TemaNode]) -> dict:
    """The service keyword (tema / delmaal / satsingsomraade) for a placement choice value."""
    kind, _sep, pk = value.partition(":")
    for node in tree:
        if kind == "tema" and str(node.tema.pk) == pk:
            return {"tema": node.tema}
        for dnode in node.delmaal:
            if kind == "delmaal" and dnode.delmaal and str(dnode.delmaal.pk) == pk:
                return {"delmaal": dnode.delmaal}
            for snode in dnode.satsingsomraader:
                s = snode.satsingsomraade
                if kind == "satsing" and s and str(s.pk) == pk:
                    return {"satsingsomraade": s}
    raise ValidationError(_("Place: choose a place in this programme."))


def placement_value(t: Tiltak) -> str:
    if t.satsingsomraade_id:
        return f"satsing:{t.satsingsomraade_id}"
    if t.delmaal_id:
        return f"delmaal:{t.delmaal_id}"
    return f"tema:{t.tema_id}"


# The parties as the source document wrote them. Not on the edit forms: typing a name there
# would look like assigning a party and assign nothing. The page shows them read-only under
# «Source»; the parties are the Ansvar rows, added and removed with the party picker.
SOURCE_TEXT_FIELDS = ("hovedansvar_tekst", "samarbeidsparter_tekst")
TILTAK_FORM_FIELDS = tuple(f for f in TILTAK_FIELDS if f not in SOURCE_TEXT_FIELDS)


class TiltakForm(FieldNamedErrorsMixin, forms.ModelForm):
    """A tiltak's own fields (not the source's text of its parties), with the version it was
    loaded at. When the programme is adopted (`progress_only`), every field but the progress
    fields is shown read-only."""

    versjon = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    endringsgrunn = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=100,
        help_text=_("Optional. Shown in the history."),
    )

    class Meta:
        model = Tiltak
        fields = list(TILTAK_FORM_FIELDS)
        widgets = {
            "tittel": _textarea(2),
            "beskrivelse": _textarea(5),
            "virkemiddel": _textarea(2),
            "finansiering": _textarea(2),
            "forventet_resultat": _textarea(3),
            "merknader": _textarea(3),
        }

    def __init__(self, *args, progress_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "versjon" not in self.initial:
            self.initial["versjon"] = self.instance.versjon
        self.fields["type"].choices = [("", _("Not set")), *self.fields["type"].choices[1:]]
        for name in ("start_aar", "slutt_aar"):
            self.fields[name].widget.attrs.update({"min": MIN_YEAR, "max": MAX_YEAR})
        self.progress_only = progress_only
        if progress_only:
            for name in TILTAK_FORM_FIELDS:
                if name not in PROGRESS_FIELDS:
                    self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        start, slutt = data.get("start_aar"), data.get("slutt_aar")
        if start and slutt and start > slutt:
            self.add_error(
                "slutt_aar", _("End year: must be the same as or later than the start year.")
            )
        return data

    def service_fields(self) -> dict:
        """The fields to hand to tiltak_update (only the editable ones)."""
        names = PROGRESS_FIELDS if self.progress_only else TILTAK_FORM_FIELDS
        return {name: self.cleaned_data[name] for name in names}


class TiltakCreateForm(TiltakForm):
    plassering = forms.ChoiceField(label=_("Place in the programme"))
    nummer = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        max_value=32767,
        help_text=_("Leave empty for the next free number in the theme."),
    )

    def __init__(self, *args, tree: list[TemaNode], nivaa: str, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["versjon"]
        del self.fields["endringsgrunn"]
        self.tree = tree
        self.fields["plassering"].choices = placement_choices(tree, nivaa)
        self.order_fields(["plassering", "nummer", *TILTAK_FORM_FIELDS])

    def clean_plassering(self):
        return resolve_placement(self.cleaned_data["plassering"], self.tree)


class TiltakQuickForm(FieldNamedErrorsMixin, forms.Form):
    """Title and status, edited inline in the programme's tree."""

    versjon = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    tittel = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH, widget=_textarea(2))
    status = forms.ChoiceField(label=_("Status"), choices=Tiltak._meta.get_field("status").choices)

    def __init__(self, *args, progress_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.progress_only = progress_only
        first = "status" if progress_only else "tittel"
        self.fields[first].widget.attrs["autofocus"] = True
        if progress_only:
            self.fields["tittel"].disabled = True

    def service_fields(self) -> dict:
        if self.progress_only:
            return {"status": self.cleaned_data["status"]}
        return {"tittel": self.cleaned_data["tittel"], "status": self.cleaned_data["status"]}


class TiltakMoveForm(FieldNamedErrorsMixin, forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    plassering = forms.ChoiceField(label=_("New place"))

    def __init__(self, *args, tree: list[TemaNode], nivaa: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = tree
        self.fields["plassering"].choices = placement_choices(tree, nivaa)

    def clean_plassering(self):
        return resolve_placement(self.cleaned_data["plassering"], self.tree)


class TiltakDeleteForm(FieldNamedErrorsMixin, forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    grunn = forms.CharField(
        label=_("Reason for deletion"),
        max_length=REASON_MAX_LENGTH,
        widget=_textarea(3),
        error_messages={"required": _("Say why the measure is deleted.")},
    )


class RenumberForm(FieldNamedErrorsMixin, forms.Form):
    """One number input per tiltak of the tema. The tiltak are numbered 1..n in the order of
    the numbers entered, so "3" between 1 and 2 works as well as a full renumbering."""

    def __init__(self, *args, tiltak: list[Tiltak], **kwargs):
        super().__init__(*args, **kwargs)
        self.tiltak = tiltak
        for position, t in enumerate(tiltak, start=1):
            self.fields[f"nr_{t.pk}"] = forms.IntegerField(
                label=_("New position of %(title)s") % {"title": (t.tittel or "–")[:120]},
                min_value=1,
                max_value=10000,
                initial=position,
                widget=forms.NumberInput(attrs={"class": "ds-input portal-input-narrow"}),
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        seen: dict[int, str] = {}
        for t in self.tiltak:
            name = f"nr_{t.pk}"
            value = data.get(name)
            if value in seen:
                self.add_error(
                    name,
                    _("Position %(n)s is given twice; every measure needs its own.") % {"n": value},
                )
            seen[value] = name
        return data

    def order(self) -> list[int]:
        return [t.pk for t in sorted(self.tiltak, key=lambda t: self.cleaned_data[f"nr_{t.pk}"])]


class AnsvarAddForm(FieldNamedErrorsMixin, forms.Form):
    """Add a party. Without JavaScript the organisation is a plain select plus a text field for
    a new organisation; org-picker.js turns them into one accessible type-ahead combobox."""

    organisasjon = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisasjon.objects.none(),
        required=False,
        empty_label=_("Choose an organisation"),
    )
    ny_organisasjon = forms.CharField(
        label=_("Or a new organisation"),
        required=False,
        max_length=Organisasjon._meta.get_field("navn").max_length,
        help_text=_("Only if it is not in the list: the organisation is created."),
    )
    rolle = forms.ChoiceField(
        label=_("Role"),
        choices=Rolle.choices,
        initial=Rolle.SAMARBEIDSPART,
        widget=forms.RadioSelect,
    )
    tekst_som_skrevet = forms.CharField(
        label=_("As written (optional)"),
        required=False,
        max_length=Ansvar._meta.get_field("tekst_som_skrevet").max_length,
        help_text=_("The party as the source document writes it."),
    )

    def __init__(self, *args, can_create: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisasjon"].queryset = Organisasjon.objects.order_by("navn")
        self.can_create = can_create
        if not can_create:
            del self.fields["ny_organisasjon"]

    def clean(self):
        data = super().clean()
        if not data.get("organisasjon") and not (data.get("ny_organisasjon") or "").strip():
            if "organisasjon" not in self.errors:
                self.add_error(
                    "organisasjon", _("Choose an organisation, or write the name of a new one.")
                )
        elif data.get("organisasjon") and (data.get("ny_organisasjon") or "").strip():
            self.add_error(
                "ny_organisasjon",
                _("Either choose an organisation or write a new one, not both."),
            )
        return data


# --- A programme itself --------------------------------------------------------------------


def _programme_field(name: str, **kwargs) -> forms.Field:
    """The form field of a Handlingsprogram field: its label, limits and year range."""
    field = Handlingsprogram._meta.get_field(name).formfield(**kwargs)
    assert field is not None
    return field


class ProgrammeForm(FieldNamedErrorsMixin, forms.Form):
    """A programme's own fields. `owners` are the organisations the user may make a programme
    for (tiltak.own_programme); without them (editing) the owner is not a field: it does not
    change here. The service checks it all again."""

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["navn"] = _programme_field("navn", widget=forms.TextInput())
        self.fields["undertittel"] = _programme_field("undertittel", widget=forms.TextInput())
        for name in ("start_aar", "slutt_aar"):
            self.fields[name] = _programme_field(name)
            self.fields[name].widget.attrs.update({"min": MIN_YEAR, "max": MAX_YEAR})
        if owners is not None:
            # Administrators: any organisation; planners: their own (tiltak.own_programme).
            self.fields["eier"] = _programme_field("eier", queryset=owners)
            if owners.count() == 1:
                self.fields["eier"].initial = owners.first()
                self.fields["eier"].empty_label = None
        self.fields["nivaa_betegnelse"] = _programme_field("nivaa_betegnelse")
        self.fields["planer"] = forms.ModelMultipleChoiceField(
            label=Handlingsprogram._meta.get_field("planer").verbose_name.capitalize(),
            queryset=RegionalPlan.objects.order_by("navn"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["nye_planer"] = forms.CharField(
            label=_("Other regional plans, one per line"), required=False, widget=_textarea(2)
        )
        self.fields["beskrivelse"] = _programme_field("beskrivelse", widget=_textarea(4))

    def clean(self):
        data = super().clean()
        start, slutt = data.get("start_aar"), data.get("slutt_aar")
        if start and slutt and slutt < start:
            self.add_error("slutt_aar", _("To year: the period cannot end before it starts."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["nye_planer"] = [line for line in data["nye_planer"].splitlines() if line.strip()]
        return data


class DelmaalMoveForm(FieldNamedErrorsMixin, forms.Form):
    """Move a delmål to another tema of its programme, optionally with a new number there."""

    tema = forms.ModelChoiceField(label=_("New place"), queryset=Tema.objects.none())
    nummer = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=10,
        help_text=Delmaal._meta.get_field("nummer").help_text,
    )

    def __init__(self, *args, delmaal: Delmaal, nivaa: str, **kwargs):
        super().__init__(*args, **kwargs)
        temaer = Tema.objects.filter(program_id=delmaal.tema.program_id).exclude(pk=delmaal.tema_id)
        self.fields["tema"].queryset = temaer.order_by("nummer")
        self.fields["tema"].label_from_instance = lambda t: f"{nivaa} {t.nummer}: {t.navn}"
        self.fields["tema"].empty_label = None
        self.fields["nummer"].initial = delmaal.nummer


class SatsingsomraadeMoveForm(FieldNamedErrorsMixin, forms.Form):
    """Move a satsingsområde under another delmål, or directly under a tema, of its
    programme."""

    plassering = forms.ChoiceField(label=_("New place"))

    def __init__(self, *args, tree: list[TemaNode], nivaa: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = tree
        self.fields["plassering"].choices = [
            (value, label)
            for value, label in placement_choices(tree, nivaa)
            if not value.startswith("satsing:")
        ]

    def clean_plassering(self):
        return resolve_placement(self.cleaned_data["plassering"], self.tree)


# --- Excel import ------------------------------------------------------------------------


class ImportUploadForm(DesignsystemetMixin, forms.Form):
    fil = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Start from the programme's Excel export. At most 5 MB and 5,000 measures."),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        error_messages={
            "required": _("Excel file: choose the file to import."),
            "empty": _("Excel file: the file is empty."),
            "invalid": _("Excel file: no file was received; choose it again."),
        },
    )

    def clean_fil(self):
        fil = self.cleaned_data["fil"]
        if fil.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("Excel file: the file is larger than %(mb)s MB.")
                % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return fil


class UnknownOrganisationForm(forms.Form):
    """What to do with one organisation name the registry does not know."""

    MAP, CREATE = "map", "create"

    handling = forms.ChoiceField(
        label=_("What to do"),
        choices=[
            (MAP, _("Use an existing organisation")),
            (CREATE, _("Create it as a new organisation")),
        ],
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={
            "required": _("What to do: choose an existing organisation or create a new one."),
        },
    )
    organisasjon = forms.TypedChoiceField(
        label=_("Existing organisation"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "ds-input"}),
        error_messages={
            "invalid_choice": _("Existing organisation: choose one from the list."),
        },
    )
    type = forms.ChoiceField(
        label=_("Type of the new organisation"),
        choices=OrganisasjonType.choices,
        initial=OrganisasjonType.ANNET,
        required=False,
        widget=forms.Select(attrs={"class": "ds-input"}),
        error_messages={
            "invalid_choice": _("Type: choose one from the list."),
        },
    )

    def __init__(self, *args, unknown, org_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown = unknown
        self.fields["organisasjon"].choices = [("", "—"), *org_choices]

    def clean(self):
        data = super().clean()
        if data.get("handling") == self.MAP and not data.get("organisasjon"):
            self.add_error(
                "organisasjon",
                _("Existing organisation: choose one, or choose to create a new organisation."),
            )
        if data.get("handling") == self.CREATE and not data.get("type"):
            self.add_error("type", _("Type: choose the type of the new organisation."))
        return data

    def choice(self) -> OrgChoice:
        if self.cleaned_data["handling"] == self.MAP:
            return OrgChoice(organisasjon_id=self.cleaned_data["organisasjon"])
        return OrgChoice(create_type=self.cleaned_data["type"])


@dataclass(frozen=True)
class ConflictRef:
    """What the conflict form needs of a tiltak.services.excel.types.Conflict (kept in the
    session between the preview and the apply)."""

    tiltak_id: int
    row: int | None
    kind: str
    restorable: bool
    label: str


CONFLICT_CHOICES = [
    (KEEP_PORTAL, _("Keep the portal's version")),
    (USE_FILE, _("Use the file's version")),
]


class ImportConflictsForm(forms.Form):
    """What to do with each row the portal changed after the file was exported: a choice per
    row, or one for all of them (a row's own choice wins)."""

    alle = forms.ChoiceField(
        label=_("For all these rows"),
        choices=[("", _("Choose for each row")), *CONFLICT_CHOICES],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
    )

    def __init__(self, *args, conflicts: list[ConflictRef], **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts = conflicts
        for ref in conflicts:
            self.fields[self.field_name(ref.tiltak_id)] = forms.ChoiceField(
                label=self.legend(ref),
                choices=CONFLICT_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "ds-input"}),
            )

    @staticmethod
    def field_name(tiltak_id: int) -> str:
        return f"konflikt-{tiltak_id}"

    @staticmethod
    def legend(ref: ConflictRef) -> str:
        if ref.row is None:
            return _("Not in the file: measure %(label)s") % {"label": ref.label}
        return _("Row %(row)s: measure %(label)s") % {"row": ref.row, "label": ref.label}

    def clean(self):
        data = super().clean()
        every = data.get("alle") or ""
        for ref in self.conflicts:
            name = self.field_name(ref.tiltak_id)
            if data.get(name) or every or name in self.errors:
                continue
            self.add_error(
                name,
                _("%(what)s: choose the portal's version or the file's.")
                % {"what": self.legend(ref)},
            )
        return data

    def choices(self) -> dict[int, str]:
        """Tiltak ID -> KEEP_PORTAL or USE_FILE, for programme_import_apply."""
        every = self.cleaned_data.get("alle") or ""
        return {
            ref.tiltak_id: self.cleaned_data.get(self.field_name(ref.tiltak_id)) or every
            for ref in self.conflicts
        }


# --- Rolling and comparison ---------------------------------------------------------------


class RollForm(DesignsystemetMixin, forms.Form):
    navn = forms.CharField(
        label=_("Name of the new programme"),
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": _("Name: enter a name for the new programme."),
            "max_length": _("Name: at most 255 characters."),
        },
    )
    start_aar = forms.IntegerField(
        label=_("From year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "required": _("From year: enter the first year of the new period."),
            "invalid": _("From year: enter a year as a whole number, e.g. 2021."),
            "min_value": _("From year: enter a year from 1900 to 2200."),
            "max_value": _("From year: enter a year from 1900 to 2200."),
        },
    )
    slutt_aar = forms.IntegerField(
        label=_("To year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "required": _("To year: enter the last year of the new period."),
            "invalid": _("To year: enter a year as a whole number, e.g. 2022."),
            "min_value": _("To year: enter a year from 1900 to 2200."),
            "max_value": _("To year: enter a year from 1900 to 2200."),
        },
    )

    def clean_navn(self):
        navn = self.cleaned_data["navn"]
        try:
            no_control_characters(navn)
        except ValidationError as exc:
            # Named like this form's other messages ("Name: …"), for the error summary.
            raise ValidationError([f"{_('Name')}: {m}" for m in exc.messages]) from exc
        return navn


class CompareForm(DesignsystemetMixin, forms.Form):
    fra = forms.ModelChoiceField(
        label=_("From version"),
        queryset=Handlingsprogram.objects.none(),
        error_messages={
            "required": _("From version: choose a programme."),
            "invalid_choice": _(
                "From version: there is no programme with this ID that you may view."
            ),
        },
    )
    til = forms.ModelChoiceField(
        label=_("To version"),
        queryset=Handlingsprogram.objects.none(),
        error_messages={
            "required": _("To version: choose a programme."),
            "invalid_choice": _(
                "To version: there is no programme with this ID that you may view."
            ),
        },
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("fra", "til"):
            self.fields[name].queryset = programmes


class ListUploadForm(DesignsystemetMixin, forms.Form):
    """The upload of a list of measures (.xlsx or .csv) for tiltak.services.excel.liste."""

    fil = forms.FileField(
        label=_("List of measures (.xlsx or .csv)"),
        help_text=_(
            "A sheet with one measure per row and columns such as Område, Delmål, Tiltak, "
            "Type, Ansvarlig and Samarbeidspartnere. At most 5 MB."
        ),
        widget=forms.FileInput(attrs={"accept": f".xlsx,.csv,{XLSX_CONTENT_TYPE},text/csv"}),
        error_messages={
            "required": _("List of measures: choose the file to import."),
            "empty": _("List of measures: the file is empty."),
            "invalid": _("List of measures: no file was received; choose it again."),
        },
    )

    def clean_fil(self):
        fil = self.cleaned_data["fil"]
        if fil.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("List of measures: the file is larger than %(mb)s MB.")
                % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        if not fil.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                _("List of measures: choose an Excel workbook (.xlsx) or a CSV file (.csv).")
            )
        return fil
