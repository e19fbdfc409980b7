"""Excel round trip: export a programme to .xlsx, import the same format into a draft
programme with a preview before anything is written. Thin views: parse, check the permission,
call tiltak.exports or tiltak.services.excel, render.

Between the preview and the apply the uploaded file waits in Django's storage
(tiltak.services.excel.pending: default_storage under excel-pending/, so the apply may reach
another app server than the preview) under a random token that only the user's session knows,
one pending import per programme; it is re-read and re-checked on apply and deleted afterwards
(or, after EXCEL_PENDING_MAX_AGE_HOURS, by `manage.py periodic`). The session also keeps
what the apply's forms need from the preview: the unknown organisation names and the rows
changed in the portal since the export (ImportConflictsForm: a choice per row, or one for all).

Guarded the one way (partnerskap.access, lookups.py)."""

import re

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partnerskap.access import guarded
from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon
from tiltak.exports import XLSX_CONTENT_TYPE, export_filename, programme_xlsx
from tiltak.forms import (
    ConflictRef,
    ImportConflictsForm,
    ImportUploadForm,
    UnknownOrganisationForm,
)
from tiltak.services.excel import apply as excel_apply
from tiltak.services.excel import pending as pending_uploads
from tiltak.services.excel import preview as excel_preview
from tiltak.services.excel.types import (
    ImportIssue,
    ImportPreview,
    ImportRefused,
    UnknownOrganisation,
)

from .lookups import programme_for

SESSION_KEY = "tiltak_excel_import"
RESULT_SESSION_KEY = "tiltak_excel_import_result"


# --- Export -----------------------------------------------------------------------------------


def _ascii_fallback(filename: str) -> str:
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("Æ", "Ae"), ("Ø", "O"), ("Å", "A")):
        filename = filename.replace(a, b)
    filename = filename.replace("–", "-").replace("—", "-")
    return re.sub(r"[^A-Za-z0-9 ._()-]", "_", filename)


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download: an ASCII filename for old clients and the real
    one, æøå included, RFC 5987-encoded in filename*."""
    encoded = content_disposition_header(True, filename)
    fallback = f'attachment; filename="{_ascii_fallback(filename)}"'
    if "filename*=" in encoded:
        return f"{fallback}; {encoded.removeprefix('attachment; ')}"
    return encoded


@guarded
@require_GET
def programme_export(request, pk: int):
    programme = programme_for(request, pk, "tiltak.export_programme")
    response = HttpResponse(programme_xlsx(programme), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(export_filename(programme))
    response["Cache-Control"] = "private, no-store"
    return response


# --- The pending upload (tiltak.services.excel.pending: Django's storage API) ------------------


def _pending(request, programme) -> tuple[dict | None, bytes | None]:
    """The pending upload of this user for this programme, and its bytes (None if gone)."""
    entry = request.session.get(SESSION_KEY, {}).get(str(programme.pk))
    if not entry or entry.get("user") != request.user.pk:
        return None, None
    return entry, pending_uploads.read(entry.get("token"))


def _set_pending(request, programme, *, token: str, filename: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    old = pending.get(str(programme.pk))
    if old:
        pending_uploads.discard(old.get("token"))
    pending[str(programme.pk)] = {"token": token, "filename": filename, "user": request.user.pk}
    request.session[SESSION_KEY] = pending


def _remember(request, programme, preview: ImportPreview) -> None:
    """What the apply's forms need from the preview: the unknown organisation names and the
    rows changed in the portal since the export."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.get(str(programme.pk))
    if entry is not None:
        entry["unknown"] = [[u.navn, u.key, u.rows] for u in preview.unknown_organisations]
        entry["conflicts"] = [
            [c.tiltak_id, c.row, c.kind, c.restorable, c.label] for c in preview.conflicts
        ]
        request.session[SESSION_KEY] = pending


def _conflict_refs(preview: ImportPreview) -> list[ConflictRef]:
    return [
        ConflictRef(c.tiltak_id, c.row, c.kind, c.restorable, c.label) for c in preview.conflicts
    ]


def _conflict_rows(preview: ImportPreview, form: ImportConflictsForm) -> list[tuple]:
    """(conflict, its radio buttons) for the page."""
    return [
        (c, form[form.field_name(c.tiltak_id)])
        for c in preview.conflicts
        if form.field_name(c.tiltak_id) in form.fields
    ]


def _clear_pending(request, programme) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(str(programme.pk), None)
    if entry:
        pending_uploads.discard(entry.get("token"))
    request.session[SESSION_KEY] = pending


def _org_forms(unknown: list[UnknownOrganisation], data=None) -> list[UnknownOrganisationForm]:
    if not unknown:
        return []
    # One query for the list, shared by every form.
    choices = list(Organisasjon.objects.order_by("navn").values_list("pk", "navn"))
    return [
        UnknownOrganisationForm(data, prefix=f"org{i}", unknown=u, org_choices=choices)
        for i, u in enumerate(unknown)
    ]


