"""«Importer tiltaksliste»: a year's list of measures from a spreadsheet as partners send it
(tiltak.services.excel.liste), with a preview before anything is written. The pending file and
the unknown-organisation forms are the programme import's (views/excel.py), so one pending
upload per programme and user, whichever import it is for."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerskap.access import guarded
from partnerskap.errors import ServiceError
from tiltak.forms import ListUploadForm
from tiltak.services.excel import apply as excel_apply
from tiltak.services.excel import liste
from tiltak.services.excel import pending as pending_uploads
from tiltak.services.excel.types import ImportRefused, UnknownOrganisation

from . import excel
from .lookups import programme_for

PERM = "tiltak.import_programme"


@guarded
@require_http_methods(["GET", "POST"])
def programme_list_import(request, pk: int):
    programme = programme_for(request, pk, PERM)
    form = ListUploadForm(request.POST, request.FILES) if request.method == "POST" else None
    form = form or ListUploadForm()
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fil"]
        data = upload.read()
        filename = upload.name[:200]
        preview = liste.programme_list_preview(
            actor=request.user, programme=programme, data=data, filename=filename
        )
        if preview.ok:
            excel._set_pending(
                request, programme, token=pending_uploads.store(data), filename=filename
            )
            return redirect("tiltak:programme_list_preview", pk=programme.pk)
    return render(
        request,
        "tiltak/liste/upload.html",
        {"programme": programme, "form": form, "preview": preview, "nav": "programmes"},
    )


@guarded
@require_http_methods(["GET", "POST"])
def programme_list_preview(request, pk: int):
    """GET: the measures the pending list would add. POST: add them (or cancel)."""
    programme = programme_for(request, pk, PERM)
    upload_url = reverse("tiltak:programme_list_import", kwargs={"pk": programme.pk})
    if request.method == "POST" and "avbryt" in request.POST:
        excel._clear_pending(request, programme)
        return redirect(programme.get_absolute_url())
    entry, data = excel._pending(request, programme)
    if data is None:
        if entry:
            excel._clear_pending(request, programme)
        return redirect(f"{upload_url}?utloept=1")
    filename = entry.get("filename", "")

    def page(preview, org_forms, *, alert="", issues=()):
        return render(
            request,
            "tiltak/liste/preview.html",
            {
                "programme": programme,
                "preview": preview,
                "org_forms": org_forms,
                "filename": filename,
                "alert": alert,
                "issues": list(issues),
                "nav": "programmes",
            },
        )

    def current_preview():
        preview = liste.programme_list_preview(
            actor=request.user, programme=programme, data=data, filename=filename
        )
        excel._remember(request, programme, preview)
        return preview

    if request.method == "GET":
        preview = current_preview()
        return page(preview, excel._org_forms(preview.unknown_organisations))

    unknown = [UnknownOrganisation(navn, key, rows) for navn, key, rows in entry.get("unknown", [])]
    org_forms = excel._org_forms(unknown, request.POST)
    valid = [f.is_valid() for f in org_forms]
    alert, issues = "", []
    if all(valid):
        try:
            result = liste.programme_list_apply(
                actor=request.user,
                programme=programme,
                data=data,
                filename=filename,
                org_mapping={f.unknown.key: f.choice() for f in org_forms},
                expected_fingerprint=request.POST.get("fingerprint", ""),
            )
        except ImportRefused as exc:
            alert, issues = str(exc), exc.issues
        except ServiceError as exc:
            alert = str(exc)
        else:
            excel._clear_pending(request, programme)
            request.session[excel.RESULT_SESSION_KEY] = {
                "programme": programme.pk,
                "summary": excel_apply.summary(result),
                "organisations": result.organisations_created,
            }
            return redirect("tiltak:programme_import_done", pk=programme.pk)
    else:
        alert = _("Choose what to do with each unknown organisation. Nothing was changed.")
    preview = current_preview()
    org_forms = excel._org_forms(preview.unknown_organisations, request.POST)
    for f in org_forms:
        f.is_valid()
    return page(preview, org_forms, alert=alert, issues=issues)
