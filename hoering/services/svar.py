"""An organisation's answer to a hearing: the shared draft, saving with a version check,
submission with a signatory and a SHA-256 of the canonical content, and a new version after
submission. Every write checks the clock against the organisation's deadline
(`hoering.deadlines.frist_for`) to the second.

Error contract (partnerskap/errors.py): PermissionDenied when the actor may not answer for the
organisation at all; ValidationError keyed by field («standpunkt_<tiltak id>»,
«aktoerforslag_<i>_<field>», «tiltaksforslag_<i>_<field>», model field names) when a value is
wrong — nothing is written; `DeadlinePassed` (a ServiceError) after the deadline;
`SvarConflict` (a Conflict, 409 in the API) when the draft was saved by someone else since the
caller loaded it; `AnswerSubmitted` when the answer is already submitted and read-only.

Canonical content (what the SHA-256 on the receipt is computed over): `canonical_content(svar)`
is a dict with exactly these keys

    format                "partnerskap.hoeringssvar/1"
    hoering               the hearing's id
    organisasjon          the answering organisation's id
    versjon_nr            1 for the first answer, +1 per change after submission
    generelle_merknader   text as typed
    saksnummer, vedtaksdato (ISO date or null), vedtakstekst, signatar
    vedlegg               null, or {"navn": file name, "sha256": hex of the file's bytes}
    standpunkter          [{"tiltak", "standpunkt", "tekst", "foreslaatt_rolle"}] by tiltak id
    aktoerforslag         [{"tiltak", "organisasjon", "navn", "rolle", "begrunnelse"}] sorted
    tiltaksforslag        [{"tema", "delmaal", "satsingsomraade", "tittel", "hva", "hvem",
                            "hvordan", "maal", "finansiering", "langsiktighet"}] sorted

serialised by `canonical_json` as UTF-8 JSON with sorted keys, no insignificant whitespace and
non-ASCII characters as themselves (`json.dumps(..., sort_keys=True, ensure_ascii=False,
separators=(",", ":"))`). Lists are sorted by their content so the order in which rows were
saved does not change the hash; the submission time and the submitting user are not part of
the content (they are on the receipt beside the hash).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import Conflict, ServiceError
from partnerskap.models import Organisasjon
from partnerskap.selectors import organisasjon_grupper
from tiltak.models import Delmaal, Rolle, Satsingsomraade, Tema, Tiltak
from tiltak.selectors.ansvar import tiltak_roller
from tiltak.services.common import check_perm, field_label, stamp_history, validate

from ..deadlines import format_deadline, frist_for
from ..models import (
    Aktoerforslag,
    Hoering,
    Hoeringssvar,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
    Tiltaksforslag,
)

SVAR_FIELDS = ("generelle_merknader", "saksnummer", "vedtaksdato", "vedtakstekst")
AKTOER_FIELDS = ("tiltak", "organisasjon", "navn", "rolle", "begrunnelse")
FORSLAG_FIELDS = (
    "tema",
    "delmaal",
    "satsingsomraade",
    "tittel",
    "hva",
    "hvem",
    "hvordan",
    "maal",
    "finansiering",
    "langsiktighet",
)
FORSLAG_TEXT_FIELDS = FORSLAG_FIELDS[3:]
CANONICAL_FORMAT = "partnerskap.hoeringssvar/1"
# The decision attached as PDF: a case paper, rarely more than a few MB.
VEDLEGG_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
TEXT_REQUIRED = (StandpunktValg.KAN_IKKE, StandpunktValg.ENDRING)
# Ids beyond a bigint are refused before they reach the database (SQLite cannot even bind them).
MAX_ID = 2**63


class DeadlinePassed(ServiceError):
    """The organisation's deadline has passed (or the hearing is not open yet)."""


class AnswerSubmitted(ServiceError):
    """The answer is submitted and read-only."""


@dataclass(frozen=True)
class SvarChange:
    field: str
    label: str
    saved: str  # the value as saved now, for display
    yours: str  # the value the caller sent