# --- Import -----------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def programme_import(request, pk: int):
    """Upload: the file is read and checked at once; a file with errors is refused here with
    every error listed, a good one is kept and the preview shown."""
    programme = programme_for(request, pk, "tiltak.import_programme")
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fil"]
        data = upload.read()
        preview = excel_preview.programme_import_preview(
            actor=request.user, programme=programme, data=data
        )
        if preview.ok:
            token = pending_uploads.store(data)
            _set_pending(request, programme, token=token, filename=upload.name[:200])
            return redirect("tiltak:programme_import_preview", pk=programme.pk)
    return render(
        request,
        "tiltak/excel/import_upload.html",
        {"programme": programme, "form": form, "preview": preview, "nav": "programmes"},
        status=200,
    )


def _render_preview(
    request, programme, entry, preview, org_forms, conflict_form, *, alert="", issues=()
):
    return render(
        request,
        "tiltak/excel/import_preview.html",
        {
            "programme": programme,
            "preview": preview,
            "org_forms": org_forms,
            "conflict_form": conflict_form,
            "conflict_rows": _conflict_rows(preview, conflict_form),
            "filename": entry.get("filename", ""),
            "alert": alert,
            "issues": list(issues),
            "nav": "programmes",
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def programme_import_preview(request, pk: int):
    """GET: what the pending file would change. POST: apply it (or cancel)."""
    programme = programme_for(request, pk, "tiltak.import_programme")
    upload_url = reverse("tiltak:programme_import", kwargs={"pk": programme.pk})
    if request.method == "POST" and "avbryt" in request.POST:
        _clear_pending(request, programme)
        return redirect(programme.get_absolute_url())
    entry, data = _pending(request, programme)
    if data is None:
        if entry:
            _clear_pending(request, programme)
        return redirect(f"{upload_url}?utloept=1")

    def current_preview():
        preview = excel_preview.programme_import_preview(
            actor=request.user, programme=programme, data=data
        )
        # The apply needs the unknown names and the conflicts for its forms; keeping them
        # saves a second read of the file in the request that applies it.
        _remember(request, programme, preview)
        return preview

    def again(*, alert: str, issues=()):
        preview = current_preview()
        org_forms = _org_forms(preview.unknown_organisations, request.POST)
        for form in org_forms:
            form.is_valid()
        conflict_form = ImportConflictsForm(request.POST, conflicts=_conflict_refs(preview))
        conflict_form.is_valid()
        return _render_preview(
            request,
            programme,
            entry,
            preview,
            org_forms,
            conflict_form,
            alert=alert,
            issues=issues,
        )

    if request.method == "GET":
        preview = current_preview()
        return _render_preview(
            request,
            programme,
            entry,
            preview,
            _org_forms(preview.unknown_organisations),
            ImportConflictsForm(conflicts=_conflict_refs(preview)),
        )

    unknown = [UnknownOrganisation(navn, key, rows) for navn, key, rows in entry.get("unknown", [])]
    org_forms = _org_forms(unknown, request.POST)
    conflict_form = ImportConflictsForm(
        request.POST, conflicts=[ConflictRef(*c) for c in entry.get("conflicts", [])]
    )
    valid = [f.is_valid() for f in org_forms]  # every form, so each shows its errors
    orgs_valid = all(valid)
    conflicts_valid = conflict_form.is_valid()
    if not conflicts_valid:
        return again(
            alert=_(
                "Choose what to do with each row changed in the portal after the file was "
                "exported. Nothing was changed."
            ),
            issues=[
                ImportIssue(str(e)) for errors in conflict_form.errors.values() for e in errors
            ],
        )
    if not orgs_valid:
        return again(
            alert=_("Choose what to do with each unknown organisation. Nothing was changed.")
        )
    mapping = {f.unknown.key: f.choice() for f in org_forms}
    try:
        result = excel_apply.programme_import_apply(
            actor=request.user,
            programme=programme,
            data=data,
            org_mapping=mapping,
            expected_fingerprint=request.POST.get("fingerprint", ""),
            conflict_choices=conflict_form.choices(),
        )
    except ImportRefused as exc:
        return again(alert=str(exc), issues=exc.issues)
    except ServiceError as exc:
        # ImportStale among them: the page shows the preview as the programme is now, with
        # its new fingerprint.
        return again(alert=str(exc))
    _clear_pending(request, programme)
    request.session[RESULT_SESSION_KEY] = {
        "programme": programme.pk,
        "summary": excel_apply.summary(result),
        "organisations": result.organisations_created,
    }
    return redirect("tiltak:programme_import_done", pk=programme.pk)


@guarded
@require_GET
def programme_import_done(request, pk: int):
    programme = programme_for(request, pk, "tiltak.view_programme")
    result = request.session.get(RESULT_SESSION_KEY)
    if not result or result.get("programme") != programme.pk:
        return redirect(programme.get_absolute_url())
    return render(
        request,
        "tiltak/excel/import_done.html",
        {"programme": programme, "result": result, "nav": "programmes"},
    )
