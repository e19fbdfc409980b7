"""The planner's side of a hearing round: create and edit the round, open it (the programme goes
«på høring» through the workflow service, invitations go out), the høringsliste (invitees with
contact email and language), invitation emails and reminders (django-tasks tasks in
hoering/tasks.py), and extensions of the deadline for one organisation.

Every service is keyword-only with the acting user first, runs in one transaction, checks
`hoering.manage_hoering` itself and follows the error contract of partnerskap/errors.py:
PermissionDenied, ValidationError keyed by field, ServiceError with a sentence for the user,
Conflict (409) for a stale version. Times come from `timezone.now()`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import Conflict, ServiceError
from partnerskap.models import Bruker, Gruppemedlemskap, Organisasjon
from tiltak.models import Handlingsprogram, ProgramStatus
from tiltak.services.common import (
    check_perm,
    checked_reason,
    delete_with_actor,
    validated_save,
)
from tiltak.services.workflow import programme_transition

from ..deadlines import format_deadline, frist_for
from ..models import (
    Fristutsettelse,
    Hoering,
    Hoeringssvar,
    Invitasjon,
    Paaminnelse,
    SvarStatus,
)
from ..models.hoering import Spraak

log = logging.getLogger(__name__)

MANAGE = "hoering.manage_hoering"
HOERING_FIELDS = ("tittel", "innledning", "aapner", "frist", "aapen_for_alle", "publiser_svar")
# Reminders N days before the (possibly extended) deadline, unless the command is told others.
DEFAULT_REMINDER_DAYS = (7, 2)


class HoeringConflict(Conflict):
    """Someone saved the hearing after the editor loaded it; nothing was written."""

    def __init__(self, *, current: Hoering):
        self.current = current
        super().__init__(
            _(
                "Someone else saved this hearing while you were editing it. Nothing was saved. "
                "Reload the page to see their changes, then save again."
            )
        )

    def body(self) -> dict:
        return {"detail": str(self), "versjon": self.current.versjon}


def _check_dates(aapner: datetime | None, frist: datetime | None) -> None:
    errors = {}
    if aapner is None:
        errors["aapner"] = _("Opens: give a date and a time.")
    if frist is None:
        errors["frist"] = _("Deadline: give a date and a time.")
    if aapner and frist and frist <= aapner:
        errors["frist"] = _("Deadline: must be after the opening time.")
    if errors:
        raise ValidationError(errors)


# --- The round -------------------------------------------------------------------------------


@transaction.atomic
def hoering_create(
    *,
    actor,
    programme: Handlingsprogram,
    tittel: str,
    aapner: datetime,
    frist: datetime,
    innledning: str = "",
    aapen_for_alle: bool = False,
    publiser_svar: bool = True,
) -> Hoering:
    """A new hearing round on `programme`, not opened yet (only planners see it)."""
    check_perm(actor, MANAGE, Hoering(program=programme))
    _check_dates(aapner, frist)
    hoering = Hoering(
        program=programme,
        tittel=(tittel or "").strip(),
        innledning=innledning or "",
        aapner=aapner,
        frist=frist,
        aapen_for_alle=aapen_for_alle,
        publiser_svar=publiser_svar,
        opprettet=timezone.now(),
        opprettet_av=actor,
    )
    return validated_save(hoering, actor=actor)


@transaction.atomic
def hoering_update(*, actor, hoering: Hoering, expected_versjon: int, **fields) -> Hoering:
    """Change the round's fields (HOERING_FIELDS) if nobody saved it since version
    `expected_versjon` (otherwise HoeringConflict). Once opened, the opening time can no longer
    change, and the deadline can only move later while it has not passed (a ServiceError
    otherwise): partners plan their answer on it."""
    unknown = set(fields) - set(HOERING_FIELDS)
    if unknown:
        raise TypeError(f"hoering_update: fields not editable here: {sorted(unknown)}")
    current = Hoering.objects.select_for_update().select_related("program").get(pk=hoering.pk)
    check_perm(actor, MANAGE, current)
    if current.versjon != expected_versjon:
        raise HoeringConflict(current=current)
    now = timezone.now()
    if current.aapnet is not None:
        if "aapner" in fields and fields["aapner"] != current.aapner:
            raise ServiceError(_("The hearing is open: its opening time can no longer change."))
        if "frist" in fields and fields["frist"] != current.frist:
            if current.frist_passert(now):
                raise ServiceError(
                    _(
                        "The deadline has passed and can no longer change. Give the "
                        "organisations that need more time an extension instead."
                    )
                )
            if fields["frist"] < current.frist:
                raise ServiceError(
                    _(
                        "The hearing is open: its deadline can be moved later, not earlier "
                        "(the invitees plan their answer on it)."
                    )
                )
    for name, value in fields.items():
        if name == "tittel":
            value = (value or "").strip()
        setattr(current, name, value)
    _check_dates(current.aapner, current.frist)
    current.versjon += 1
    return validated_save(current, actor=actor)


@transaction.atomic
def hoering_open(*, actor, hoering: Hoering, base_url: str) -> Hoering:
    """Open the round: the programme moves to «på høring» through the workflow service (a
    programme already on hearing stays so), `aapnet` is set, and every invitee not yet sent an
    invitation gets one. Refused with a ServiceError when the round is already open, when the
    deadline has passed, when the høringsliste is empty and the round is not open to all, or
    when the programme cannot go on hearing (adopted, archived: the workflow's reason)."""
    current = Hoering.objects.select_for_update().select_related("program").get(pk=hoering.pk)
    check_perm(actor, MANAGE, current)
    now = timezone.now()
    if current.aapnet is not None:
        raise ServiceError(
            _("The hearing was already opened on %(when)s.")
            % {"when": format_deadline(current.aapnet)}
        )
    if current.frist <= now:
        raise ServiceError(
            _("The deadline (%(deadline)s) has passed: move it later before opening the hearing.")
            % {"deadline": format_deadline(current.frist)}
        )
    if not current.aapen_for_alle and not current.invitasjoner.exists():
        raise ServiceError(
            _("Add at least one organisation to the hearing list before opening the hearing.")
        )
    programme = current.program
    if programme.status != ProgramStatus.PAA_HOERING:
        try:
            programme_transition(
                actor=actor, programme=programme, to_status=ProgramStatus.PAA_HOERING
            )
        except ValidationError as exc:
            raise ServiceError(
                _(
                    "The programme cannot go on hearing from “%(status)s”: %(why)s Change its "
                    "status first."
                )
                % {"status": programme.get_status_display(), "why": " ".join(exc.messages)}
            ) from exc
    current.aapnet = now
    current.aapnet_av = actor
    current.versjon += 1
    validated_save(current, actor=actor, reason=_("Hearing opened"))
    for inv in current.invitasjoner.filter(sendt__isnull=True):
        _enqueue_invitation(inv, base_url=base_url)
    return current


def hoering_delete(*, actor, hoering: Hoering) -> None:
    """Delete a round that was never opened (an opened one is the record of a hearing)."""
    with transaction.atomic():
        current = Hoering.objects.select_for_update().get(pk=hoering.pk)
        check_perm(actor, MANAGE, current)
        if current.aapnet is not None:
            raise ServiceError(_("An opened hearing cannot be deleted."))
        current.invitasjoner.all().delete()
        delete_with_actor(current, actor=actor)


# --- The høringsliste -----------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _enqueue_invitation(inv: Invitasjon, *, base_url: str) -> None:
    from ..tasks import send_invitation

    send_invitation.enqueue(inv.pk, base_url)


def _check_open_list(hoering: Hoering) -> None:
    if hoering.aapnet is not None and hoering.frist_passert():
        raise ServiceError(_("The deadline has passed: the hearing list can no longer change."))


@transaction.atomic
def invitasjon_add(
    *,
    actor,
    hoering: Hoering,
    organisasjon: Organisasjon,
    epost: str,
    spraak: str = Spraak.BOKMAAL,
    base_url: str = "",
) -> Invitasjon:
    """Put `organisasjon` on the høringsliste with its contact email and the language of its
    invitation. On an opened round the invitation goes out at once."""
    check_perm(actor, MANAGE, hoering)
    _check_open_list(hoering)
    if Invitasjon.objects.filter(hoering=hoering, organisasjon=organisasjon).exists():
        raise ValidationError(
            {
                "organisasjon": _("Organisation: %(org)s is already on the hearing list.")
                % {"org": organisasjon.navn}
            }
        )
    inv = Invitasjon(
        hoering=hoering,
        organisasjon=organisasjon,
        epost=(epost or "").strip(),
        spraak=spraak,
        token=new_token(),
    )
    validated_save(inv, actor=actor)
    if hoering.aapnet is not None:
        _enqueue_invitation(inv, base_url=base_url)
    return inv


@dataclass
class BulkResult:
    added: list[Invitasjon] = field(default_factory=list)
    already: list[Organisasjon] = field(default_factory=list)
    no_email: list[Organisasjon] = field(default_factory=list)


def known_contact_emails(organisasjon_ids) -> dict[int, str]:
    """A contact email per organisation, where one is known: the newest one it was invited
    with before, else the address of its first active user (two queries)."""
    ids = list(organisasjon_ids)
    emails: dict[int, str] = {}
    for org_id, epost in (
        Invitasjon.objects.filter(organisasjon_id__in=ids)
        .order_by("organisasjon_id", "-id")
        .values_list("organisasjon_id", "epost")
    ):
        emails.setdefault(org_id, epost)
    for org_id, epost in (
        Bruker.objects.filter(organisasjon_id__in=ids, is_active=True)
        .order_by("organisasjon_id", "id")
        .values_list("organisasjon_id", "email")
    ):
        emails.setdefault(org_id, epost)
    return emails


def group_members(gruppe: Organisasjon) -> list[Organisasjon]:
    """Every organisation in `gruppe`, through nested groups too, groups themselves left out."""
    children: dict[int, list[int]] = {}
    for g, m in Gruppemedlemskap.objects.values_list("gruppe_id", "medlem_id"):
        children.setdefault(g, []).append(m)
    seen: set[int] = set()
    stack = [gruppe.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return list(Organisasjon.objects.filter(pk__in=seen, er_gruppe=False).order_by("navn"))


@transaction.atomic
def invitasjoner_add_many(
    *,
    actor,
    hoering: Hoering,
    organisasjoner: list[Organisasjon],
    spraak: str = Spraak.BOKMAAL,
    base_url: str = "",
) -> BulkResult:
    """Put many organisations on the list at once (all regional councils, a group's members)
    with the contact email known for each (`known_contact_emails`). Organisations already on
    the list and those without a known email are left out and reported, not guessed."""
    check_perm(actor, MANAGE, hoering)
    _check_open_list(hoering)
    result = BulkResult()
    on_list = set(hoering.invitasjoner.values_list("organisasjon_id", flat=True))
    emails = known_contact_emails(o.pk for o in organisasjoner)
    for org in organisasjoner:
        if org.pk in on_list:
            result.already.append(org)
        elif org.pk not in emails:
            result.no_email.append(org)
        else:
            inv = Invitasjon(
                hoering=hoering,
                organisasjon=org,
                epost=emails[org.pk],
                spraak=spraak,
                token=new_token(),
            )
            validated_save(inv, actor=actor)
            on_list.add(org.pk)
            result.added.append(inv)
    if hoering.aapnet is not None:
        for inv in result.added:
            _enqueue_invitation(inv, base_url=base_url)
    return result


@transaction.atomic
def invitasjon_update(
    *, actor, invitasjon: Invitasjon, epost: str | None = None, spraak: str | None = None
) -> Invitasjon:
    """Change the contact email or the language (the next email uses them; resend to send
    now)."""
    check_perm(actor, MANAGE, invitasjon.hoering)
    if epost is not None:
        invitasjon.epost = epost.strip()
    if spraak is not None:
        invitasjon.spraak = spraak
    return validated_save(invitasjon, actor=actor)


@transaction.atomic
def invitasjon_remove(*, actor, invitasjon: Invitasjon) -> None:
    """Take an organisation off the list. Refused once it has started answering (its answer
    is kept and its invitation with it)."""
    check_perm(actor, MANAGE, invitasjon.hoering)
    _check_open_list(invitasjon.hoering)
    if Hoeringssvar.objects.filter(
        hoering_id=invitasjon.hoering_id, organisasjon_id=invitasjon.organisasjon_id
    ).exists():
        raise ServiceError(
            _("%(org)s has started an answer, so it stays on the hearing list.")
            % {"org": invitasjon.organisasjon.navn}
        )
    delete_with_actor(invitasjon, actor=actor)


def invitasjon_resend(*, actor, invitasjon: Invitasjon, base_url: str) -> Invitasjon:
    """Send the invitation again (same personal link) to the current contact email."""
    check_perm(actor, MANAGE, invitasjon.hoering)
    if invitasjon.hoering.aapnet is None:
        raise ServiceError(
            _("The hearing is not open yet: the invitations go out when it is opened.")
        )
    _enqueue_invitation(invitasjon, base_url=base_url)
    invitasjon.refresh_from_db()
    return invitasjon


# --- Extensions ------------------------------------------------------------------------------


@transaction.atomic
def fristutsettelse_give(
    *, actor, hoering: Hoering, organisasjon: Organisasjon, ny_frist: datetime, grunn: str
) -> Fristutsettelse:
    """Give `organisasjon` a later deadline, with a reason. A second extension for the same
    organisation replaces the first; the earlier ones stay in the history. The new deadline
    must be after the hearing's own deadline and in the future."""
    check_perm(actor, MANAGE, hoering)
    grunn = checked_reason((grunn or "").strip(), field="grunn")
    errors = {}
    if not grunn:
        errors["grunn"] = _("Reason: say why the organisation gets more time.")
    if ny_frist is None:
        errors["ny_frist"] = _("New deadline: give a date and a time.")
    elif ny_frist <= hoering.frist:
        errors["ny_frist"] = _("New deadline: must be after the hearing’s deadline (%(d)s).") % {
            "d": format_deadline(hoering.frist)
        }
    elif ny_frist <= timezone.now():
        errors["ny_frist"] = _("New deadline: must be in the future.")
    if errors:
        raise ValidationError(errors)
    if hoering.aapnet is None:
        raise ServiceError(_("Open the hearing before giving extensions."))
    if (
        not hoering.aapen_for_alle
        and not hoering.invitasjoner.filter(organisasjon=organisasjon).exists()
    ):
        raise ValidationError(
            {
                "organisasjon": _("Organisation: %(org)s is not on the hearing list.")
                % {"org": organisasjon.navn}
            }
        )
    utsettelse = (
        Fristutsettelse.objects.select_for_update()
        .filter(hoering=hoering, organisasjon=organisasjon)
        .first()
    ) or Fristutsettelse(hoering=hoering, organisasjon=organisasjon)
    utsettelse.ny_frist = ny_frist
    utsettelse.grunn = grunn
    utsettelse.gitt_av = actor
    utsettelse.gitt = timezone.now()
    return validated_save(utsettelse, actor=actor, reason=grunn)


@transaction.atomic
def fristutsettelse_remove(*, actor, utsettelse: Fristutsettelse, grunn: str = "") -> None:
    check_perm(actor, MANAGE, utsettelse.hoering)
    delete_with_actor(utsettelse, actor=actor, reason=grunn)


# --- Reminders -------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    sent: list[tuple[int, int]] = field(default_factory=list)  # (invitation id, days)
    skipped: int = 0  # already sent (by an earlier run, or another server at the same time)


def reminders_due(*, days: list[int], now: datetime | None = None):
    """(invitation, days) for every invitee of a running round without a submitted answer
    whose (possibly extended) deadline is at most `days` away: the smallest such number of
    days, so a first run one day before the deadline sends one reminder, not two."""
    now = now or timezone.now()
    days = sorted({d for d in days if d > 0})
    if not days:
        return []
    horizon = now + timedelta(days=max(days))
    invitations = list(
        Invitasjon.objects.filter(hoering__aapnet__isnull=False, hoering__aapner__lte=now)
        .select_related("hoering", "organisasjon")
        .order_by("id")
    )
    submitted = set(
        Hoeringssvar.objects.filter(
            status=SvarStatus.INNSENDT, hoering_id__in={i.hoering_id for i in invitations}
        ).values_list("hoering_id", "organisasjon_id")
    )
    extensions = {
        (u.hoering_id, u.organisasjon_id): u.ny_frist
        for u in Fristutsettelse.objects.filter(hoering_id__in={i.hoering_id for i in invitations})
    }
    due = []
    for inv in invitations:
        if (inv.hoering_id, inv.organisasjon_id) in submitted:
            continue
        deadline = max(
            inv.hoering.frist,
            extensions.get((inv.hoering_id, inv.organisasjon_id), inv.hoering.frist),
        )
        if not (now < deadline <= horizon):
            continue
        left = deadline - now
        first = next((d for d in days if left <= timedelta(days=d)), None)
        if first is not None:
            due.append((inv, first, deadline))
    return due


def reminders_send(*, days: list[int], base_url: str, now: datetime | None = None) -> ReminderRun:
    """Send the reminders that are due (`reminders_due`). Each is recorded first, by inserting
    its Paaminnelse row under the unique constraint (invitation, days) in a transaction of its
    own, and only sent when that insert succeeded: a second run, or another server running at
    the same moment, fails the insert (IntegrityError, or waits for the first and then fails)
    and skips it. Reminders with a smaller number of days for the same invitation count as
    sent too. If the email cannot be handed over, the row is removed so the next run tries
    again. A system job: no acting user."""
    from ..tasks import send_reminder

    run = ReminderRun()
    for inv, d, _deadline in reminders_due(days=days, now=now):
        # A reminder closer to the deadline was already sent: this one is overtaken. The same
        # reminder is not looked up first: the unique insert below is the one check, so that
        # a second run and a parallel server take the same path.
        if Paaminnelse.objects.filter(invitasjon=inv, dager_foer_frist__lt=d).exists():
            continue
        try:
            with transaction.atomic():
                row = Paaminnelse.objects.create(
                    invitasjon=inv, dager_foer_frist=d, sendt=now or timezone.now()
                )
        except IntegrityError:
            run.skipped += 1
            continue
        try:
            send_reminder.enqueue(inv.pk, d, base_url)
        except Exception:
            row.delete()
            log.exception("reminder for invitation %s could not be queued", inv.pk)
            raise
        run.sent.append((inv.pk, d))
    return run


def deadline_for(hoering: Hoering, organisasjon_id: int) -> datetime:
    return frist_for(hoering, organisasjon_id)