class SvarConflict(Conflict):
    """Someone else saved the draft after the caller loaded it; nothing was written.
    `current` is the draft as saved (its `versjon` is the one to retry with); `changes` the
    fields and positions whose saved value differs from what the caller sent."""

    def __init__(self, *, current: Hoeringssvar, expected_versjon: int, changes: list[SvarChange]):
        self.current = current
        self.expected_versjon = expected_versjon
        self.changes = changes
        self.changed_by = current.endret_av
        super().__init__(
            _(
                "Someone else in your organisation saved this answer while you were editing "
                "it. Nothing was saved. Compare their changes with yours and save again."
            )
        )

    def body(self) -> dict[str, Any]:
        user = self.changed_by
        return {
            "detail": str(self),
            "versjon": self.current.versjon,
            "changed_fields": [c.field for c in self.changes],
            "changes": [
                {"field": c.field, "label": c.label, "saved": c.saved, "yours": c.yours}
                for c in self.changes
            ],
            "changed_by": (user.get_full_name() or user.email) if user else None,
            "changed_at": self.current.endret.isoformat(),
        }


# --- The clock ----------------------------------------------------------------------------


def check_in_time(hoering: Hoering, organisasjon_id: int, now: datetime) -> datetime:
    """The organisation's deadline, if `now` is inside the hearing window; DeadlinePassed
    otherwise (23:59:59 is in time, 00:00:00 the next day is not)."""
    if hoering.aapnet is None or now < hoering.aapner:
        raise DeadlinePassed(_("The hearing is not open for answers yet."))
    frist = frist_for(hoering, organisasjon_id)
    if now > frist:
        raise DeadlinePassed(
            _(
                "The deadline for this hearing was %(deadline)s. Answers can no longer be "
                "saved or submitted. Contact the county council if you need an extension."
            )
            % {"deadline": format_deadline(frist)}
        )
    return frist


# --- Start, save ------------------------------------------------------------------------------


def current_svar(*, hoering: Hoering, organisasjon_id: int) -> Hoeringssvar | None:
    """The organisation's draft if it has one, else its newest submitted answer, else None."""
    rows = list(
        Hoeringssvar.objects.filter(hoering=hoering, organisasjon_id=organisasjon_id).order_by(
            "-versjon_nr"
        )[:2]
    )
    drafts = [r for r in rows if r.status == SvarStatus.UTKAST]
    return drafts[0] if drafts else (rows[0] if rows else None)


def svar_start(*, actor, hoering: Hoering, now: datetime | None = None) -> Hoeringssvar:
    """The actor's organisation's draft (shared by its members) or, when it has submitted and
    not started a change, its current answer; a new draft if it has neither (in time only).
    Two members starting at once get the same draft (the one-draft constraint decides)."""
    check_perm(actor, "hoering.answer_hoering", hoering)
    org_id = actor.organisasjon_id
    existing = current_svar(hoering=hoering, organisasjon_id=org_id)
    if existing is not None:
        return existing
    now = now or timezone.now()
    check_in_time(hoering, org_id, now)
    try:
        with transaction.atomic():
            svar = Hoeringssvar(
                hoering=hoering,
                organisasjon_id=org_id,
                opprettet=now,
                endret=now,
                endret_av=actor,
            )
            stamp_history(svar, actor=actor, reason="Utkast opprettet")
            svar.save()
            return svar
    except IntegrityError:
        existing = current_svar(hoering=hoering, organisasjon_id=org_id)
        if existing is None:
            raise
        return existing


def _locked(svar: Hoeringssvar) -> Hoeringssvar:
    return (
        Hoeringssvar.objects.select_for_update(of=("self",))
        .select_related("hoering", "hoering__program", "organisasjon", "endret_av")
        .get(pk=svar.pk)
    )


def _programme_tiltak(hoering: Hoering) -> dict[int, Tiltak]:
    return {
        t.pk: t for t in Tiltak.objects.filter(program_id=hoering.program_id).select_related("tema")
    }


