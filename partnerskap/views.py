"""Accounts: login, logout, passwords, invitations, the user's own page and user administration.

Thin views: parse, check the django-rules permission, call a service, render."""

import json
import logging
import smtplib
from functools import cache, wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services
from .access import guarded, login_guarded, require
from .forms import (
    BrukerInviteForm,
    BrukerUpdateForm,
    EmailAuthenticationForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
)
from .models import Bruker, BrukerRolle

logger = logging.getLogger(__name__)

USER_PAGE_SIZE = 50
MANAGE_USERS = "partnerskap.manage_users"


def manage_users_required(view):
    """User administration: the login page for anonymous visitors, 403 for users without
    partnerskap.manage_users (partnerskap.access, like every other view)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require(request, MANAGE_USERS)
        return view(request, *args, **kwargs)

    return guarded(wrapper)


# Login, logout and passwords -----------------------------------------------------------------


# One account per role for trying the portal, created by `manage.py load_demo` in development
# (tiltak/demo.py reads the same file); shown on the login page, never in production.
DEMO_ACCOUNTS_FILE = settings.BASE_DIR / "fixtures" / "source" / "demo_accounts.json"


@cache
def _demo_account_entries() -> tuple[dict, ...]:
    try:
        with DEMO_ACCOUNTS_FILE.open(encoding="utf-8") as fh:
            return tuple(json.load(fh)["kontoer"])
    except FileNotFoundError:
        return ()


def demo_accounts() -> list[dict]:
    """The demo accounts that exist and are active, with the password they were created with
    (one query). Empty in production."""
    if settings.PRODUCTION:
        return []
    entries = {e["email"].lower(): e for e in _demo_account_entries()}
    if not entries:
        return []
    found = {
        b.email.lower(): b
        for b in Bruker.objects.filter(email__in=list(entries), is_active=True).select_related(
            "organisasjon"
        )
    }
    return [
        {
            "rolle": found[email].get_rolle_display(),
            "organisasjon": found[email].organisasjon.navn if found[email].organisasjon else "",
            "email": found[email].email,
            # Where a narrow screen may break the address (<wbr>), copying still gives it whole.
            "email_parts": found[email].email.partition("@"),
            "passord": entry["passord"],
        }
        for email, entry in entries.items()
        if email in found
    ]


class LoginView(auth_views.LoginView):
    # Not redirect_authenticated_user: a view that answers a logged-in user by redirecting to
    # the login page would otherwise loop.
    authentication_form = EmailAuthenticationForm
    template_name = "registration/login.html"
    extra_context = {"title": gettext_lazy("Log in")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_accounts"] = demo_accounts()
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET with 405)."""


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    extra_email_context = {"days": max(1, settings.PASSWORD_RESET_TIMEOUT // (60 * 60 * 24))}
    title = gettext_lazy("Forgot your password?")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    title = gettext_lazy("Check your email")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    title = gettext_lazy("Choose a new password")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    title = gettext_lazy("Your password is changed")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    title = gettext_lazy("Change password")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    title = gettext_lazy("Your password is changed")


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The link in an invitation email: the invitee chooses a password and is logged in. The
    token is Django's password reset token, so the link dies once a password is set."""

    form_class = PortalSetPasswordForm
    template_name = "registration/invitation_accept.html"
    title = gettext_lazy("Welcome to the partnership portal")
    post_reset_login = True
    post_reset_login_backend = "partnerskap.auth.EmailBackend"
    success_url = reverse_lazy("account_profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set and you are logged in."))
        return response


# The user's own page -------------------------------------------------------------------------


@login_guarded
def profile(request):
    return render(
        request,
        "partnerskap/bruker_profile.html",
        {
            "bruker": request.user,
            "can_manage_users": request.user.has_perm(MANAGE_USERS),
            "nav": "account",
        },
    )


# User administration -------------------------------------------------------------------------


STATUS_CHOICES = [
    ("", gettext_lazy("All")),
    ("aktiv", gettext_lazy("Active")),
    ("invitert", gettext_lazy("Invited, no password yet")),
    ("deaktivert", gettext_lazy("Deactivated")),
]


@manage_users_required
def user_list(request):
    q = request.GET.get("q", "").strip()[:100]
    rolle = request.GET.get("rolle", "")
    status = request.GET.get("status", "")
    users = Bruker.objects.select_related("organisasjon").order_by("email")
    if q:
        users = users.filter(
            Q(email__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(organisasjon__navn__icontains=q)
        )
    if rolle in BrukerRolle.values:
        users = users.filter(rolle=rolle)
    else:
        rolle = ""
    if status == "aktiv":
        users = users.filter(is_active=True)
    elif status == "deaktivert":
        users = users.filter(is_active=False)
    elif status == "invitert":
        users = users.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    else:
        status = ""
    page = Paginator(users, USER_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(
        request,
        "partnerskap/bruker_list.html",
        {
            "page": page,
            "q": q,
            "rolle": rolle,
            "status": status,
            "roles": BrukerRolle.choices,
            "statuses": STATUS_CHOICES,
            "nav": "users",
        },
    )


SEND_FAILED = gettext_lazy(
    "The invitation email could not be sent, so nobody was invited. Try again later."
)


@manage_users_required
def user_invite(request):
    form = BrukerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bruker = services.bruker_invite(
                actor=request.user,
                request_base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except IntegrityError:  # the same address invited at the same moment
            form.add_error("email", _("A user with this email address already exists."))
        except (smtplib.SMTPException, OSError):
            logger.exception("Invitation email to %s failed", form.cleaned_data["email"])
            form.add_error(None, SEND_FAILED)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": bruker.email},
            )
            return redirect("account_user_list")
    return render(request, "partnerskap/bruker_invite.html", {"form": form, "nav": "users"})


@manage_users_required
def user_update(request, pk: int):
    bruker = get_object_or_404(Bruker.objects.select_related("organisasjon"), pk=pk)
    form = BrukerUpdateForm(request.POST or None, bruker=bruker)
    if request.method == "POST" and form.is_valid():
        try:
            services.bruker_update(actor=request.user, bruker=bruker, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The changes to %(user)s are saved.") % {"user": bruker.email}
            )
            return redirect("account_user_list")
    return render(
        request,
        "partnerskap/bruker_update.html",
        {"bruker": bruker, "form": form, "is_self": bruker.pk == request.user.pk, "nav": "users"},
    )


@require_POST
@manage_users_required
def user_invitation_resend(request, pk: int):
    bruker = get_object_or_404(Bruker, pk=pk)
    try:
        services.bruker_invitation_resend(
            actor=request.user, bruker=bruker, request_base_url=request.build_absolute_uri("/")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (smtplib.SMTPException, OSError):
        logger.exception("Invitation email to %s failed", bruker.email)
        messages.error(request, _("The invitation email could not be sent. Try again later."))
    else:
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": bruker.email}
        )
    return redirect("account_user_update", pk=bruker.pk)
