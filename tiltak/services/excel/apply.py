"""Writing what the preview showed, in one transaction, or nothing."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from partnerskap.models import Organisasjon, OrganisasjonType
from partnerskap.services import organisasjon_create
from tiltak.exports import parties
from tiltak.extensions import tiltak_ids_with_traces
from tiltak.models import Ansvar, Handlingsprogram, Tiltak
from tiltak.selectors import render_cache

from ..common import check_perm, delete_with_actor
from ..concurrency import ConcurrencyConflict
from ..tiltak import tiltak_delete
from .preview import PERMISSION, build_preview
from .types import (
    ImportIssue,
    ImportPreview,
    ImportRefused,
    ImportResult,
    ImportStale,
    OrgChoice,
    PartyName,
)

# The reason the system gives a tiltak the import removes (short, so never cut).
REMOVED_REASON = "Fjernet ved import"
# A new party's tiltak and organisation were just loaded or created: their existence needs no
# query per row.
ANSVAR_UNCHECKED = ["tiltak", "organisasjon"]
PLACEMENT_FIELDS = {"tema", "delmaal", "satsingsomraade", "nummer", "rekkefoelge"}
RESTORE_FIELDS = {"slettet", "slettet_grunn"}
BATCH = 500


def _resolve_unknown(
    *, actor, preview: ImportPreview, org_mapping: dict[str, OrgChoice]
) -> tuple[dict[str, Organisasjon], list[str]]:
    missing = [u for u in preview.unknown_organisations if u.key not in org_mapping]
    if missing:
        raise ImportRefused(
            [
                ImportIssue(
                    _("Choose an existing organisation for “%(name)s”, or create it.")
                    % {"name": u.navn},
                    row=u.rows[0],
                )
                for u in missing
            ],
            _("Some organisation names are not in the registry. Nothing was changed."),
        )
    wanted = {
        org_mapping[u.key].organisasjon_id
        for u in preview.unknown_organisations
        if org_mapping[u.key].organisasjon_id
    }
    existing = Organisasjon.objects.in_bulk(wanted)
    resolved: dict[str, Organisasjon] = {}
    created: list[str] = []
    issues: list[ImportIssue] = []
    for u in preview.unknown_organisations:
        choice = org_mapping[u.key]
        if choice.organisasjon_id:
            org = existing.get(choice.organisasjon_id)
            if org is None:
                issues.append(
                    ImportIssue(
                        _("The organisation chosen for “%(name)s” no longer exists.")
                        % {"name": u.navn},
                        row=u.rows[0],
                    )
                )
                continue
            resolved[u.key] = org
        elif choice.create_type in OrganisasjonType.values:
            try:
                resolved[u.key] = organisasjon_create(
                    actor=actor, navn=u.navn, type=choice.create_type
                )
            except ValidationError as exc:
                issues.append(ImportIssue(" ".join(exc.messages), row=u.rows[0]))
                continue
            created.append(resolved[u.key].navn)
        else:
            issues.append(
                ImportIssue(
                    _("Choose a type for the new organisation “%(name)s”.") % {"name": u.navn},
                    row=u.rows[0],
                )
            )
    if issues:
        raise ImportRefused(issues)
    return resolved, created


def _desired_parties(
    names: list[PartyName], resolved: dict[str, Organisasjon]
) -> list[tuple[Organisasjon, str]]:
    """The organisations of one role in order, each once, with the name as written."""
    result: list[tuple[Organisasjon, str]] = []
    seen: set[int] = set()
    for p in names:
        org = p.organisasjon or resolved[p.key]
        if org.pk not in seen:
            seen.add(org.pk)
            result.append((org, p.tekst))
    return result


def _party_writes(
    *, tiltak: Tiltak, rolle: str, desired: list[tuple[Organisasjon, str]], existing: list[Ansvar]
) -> tuple[list[Ansvar], list[Ansvar], list[Ansvar]]:
    """(to create, to reorder, to remove) to make the role's parties `desired`, in order."""
    by_org = {a.organisasjon_id: a for a in existing}
    wanted = {org.pk for org, _tekst in desired}
    create, reorder = [], []
    for index, (org, tekst) in enumerate(desired):
        ansvar = by_org.get(org.pk)
        if ansvar is None:
            create.append(
                Ansvar(
                    tiltak=tiltak,
                    organisasjon=org,
                    rolle=rolle,
                    rekkefoelge=index,
                    tekst_som_skrevet=tekst,
                )
            )
        elif ansvar.rekkefoelge != index:
            ansvar.rekkefoelge = index
            reorder.append(ansvar)
    remove = [a for a in existing if a.organisasjon_id not in wanted]
    return create, reorder, remove