def _text_errors(model, values: dict[str, Any], prefix: str) -> dict[str, list[str]]:
    """Length and control-character checks of the model's text fields, keyed `prefix+name`,
    each message starting with the field's label."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        field = model._meta.get_field(name)
        try:
            field.clean(value, None) if value else None
        except ValidationError as exc:
            label = str(field.verbose_name).capitalize()
            errors[f"{prefix}{name}"] = [f"{label}: {m}" for m in exc.messages]
    return errors


def _rolle_for(tiltak_ids, organisasjon: Organisasjon) -> dict[int, str]:
    """The role the programme gives the organisation (or a group it belongs to) per tiltak:
    hovedansvar before samarbeidspart."""
    grupper = organisasjon_grupper(organisasjon=organisasjon)
    roles = tiltak_roller(organisasjon=organisasjon, grupper=grupper, tiltak=list(tiltak_ids))
    result: dict[int, str] = {}
    for tid, r in roles.items():
        all_roles = set(r.roller) | {g.rolle for g in r.via_grupper}
        result[tid] = Rolle.HOVEDANSVAR if Rolle.HOVEDANSVAR in all_roles else Rolle.SAMARBEIDSPART
    return result


def _clean_standpunkter(
    entries: dict[int, tuple[str, str] | None], tiltak: dict[int, Tiltak]
) -> tuple[dict[int, tuple[str, str] | None], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, tuple[str, str] | None] = {}
    for tid, entry in entries.items():
        key = f"standpunkt_{tid}"
        t = tiltak.get(tid)
        if t is None:
            errors[key] = [_("Measure %(id)s is not in this programme.") % {"id": tid}]
            continue
        if entry is None:
            cleaned[tid] = None
            continue
        valg, tekst = entry[0] or "", entry[1] or ""
        name = f"{_('Measure')} {t.nummer_visning or t.tittel[:40]}"
        if not valg:
            if tekst.strip():
                errors[key] = [
                    _("%(measure)s: choose a position for the text you wrote.") % {"measure": name}
                ]
            else:
                cleaned[tid] = None
            continue
        if valg not in StandpunktValg.values:
            errors[key] = [_("%(measure)s: choose one of the positions.") % {"measure": name}]
            continue
        if valg == StandpunktValg.KAN_IKKE and not tekst.strip():
            errors[key] = [
                _("%(measure)s: say why you cannot take on the responsibility.") % {"measure": name}
            ]
            continue
        if valg == StandpunktValg.ENDRING and not tekst.strip():
            errors[key] = [_("%(measure)s: describe the change you propose.") % {"measure": name}]
            continue
        text_errors = _text_errors(Standpunkt, {"tekst": tekst}, "")
        if text_errors:
            errors[key] = [f"{name}: {m}" for m in text_errors["tekst"]]
            continue
        cleaned[tid] = (valg, tekst)
    return cleaned, errors


def _clean_aktoerforslag(
    rows: list[dict[str, Any]], tiltak: dict[int, Tiltak]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(AKTOER_FIELDS)
        if unknown:
            raise TypeError(f"aktoerforslag: unknown fields {sorted(unknown)}")
        prefix = f"aktoerforslag_{i}_"
        tid = row.get("tiltak")
        if tid not in tiltak:
            errors[prefix + "tiltak"] = [_("Proposed actor: choose a measure in this programme.")]
        org_id = row.get("organisasjon")
        navn = (row.get("navn") or "").strip()
        if org_id is not None and not (
            isinstance(org_id, int)
            and 0 < org_id < MAX_ID
            and Organisasjon.objects.filter(pk=org_id).exists()
        ):
            errors[prefix + "organisasjon"] = [_("Proposed actor: unknown organisation.")]
        if org_id is None and not navn:
            errors[prefix + "navn"] = [
                _("Proposed actor: choose an organisation or write its name.")
            ]
        rolle = row.get("rolle") or ""
        if rolle not in Rolle.values:
            errors[prefix + "rolle"] = [_("Proposed actor: choose a role.")]
        errors.update(
            _text_errors(
                Aktoerforslag,
                {"navn": navn, "begrunnelse": row.get("begrunnelse") or ""},
                prefix,
            )
        )
        cleaned.append(
            {
                "tiltak": tid,
                "organisasjon": org_id,
                "navn": navn,
                "rolle": rolle,
                "begrunnelse": row.get("begrunnelse") or "",
            }
        )
    return cleaned, errors


def _clean_tiltaksforslag(
    rows: list[dict[str, Any]], hoering: Hoering
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    if not rows:
        return cleaned, errors
    temaer = {t.pk: t for t in Tema.objects.filter(program_id=hoering.program_id)}
    delmaal = {d.pk: d for d in Delmaal.objects.filter(tema__program_id=hoering.program_id)}
    satsing = {s.pk: s for s in Satsingsomraade.objects.filter(tema__program_id=hoering.program_id)}
    for i, row in enumerate(rows):
        unknown = set(row) - set(FORSLAG_FIELDS)
        if unknown:
            raise TypeError(f"tiltaksforslag: unknown fields {sorted(unknown)}")
        prefix = f"tiltaksforslag_{i}_"
        tema_id, delmaal_id, satsing_id = (
            row.get("tema"),
            row.get("delmaal"),
            row.get("satsingsomraade"),
        )
        if tema_id not in temaer:
            errors[prefix + "tema"] = [_("Proposed measure: choose a theme of this programme.")]
        if delmaal_id is not None and (
            delmaal_id not in delmaal or delmaal[delmaal_id].tema_id != tema_id
        ):
            errors[prefix + "delmaal"] = [
                _("Proposed measure: the sub-goal must belong to the chosen theme.")
            ]
        if satsing_id is not None:
            s = satsing.get(satsing_id)
            if (
                s is None
                or s.tema_id != tema_id
                or (delmaal_id is not None and s.delmaal_id not in (None, delmaal_id))
            ):
                errors[prefix + "satsingsomraade"] = [
                    _(
                        "Proposed measure: the priority area must belong to the chosen theme "
                        "and sub-goal."
                    )
                ]
        texts = {name: row.get(name) or "" for name in FORSLAG_TEXT_FIELDS}
        if not texts["tittel"].strip():
            errors[prefix + "tittel"] = [_("Proposed measure: give it a title.")]
        if not texts["hva"].strip():
            errors[prefix + "hva"] = [_("Proposed measure: describe what the measure is.")]
        errors.update(_text_errors(Tiltaksforslag, texts, prefix))
        cleaned.append(
            {"tema": tema_id, "delmaal": delmaal_id, "satsingsomraade": satsing_id, **texts}
        )
    return cleaned, errors


def checked_pdf(upload) -> bytes:
    """The bytes of an uploaded decision if it is a PDF (sniffed: it starts with «%PDF-»,
    whatever its name or declared type says) within VEDLEGG_MAX_BYTES; ValidationError on
    «vedtak_vedlegg» otherwise."""
    size = getattr(upload, "size", None)
    if size is not None and size > VEDLEGG_MAX_BYTES:
        raise ValidationError({"vedtak_vedlegg": [_too_large(size)]})
    data = upload.read(VEDLEGG_MAX_BYTES + 1)
    if len(data) > VEDLEGG_MAX_BYTES:
        raise ValidationError({"vedtak_vedlegg": [_too_large(len(data))]})
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(
            {"vedtak_vedlegg": [_("Decision as PDF: the file is not a PDF document.")]}
        )
    return data


def _too_large(size: int) -> str:
    return _("Decision as PDF: the file is %(size)s MB; at most %(max)s MB.") % {
        "size": round(size / 1024 / 1024, 1),
        "max": VEDLEGG_MAX_BYTES // 1024 // 1024,
    }


def _safe_filename(name: str) -> str:
    base = os.path.basename(name or "").strip() or "vedtak.pdf"
    base = "".join(c for c in base if c.isprintable() and c not in '/\\"')[:200]
    return base if base.lower().endswith(".pdf") else f"{base}.pdf"


def svar_save(
    *,
    actor,
    svar: Hoeringssvar,
    versjon: int,
    fields: dict[str, Any] | None = None,
    standpunkter: dict[int, tuple[str, str] | None] | None = None,
    aktoerforslag: list[dict[str, Any]] | None = None,
    tiltaksforslag: list[dict[str, Any]] | None = None,
    vedlegg=None,
    fjern_vedlegg: bool = False,
    now: datetime | None = None,
) -> Hoeringssvar:
    """Save the draft as the actor's organisation's member, if nobody saved since `versjon`.

    - `fields`: any of SVAR_FIELDS (anything else is a TypeError);
    - `standpunkter`: {tiltak id: (standpunkt, tekst) or None}; None (or a blank position with
      no text) removes the position; tiltak not named keep theirs;
    - `aktoerforslag` / `tiltaksforslag`: when given, the whole list (replaces the saved one);
    - `vedlegg`: an uploaded PDF (sniffed, size-limited, stored through default_storage);
      `fjern_vedlegg` removes the attachment from the draft (the file stays for submitted
      versions that name it).

    Everything is validated before anything is written: a ValidationError names every wrong
    field and changes nothing. Returns the saved draft with its new `versjon`."""
    now = now or timezone.now()
    fields = dict(fields or {})
    unknown = set(fields) - set(SVAR_FIELDS)
    if unknown:
        raise TypeError(f"Hoeringssvar: fields not editable here: {sorted(unknown)}")
    with transaction.atomic():
        current = _locked(svar)
        if getattr(actor, "organisasjon_id", None) != current.organisasjon_id:
            raise PermissionDenied("hoering.edit_svar")
        if current.er_innsendt:
            raise AnswerSubmitted(
                _(
                    "This answer has been submitted and can no longer be changed. Start a new "
                    "version to change it before the deadline."
                )
            )
        check_perm(actor, "hoering.edit_svar", current)
        check_in_time(current.hoering, current.organisasjon_id, now)
        if current.versjon != versjon:
            raise _conflict(current, versjon, fields, standpunkter)

        tiltak = _programme_tiltak(current.hoering)
        errors: dict[str, list[str]] = {}
        data: bytes | None = None
        if vedlegg is not None:
            try:
                data = checked_pdf(vedlegg)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        cleaned_sp, sp_errors = _clean_standpunkter(standpunkter or {}, tiltak)
        errors.update(sp_errors)
        cleaned_ak, ak_errors = (
            _clean_aktoerforslag(aktoerforslag, tiltak) if aktoerforslag is not None else ([], {})
        )
        errors.update(ak_errors)
        cleaned_tf, tf_errors = (
            _clean_tiltaksforslag(tiltaksforslag, current.hoering)
            if tiltaksforslag is not None
            else ([], {})
        )
        errors.update(tf_errors)
        for name, value in fields.items():
            setattr(current, name, value)
        try:
            validate(current)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

        if data is not None:
            navn = _safe_filename(getattr(vedlegg, "name", ""))
            stored = default_storage.save(
                f"hoering/vedtak/{now:%Y}/svar-{current.pk}-{navn}", ContentFile(data)
            )
            current.vedtak_vedlegg.name = stored
            current.vedtak_vedlegg_navn = navn
        elif fjern_vedlegg:
            current.vedtak_vedlegg = ""
            current.vedtak_vedlegg_navn = ""
        _write_standpunkter(current, cleaned_sp)
        if aktoerforslag is not None:
            current.aktoerforslag.all().delete()
            Aktoerforslag.objects.bulk_create(
                Aktoerforslag(
                    svar=current,
                    tiltak_id=r["tiltak"],
                    organisasjon_id=r["organisasjon"],
                    navn=r["navn"],
                    rolle=r["rolle"],
                    begrunnelse=r["begrunnelse"],
                )
                for r in cleaned_ak
            )
        if tiltaksforslag is not None:
            current.tiltaksforslag.all().delete()
            Tiltaksforslag.objects.bulk_create(
                Tiltaksforslag(
                    svar=current,
                    tema_id=r["tema"],
                    delmaal_id=r["delmaal"],
                    satsingsomraade_id=r["satsingsomraade"],
                    **{name: r[name] for name in FORSLAG_TEXT_FIELDS},
                )
                for r in cleaned_tf
            )
        current.versjon = versjon + 1
        current.endret = now
        current.endret_av = actor
        stamp_history(current, actor=actor, reason="Utkast lagret")
        current.save()
        return current


def _write_standpunkter(svar: Hoeringssvar, cleaned: dict[int, tuple[str, str] | None]) -> None:
    if not cleaned:
        return
    existing = {s.tiltak_id: s for s in svar.standpunkter.all()}
    remove = [existing[tid].pk for tid, v in cleaned.items() if v is None and tid in existing]
    if remove:
        Standpunkt.objects.filter(pk__in=remove).delete()
    wanted = {tid: v for tid, v in cleaned.items() if v is not None}
    roller = _rolle_for(wanted.keys(), svar.organisasjon) if wanted else {}
    create, update = [], []
    for tid, (valg, tekst) in wanted.items():
        rolle = roller.get(tid, "")
        s = existing.get(tid)
        if s is None:
            create.append(
                Standpunkt(
                    svar=svar, tiltak_id=tid, standpunkt=valg, tekst=tekst, foreslaatt_rolle=rolle
                )
            )
        elif (s.standpunkt, s.tekst, s.foreslaatt_rolle) != (valg, tekst, rolle):
            s.standpunkt, s.tekst, s.foreslaatt_rolle = valg, tekst, rolle
            update.append(s)
    Standpunkt.objects.bulk_create(create)
    Standpunkt.objects.bulk_update(update, ["standpunkt", "tekst", "foreslaatt_rolle"])


def _display(svar: Hoeringssvar, name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        from django.utils.formats import date_format

        return date_format(value, "DATE_FORMAT")
    return str(value)


def _conflict(
    current: Hoeringssvar,
    versjon: int,
    fields: dict[str, Any],
    standpunkter: dict[int, tuple[str, str] | None] | None,
) -> SvarConflict:
    """What the saved draft holds that differs from what the caller sent."""
    changes: list[SvarChange] = []
    for name, yours in fields.items():
        saved = getattr(current, name)
        if (saved or None) != (yours or None):
            changes.append(
                SvarChange(
                    field=name,
                    label=field_label(Hoeringssvar, name).capitalize(),
                    saved=_display(current, name, saved),
                    yours=_display(current, name, yours),
                )
            )
    if standpunkter:
        saved_sp = {
            s.tiltak_id: s
            for s in current.standpunkter.select_related("tiltak", "tiltak__tema").filter(
                tiltak_id__in=list(standpunkter)
            )
        }
        tiltak = {
            t.pk: t for t in Tiltak.alle.select_related("tema").filter(pk__in=list(standpunkter))
        }
        labels = dict(StandpunktValg.choices)
        for tid, yours in standpunkter.items():
            s = saved_sp.get(tid)
            saved_v = (s.standpunkt, s.tekst) if s else ("", "")
            yours_v = (yours[0] or "", yours[1] or "") if yours else ("", "")
            if saved_v != yours_v and tid in tiltak:
                t = tiltak[tid]

                def show(v):
                    return f"{labels.get(v[0], '')} {v[1]}".strip() if v[0] else ""

                changes.append(
                    SvarChange(
                        field=f"standpunkt_{tid}",
                        label=f"{_('Measure')} {t.nummer_visning} {t.tittel[:80]}".strip(),
                        saved=show(saved_v),
                        yours=show(yours_v),
                    )
                )
    return SvarConflict(current=current, expected_versjon=versjon, changes=changes)


# --- Submission -------------------------------------------------------------------------------


def canonical_content(svar: Hoeringssvar) -> dict[str, Any]:
    """The submitted content as defined in the module docstring."""
    vedlegg = None
    if svar.vedtak_vedlegg:
        with svar.vedtak_vedlegg.open("rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        vedlegg = {"navn": svar.vedtak_vedlegg_navn, "sha256": digest}
    standpunkter = sorted(
        (
            {
                "tiltak": s.tiltak_id,
                "standpunkt": s.standpunkt,
                "tekst": s.tekst,
                "foreslaatt_rolle": s.foreslaatt_rolle,
            }
            for s in svar.standpunkter.all()
        ),
        key=lambda d: d["tiltak"],
    )
    aktoerer = sorted(
        (
            {
                "tiltak": a.tiltak_id,
                "organisasjon": a.organisasjon_id,
                "navn": a.navn,
                "rolle": a.rolle,
                "begrunnelse": a.begrunnelse,
            }
            for a in svar.aktoerforslag.all()
        ),
        key=lambda d: json.dumps(d, sort_keys=True, ensure_ascii=False),
    )
    forslag = sorted(
        (
            {
                "tema": f.tema_id,
                "delmaal": f.delmaal_id,
                "satsingsomraade": f.satsingsomraade_id,
                **{name: getattr(f, name) for name in FORSLAG_TEXT_FIELDS},
            }
            for f in svar.tiltaksforslag.all()
        ),
        key=lambda d: json.dumps(d, sort_keys=True, ensure_ascii=False),
    )
    return {
        "format": CANONICAL_FORMAT,
        "hoering": svar.hoering_id,
        "organisasjon": svar.organisasjon_id,
        "versjon_nr": svar.versjon_nr,
        "generelle_merknader": svar.generelle_merknader,
        "saksnummer": svar.saksnummer,
        "vedtaksdato": svar.vedtaksdato.isoformat() if svar.vedtaksdato else None,
        "vedtakstekst": svar.vedtakstekst,
        "signatar": svar.signatar,
        "vedlegg": vedlegg,
        "standpunkter": standpunkter,
        "aktoerforslag": aktoerer,
        "tiltaksforslag": forslag,
    }


def canonical_json(svar: Hoeringssvar) -> bytes:
    return json.dumps(
        canonical_content(svar), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def content_sha256(svar: Hoeringssvar) -> str:
    return hashlib.sha256(canonical_json(svar)).hexdigest()


def _is_empty(svar: Hoeringssvar) -> bool:
    return not (
        svar.generelle_merknader.strip()
        or svar.vedtakstekst.strip()
        or svar.vedtak_vedlegg
        or svar.standpunkter.exists()
        or svar.aktoerforslag.exists()
        or svar.tiltaksforslag.exists()
    )


def svar_submit(
    *,
    actor,
    svar: Hoeringssvar,
    signatar: str,
    versjon: int | None = None,
    now: datetime | None = None,
) -> Hoeringssvar:
    """Submit the draft in the name of `signatar`: it becomes read-only, stamped with the time
    (to the second) and the SHA-256 of its canonical content. Exactly once: the draft row is
    locked, and a second request for an answer already submitted (a double click, a retried
    request) gets the submitted answer back, not an error and not a second row. `versjon`,
    when given, must be the draft's current version (SvarConflict otherwise)."""
    now = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        current = _locked(svar)
        if current.er_innsendt:
            check_perm(actor, "hoering.view_svar", current)
            if actor.organisasjon_id != current.organisasjon_id:
                raise PermissionDenied("hoering.edit_svar")
            return current
        check_perm(actor, "hoering.edit_svar", current)
        check_in_time(current.hoering, current.organisasjon_id, now)
        if versjon is not None and current.versjon != versjon:
            raise _conflict(current, versjon, {}, None)
        signatar = (signatar or "").strip()
        if not signatar:
            raise ValidationError(
                {"signatar": [_("Signed by: name the person who signs the answer.")]}
            )
        current.signatar = signatar
        errors = _text_errors(Hoeringssvar, {"signatar": signatar}, "")
        if errors:
            raise ValidationError(errors)
        if _is_empty(current):
            raise ValidationError(
                {
                    "__all__": [
                        _(
                            "The answer is empty. Give at least one position, proposal or "
                            "remark before you submit."
                        )
                    ]
                }
            )
        current.status = SvarStatus.INNSENDT
        current.innsendt = now
        current.innsendt_av = actor
        current.med_utsatt_frist = now > current.hoering.frist
        current.sha256 = content_sha256(current)
        current.endret = now
        current.endret_av = actor
        current.full_clean()
        stamp_history(current, actor=actor, reason="Sendt inn")
        current.save()
        return current


