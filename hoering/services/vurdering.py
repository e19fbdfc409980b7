"""The planner's assessment of every input of a hearing (Standpunkt, Aktoerforslag,
Tiltaksforslag, and an answer's general remarks on Hoeringssvar — all Innspill), and the one
step from an input to the programme: a proposed tiltak becomes a tiltak, a proposed actor a
party (Ansvar), a change proposal a change of one field of the tiltak. The input keeps the
tiltak it led to (`resultat_tiltak`), shown both ways.

The programme is changed through tiltak.services only, so its rules hold: while the hearing runs
its structure is frozen (hoering.deadlines.running_hearing_lock), and an adopted programme is not
changed. Each conversion says so first (`conversion_blocked`), and refuses with a ServiceError.
Same error contract as hoering.services.runde.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon
from tiltak.extensions import structure_lock_reason
from tiltak.models import TEXT_MAX_LENGTH, Rolle, Tiltak
from tiltak.rules import LOCKED_STATUSES
from tiltak.services import ansvar as ansvar_services
from tiltak.services import tiltak as tiltak_services
from tiltak.services.common import check_perm, checked_reason, validated_save

from ..models import (
    Aktoerforslag,
    Hoeringssvar,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
    Tiltaksforslag,
    Vurdering,
)

MANAGE = "hoering.manage_hoering"
# The kinds of input, as URLs and the API name them.
KINDS = {
    "standpunkt": Standpunkt,
    "aktoerforslag": Aktoerforslag,
    "tiltaksforslag": Tiltaksforslag,
    "merknader": Hoeringssvar,
}
# Fields of a tiltak a change proposal may be applied to (text fields of TILTAK_FIELDS).
CHANGE_FIELDS = (
    "tittel",
    "beskrivelse",
    "virkemiddel",
    "forventet_resultat",
    "finansiering",
    "hovedansvar_tekst",
    "samarbeidsparter_tekst",
    "merknader",
)


def kind_of(innspill) -> str:
    for kind, model in KINDS.items():
        if isinstance(innspill, model):
            return kind
    raise TypeError(type(innspill).__name__)


def svar_of(innspill) -> Hoeringssvar:
    return innspill if isinstance(innspill, Hoeringssvar) else innspill.svar


def _check(actor, innspill) -> Hoeringssvar:
    svar = svar_of(innspill)
    check_perm(actor, MANAGE, svar.hoering)
    if svar.status != SvarStatus.INNSENDT:
        raise ServiceError(_("Only submitted answers are assessed; this one is a draft."))
    return svar


@transaction.atomic
def innspill_assess(*, actor, innspill, vurdering: str, begrunnelse: str = ""):
    """Record the planner's assessment: tatt til følge · delvis · ikke tatt til følge, with a
    reason (required unless the input is adopted as it is). An empty `vurdering` clears it."""
    _check(actor, innspill)
    begrunnelse = checked_reason((begrunnelse or "").strip(), field="vurdering_begrunnelse")
    if vurdering and vurdering not in Vurdering.values:
        raise ValidationError(
            {"vurdering": _("Assessment: choose adopted, partly adopted or not adopted.")}
        )
    if vurdering in (Vurdering.DELVIS, Vurdering.IKKE) and not begrunnelse:
        raise ValidationError(
            {
                "vurdering_begrunnelse": _(
                    "Reason: say why the input is only partly adopted or not adopted."
                )
            }
        )
    model = type(innspill)
    current = model.objects.select_for_update().get(pk=innspill.pk)
    current.vurdering = vurdering or ""
    current.vurdering_begrunnelse = begrunnelse if vurdering else ""
    current.vurdert_av = actor if vurdering else None
    current.vurdert = timezone.now() if vurdering else None
    validated_save(current, actor=actor)
    return current


def conversion_blocked(programme) -> str | None:
    """Why the programme cannot take a change from the hearing now, or None: the structure
    lock of the running hearing (until the deadline), or an adopted/archived programme."""
    reason = structure_lock_reason(programme)
    if reason:
        return _(
            "%(reason)s Proposals can be turned into measures, parties and changes after the "
            "deadline."
        ) % {"reason": reason}
    if programme.status in LOCKED_STATUSES:
        return _(
            "The programme is “%(status)s”: its structure can no longer change. Move it back "
            "to draft or on hearing first."
        ) % {"status": programme.get_status_display()}
    return None


def _refuse_if_blocked(programme) -> None:
    reason = conversion_blocked(programme)
    if reason:
        raise ServiceError(reason)


def _refuse_if_done(innspill) -> None:
    if innspill.resultat_tiltak_id:
        raise ServiceError(
            _("This input has already led to the measure “%(t)s”.")
            % {"t": innspill.resultat_tiltak}
        )


def _mark(innspill, *, actor, tiltak: Tiltak) -> None:
    innspill.resultat_tiltak = tiltak
    if not innspill.vurdering:
        innspill.vurdering = Vurdering.TATT_TIL_FOELGE
        innspill.vurdert_av = actor
        innspill.vurdert = timezone.now()
    validated_save(innspill, actor=actor)


def _joined(*parts: tuple[str, str]) -> str:
    text = "\n\n".join(f"{label}: {value.strip()}" for label, value in parts if value.strip())
    return text[:TEXT_MAX_LENGTH]


@transaction.atomic
def tiltaksforslag_to_tiltak(
    *, actor, forslag: Tiltaksforslag, tittel: str | None = None
) -> Tiltak:
    """A new tiltak from the proposal, where the proposal placed it (satsingsområde, else
    delmål, else tema), with its six answers in the tiltak's fields and the proposing
    organisation in its notes. Refused while the hearing runs, in an adopted programme, or
    when the proposal already became a tiltak."""
    forslag = Tiltaksforslag.objects.select_for_update().get(pk=forslag.pk)
    svar = _check(actor, forslag)
    _refuse_if_done(forslag)
    _refuse_if_blocked(svar.hoering.program)
    tiltak = tiltak_services.tiltak_create(
        actor=actor,
        tema=forslag.tema,
        delmaal=forslag.delmaal,
        satsingsomraade=forslag.satsingsomraade,
        tittel=(tittel or forslag.tittel).strip(),
        beskrivelse=_joined(
            (_("What"), forslag.hva),
            (_("How, and on which arenas"), forslag.hvordan),
            (_("How long-term"), forslag.langsiktighet),
        ),
        forventet_resultat=forslag.maal,
        finansiering=forslag.finansiering,
        samarbeidsparter_tekst=forslag.hvem[:TEXT_MAX_LENGTH],
        merknader=_("From the hearing input of %(org)s (%(hearing)s).")
        % {"org": svar.organisasjon.navn, "hearing": svar.hoering.tittel},
        reason=_("From the hearing input of %(org)s") % {"org": svar.organisasjon.navn},
    )
    _mark(forslag, actor=actor, tiltak=tiltak)
    return tiltak


@transaction.atomic
def aktoerforslag_to_ansvar(
    *,
    actor,
    forslag: Aktoerforslag,
    organisasjon: Organisasjon | None = None,
    rolle: str | None = None,
):
    """Add the proposed actor to the tiltak (Ansvar) in the proposed role. A proposal that
    names the actor only as written needs `organisasjon` chosen from the registry."""
    forslag = (
        Aktoerforslag.objects.select_for_update(of=("self",))
        .select_related("tiltak__program", "svar__hoering__program", "organisasjon")
        .get(pk=forslag.pk)
    )
    svar = _check(actor, forslag)
    _refuse_if_done(forslag)
    _refuse_if_blocked(svar.hoering.program)
    org = organisasjon or forslag.organisasjon
    if org is None:
        raise ValidationError(
            {
                "organisasjon": _(
                    "Organisation: the proposal names “%(name)s” as written; choose the "
                    "organisation from the registry."
                )
                % {"name": forslag.navn}
            }
        )
    rolle = rolle or forslag.rolle
    if rolle not in Rolle.values:
        raise ValidationError({"rolle": _("Role: choose lead responsibility or collaborator.")})
    ansvar = ansvar_services.ansvar_add(
        actor=actor,
        tiltak=forslag.tiltak,
        organisasjon=org,
        rolle=rolle,
        tekst_som_skrevet=forslag.navn,
    )
    _mark(forslag, actor=actor, tiltak=forslag.tiltak)
    return ansvar


@transaction.atomic
def endring_apply(
    *, actor, standpunkt: Standpunkt, field: str, text: str, expected_versjon: int
) -> Tiltak:
    """Apply a change proposal: `field` of the tiltak becomes `text` (the planner edits the
    proposal's text first), if nobody saved the tiltak since version `expected_versjon`
    (ConcurrencyConflict otherwise, nothing written)."""
    standpunkt = (
        Standpunkt.objects.select_for_update(of=("self",))
        .select_related("tiltak__program", "svar__hoering__program")
        .get(pk=standpunkt.pk)
    )
    svar = _check(actor, standpunkt)
    if standpunkt.standpunkt != StandpunktValg.ENDRING:
        raise ServiceError(_("Only a change proposal can be applied as a change."))
    if field not in CHANGE_FIELDS:
        raise ValidationError({"field": _("Field: choose one of the measure’s text fields.")})
    _refuse_if_blocked(svar.hoering.program)
    tiltak = tiltak_services.tiltak_update(
        actor=actor,
        tiltak=standpunkt.tiltak,
        expected_versjon=expected_versjon,
        reason=_("Change proposed in the hearing by %(org)s") % {"org": svar.organisasjon.navn},
        **{field: text},
    )
    _mark(standpunkt, actor=actor, tiltak=tiltak)
    return tiltak


@transaction.atomic
def innspill_link(*, actor, innspill, tiltak: Tiltak | None):
    """Record (or clear) the tiltak an input led to, when the planner made the change by hand
    (in the tiltak's edit form). The tiltak must belong to the hearing's programme."""
    svar = _check(actor, innspill)
    if tiltak is not None and tiltak.program_id != svar.hoering.program_id:
        raise ValidationError(
            {"resultat_tiltak": _("Measure: choose one from the hearing’s programme.")}
        )
    current = type(innspill).objects.select_for_update().get(pk=innspill.pk)
    current.resultat_tiltak = tiltak
    validated_save(current, actor=actor)
    return current