def _remove(*, actor, removed: list[Tiltak], result: ImportResult) -> None:
    """Delete the tiltak missing from the file, as tiltak.tiltak_delete does.

    Those with traces (tiltak.extensions.tiltak_ids_with_traces: changed after they were
    created, rolled or merged from, or kept by a check another app registers, such as hearing
    answers and reports) are kept as deleted: found with one query per check and marked deleted
    in bulk (one history row each), so removing thousands does not take minutes. Every other
    one goes through tiltak_delete, which removes it."""
    traced = tiltak_ids_with_traces(t.pk for t in removed)
    now = timezone.now()
    kept = [t for t in removed if t.pk in traced]
    for t in kept:
        t.slettet, t.slettet_grunn, t.versjon = now, REMOVED_REASON, t.versjon + 1
    for start in range(0, len(kept), BATCH):
        batch = kept[start : start + BATCH]
        Tiltak.objects.filter(pk__in=[t.pk for t in batch]).update(
            slettet=now, slettet_grunn=REMOVED_REASON, versjon=F("versjon") + 1
        )
    if kept:
        # A bulk update sends no post_save: the cached page fragments must hear of it.
        render_cache.bump_version()
    Tiltak.history.bulk_history_create(
        kept,
        batch_size=BATCH,
        update=True,
        default_user=actor,
        default_change_reason=REMOVED_REASON,
    )
    result.kept_as_deleted += len(kept)
    try:
        for tiltak in removed:
            if tiltak.pk in traced:
                continue
            outcome = tiltak_delete(
                actor=actor, tiltak=tiltak, reason=REMOVED_REASON, expected_versjon=tiltak.versjon
            )
            if outcome == "soft":
                result.kept_as_deleted += 1
            else:
                result.deleted += 1
    except ConcurrencyConflict as exc:
        raise ImportStale() from exc


def _save_validated(instance, *, actor, reason: str, fields: list[str]) -> None:
    """Save an instance the preview has validated already; the history row (actor, reason)
    comes from django-simple-history's post_save."""
    instance._history_user = actor
    instance._change_reason = reason
    instance.save(update_fields=fields)