def svar_new_version(*, actor, svar: Hoeringssvar, now: datetime | None = None) -> Hoeringssvar:
    """A new draft (versjon_nr + 1) holding a copy of the submitted answer's content, to
    change it before the deadline; the submitted row is kept as it is. If the organisation
    already has a draft, that draft is returned."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(svar)
        if not current.er_innsendt:
            return current
        check_perm(actor, "hoering.answer_hoering", current.hoering)
        if actor.organisasjon_id != current.organisasjon_id:
            raise PermissionDenied("hoering.edit_svar")
        check_in_time(current.hoering, current.organisasjon_id, now)
        draft = Hoeringssvar.objects.filter(
            hoering_id=current.hoering_id,
            organisasjon_id=current.organisasjon_id,
            status=SvarStatus.UTKAST,
        ).first()
        if draft is not None:
            return draft
        newest = Hoeringssvar.objects.filter(
            hoering_id=current.hoering_id, organisasjon_id=current.organisasjon_id
        ).aggregate(n=Max("versjon_nr"))["n"]
        if newest != current.versjon_nr:
            raise ServiceError(_("Only the newest submitted answer can be changed."))
        ny = Hoeringssvar(
            hoering_id=current.hoering_id,
            organisasjon_id=current.organisasjon_id,
            versjon_nr=current.versjon_nr + 1,
            generelle_merknader=current.generelle_merknader,
            saksnummer=current.saksnummer,
            vedtaksdato=current.vedtaksdato,
            vedtakstekst=current.vedtakstekst,
            vedtak_vedlegg=current.vedtak_vedlegg.name,
            vedtak_vedlegg_navn=current.vedtak_vedlegg_navn,
            opprettet=now,
            endret=now,
            endret_av=actor,
        )
        stamp_history(ny, actor=actor, reason=f"Ny versjon av svar {current.versjon_nr}")
        ny.save()
        Standpunkt.objects.bulk_create(
            Standpunkt(
                svar=ny,
                tiltak_id=s.tiltak_id,
                foreslaatt_rolle=s.foreslaatt_rolle,
                standpunkt=s.standpunkt,
                tekst=s.tekst,
            )
            for s in current.standpunkter.all()
        )
        Aktoerforslag.objects.bulk_create(
            Aktoerforslag(
                svar=ny,
                tiltak_id=a.tiltak_id,
                organisasjon_id=a.organisasjon_id,
                navn=a.navn,
                rolle=a.rolle,
                begrunnelse=a.begrunnelse,
            )
            for a in current.aktoerforslag.all()
        )
        Tiltaksforslag.objects.bulk_create(
            Tiltaksforslag(
                svar=ny,
                tema_id=f.tema_id,
                delmaal_id=f.delmaal_id,
                satsingsomraade_id=f.satsingsomraade_id,
                **{name: getattr(f, name) for name in FORSLAG_TEXT_FIELDS},
            )
            for f in current.tiltaksforslag.all()
        )
        return ny


def invitation_open(*, invitasjon, now: datetime | None = None) -> None:
    """Mark the invitation as opened the first time its link is used by its organisation."""
    if invitasjon.foerst_aapnet is None:
        type(invitasjon).objects.filter(pk=invitasjon.pk, foerst_aapnet__isnull=True).update(
            foerst_aapnet=now or timezone.now()
        )


def invitation_account_create(
    *, invitasjon, email: str, fornavn: str, etternavn: str, password: str
):
    """An account tied to the invited organisation (rolle MEDLEM), created from the personal
    link; the password has passed the validators (the form). An address already registered is
    a ValidationError on «email» (sign in instead); nothing is created."""
    from partnerskap.models import Bruker, BrukerRolle

    email = Bruker.objects.normalize_email(email).lower()
    if Bruker.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": [_("An account with this email address exists already. Log in instead.")]}
        )
    with transaction.atomic():
        bruker = Bruker(
            email=email,
            first_name=fornavn,
            last_name=etternavn,
            organisasjon_id=invitasjon.organisasjon_id,
            rolle=BrukerRolle.MEDLEM,
        )
        bruker.set_password(password)
        bruker.full_clean(exclude=["password"])
        bruker.save()
    return bruker
