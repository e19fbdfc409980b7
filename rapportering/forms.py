"""The reporting app's forms. They parse and check input; every write goes through a service
(rapportering.services), whose ValidationErrors go back on the fields (add_service_errors)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerskap.models import Organisasjon, OrganisasjonType, Region
from tiltak.forms import FieldNamedErrorsMixin
from tiltak.models import MAX_YEAR, MIN_YEAR, REASON_MAX_LENGTH, Delmaal, Tema

from .models import RapportStatus, Retning
from .services.importer import KEEP, MAX_FILE_BYTES, REPLACE, parse_number


class DecimalTextField(forms.Field):
    """A figure as people write it in Norway: «68,4», «1 234,5» or «68.4»."""

    widget = forms.TextInput

    def __init__(self, *, required: bool = True, **kwargs):
        super().__init__(required=required, **kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "maxlength": 40, "class": "ds-input portal-input-narrow"}
        )

    def to_python(self, value):
        text = str(value or "").strip()
        if text in self.empty_values:
            return None
        if len(text) > 40:
            raise forms.ValidationError(_("at most 40 characters."))
        try:
            number = parse_number(text)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a number."), params={"value": text}
            ) from None
        if number is None:
            return None
        return number

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")
            return text.replace(".", ",")
        return value


def _year_field(label, *, required=True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"class": "ds-input portal-input-narrow"}),
    )


class IndikatorForm(FieldNamedErrorsMixin, forms.Form):
    navn = forms.CharField(label=_("Name"), max_length=255)
    beskrivelse = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    enhet = forms.CharField(
        label=_("Unit"), required=False, max_length=50, help_text=_("E.g. «%».")
    )
    kilde = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=255,
        help_text=_("E.g. «SSB, statistikkbanken tabell 11615»."),
    )
    retning = forms.ChoiceField(label=_("Good direction"), choices=Retning.choices)
    tema = forms.ModelChoiceField(label=_("Theme"), queryset=Tema.objects.none(), required=False)
    delmaal = forms.ModelChoiceField(
        label=_("Sub-goal"), queryset=Delmaal.objects.none(), required=False
    )
    basis_aar = _year_field(_("Baseline year"), required=False)
    basis_verdi = DecimalTextField(label=_("Baseline value"), required=False)
    eksempelverdier = forms.BooleanField(
        label=_("The figures are example values, not statistics"), required=False
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tema"].queryset = programme.temaer.order_by("nummer")
        self.fields["tema"].empty_label = _("None")
        self.fields["delmaal"].queryset = (
            Delmaal.objects.filter(tema__program=programme)
            .select_related("tema")
            .order_by("tema__nummer", "rekkefoelge", "id")
        )
        self.fields["delmaal"].empty_label = _("None")


class MaalForm(FieldNamedErrorsMixin, forms.Form):
    aar = _year_field(_("Year"))
    verdi = DecimalTextField(label=_("Target"))


class VerdiForm(FieldNamedErrorsMixin, forms.Form):
    aar = _year_field(_("Year"))
    verdi = DecimalTextField(label=_("Value"))
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), required=False
    )
    kommune = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Organisasjon.objects.none(), required=False
    )
    merknad = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("navn")
        self.fields["region"].empty_label = _("The whole area")
        self.fields["kommune"].queryset = Organisasjon.objects.filter(
            type=OrganisasjonType.KOMMUNE
        ).order_by("navn")
        self.fields["kommune"].empty_label = _("None")
        self.fields["aar"].widget.attrs["max"] = timezone.localdate().year

    def clean(self):
        data = super().clean()
        if data.get("region") and data.get("kommune"):
            self.add_error("kommune", _("Give a region or a municipality, not both."))
        return data


class ValuesUploadForm(FieldNamedErrorsMixin, forms.Form):
    fil = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_(
            "As the statistics bank exports it: semicolon or comma separated, decimal comma; "
            "«..» and «:» for missing figures. At most 5 MB."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": _("choose the file to import."),
            "empty": _("the file is empty."),
            "invalid": _("no file was received; choose it again."),
        },
    )

    def clean_fil(self):
        fil = self.cleaned_data["fil"]
        if fil.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("the file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return fil


class ValuesApplyForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    duplikater = forms.ChoiceField(
        label=_("Values already stored"),
        choices=[
            (REPLACE, _("Replace the stored values with the file's")),
            (KEEP, _("Keep the stored values")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )


class RundeForm(FieldNamedErrorsMixin, forms.Form):
    aar = _year_field(_("Year reported on"))
    frist = forms.DateTimeField(
        label=_("Deadline"),
        help_text=_("Date and time, e.g. 2020-02-01 23:59."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    innledning = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusrapportForm(FieldNamedErrorsMixin, forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Choose …")), *RapportStatus.choices],
        required=False,
    )
    fremdrift = forms.CharField(
        label=_("Progress"),
        required=False,
        max_length=10_000,
        help_text=_("What has been done this year."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    resultater = forms.CharField(
        label=_("Results achieved"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    ressurser = forms.CharField(
        label=_("Resources used"),
        required=False,
        max_length=10_000,
        help_text=_("Money, person-months, other resources."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(FieldNamedErrorsMixin, forms.Form):
    versjon = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    kommentar = forms.CharField(
        label=_("Comment to the organisation"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required when you send the report back."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