@transaction.atomic
def programme_import_apply(
    *,
    actor,
    programme: Handlingsprogram,
    data: bytes,
    org_mapping: dict[str, OrgChoice],
    expected_fingerprint: str,
    conflict_choices: Mapping[int, str] | None = None,
) -> ImportResult:
    """Write what the preview of `data` showed, in one transaction, or nothing.

    `org_mapping` has an OrgChoice for each `UnknownOrganisation.key` of the preview;
    `expected_fingerprint` is the preview's `fingerprint`; `conflict_choices` has a choice
    (types.KEEP_PORTAL or types.USE_FILE) for each `Conflict.tiltak_id` of the preview: rows
    changed in the portal since the export, rows of tiltak deleted since, tiltak added or
    changed since that the file leaves out. Raises ImportStale when the programme changed
    since, ImportRefused when the file or a choice is not valid or a conflict has no choice
    (with `issues`), PermissionDenied without `tiltak.import_programme`.

    A conflict kept for the portal leaves its tiltak as it is (the row is skipped, the tiltak
    not removed); one decided for the file is written like any other row, a tiltak kept as
    deleted is restored with the file's values (reason RESTORED_REASON) and one deleted for
    good comes back as a new measure.

    Removed tiltak are deleted as tiltak.tiltak_delete does (see _remove). New and changed
    tiltak and their parties are written directly (new ones in bulk), each with its history row
    (actor, reason), after the same validation as the services run (done in the preview): a
    3,000-row file takes seconds. The
    programme's tiltak are locked first, so no edit in the browser can slip in between the
    fingerprint check and the writes; the versions of changed tiltak are raised by one."""
    check_perm(actor, PERMISSION, programme)
    # Serialises imports into the same programme, and sees its status as it is now.
    programme = Handlingsprogram.objects.select_for_update().get(pk=programme.pk)
    check_perm(actor, PERMISSION, programme)
    list(Tiltak.objects.select_for_update().filter(program=programme).values_list("pk"))
    preview = build_preview(programme, data, conflict_choices)
    if preview.fingerprint != expected_fingerprint:
        raise ImportStale()
    if not preview.ok:
        raise ImportRefused(preview.errors)
    if preview.undecided:
        raise ImportRefused(
            [c.issue for c in preview.undecided],
            _(
                "Choose what to do with each row changed in the portal after the file was "
                "exported. Nothing was changed."
            ),
        )
    resolved, created_orgs = _resolve_unknown(actor=actor, preview=preview, org_mapping=org_mapping)
    result = ImportResult(
        unchanged=preview.unchanged,
        organisations_created=created_orgs,
        kept_from_portal=preview.kept_from_portal,
    )
    reason = _("Imported from Excel")

    _remove(actor=actor, removed=preview.removed, result=result)

    last = Tiltak.alle.filter(program=programme).aggregate(m=Max("rekkefoelge"))["m"]
    next_rekkefoelge = 0 if last is None else last + 1

    # Changed tiltak. Numbers that move are freed first, so swapping two numbers never meets
    # the unique (tema, nummer) constraint half-way; the final numbers were checked.
    updated = [c.updated for c in preview.changed if c.updated is not None and not c.restored]
    restored = [c.updated for c in preview.changed if c.updated is not None and c.restored]
    moving = [c.tiltak.pk for c in preview.changed if c.placement_changed]
    if moving:
        # Tiltak.alle: a tiltak restored from deletion is among them.
        Tiltak.alle.filter(pk__in=moving).update(nummer=None)
    for change in preview.changed:
        if change.updated is None:
            continue
        change.updated.versjon = change.tiltak.versjon + 1
        if change.updated.tema_id != change.tiltak.tema_id:
            # Last in the new tema, as tiltak.tiltak_move places it.
            change.updated.rekkefoelge = next_rekkefoelge
            next_rekkefoelge += 1
    # One UPDATE per batch for each set of changed fields: Django's bulk_update builds a CASE
    # per field and row, so sending only the fields that changed keeps it fast.
    groups: dict[tuple[str, ...], list[Tiltak]] = {}
    for change in preview.changed:
        if change.updated is not None:
            fields = {*change.fields, "versjon"}
            if change.placement_changed:
                fields |= PLACEMENT_FIELDS
            if change.restored:
                fields |= RESTORE_FIELDS
            groups.setdefault(tuple(sorted(fields)), []).append(change.updated)
    for group, objs in groups.items():
        Tiltak.alle.bulk_update(objs, group, batch_size=BATCH)
    Tiltak.history.bulk_history_create(
        updated, batch_size=BATCH, update=True, default_user=actor, default_change_reason=reason
    )
    Tiltak.history.bulk_history_create(
        restored,
        batch_size=BATCH,
        update=True,
        default_user=actor,
        default_change_reason=_("Restored after deletion"),
    )
    result.restored = len(restored)
    result.updated = len(preview.changed)  # a restored one counts as changed

    # New tiltak, in the order of the file.
    new: list[Tiltak] = []
    for row in preview.new:
        assert row.instance is not None  # built by the preview's validation
        row.instance.rekkefoelge = next_rekkefoelge
        next_rekkefoelge += 1
        new.append(row.instance)
    bulk_create_with_history(
        new, Tiltak, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    result.created = len(new)

    # Parties: all of a new tiltak's; for a changed tiltak only the roles whose list changed.
    create: list[Ansvar] = []
    reorder: list[Ansvar] = []
    remove: list[Ansvar] = []
    for row, instance in zip(preview.new, new, strict=True):
        for rolle, names in row.parties.items():
            c, _r, _d = _party_writes(
                tiltak=instance,
                rolle=rolle,
                desired=_desired_parties(names, resolved),
                existing=[],
            )
            create.extend(c)
    for change in preview.changed:
        for rolle, names in change.parties_changed.items():
            c, r, d = _party_writes(
                tiltak=change.tiltak,
                rolle=rolle,
                desired=_desired_parties(names, resolved),
                existing=parties(change.tiltak, rolle),
            )
            create.extend(c)
            reorder.extend(r)
            remove.extend(d)
    for ansvar in remove:
        delete_with_actor(ansvar, actor=actor, reason=reason)
    for ansvar in create:
        try:
            ansvar.full_clean(
                exclude=ANSVAR_UNCHECKED, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            raise ImportRefused([ImportIssue(" ".join(exc.messages))]) from exc
    for ansvar in reorder:
        _save_validated(ansvar, actor=actor, reason=reason, fields=["rekkefoelge"])
    bulk_create_with_history(
        create, Ansvar, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    return result


def summary(result: ImportResult) -> str:
    """One sentence for the user about what an import did."""
    parts = [
        ngettext("%(n)s measure added", "%(n)s measures added", result.created)
        % {"n": result.created},
        ngettext("%(n)s changed", "%(n)s changed", result.updated) % {"n": result.updated},
        ngettext("%(n)s removed", "%(n)s removed", result.deleted + result.kept_as_deleted)
        % {"n": result.deleted + result.kept_as_deleted},
        ngettext("%(n)s unchanged", "%(n)s unchanged", result.unchanged) % {"n": result.unchanged},
    ]
    if result.kept_from_portal:
        parts.append(
            ngettext(
                "%(n)s kept as in the portal",
                "%(n)s kept as in the portal",
                result.kept_from_portal,
            )
            % {"n": result.kept_from_portal}
        )
    if result.organisations_created:
        parts.append(
            ngettext(
                "%(n)s organisation created",
                "%(n)s organisations created",
                len(result.organisations_created),
            )
            % {"n": len(result.organisations_created)}
        )
    return ", ".join(parts) + "."
