"""A programme itself (not its tree): create one, and change its name, subtitle, description,
period, regional plans and what its top level is called. The error contract is in the package
docstring (tiltak/services).

Until now a programme could only be made by rolling one (rolling.py) or by the demo loader, and
changed only in the Django admin, which is read-only for the programme tree."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerskap.models import Organisasjon
from tiltak.models import Handlingsprogram, NivaaBetegnelse, ProgramStatus, RegionalPlan

from .common import apply_fields, check_perm, validated_save

# Fields programme_update accepts (the plans are given as `planer` / `nye_planer`). The owner,
# the status (workflow.py) and the programme it was rolled from are not among them.
PROGRAMME_FIELDS = (
    "navn",
    "undertittel",
    "beskrivelse",
    "start_aar",
    "slutt_aar",
    "nivaa_betegnelse",
)


def _plans(
    *, planer: Iterable[RegionalPlan], nye_planer: Iterable[str], eier: Organisasjon
) -> list[RegionalPlan]:
    """The plans chosen, and those named in `nye_planer` (one name each): an existing plan of
    that name is used, otherwise a new one is made, owned by the programme's owner."""
    chosen = {plan.pk: plan for plan in planer}
    for raw in nye_planer:
        name = " ".join((raw or "").split())
        if not name:
            continue
        plan = RegionalPlan.objects.filter(navn__iexact=name).first()
        if plan is None:
            plan = RegionalPlan(navn=name, eier=eier)
            try:
                plan.full_clean()
            except ValidationError as exc:
                label = _("Other regional plans, one per line")
                raise ValidationError(
                    {"nye_planer": [f"{label}: «{name[:60]}»: {m}" for m in exc.messages]}
                ) from exc
            plan.save()
        chosen[plan.pk] = plan
    return list(chosen.values())


def _check_owner(actor, eier: Organisasjon) -> None:
    if not actor.has_perm("tiltak.own_programme", eier):
        own = getattr(getattr(actor, "organisasjon", None), "navn", "")
        raise ValidationError(
            {
                "eier": _("Owner: a planner makes programmes for their own organisation (%(org)s).")
                % {"org": own or "–"}
            }
        )


@transaction.atomic
def programme_create(
    *,
    actor,
    navn: str,
    start_aar: int,
    slutt_aar: int,
    eier: Organisasjon,
    undertittel: str = "",
    beskrivelse: str = "",
    nivaa_betegnelse: str = NivaaBetegnelse.TEMA,
    planer: Iterable[RegionalPlan] = (),
    nye_planer: Iterable[str] = (),
) -> Handlingsprogram:
    """A new, empty programme in draft, owned by `eier`.

    Needs `tiltak.create_programme`; the owner must be one the actor may own programmes for
    (`tiltak.own_programme`: administrators any organisation, planners their own), else a
    ValidationError on `eier`. A name and period that already exist, or a period that ends
    before it starts, is a ValidationError naming the field. `nivaa_betegnelse` says what the
    top level is called (tema, innsatsområde, område). The creation and the plans it serves
    are recorded in the programme's history with the actor."""
    check_perm(actor, "tiltak.create_programme")
    _check_owner(actor, eier)
    programme = Handlingsprogram(
        navn=" ".join((navn or "").split()),
        undertittel=(undertittel or "").strip(),
        beskrivelse=(beskrivelse or "").strip(),
        start_aar=start_aar,
        slutt_aar=slutt_aar,
        eier=eier,
        nivaa_betegnelse=nivaa_betegnelse,
        status=ProgramStatus.UTKAST,
    )
    validated_save(programme, actor=actor)
    plans = _plans(planer=planer, nye_planer=nye_planer, eier=eier)
    if plans:
        # The programme keeps its acting user, so the history row of the plans names them too.
        programme.planer.set(plans)
    return programme


@transaction.atomic
def programme_update(
    *,
    actor,
    programme: Handlingsprogram,
    reason: str = "",
    planer: Iterable[RegionalPlan] | None = None,
    nye_planer: Iterable[str] = (),
    **fields,
) -> Handlingsprogram:
    """Change the fields named in PROGRAMME_FIELDS and, with `planer` (the whole new set) or
    `nye_planer`, the regional plans. Needs `tiltak.change_programme` (not when archived).
    One history row with the actor and `reason` records every change, the plans included;
    nothing changed, no row. Returns the programme as saved."""
    check_perm(actor, "tiltak.change_programme", programme)
    current = Handlingsprogram.objects.select_for_update().get(pk=programme.pk)
    for name in ("navn", "undertittel", "beskrivelse"):
        if name in fields:
            value = fields[name] or ""
            fields[name] = " ".join(value.split()) if name == "navn" else value.strip()
    changed = apply_fields(current, PROGRAMME_FIELDS, fields)
    plans_before = set(current.planer.values_list("pk", flat=True))
    new_plans = None
    if planer is not None or any((p or "").strip() for p in nye_planer):
        base = list(planer) if planer is not None else list(current.planer.all())
        new_plans = _plans(planer=base, nye_planer=nye_planer, eier=current.eier)
        if {p.pk for p in new_plans} == plans_before:
            new_plans = None
    if not changed and new_plans is None:
        return current
    if new_plans is not None:
        # Without a history row of its own: the save below records the plans with the fields.
        current.skip_history_when_saving = True
        try:
            current.planer.set(new_plans)
        finally:
            del current.skip_history_when_saving
    validated_save(current, actor=actor, reason=reason)
    programme.refresh_from_db()
    return current
