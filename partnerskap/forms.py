"""Forms for login, passwords and user administration. They only parse input: every write goes
through partnerskap.services."""

import hashlib

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import BrukerRolle, Organisasjon

# Light brute-force brake: after this many failed logins for one email address from one IP
# address, further attempts are refused for the rest of the window.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds


class DesignsystemetMixin:
    """Give every widget Designsystemet's input class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")


def _plain_password_help(form: forms.Form, name: str) -> None:
    # Django's default help text is an HTML list; the field component renders help in a <p>.
    form.fields[name].help_text = " ".join(str(t) for t in password_validators_help_texts())


class EmailAuthenticationForm(DesignsystemetMixin, AuthenticationForm):
    """Log in with email address and password. A failed login never says whether the address
    is known, and repeated failures for one address from one IP address are slowed down."""

    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        error_messages={
            "required": _("Email address: enter your email address."),
            "invalid": _("Email address: enter a valid email address, like navn@kommune.no."),
        },
    )

    error_messages = {
        "invalid_login": _(
            "Wrong email address or password. Check both fields and try again; "
            "the password is case-sensitive."
        ),
        "inactive": _(
            "Wrong email address or password. Check both fields and try again; "
            "the password is case-sensitive."
        ),
        "throttled": _(
            "Too many failed login attempts. Wait 15 minutes and try again, "
            "or choose a new password with “Forgot your password?”."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Password: enter your password.")

    def _throttle_key(self, email: str) -> str:
        ip = (self.request.META.get("REMOTE_ADDR", "") if self.request else "") or "-"
        digest = hashlib.sha256(f"{ip}|{email.strip().lower()}".encode()).hexdigest()
        return f"login-failures:{digest}"

    def clean(self):
        email = self.cleaned_data.get("username")
        if not email or not self.cleaned_data.get("password"):
            return self.cleaned_data
        key = self._throttle_key(email)
        if cache.get(key, 0) >= LOGIN_FAILURE_LIMIT:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            cache.add(key, 0, LOGIN_FAILURE_WINDOW)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, LOGIN_FAILURE_WINDOW)
            raise
        cache.delete(key)
        return cleaned

    def get_invalid_login_error(self):
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class PortalPasswordResetForm(DesignsystemetMixin, PasswordResetForm):
    """Django's reset form, but also for invited users who never chose a password, so an
    expired invitation can be recovered without an administrator."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)


class PortalSetPasswordForm(DesignsystemetMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_password_help(self, "new_password1")


class PortalPasswordChangeForm(DesignsystemetMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_password_help(self, "new_password1")


def _organisasjon_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisasjon.objects.order_by("navn"),
        empty_label=_("Choose an organisation"),
        error_messages={
            "required": _("Organisation: choose an organisation."),
            "invalid_choice": _("Organisation: choose an organisation from the list."),
        },
    )


def _rolle_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role")), *BrukerRolle.choices],
        error_messages={
            "required": _("Role: choose a role."),
            "invalid_choice": _("Role: choose a role from the list."),
        },
    )


class BrukerInviteForm(DesignsystemetMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Email address: enter the person's email address."),
            "invalid": _("Email address: enter a valid email address, like navn@kommune.no."),
        },
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        error_messages={"required": _("First name: enter the person's first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={"required": _("Last name: enter the person's last name.")},
    )
    organisasjon = _organisasjon_field()
    rolle = _rolle_field()


class BrukerUpdateForm(DesignsystemetMixin, forms.Form):
    rolle = _rolle_field()
    organisasjon = _organisasjon_field()
    is_active = forms.BooleanField(
        label=_("Active (may log in)"),
        required=False,
    )

    def __init__(self, *args, bruker, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "rolle": bruker.rolle,
                "organisasjon": bruker.organisasjon_id,
                "is_active": bruker.is_active,
            },
        )
        super().__init__(*args, **kwargs)
