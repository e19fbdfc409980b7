from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Field
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Bruker, BrukerManager, BrukerRolle, Organisasjon, OrganisasjonType
from .selectors import fold, organisasjon_by_name


def _unique_slug(navn: str) -> str:
    base = slugify(navn.replace("æ", "ae").replace("ø", "o").replace("å", "a"))[:90] or "org"
    slug, n = base, 2
    while Organisasjon.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisasjon_create(
    *, actor, navn: str, forkortelse: str = "", type: str = OrganisasjonType.ANNET
) -> Organisasjon:
    """Create a registry entry (e.g. from the organisation picker). Raises PermissionDenied
    unless the actor has partnerskap.create_organisasjon, and ValidationError when the name is
    taken (case-insensitively), the abbreviation is taken or the type is unknown."""
    if actor is None or not actor.has_perm("partnerskap.create_organisasjon"):
        raise PermissionDenied("partnerskap.create_organisasjon")
    navn = " ".join(navn.split())
    # Also a name that is another organisation's abbreviation or alias, compared as the picker
    # compares (case and spacing folded): the registry keeps one entry per organisation.
    existing = organisasjon_by_name().get(fold(navn))
    if existing is not None:
        raise ValidationError(
            {
                "navn": _(
                    "Name: “%(name)s” is already in the registry as %(existing)s. Choose it "
                    "in the list instead."
                )
                % {"name": navn, "existing": existing.navn}
            }
        )
    org = Organisasjon(
        navn=navn, forkortelse=forkortelse.strip(), type=type, slug=_unique_slug(navn)
    )
    org.full_clean()
    org.save()
    return org


# People: invitations and user administration -------------------------------------------------


def _check_manage_users(actor) -> None:
    if actor is None or not actor.has_perm("partnerskap.manage_users"):
        raise PermissionDenied("partnerskap.manage_users")


def _log(*, actor, bruker: Bruker, flag: int, change_message: list) -> None:
    """One audit row in Django's admin log, so the change shows in the user's history in the
    admin (Bruker has no simple-history table of its own)."""
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[bruker],
        action_flag=flag,
        change_message=change_message,
        single_object=True,
    )


def invitation_url(*, bruker: Bruker, request_base_url: str) -> str:
    """The one-time link that lets the invitee choose a password. It uses Django's password
    reset token, so it stops working once a password is set and after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "account_invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(bruker.pk)),
            "token": default_token_generator.make_token(bruker),
        },
    )
    return f"{request_base_url.rstrip('/')}{path}"


def _send_invitation(*, actor, bruker: Bruker, request_base_url: str) -> None:
    context = {
        "bruker": bruker,
        "actor": actor,
        "url": invitation_url(bruker=bruker, request_base_url=request_base_url),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // (60 * 60 * 24)),
    }
    subject = " ".join(render_to_string("registration/invitation_subject.txt", context).split())
    body = render_to_string("registration/invitation_email.txt", context)
    send_mail(subject, body, None, [bruker.email], fail_silently=False)


@transaction.atomic
def bruker_invite(
    *,
    actor,
    email: str,
    first_name: str,
    last_name: str,
    organisasjon: Organisasjon,
    rolle: str,
    request_base_url: str,
) -> Bruker:
    """Create a user who has no password yet and email them a one-time link to choose one.

    Raises PermissionDenied unless the actor has partnerskap.manage_users, and ValidationError
    (naming the field) when the email is taken (case-insensitively), the role is unknown or the
    organisation is missing. If the email cannot be sent the user is not created either (the
    exception propagates and the transaction rolls back)."""
    _check_manage_users(actor)
    email = BrukerManager.normalize_email(email.strip()).lower()
    if Bruker.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this email address already exists.")})
    if organisasjon is None:
        raise ValidationError({"organisasjon": _("Organisation: choose an organisation.")})
    bruker = Bruker(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisasjon=organisasjon,
        rolle=rolle,
        is_active=True,
    )
    bruker.set_unusable_password()
    bruker.full_clean()
    bruker.save()
    _log(actor=actor, bruker=bruker, flag=ADDITION, change_message=[{"added": {}}])
    _send_invitation(actor=actor, bruker=bruker, request_base_url=request_base_url)
    return bruker


@transaction.atomic
def bruker_update(
    *,
    actor,
    bruker: Bruker,
    rolle: str,
    organisasjon: Organisasjon,
    is_active: bool,
) -> Bruker:
    """Change a user's role, organisation and whether they may log in.

    Raises PermissionDenied unless the actor has partnerskap.manage_users, or when a
    non-superuser tries to change a superuser; ValidationError when administrators try to
    deactivate or demote themselves (so the portal never loses its last administrator by
    accident), the role is unknown or the organisation is missing. Nothing is saved when
    nothing changed."""
    _check_manage_users(actor)
    bruker = Bruker.objects.select_for_update().get(pk=bruker.pk)
    if bruker.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can change a superuser."))
    if bruker.pk == actor.pk:
        errors = {}
        if not is_active:
            errors["is_active"] = _("Active: you cannot deactivate your own account.")
        if rolle != BrukerRolle.ADMINISTRATOR:
            errors["rolle"] = _("Role: you cannot remove your own administrator role.")
        if errors:
            raise ValidationError(errors)
    if organisasjon is None:
        raise ValidationError({"organisasjon": _("Organisation: choose an organisation.")})
    changed = []
    # (field, current value, new value, what to set); the organisation compares by id.
    updates: tuple[tuple[str, object, object, object], ...] = (
        ("rolle", bruker.rolle, rolle, rolle),
        ("organisasjon", bruker.organisasjon_id, organisasjon.pk, organisasjon),
        ("is_active", bruker.is_active, is_active, is_active),
    )
    for attr, old, new, value in updates:
        if old != new:
            setattr(bruker, attr, value)
            field = Bruker._meta.get_field(attr)
            assert isinstance(field, Field)  # all three are concrete fields
            # The admin translates these labels when it shows the log, so store the msgid.
            with translation.override("en"):
                changed.append(str(field.verbose_name))
    if not changed:
        return bruker
    bruker.full_clean()
    bruker.save(update_fields=["rolle", "organisasjon", "is_active"])
    _log(
        actor=actor,
        bruker=bruker,
        flag=CHANGE,
        change_message=[{"changed": {"fields": changed}}],
    )
    return bruker


@transaction.atomic
def bruker_invitation_resend(*, actor, bruker: Bruker, request_base_url: str) -> Bruker:
    """Email a fresh invitation link to an active user who has not chosen a password yet.

    Raises PermissionDenied unless the actor has partnerskap.manage_users, and ValidationError
    when the user already has a password (they can use "Forgot your password?") or is
    deactivated."""
    _check_manage_users(actor)
    if bruker.has_usable_password():
        raise ValidationError(
            _("%(email)s has already chosen a password; no invitation was sent.")
            % {"email": bruker.email}
        )
    if not bruker.is_active:
        raise ValidationError(
            _("%(email)s is deactivated; activate the user before inviting again.")
            % {"email": bruker.email}
        )
    _log(
        actor=actor,
        bruker=bruker,
        flag=CHANGE,
        change_message=[{"changed": {"fields": [gettext_noop("invitation")]}}],
    )
    _send_invitation(actor=actor, bruker=bruker, request_base_url=request_base_url)
    return bruker
