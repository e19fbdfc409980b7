"""The case-papers form: the texts, the meeting, the language and which parts to include. The
version it was loaded at travels along (no silent overwrite)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rapportering.models_saksframlegg import Saksframlegg
from tiltak.extensions import sections
from tiltak.forms import FieldNamedErrorsMixin

TEXT_FIELDS = ("forslag_til_vedtak", "saksopplysninger", "vurdering")


class SaksframleggForm(FieldNamedErrorsMixin, forms.ModelForm):
    versjon = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    deler = forms.MultipleChoiceField(
        label=_("Parts to include"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Saksframlegg
        fields = [
            "saksnummer",
            "tittel",
            "utvalg",
            "moetedato",
            "spraak",
            "forslag_til_vedtak",
            "saksopplysninger",
            "vurdering",
        ]
        widgets = {
            "tittel": forms.TextInput(),
            "moetedato": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "forslag_til_vedtak": forms.Textarea(attrs={"rows": 5}),
            "saksopplysninger": forms.Textarea(attrs={"rows": 12}),
            "vurdering": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deler"].choices = [(s.name, s.title) for s in sections("saksframlegg")]
        if self.instance.pk:
            self.fields["deler"].initial = self.instance.deler
            self.fields["versjon"].initial = self.instance.versjon
        else:
            self.fields["deler"].initial = [s.name for s in sections("saksframlegg")]
        hint = _(
            "Paragraphs separated by a blank line; lists with “- ” or “1. ” at the start of "
            "a line; *italic* and **bold**. No HTML."
        )
        for name in TEXT_FIELDS:
            self.fields[name].help_text = hint

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        # In the order of the registered parts, whatever order the browser sent.
        chosen = set(self.cleaned_data["deler"])
        data["deler"] = [s.name for s in sections("saksframlegg") if s.name in chosen]
        return data
