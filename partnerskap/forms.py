"""Forms for login, passwords and user administration. They only parse input: every write goes
through partnerskap.services."""

import hashlib

from django import forms
from django.conf import settings
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

# Brute-force brake, counted in the shared cache (settings.CACHES) so every worker process
# sees the same counts: after LOGIN_FAILURE_LIMIT failed logins for one account (its email
# address, from anywhere) that account is refused for LOGIN_FAILURE_WINDOW after the last
# failure; after LOGIN_FAILURE_LIMIT_PER_ADDRESS failures from one client address (any
# accounts) that address is. A refused attempt is not counted, so a lock ends on its own.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_LIMIT_PER_ADDRESS = 50
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds


def client_address(request) -> str:
    """The address the request came from. With settings.TRUSTED_PROXY_COUNT = 0 (default)
    REMOTE_ADDR, and X-Forwarded-For is ignored: a client may write anything there. With N
    proxies in front, each appends the address it received the request from, so the Nth
    address from the right is the client as our outermost proxy saw it; what the client
    wrote itself lies further left and is ignored."""
    remote = request.META.get("REMOTE_ADDR", "") or "-"
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the leftmost is the furthest any of them saw.
    return forwarded[-count] if len(forwarded) >= count else forwarded[0]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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
    is known; repeated failures lock the account, and many the client address, for a while
    (LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_LIMIT_PER_ADDRESS)."""

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

    def _throttle_keys(self, email: str) -> dict[str, int]:
        """{cache key: limit} for the account and for the client address."""
        address = client_address(self.request) if self.request else "-"
        return {
            f"login-failures:account:{_digest(email.strip().casefold())}": LOGIN_FAILURE_LIMIT,
            f"login-failures:address:{_digest(address)}": LOGIN_FAILURE_LIMIT_PER_ADDRESS,
        }

    def clean(self):
        email = self.cleaned_data.get("username")
        if not email or not self.cleaned_data.get("password"):
            return self.cleaned_data
        limits = self._throttle_keys(email)
        counts = cache.get_many(list(limits))
        if any(counts.get(key, 0) >= limit for key, limit in limits.items()):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            # Read again: another process may have counted since. Not atomic on the database
            # cache, so attempts at the very same moment may count once: a brake, not a lock.
            counts = cache.get_many(list(limits))
            cache.set_many(
                {key: counts.get(key, 0) + 1 for key in limits}, timeout=LOGIN_FAILURE_WINDOW
            )
            raise
        # The account's count starts again; the address's does not (an attacker could reset
        # it with an account of their own).
        cache.delete(next(iter(limits)))
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
