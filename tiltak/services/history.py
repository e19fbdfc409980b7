"""Restoring an earlier version of a tiltak: its fields and its responsibilities, as a new
change that is itself recorded in the history."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partnerskap.models import Organisasjon

from ..models import Ansvar, Tiltak
from .common import check_perm, composed_reason, save_with_actor, stamp_history

# The history row the demo loader (tiltak/demo.py) adds to every tiltak once its parties are
# in: the first complete state, and so the first restore point. Stored as data, in Norwegian.
BASELINE_REASON = "Innlest fra kilden"
# A baseline row: made by the loader (no user) with that reason.
BASELINE = Q(history_change_reason=BASELINE_REASON, history_user__isnull=True)

# Fields a restore leaves alone: identity, the concurrency counter (raised instead), the
# programme (a tiltak never changes programme) and deletion (restoring a deleted tiltak is a
# separate matter).
NOT_RESTORED = frozenset({"id", "versjon", "program", "slettet", "slettet_grunn"})


def restore_reason(when) -> str:
    return composed_reason(
        _("Restored the version of %(date)s")
        % {"date": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")}
    )


def parties_as_of(*, tiltak_id: int, when) -> list:
    """The tiltak's Ansvar rows as they were at `when` (Ansvar.history.as_of, made
    deterministic when two rows of one party share a timestamp)."""
    latest = {}
    rows = Ansvar.history.filter(tiltak_id=tiltak_id, history_date__lte=when).order_by(
        "history_date", "history_id"
    )
    for row in rows:
        latest[row.id] = row
    return [row for row in latest.values() if row.history_type != "-"]


@transaction.atomic
def tiltak_restore(
    *, actor, tiltak: Tiltak, history_id: int, remove_every_party: bool = False
) -> Tiltak:
    """Bring the tiltak's fields and its responsibilities back to the version recorded in
    history row `history_id`.

    The restore is a new change: the tiltak's `versjon` is raised, and every touched row gets
    a history row by `actor` with the reason "Restored the version of <date>". Needs
    `tiltak.edit_structure` (so not in an adopted or archived programme). Raises
    ValidationError when the row is not a version of this tiltak, when the tiltak or that
    version is deleted, or when the version no longer fits (its theme, sub-goal or priority
    area is gone, its number is taken, an organisation was removed); nothing changes then.

    A version without parties, restored over a tiltak that has some, would remove every one
    of them (a tiltak's first row is saved before its parties are added): refused with a
    ValidationError on `remove_every_party` unless that is True."""
    current = Tiltak.alle.select_for_update().get(pk=tiltak.pk)
    # Checked on the row as it is now: the caller's object may hold a stale programme status.
    check_perm(actor, "tiltak.edit_structure", current)
    try:
        record = Tiltak.history.get(history_id=history_id, id=current.pk)
    except (Tiltak.history.model.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError(
            {"history_id": _("Version: no such version of this measure.")}
        ) from exc
    if current.slettet is not None:
        raise ValidationError({"history_id": _("Version: the measure is deleted.")})
    if record.history_type == "-" or record.slettet is not None:
        raise ValidationError(
            {
                "history_id": _(
                    "Version: a version in which the measure was deleted cannot be restored."
                )
            }
        )

    reason = restore_reason(record.history_date)
    for f in Tiltak._meta.concrete_fields:
        if f.name in NOT_RESTORED:
            continue
        setattr(current, f.attname, getattr(record, f.attname))
    for name in ("tema", "delmaal", "satsingsomraade", "forgjenger", "slaatt_sammen_med"):
        fk = Tiltak._meta.get_field(name)
        assert isinstance(fk, models.ForeignKey)
        value = getattr(current, fk.attname)
        related = fk.related_model
        assert isinstance(related, type) and issubclass(related, models.Model)
        manager = Tiltak.alle if related is Tiltak else related._default_manager
        if value is not None and not manager.filter(pk=value).exists():
            raise ValidationError(
                {
                    name: _("%(field)s: it no longer exists, so this version cannot be restored.")
                    % {"field": str(f.verbose_name).capitalize()}
                }
            )

    if (
        current.nummer is not None
        and Tiltak.objects.filter(tema_id=current.tema_id, nummer=current.nummer)
        .exclude(pk=current.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "nummer": _(
                    "Number: %(number)s is now used by another measure in the theme, so this "
                    "version cannot be restored."
                )
                % {"number": current.nummer}
            }
        )

    _restore_parties(
        actor=actor,
        tiltak=current,
        when=record.history_date,
        reason=reason,
        remove_every_party=remove_every_party,
    )

    current.versjon += 1
    save_with_actor(current, actor=actor, reason=reason)
    tiltak.refresh_from_db()
    return current


def _restore_parties(*, actor, tiltak: Tiltak, when, reason: str, remove_every_party: bool) -> None:
    target = {
        (row.organisasjon_id, row.rolle): row
        for row in parties_as_of(tiltak_id=tiltak.pk, when=when)
    }
    current = {(a.organisasjon_id, a.rolle): a for a in Ansvar.objects.filter(tiltak=tiltak)}
    if current and not target and not remove_every_party:
        raise ValidationError(
            {
                "remove_every_party": _(
                    "Responsibility: this version has no parties, so restoring it removes every "
                    "party of the measure (%(count)d). Confirm that they are to be removed."
                )
                % {"count": len(current)}
            }
        )
    missing = {org_id for org_id, _rolle in target} - set(
        Organisasjon.objects.filter(pk__in={org_id for org_id, _rolle in target}).values_list(
            "pk", flat=True
        )
    )
    if missing:
        raise ValidationError(
            {
                "ansvar": _(
                    "Responsibility: an organisation of this version has been removed from the "
                    "registry."
                )
            }
        )
    for key, gone in current.items():
        if key not in target:
            stamp_history(gone, actor=actor, reason=reason)
            gone.delete()
    for key, row in target.items():
        ansvar: Ansvar | None = current.get(key)
        if ansvar is None:
            ansvar = Ansvar(tiltak=tiltak, organisasjon_id=row.organisasjon_id, rolle=row.rolle)
        elif (ansvar.rekkefoelge, ansvar.tekst_som_skrevet) == (
            row.rekkefoelge,
            row.tekst_som_skrevet,
        ):
            continue
        ansvar.rekkefoelge = row.rekkefoelge
        ansvar.tekst_som_skrevet = row.tekst_som_skrevet
        save_with_actor(ansvar, actor=actor, reason=reason)
