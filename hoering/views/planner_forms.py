"""Forms of the planner's hearing pages. They parse and check input; every write goes through
hoering.services (errors put back on the fields with tiltak.forms.add_service_errors).

Dates and times are typed as a date and a time in Europe/Oslo (settings.TIME_ZONE) and stored
as aware datetimes; a deadline is to the minute, «23.59» meaning 23:59:59 (the whole minute is
still in time)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerskap.models import Organisasjon, OrganisasjonType
from tiltak.forms import FieldNamedErrorsMixin
from tiltak.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, Rolle, Tiltak

from ..models import Hoering, Vurdering
from ..models.hoering import Spraak
from ..services.vurdering import CHANGE_FIELDS


def _date() -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _time(initial=None) -> forms.TimeField:
    return forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial=initial
    )


def combine(d, t, *, end_of_minute: bool = False) -> datetime:
    """An aware datetime in Europe/Oslo. A deadline typed as 23.59 means up to 23:59:59."""
    if end_of_minute and t.second == 0:
        t = time(t.hour, t.minute, 59)
    return timezone.make_aware(datetime.combine(d, t), timezone.get_default_timezone())


def split(value: datetime | None) -> tuple:
    if value is None:
        return None, None
    local = timezone.localtime(value)
    return local.date(), local.time().replace(second=0, microsecond=0)


class HoeringForm(FieldNamedErrorsMixin, forms.Form):
    tittel = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    innledning = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the hearing is about and what you ask the partners to answer."),
    )
    aapner_dato = _date()
    aapner_tid = _time(time(8, 0))
    frist_dato = _date()
    frist_tid = _time(time(23, 59))
    aapen_for_alle = forms.BooleanField(
        label=_("Other registered organisations may answer"),
        required=False,
        help_text=_("Organisations not on the hearing list may also answer."),
    )
    publiser_svar = forms.BooleanField(
        label=_("Publish the answers after the deadline"),
        required=False,
        initial=True,
        help_text=_(
            "As on regjeringen.no: everyone can read the submitted answers once the deadline has passed."
        ),
    )
    versjon = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, hoering: Hoering | None = None, **kwargs):
        if hoering is not None and not kwargs.get("data") and not args:
            ad, at = split(hoering.aapner)
            fd, ft = split(hoering.frist)
            kwargs["initial"] = {
                "tittel": hoering.tittel,
                "innledning": hoering.innledning,
                "aapner_dato": ad,
                "aapner_tid": at,
                "frist_dato": fd,
                "frist_tid": ft,
                "aapen_for_alle": hoering.aapen_for_alle,
                "publiser_svar": hoering.publiser_svar,
                "versjon": hoering.versjon,
            }
        super().__init__(*args, **kwargs)
        labels = {
            "aapner_dato": _("Opens (date)"),
            "aapner_tid": _("Opens (time)"),
            "frist_dato": _("Deadline (date)"),
            "frist_tid": _("Deadline (time)"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["frist_tid"].help_text = _("Norwegian time. 23.59 means until 23:59:59.")
        if hoering is not None and hoering.aapnet is not None:
            for name in ("aapner_dato", "aapner_tid"):
                self.fields[name].disabled = True

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "tittel": d["tittel"],
            "innledning": d["innledning"],
            "aapner": combine(d["aapner_dato"], d["aapner_tid"]),
            "frist": combine(d["frist_dato"], d["frist_tid"], end_of_minute=True),
            "aapen_for_alle": d["aapen_for_alle"],
            "publiser_svar": d["publiser_svar"],
        }


def _org_field(required=True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisasjon.objects.order_by("navn"),
        required=required,
        empty_label=_("Choose an organisation"),
    )


class InvitasjonAddForm(FieldNamedErrorsMixin, forms.Form):
    organisasjon = _org_field()
    epost = forms.EmailField(label=_("Contact email"), max_length=254)
    spraak = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=Spraak.choices,
        initial=Spraak.BOKMAAL,
        widget=forms.RadioSelect,
    )


class BulkAddForm(FieldNamedErrorsMixin, forms.Form):
    type = forms.ChoiceField(
        label=_("Every organisation of the type"),
        choices=[("", _("Choose a type"))] + list(OrganisasjonType.choices),
        required=False,
    )
    gruppe = forms.ModelChoiceField(
        label=_("Or every member of the group"),
        queryset=Organisasjon.objects.filter(er_gruppe=True).order_by("navn"),
        required=False,
        empty_label=_("Choose a group"),
    )
    spraak = forms.ChoiceField(
        label=_("Language of the invitations"),
        choices=Spraak.choices,
        initial=Spraak.BOKMAAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_bulk_%s", **kwargs)

    def clean(self):
        data = super().clean()
        if bool(data.get("type")) == bool(data.get("gruppe")):
            raise forms.ValidationError(_("Choose either a type or a group."))
        return data

    def organisations(self) -> list[Organisasjon]:
        from ..services.runde import group_members

        if self.cleaned_data.get("gruppe"):
            return group_members(self.cleaned_data["gruppe"])
        return list(
            Organisasjon.objects.filter(type=self.cleaned_data["type"], er_gruppe=False).order_by(
                "navn"
            )
        )


class InvitasjonUpdateForm(FieldNamedErrorsMixin, forms.Form):
    epost = forms.EmailField(label=_("Contact email"), max_length=254)
    spraak = forms.ChoiceField(label=_("Language"), choices=Spraak.choices)


class UtsettelseForm(FieldNamedErrorsMixin, forms.Form):
    organisasjon = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisasjon.objects.none(), empty_label=_("Choose")
    )
    ny_frist_dato = _date()
    ny_frist_tid = _time(time(23, 59))
    grunn = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, hoering: Hoering, **kwargs):
        super().__init__(*args, **kwargs)
        ids = set(hoering.invitasjoner.values_list("organisasjon_id", flat=True)) | set(
            hoering.svar.values_list("organisasjon_id", flat=True)
        )
        self.fields["organisasjon"].queryset = Organisasjon.objects.filter(pk__in=ids).order_by(
            "navn"
        )
        self.fields["ny_frist_dato"].label = _("New deadline (date)")
        self.fields["ny_frist_tid"].label = _("New deadline (time)")

    @property
    def ny_frist(self) -> datetime:
        d = self.cleaned_data
        return combine(d["ny_frist_dato"], d["ny_frist_tid"], end_of_minute=True)


class VurderingForm(FieldNamedErrorsMixin, forms.Form):
    vurdering = forms.ChoiceField(
        label=_("Assessment"), choices=Vurdering.choices, widget=forms.RadioSelect
    )
    vurdering_begrunnelse = forms.CharField(
        label=_("Reason for the assessment"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the input is only partly adopted or not adopted."),
    )


class TiltakFromProposalForm(FieldNamedErrorsMixin, forms.Form):
    tittel = forms.CharField(label=_("Title of the new measure"), max_length=TITLE_MAX_LENGTH)


class AnsvarFromProposalForm(FieldNamedErrorsMixin, forms.Form):
    organisasjon = _org_field(required=False)
    rolle = forms.ChoiceField(label=_("Role"), choices=Rolle.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_aktoer_%s", **kwargs)
        self.fields["organisasjon"].help_text = _(
            "The organisation from the registry; leave empty to use the one the proposal names."
        )


class EndringForm(FieldNamedErrorsMixin, forms.Form):
    field = forms.ChoiceField(label=_("Field of the measure"))
    text = forms.CharField(
        label=_("New text"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The proposed change as text; edit it into the wording the measure should have."
        ),
    )
    versjon = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_endring_%s", **kwargs)
        self.fields["field"].choices = [
            (name, str(Tiltak._meta.get_field(name).verbose_name).capitalize())
            for name in CHANGE_FIELDS
        ]
