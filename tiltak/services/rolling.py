"""Rolling (rullering): the next period's programme made from the current one in one step, and
the planner's outcome (utfall) for every tiltak that was carried over.

What the outcomes do to the tiltak in the NEW version:

* ``viderefoert`` (continued) and ``endret`` (changed) keep the tiltak in the new programme.
* ``slaatt_sammen`` (merged into another), ``avsluttet`` (concluded) and ``utgaatt`` (dropped)
  take it out of the new programme: it is soft-deleted with the outcome as the reason, so it no
  longer appears in the programme, search, export or hearing, but the record, its link to the
  predecessor and its history stay. This is what a planner expects from "this measure does not
  continue", and it keeps the new programme clean without a second step per tiltak.
* The choice is reversible on the outcome page, which lists these tiltak too: choosing
  continued/changed (or "not marked") again restores the tiltak, unless its number has been
  taken by another tiltak in the meantime (then the planner is told to renumber first).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import ServiceError

from ..models import (
    MAX_YEAR,
    MIN_YEAR,
    NAME_MAX_LENGTH,
    Handlingsprogram,
    ProgramStatus,
    Tiltak,
    Utfall,
)
from .common import check_perm, composed_reason, save_with_actor
from .copying import copy_tree
from .tiltak import lock_parent

# Outcomes that take the tiltak out of the new programme (soft delete with the outcome as reason).
REMOVING_OUTCOMES = frozenset({Utfall.SLAATT_SAMMEN, Utfall.AVSLUTTET, Utfall.UTGAATT})


def _validate_period(*, programme: Handlingsprogram, navn: str, start_aar, slutt_aar) -> None:
    errors: dict[str, str] = {}
    if not navn:
        errors["navn"] = _("Name: enter a name for the new programme.")
    elif len(navn) > NAME_MAX_LENGTH:
        errors["navn"] = _("Name: at most 255 characters.")
    for field, value, label in (
        ("start_aar", start_aar, _("From year")),
        ("slutt_aar", slutt_aar, _("To year")),
    ):
        if not isinstance(value, int) or isinstance(value, bool):
            errors[field] = _("%(field)s: enter a year.") % {"field": label}
        elif not MIN_YEAR <= value <= MAX_YEAR:
            errors[field] = _("%(field)s: enter a year between %(min)s and %(max)s.") % {
                "field": label,
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
    if errors:
        raise ValidationError(errors)
    if slutt_aar < start_aar:
        raise ValidationError({"slutt_aar": _("To year: the period cannot end before it starts.")})
    if start_aar <= programme.slutt_aar:
        raise ValidationError(
            {
                "start_aar": _(
                    "From year: the new period must start after the period it is rolled from "
                    "(%(periode)s), so from %(first)s or later."
                )
                % {"periode": programme.periode, "first": programme.slutt_aar + 1}
            }
        )
    if Handlingsprogram.objects.filter(
        navn=navn, start_aar=start_aar, slutt_aar=slutt_aar
    ).exists():
        raise _taken(navn, start_aar, slutt_aar)


def _taken(navn: str, start_aar: int, slutt_aar: int) -> ValidationError:
    return ValidationError(
        {
            "navn": _("Name: a programme called “%(navn)s” for %(start)s–%(slutt)s already exists.")
            % {"navn": navn, "start": start_aar, "slutt": slutt_aar}
        }
    )


@transaction.atomic
def programme_roll(
    *,
    actor,
    programme: Handlingsprogram,
    start_aar: int,
    slutt_aar: int,
    navn: str | None = None,
) -> Handlingsprogram:
    """Create the next period's programme from `programme`, in one transaction.

    The new programme is a draft with `forrige_versjon` = the source, the same owner, plans,
    level name, subtitle and description. Every tema, delmål, satsingsområde and (not deleted)
    tiltak is copied with `forgjenger` pointing to its original; the responsibilities (Ansvar)
    are copied with their order and text as written. Tiltak keep their numbers; their version
    starts at 1 and the outcome is left unmarked. A tiltak whose years were exactly the old
    period gets the new period; other years (longer or shorter runs) are kept as they were.
    Every new row gets a history row by `actor`. The source is not changed.

    Refuses (ValidationError naming the field) a period that is not after the source's, and a
    name + period that already exists. Needs `tiltak.roll_programme` on the source.
    """
    check_perm(actor, "tiltak.roll_programme", programme)
    # Two rolls of one programme at the same moment (a double click, two planners) take turns
    # here, so the second sees the first's programme and is refused by the check below.
    lock_parent(programme)
    navn = (navn if navn is not None else programme.navn).strip()
    _validate_period(programme=programme, navn=navn, start_aar=start_aar, slutt_aar=slutt_aar)
    # Not the source's name: the new version may be published while the source stays a draft,
    # and history reasons are shown to everyone who may read the new version.
    reason = _("Rolled from the previous version (%(period)s)") % {"period": programme.periode}

    new = Handlingsprogram(
        navn=navn,
        undertittel=programme.undertittel,
        start_aar=start_aar,
        slutt_aar=slutt_aar,
        eier_id=programme.eier_id,
        status=ProgramStatus.UTKAST,
        forrige_versjon=programme,
        nivaa_betegnelse=programme.nivaa_betegnelse,
        beskrivelse=programme.beskrivelse,
    )
    try:
        with transaction.atomic():
            save_with_actor(new, actor=actor, reason=reason)
    except IntegrityError as exc:
        # Rolled from another programme to the same name and period at the same moment.
        raise _taken(navn, start_aar, slutt_aar) from exc
    new.planer.set(programme.planer.all())

    copy_tree(source=programme, target=new, actor=actor, reason=reason)
    return new


def _outcome_reason(utfall: str, target: Tiltak | None) -> str:
    if utfall == Utfall.SLAATT_SAMMEN and target is not None:
        return _("Outcome of rolling: merged into %(tiltak)s") % {"tiltak": target}
    return _("Outcome of rolling: %(utfall)s") % {"utfall": Utfall(utfall).label}


@transaction.atomic
def tiltak_set_utfall(
    *, actor, tiltak: Tiltak, utfall: str, slaatt_sammen_med: Tiltak | None = None
) -> Tiltak:
    """Mark what became of a rolled tiltak in the new version (`utfall`, "" = not marked).

    Only for tiltak rolled from a predecessor. `slaatt_sammen` needs `slaatt_sammen_med`: another
    active tiltak of the same programme that itself continues (not merged, concluded or dropped);
    other outcomes take no target. Merged, concluded and dropped tiltak are soft-deleted with the
    outcome as the reason; another outcome restores them (see the module docstring). A tiltak that
    others are merged into cannot itself be taken out. The version is raised, so an edit form
    opened before this change is refused rather than overwriting it. Needs
    `tiltak.edit_structure` on the programme.
    """
    # The row as it is now, locked: this service changes only its outcome fields.
    current = (
        Tiltak.alle.select_for_update()
        .select_related("program", "tema")
        .filter(pk=tiltak.pk)
        .first()
    )
    if current is None:
        raise ServiceError(_("The measure no longer exists."))
    check_perm(actor, "tiltak.edit_structure", current.program)

    if utfall not in Utfall.values and utfall != "":
        raise ValidationError({"utfall": _("Outcome: choose one of the outcomes in the list.")})
    if current.forgjenger_id is None:
        raise ValidationError(
            {
                "utfall": _(
                    "Outcome: this measure was not rolled from an earlier version, so it has "
                    "no outcome."
                )
            }
        )
    if current.slettet and current.utfall not in REMOVING_OUTCOMES:
        raise ServiceError(
            _("The measure was deleted (%(reason)s); restore it before marking its outcome.")
            % {"reason": current.slettet_grunn}
        )

    target = None
    if utfall == Utfall.SLAATT_SAMMEN:
        if slaatt_sammen_med is None:
            raise ValidationError(
                {"slaatt_sammen_med": _("Merged into: choose the measure it was merged into.")}
            )
        target = Tiltak.objects.select_related("tema").filter(pk=slaatt_sammen_med.pk).first()
        if target is None or target.program_id != current.program_id:
            raise ValidationError(
                {
                    "slaatt_sammen_med": _(
                        "Merged into: choose a measure of the same programme that has not "
                        "been deleted."
                    )
                }
            )
        if target.pk == current.pk:
            raise ValidationError(
                {"slaatt_sammen_med": _("Merged into: a measure cannot be merged into itself.")}
            )
        if target.utfall in REMOVING_OUTCOMES:
            raise ValidationError(
                {
                    "slaatt_sammen_med": _(
                        "Merged into: %(tiltak)s does not continue (%(utfall)s); choose a "
                        "measure that does."
                    )
                    % {"tiltak": target, "utfall": target.get_utfall_display()}
                }
            )
    elif slaatt_sammen_med is not None:
        raise ValidationError(
            {
                "slaatt_sammen_med": _(
                    "Merged into: only a measure marked as merged names another measure."
                )
            }
        )

    removing = utfall in REMOVING_OUTCOMES
    if removing:
        merged_into_this = Tiltak.alle.filter(
            slaatt_sammen_med=current, utfall=Utfall.SLAATT_SAMMEN
        ).exclude(pk=current.pk)
        if merged_into_this.exists():
            raise ValidationError(
                {
                    "utfall": _(
                        "Outcome: %(count)s other measure(s) are merged into this one; mark "
                        "them differently first."
                    )
                    % {"count": merged_into_this.count()}
                }
            )
    elif current.slettet is not None and current.nummer is not None:
        taken = Tiltak.objects.filter(tema_id=current.tema_id, nummer=current.nummer).exclude(
            pk=current.pk
        )
        if taken.exists():
            raise ValidationError(
                {
                    "utfall": _(
                        "Outcome: the measure cannot come back, because number %(nummer)s is "
                        "now used by another measure. Renumber that one first."
                    )
                    % {"nummer": current.nummer_visning}
                }
            )

    unchanged = (
        current.utfall == utfall
        and current.slaatt_sammen_med_id == (target.pk if target else None)
        and (current.slettet is not None) == removing
    )
    if unchanged:
        return current  # no version bump, no history row

    current.utfall = utfall
    current.slaatt_sammen_med = target
    if removing:
        current.slettet = current.slettet or timezone.now()
        current.slettet_grunn = composed_reason(_outcome_reason(utfall, target))
    elif current.slettet is not None:
        current.slettet = None
        current.slettet_grunn = ""
    current.versjon += 1
    reason = (
        _("Outcome: %(utfall)s") % {"utfall": Utfall(utfall).label}
        if utfall
        else _("Outcome cleared")
    )
    save_with_actor(current, actor=actor, reason=composed_reason(reason))
    return current


BULK_OUTCOMES = (Utfall.VIDEREFOERT, Utfall.ENDRET, Utfall.AVSLUTTET, Utfall.UTGAATT)


@transaction.atomic
def tiltak_set_utfall_bulk(
    *, actor, programme: Handlingsprogram, utfall: str, tema_id: int | None = None
) -> int:
    """Mark every rolled tiltak of `programme` that has no outcome yet (optionally only in one
    tema) with `utfall`, each as `tiltak_set_utfall` would, all or nothing. Merging needs a
    target per tiltak, so it is not offered in bulk. Returns the number marked."""
    check_perm(actor, "tiltak.edit_structure", programme)
    if utfall not in BULK_OUTCOMES:
        raise ValidationError(
            {"utfall": _("Outcome: choose continued, changed, concluded or dropped.")}
        )
    rows = Tiltak.objects.filter(program=programme, forgjenger__isnull=False, utfall="")
    if tema_id is not None:
        rows = rows.filter(tema_id=tema_id)
    marked = 0
    for tiltak in rows.order_by("tema__nummer", "nummer", "id"):
        tiltak_set_utfall(actor=actor, tiltak=tiltak, utfall=utfall)
        marked += 1
    return marked
