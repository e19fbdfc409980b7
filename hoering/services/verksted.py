"""Workshops: create one, its questions (open/close), inputs (add, edit by their author), the
planner's groups (create/split, label, merge, ungroup) and turning a group or one input into a
draft tiltak proposal.

Error contract as everywhere (partnerskap/errors.py): PermissionDenied when the actor may not
(the django-rules names of hoering/rules.py), ValidationError keyed by field for a bad value,
ServiceError with a sentence for a refusal of the domain (a closed question), Conflict when the
input was saved elsewhere since it was loaded. Nothing is written when one is raised.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hoering.models import (
    Innspill,
    Innspillgruppe,
    Spoersmaal,
    Verksted,
    VerkstedDag,
    Verkstedforslag,
)
from hoering.models.verksted import TILTAK_TEMPLATE
from partnerskap.errors import Conflict, ServiceError
from partnerskap.models import Organisasjon
from tiltak.models import TITLE_MAX_LENGTH, Handlingsprogram, RegionalPlan, Tema, TiltakStatus
from tiltak.services.common import check_perm, validate
from tiltak.services.tiltak import tiltak_create

MAX_DAYS = 14


class InnspillConflict(Conflict):
    """The input was saved (in another tab, on another device) since it was loaded."""

    def __init__(self, innspill: Innspill):
        super().__init__(
            _(
                "This input was changed since you opened it. Your text is kept below; check it and save again."
            )
        )
        self.innspill = innspill

    def body(self) -> dict:
        return {"detail": str(self), "versjon": self.innspill.versjon, "tekst": self.innspill.tekst}


def _save(instance):
    validate(instance)
    instance.save()
    return instance


# --- Workshop and questions -------------------------------------------------------------------


@transaction.atomic
def verksted_create(
    *,
    actor,
    tittel: str,
    eier: Organisasjon | None = None,
    program: Handlingsprogram | None = None,
    regional_plan: RegionalPlan | None = None,
    dager: Sequence[datetime.date] = (),
    sted: str = "",
    digitalt: bool = False,
    offentlig: bool = False,
    beskrivelse: str = "",
    fasilitatorer: Iterable = (),
    inviterte: Iterable[Organisasjon] = (),
    spoersmaal: Sequence[str] | None = None,
    require_link: bool = True,
) -> Verksted:
    """A workshop owned by `eier` (default: the actor's organisation), with one day per date
    (at least one, at most MAX_DAYS, no date twice) and its questions: `spoersmaal` as given,
    or, when None, seed 004's six questions, each prefilling its tiltak field. Needs
    hoering.create_verksted, and a planner may only organise for its own organisation. With
    `require_link` (the browser and API), a programme or a regional plan is required."""
    check_perm(actor, "hoering.create_verksted")
    eier = eier or actor.organisasjon
    if eier is None:
        raise ValidationError({"eier": _("Organiser: choose the organisation that runs it.")})
    if not actor.has_perm("tiltak.own_programme", eier):
        raise ValidationError(
            {"eier": _("Organiser: you may only organise workshops for your own organisation.")}
        )
    if require_link and program is None and regional_plan is None:
        raise ValidationError(
            {"program": _("Programme: choose a programme or a regional plan for the workshop.")}
        )
    dates = list(dager)
    if not dates:
        raise ValidationError({"dager": _("Dates: give at least one day.")})
    if len(dates) > MAX_DAYS:
        raise ValidationError({"dager": _("Dates: at most %(max)d days.") % {"max": MAX_DAYS}})
    if len(set(dates)) != len(dates):
        raise ValidationError({"dager": _("Dates: each day only once.")})
    verksted = _save(
        Verksted(
            tittel=tittel,
            eier=eier,
            program=program,
            regional_plan=regional_plan,
            sted=sted,
            digitalt=digitalt,
            offentlig=offentlig,
            beskrivelse=beskrivelse,
            opprettet_av=actor,
        )
    )
    verksted.fasilitatorer.set(list(fasilitatorer))
    verksted.inviterte.set(list(inviterte))
    for dato in sorted(dates):
        _save(VerkstedDag(verksted=verksted, dato=dato))
    if spoersmaal is None:
        questions = [(tekst, felt) for tekst, felt in TILTAK_TEMPLATE]
    else:
        questions = [(tekst, "") for tekst in spoersmaal]
    for order, (tekst, felt) in enumerate(questions):
        _save(Spoersmaal(verksted=verksted, tekst=tekst, tiltak_felt=felt, rekkefoelge=order))
    return verksted


@transaction.atomic
def spoersmaal_add(
    *,
    actor,
    verksted: Verksted,
    tekst: str,
    overskrift: str = "",
    tiltak_felt: str = "",
    dag: VerkstedDag | None = None,
) -> Spoersmaal:
    """A question after the last one. Needs hoering.manage_verksted."""
    check_perm(actor, "hoering.manage_verksted", verksted)
    if dag is not None and dag.verksted_id != verksted.pk:
        raise ValidationError({"dag": _("Day: it belongs to another workshop.")})
    last = verksted.spoersmaal.aggregate(m=Max("rekkefoelge"))["m"]
    return _save(
        Spoersmaal(
            verksted=verksted,
            dag=dag,
            tekst=tekst,
            overskrift=overskrift,
            tiltak_felt=tiltak_felt,
            rekkefoelge=0 if last is None else last + 1,
        )
    )


@transaction.atomic
def spoersmaal_set_open(*, actor, spoersmaal: Spoersmaal, aapent: bool) -> Spoersmaal:
    """Close a question (no new inputs, no edits) or open it again. Needs
    hoering.facilitate_verksted."""
    check_perm(actor, "hoering.facilitate_verksted", spoersmaal.verksted)
    current = Spoersmaal.objects.select_for_update().get(pk=spoersmaal.pk)
    current.lukket = None if aapent else (current.lukket or timezone.now())
    current.save(update_fields=["lukket"])
    return current


# --- Inputs -----------------------------------------------------------------------------------


def _check_organisation(actor, organisasjon: Organisasjon | None, verksted: Verksted) -> None:
    """A participant tags its own organisation; a facilitator may tag any organisation of the
    room (typing for a group)."""
    if organisasjon is None:
        return
    if actor.has_perm("hoering.facilitate_verksted", verksted):
        return
    if organisasjon.pk != actor.organisasjon_id:
        raise ValidationError(
            {"organisasjon": _("Organisation: you can only give your own organisation.")}
        )


@transaction.atomic
def innspill_create(
    *,
    actor,
    spoersmaal: Spoersmaal,
    tekst: str,
    gruppe: str = "",
    organisasjon: Organisasjon | None = None,
) -> Innspill:
    """An input to an open question, as written (only surrounding whitespace is trimmed).
    Needs hoering.add_innspill_verksted; a closed question is a ServiceError. Written by a
    facilitator, it is marked as typed for the group."""
    spoersmaal = (
        Spoersmaal.objects.select_for_update().select_related("verksted").get(pk=spoersmaal.pk)
    )
    if spoersmaal.lukket is not None and actor.has_perm(
        "hoering.view_verksted", spoersmaal.verksted
    ):
        raise ServiceError(_("The facilitator has closed this question: no more inputs."))
    check_perm(actor, "hoering.add_innspill_verksted", spoersmaal)
    if not tekst.strip():
        raise ValidationError({"tekst": _("Input: write something.")})
    _check_organisation(actor, organisasjon, spoersmaal.verksted)
    last = spoersmaal.innspill.aggregate(m=Max("rekkefoelge"))["m"]
    return _save(
        Innspill(
            spoersmaal=spoersmaal,
            tekst=tekst.strip(),
            gruppe=gruppe.strip(),
            organisasjon=organisasjon,
            skrevet_av=actor,
            for_gruppen=actor.has_perm("hoering.facilitate_verksted", spoersmaal.verksted),
            rekkefoelge=0 if last is None else last + 1,
        )
    )


@transaction.atomic
def innspill_update(
    *,
    actor,
    innspill: Innspill,
    expected_versjon: int,
    tekst: str,
    gruppe: str,
    organisasjon: Organisasjon | None = None,
) -> Innspill:
    """The author changes its input while the question is open (hoering.edit_innspill_verksted;
    a closed question is a ServiceError). If it was saved since version `expected_versjon`,
    InnspillConflict and nothing changes."""
    current = (
        Innspill.objects.select_for_update()
        .select_related("spoersmaal__verksted")
        .get(pk=innspill.pk)
    )
    if current.spoersmaal.lukket is not None and current.skrevet_av_id == actor.pk:
        raise ServiceError(
            _("The facilitator has closed this question: inputs can no longer be changed.")
        )
    check_perm(actor, "hoering.edit_innspill_verksted", current)
    if current.versjon != expected_versjon:
        raise InnspillConflict(current)
    if not tekst.strip():
        raise ValidationError({"tekst": _("Input: write something.")})
    _check_organisation(actor, organisasjon, current.spoersmaal.verksted)
    current.tekst = tekst.strip()
    current.gruppe = gruppe.strip()
    current.organisasjon = organisasjon
    current.endret = timezone.now()
    current.versjon += 1
    return _save(current)


# --- Groups (themes) --------------------------------------------------------------------------


def _own_inputs(verksted: Verksted, innspill: Iterable) -> list[Innspill]:
    ids = {getattr(i, "pk", i) for i in innspill}
    rows = list(Innspill.objects.filter(pk__in=ids, spoersmaal__verksted=verksted))
    if not ids or len(rows) != len(ids):
        raise ValidationError(
            {"innspill": _("Inputs: choose one or more inputs of this workshop.")}
        )
    return rows


@transaction.atomic
def gruppe_create(*, actor, verksted: Verksted, etikett: str, innspill: Iterable) -> Innspillgruppe:
    """A new theme with the chosen inputs, moved out of any theme they were in (so choosing
    some inputs of a theme splits it). Needs hoering.manage_verksted."""
    check_perm(actor, "hoering.manage_verksted", verksted)
    rows = _own_inputs(verksted, innspill)
    gruppe = _save(Innspillgruppe(verksted=verksted, etikett=etikett.strip()))
    Innspill.objects.filter(pk__in=[r.pk for r in rows]).update(tema=gruppe)
    return gruppe


@transaction.atomic
def gruppe_label(*, actor, gruppe: Innspillgruppe, etikett: str) -> Innspillgruppe:
    check_perm(actor, "hoering.manage_verksted", gruppe.verksted)
    gruppe.etikett = etikett.strip()
    return _save(gruppe)


@transaction.atomic
def gruppe_merge(
    *, actor, target: Innspillgruppe, sources: Iterable[Innspillgruppe]
) -> Innspillgruppe:
    """Move every input of `sources` into `target` and remove the emptied themes (a proposal
    made from one of them keeps its inputs). Needs hoering.manage_verksted."""
    check_perm(actor, "hoering.manage_verksted", target.verksted)
    others = [s for s in sources if s.pk != target.pk]
    if not others:
        raise ValidationError({"sources": _("Merge: choose at least one other theme.")})
    if any(s.verksted_id != target.verksted_id for s in others):
        raise ValidationError({"sources": _("Merge: the themes belong to another workshop.")})
    ids = [s.pk for s in others]
    Innspill.objects.filter(tema_id__in=ids).update(tema=target)
    Innspillgruppe.objects.filter(pk__in=ids).delete()
    return target


@transaction.atomic
def innspill_ungroup(*, actor, verksted: Verksted, innspill: Iterable) -> int:
    """Take the chosen inputs out of their themes."""
    check_perm(actor, "hoering.manage_verksted", verksted)
    rows = _own_inputs(verksted, innspill)
    return Innspill.objects.filter(pk__in=[r.pk for r in rows]).update(tema=None)


# --- Proposals --------------------------------------------------------------------------------


def prefill(innspill: Sequence[Innspill]) -> dict[str, str]:
    """The tiltak fields the inputs' answers prefill: per question's `tiltak_felt`, the inputs
    in order, separated by a blank line; inputs to questions without one go to the notes."""
    parts: dict[str, list[str]] = {}
    for i in innspill:
        felt = i.spoersmaal.tiltak_felt or "merknader"
        parts.setdefault(felt, []).append(i.tekst)
    return {felt: "\n\n".join(texts) for felt, texts in parts.items()}


def _title(gruppe: Innspillgruppe | None, fields: dict[str, str], rows: list[Innspill]) -> str:
    if gruppe is not None:
        return gruppe.etikett
    text = fields.get("beskrivelse") or rows[0].tekst
    line = " ".join(text.split())
    return line if len(line) <= 120 else line[:119].rstrip() + "…"


@transaction.atomic
def forslag_create(
    *,
    actor,
    verksted: Verksted,
    tema: Tema,
    gruppe: Innspillgruppe | None = None,
    innspill: Innspill | None = None,
    tittel: str = "",
) -> Verkstedforslag:
    """Turn a theme (all its inputs) or one input into a draft tiltak in `tema`'s programme,
    status «foreslått», its fields prefilled from the answers (`prefill`), and keep the link
    input → proposal → tiltak. Needs hoering.manage_verksted on the workshop and
    tiltak.edit_structure on the tema (tiltak_create checks it); the programme must be the
    workshop's, or one that includes its regional plan."""
    check_perm(actor, "hoering.manage_verksted", verksted)
    if (gruppe is None) == (innspill is None):
        raise ValidationError({"innspill": _("Choose a theme or one input.")})
    if gruppe is not None:
        if gruppe.verksted_id != verksted.pk:
            raise ValidationError({"gruppe": _("Theme: it belongs to another workshop.")})
        rows = list(
            gruppe.innspill.select_related("spoersmaal").order_by(
                "spoersmaal__rekkefoelge", "rekkefoelge", "id"
            )
        )
        if not rows:
            raise ValidationError({"gruppe": _("Theme: it has no inputs.")})
    else:
        rows = _own_inputs(verksted, [innspill])
    if tema.program_id not in set(programmes_for(verksted).values_list("pk", flat=True)):
        raise ValidationError({"tema": _("Theme: choose a theme of the workshop's programme.")})
    fields: dict[str, Any] = dict(prefill(rows))
    if len(tittel.strip()) > TITLE_MAX_LENGTH:
        # A title the planner typed is refused, never cut; one made from the inputs is shortened.
        raise ValidationError(
            {
                "tittel": _("Title: at most %(max)d characters (this one has %(n)d).")
                % {"max": TITLE_MAX_LENGTH, "n": len(tittel.strip())}
            }
        )
    title = (tittel.strip() or _title(gruppe, fields, rows).strip()[:TITLE_MAX_LENGTH]).strip()
    reason = _("Proposed from the workshop «%(verksted)s»") % {"verksted": verksted.tittel}
    tiltak = tiltak_create(
        actor=actor,
        tema=tema,
        tittel=title,
        status=TiltakStatus.FORESLAATT,
        reason=reason[:1000],
        **fields,
    )
    forslag = Verkstedforslag.objects.create(
        verksted=verksted, gruppe=gruppe, tiltak=tiltak, opprettet_av=actor
    )
    forslag.innspill.set(rows)
    return forslag


def programmes_for(verksted: Verksted):
    """The programmes a workshop's inputs may become tiltak in: its programme, or those that
    include its regional plan."""
    if verksted.program_id:
        return Handlingsprogram.objects.filter(pk=verksted.program_id)
    if verksted.regional_plan_id:
        return Handlingsprogram.objects.filter(planer=verksted.regional_plan_id)
    return Handlingsprogram.objects.none()
