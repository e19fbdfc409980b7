"""Import of an indicator's values from a .csv or .xlsx file: upload → preview (nothing is
written) → apply (atomic), or cancel.

Between the preview and the apply the file waits in Django's storage (`default_storage`) under
PENDING_PREFIX and a random name only the user's session knows, one pending file per
indicator; it is read and checked again on apply, deleted afterwards, and files older than
FILE_MAX_AGE are removed on the next upload."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerskap.access import guarded
from partnerskap.errors import Conflict, ServiceError
from rapportering.forms import ValuesApplyForm, ValuesUploadForm
from rapportering.services import importer

from .lookups import indikator_for

PENDING_PREFIX = "rapportering/import-pending"
SESSION_KEY = "rapportering_values_import"
FILE_MAX_AGE = timedelta(hours=6)
NAME_RE = re.compile(rf"^{PENDING_PREFIX}/[A-Za-z0-9_-]{{32,64}}\.upload$")


def _clean_old() -> None:
    try:
        _dirs, files = default_storage.listdir(PENDING_PREFIX)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    limit = timezone.now() - FILE_MAX_AGE
    for name in files:
        path = f"{PENDING_PREFIX}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


def _store(data: bytes) -> str:
    _clean_old()
    name = f"{PENDING_PREFIX}/{secrets.token_urlsafe(32)}.upload"
    return default_storage.save(name, ContentFile(data))


def _pending(request, indikator) -> tuple[dict | None, bytes | None]:
    entry = request.session.get(SESSION_KEY, {}).get(str(indikator.pk))
    if not entry or entry.get("user") != request.user.pk:
        return None, None
    name = entry.get("name", "")
    if not isinstance(name, str) or not NAME_RE.match(name):
        return entry, None
    try:
        if default_storage.get_modified_time(name) < timezone.now() - FILE_MAX_AGE:
            return entry, None
        with default_storage.open(name, "rb") as fh:
            return entry, fh.read()
    except (FileNotFoundError, OSError):
        return entry, None


def _discard(request, indikator) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(str(indikator.pk), None)
    if entry and isinstance(entry.get("name"), str) and NAME_RE.match(entry["name"]):
        default_storage.delete(entry["name"])
    request.session[SESSION_KEY] = pending


@guarded
@require_http_methods(["GET", "POST"])
def values_import(request, pk: int):
    """Upload: the file is read and checked at once; a file with errors is shown with every
    error (row, column) and nothing is kept; a good one waits for the preview's choice."""
    indikator = indikator_for(request, pk)
    form = ValuesUploadForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fil"]
        data = upload.read()
        preview = importer.values_preview(actor=request.user, indikator=indikator, data=data)
        if preview.ok:
            _discard(request, indikator)
            pending = dict(request.session.get(SESSION_KEY, {}))
            pending[str(indikator.pk)] = {
                "name": _store(data),
                "filename": upload.name[:200],
                "user": request.user.pk,
            }
            request.session[SESSION_KEY] = pending
            return redirect("rapportering:values_import_preview", pk=indikator.pk)
    return render(
        request,
        "rapportering/import_upload.html",
        {
            "indikator": indikator,
            "programme": indikator.program,
            "form": form,
            "preview": preview,
            "nav": "programmes",
        },
        status=400 if (form.errors or (preview and not preview.ok)) else 200,
    )


@guarded
@require_http_methods(["GET", "POST"])
def values_import_preview(request, pk: int):
    indikator = indikator_for(request, pk)
    entry, data = _pending(request, indikator)
    if data is None:
        if entry is not None:
            _discard(request, indikator)
        messages.info(request, _("There is no file waiting to be imported; upload it again."))
        return redirect("rapportering:values_import", pk=indikator.pk)
    if request.method == "POST" and "avbryt" in request.POST:
        _discard(request, indikator)
        messages.info(request, _("The import was cancelled. Nothing was changed."))
        return redirect(indikator.get_absolute_url())
    preview = importer.values_preview(actor=request.user, indikator=indikator, data=data)
    form = ValuesApplyForm(request.POST or None, initial={"fingerprint": preview.fingerprint})
    alert = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            created, replaced = importer.values_apply(
                actor=request.user,
                indikator=indikator,
                data=data,
                fingerprint=form.cleaned_data["fingerprint"],
                duplicates=form.cleaned_data["duplikater"] or None,
                filename=entry.get("filename", ""),
            )
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, msgs)
            status = 400
        except Conflict as exc:
            alert, status = str(exc), 409
            form = ValuesApplyForm(initial={"fingerprint": preview.fingerprint})
        except ServiceError as exc:
            alert, status = str(exc), 400
        else:
            _discard(request, indikator)
            messages.success(
                request,
                _("Imported: %(created)s new values, %(replaced)s replaced.")
                % {"created": created, "replaced": replaced},
            )
            return redirect(indikator.get_absolute_url())
    return render(
        request,
        "rapportering/import_preview.html",
        {
            "indikator": indikator,
            "programme": indikator.program,
            "preview": preview,
            "form": form,
            "filename": entry.get("filename", ""),
            "alert": alert,
            "nav": "programmes",
        },
        status=status,
    )
