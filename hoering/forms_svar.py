"""Forms of the organisation side: the account made from an invitation link and the signatory
on submission. The answer form itself has one field per tiltak and is read by
hoering.views.svar (`_parse_answer`), since its fields follow the programme."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from partnerskap.forms import DesignsystemetMixin, _plain_password_help
from tiltak.models import NAME_MAX_LENGTH

# The six questions of seed 004, for a proposed new tiltak (its title is asked for first).
FORSLAG_SPORSMAAL = (
    ("hva", _("Describe the measure or the problem it answers")),
    ("hvem", _("Who are the actors involved, and what is their role?")),
    ("hvordan", _("How should the work be done? Which arenas must be developed or cleared?")),
    ("maal", _("What should the goal or result be?")),
    ("finansiering", _("Who can finance it?")),
    ("langsiktighet", _("How long-term is the effort, the measure, the project?")),
)


class InvitationAccountForm(DesignsystemetMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_password_help(self, "password1")
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            try:
                validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignatarForm(DesignsystemetMixin, forms.Form):
    signatar = forms.CharField(
        label=_("Signed by"),
        max_length=NAME_MAX_LENGTH,
        help_text=_(
            "The name (and title) of the person who signs the answer for the organisation."
        ),
    )
    versjon = forms.IntegerField(widget=forms.HiddenInput)
