"""Rolling a programme to a new period, marking the outcome of each rolled tiltak, and comparing
two versions. Thin views: guarded the one way (partnerskap.access, lookups.py), a service or
selector, render."""

import re
from urllib.parse import parse_qs, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from partnerskap.access import guarded, require
from partnerskap.errors import ServiceError
from tiltak.forms import CompareForm, RollForm
from tiltak.models import Handlingsprogram, Tema, Tiltak, Utfall
from tiltak.selectors.comparison import programme_compare as compare_selector
from tiltak.selectors.programmes import visible_predecessor, visible_programmes
from tiltak.services import rolling
from tiltak.services.rolling import REMOVING_OUTCOMES

from .lookups import programme_for

# --- Rolling -------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def programme_roll(request, pk: int):
    programme = programme_for(request, pk, "tiltak.roll_programme")
    length = programme.slutt_aar - programme.start_aar
    initial = {
        "navn": programme.navn,
        "start_aar": programme.slutt_aar + 1,
        "slutt_aar": programme.slutt_aar + 1 + length,
    }
    form = RollForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = rolling.programme_roll(
                actor=request.user,
                programme=programme,
                navn=form.cleaned_data["navn"],
                start_aar=form.cleaned_data["start_aar"],
                slutt_aar=form.cleaned_data["slutt_aar"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "%(new)s was created as a draft from %(old)s. Mark the outcome of each "
                    "measure under “Outcomes of rolling”."
                )
                % {"new": new, "old": programme},
            )
            return redirect(new)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "tiltak/rolling/programme_roll.html",
        {"programme": programme, "form": form, "nav": "programmes"},
        status=status,
    )


# --- Outcomes ------------------------------------------------------------------------------

NUMBER_RE = re.compile(r"^\s*(\d+)\s*\.\s*(\d+)\b")
ID_RE = re.compile(r"^\s*(?:ID|#)\s*(\d+)\b", re.IGNORECASE)


def target_reference(t: Tiltak) -> str:
    """How the outcome form names a merge target: "3.12", or "ID 4711" without a number."""
    return t.nummer_visning or f"ID {t.pk}"


def _outcome_rows(programme: Handlingsprogram) -> list[Tiltak]:
    """Every tiltak of the programme (one query), including those taken out by an outcome."""
    rows = (
        Tiltak.alle.filter(program=programme)
        .select_related(
            "tema",
            "forgjenger",
            "forgjenger__tema",
            "slaatt_sammen_med",
            "slaatt_sammen_med__tema",
        )
        .order_by("tema__nummer", "nummer", "rekkefoelge", "id")
    )
    return [t for t in rows if t.slettet is None or t.utfall in REMOVING_OUTCOMES]


def _progress(rows: list[Tiltak]) -> dict:
    rolled = [t for t in rows if t.forgjenger_id]
    return {"marked": sum(1 for t in rolled if t.utfall), "total": len(rolled)}


def _readable_programmes(request, rows: list[Tiltak]) -> set[int]:
    """The programmes of the rows' predecessors that the user may read (one query): a public
    programme rolled from a draft shows no titles of the draft's tiltak."""
    ids = {t.forgjenger.program_id for t in rows if t.forgjenger_id}
    if not ids:
        return set()
    return set(visible_programmes(request.user).filter(pk__in=ids).values_list("pk", flat=True))


def _row_context(
    request, programme, t: Tiltak, readable: set[int], error=None, values=None, can_edit=None
) -> dict:
    if can_edit is None:
        can_edit = request.user.has_perm("tiltak.edit_structure", programme)
    return {
        "programme": programme,
        "t": t,
        "show_predecessor": t.forgjenger_id is not None and t.forgjenger.program_id in readable,
        "can_edit": can_edit,
        "choices": Utfall.choices,
        "error": error,
        "values": values
        or {
            "utfall": t.utfall,
            "target": target_reference(t.slaatt_sammen_med) if t.slaatt_sammen_med else "",
        },
    }


@guarded
def programme_utfall(request, pk: int):
    """Every tiltak of a rolled programme with its predecessor and outcome; filter by tema and
    by 'not marked yet'. Read-only for users who may view but not edit the structure."""
    programme = programme_for(request, pk)
    return _render_utfall_page(request, programme)


def _render_utfall_page(request, programme, *, row_error=None, status=200):
    rows = _outcome_rows(programme)
    temaer = list(Tema.objects.filter(program=programme).order_by("nummer"))
    tema_filter = request.GET.get("tema", "")
    if tema_filter and not (
        tema_filter.isdigit() and any(t.pk == int(tema_filter) for t in temaer)
    ):
        tema_filter = ""
    only_unmarked = request.GET.get("umerket") == "1"
    shown = [
        t
        for t in rows
        if (not tema_filter or t.tema_id == int(tema_filter))
        and (not only_unmarked or (t.forgjenger_id and not t.utfall))
    ]
    can_edit = request.user.has_perm("tiltak.edit_structure", programme)
    readable = _readable_programmes(request, shown)
    row_contexts = []
    for t in shown:
        ctx = _row_context(request, programme, t, readable, can_edit=can_edit)
        if row_error and row_error["pk"] == t.pk:
            ctx["error"], ctx["values"] = row_error["error"], row_error["values"]
        row_contexts.append(ctx)
    return render(
        request,
        "tiltak/rolling/utfall_list.html",
        {
            "programme": programme,
            "previous": visible_predecessor(programme=programme, user=request.user),
            "rows": row_contexts,
            "targets": [t for t in rows if t.slettet is None],
            "temaer": temaer,
            "tema_filter": tema_filter,
            "only_unmarked": only_unmarked,
            "progress": _progress(rows),
            "can_edit": can_edit,
            "bulk_outcomes": [(u.value, u.label) for u in rolling.BULK_OUTCOMES],
            "querystring": request.GET.urlencode(),
            "nav": "programmes",
        },
        status=status,
    )


def _parse_target(programme, text: str) -> Tiltak | None | str:
    """The merge target named by "3.12" or "ID 4711" in this programme; an error text if the
    reference is given but names no tiltak; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    query = Tiltak.objects.filter(program=programme).select_related("tema")
    if m := NUMBER_RE.match(text):
        found = query.filter(tema__nummer=int(m.group(1)), nummer=int(m.group(2))).first()
    elif m := ID_RE.match(text):
        found = query.filter(pk=int(m.group(1))).first()
    else:
        return _("Merged into: write the number of the measure, like 3.12.")
    return found or _("Merged into: this programme has no measure %(ref)s.") % {"ref": text}


@guarded
@require_POST
def tiltak_utfall_set(request, pk: int, tiltak_pk: int):
    """Save one row of the outcome page. HTMX gets the row back (and the progress out of band);
    without JavaScript the whole page is shown again (redirect on success). A refusal under
    HTMX (e.g. the programme was adopted meanwhile) reloads the page, which then shows it
    read-only, rather than leaving an error htmx would not display."""
    try:
        return _tiltak_utfall_set(request, pk, tiltak_pk)
    except PermissionDenied:
        if not request.htmx:
            raise
        response = HttpResponseForbidden()
        response["HX-Refresh"] = "true"
        return response


def _tiltak_utfall_set(request, pk: int, tiltak_pk: int):
    programme = programme_for(request, pk, "tiltak.edit_structure")
    t = Tiltak.alle.filter(program=programme, pk=tiltak_pk).first()
    if t is None:
        raise Http404(_("No such measure in this programme."))
    utfall = request.POST.get("utfall", "")
    target_text = request.POST.get("slaatt_sammen_med", "")
    values = {"utfall": utfall, "target": target_text}
    error = None
    target = None
    if utfall == Utfall.SLAATT_SAMMEN:
        target = _parse_target(programme, target_text)
        if isinstance(target, str):
            error, target = target, None
    if error is None:
        try:
            rolling.tiltak_set_utfall(
                actor=request.user, tiltak=t, utfall=utfall, slaatt_sammen_med=target
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except ServiceError as exc:
            error = str(exc)

    if request.htmx:
        rows = _outcome_rows(programme)
        current = next((r for r in rows if r.pk == t.pk), None)
        if current is None:  # deleted in the editor meanwhile: the row goes away
            current = t
        ctx = _row_context(
            request,
            programme,
            current,
            _readable_programmes(request, [current]),
            error=error,
            values=values if error else None,
        )
        ctx["progress"] = _progress(rows)
        ctx["oob"] = True
        ctx["querystring"] = request.POST.get("tilbake", "")
        return render(request, "tiltak/rolling/partials/utfall_row.html", ctx)

    if error:
        return _render_utfall_page(
            request,
            programme,
            row_error={"pk": t.pk, "error": error, "values": values},
            status=400,
        )
    url = reverse("tiltak:programme_utfall", args=[programme.pk])
    back = request.POST.get("tilbake", "")
    query = _safe_query(back)
    return HttpResponseRedirect(
        f"{url}?{urlencode(query)}#tiltak-{t.pk}" if query else f"{url}#tiltak-{t.pk}"
    )


def _safe_query(querystring: str) -> dict:
    """Only the page's own filters survive the redirect back."""
    parsed = parse_qs(querystring)
    return {k: parsed[k][0] for k in ("tema", "umerket") if k in parsed and parsed[k][0].isdigit()}


# --- Comparison ----------------------------------------------------------------------------


@guarded
def programme_compare(request):
    """/program/sammenlign/?fra=<pk>&til=<pk>: any two programmes the user may view."""
    programmes = (
        visible_programmes(request.user)
        .select_related("eier", "forrige_versjon")
        .order_by("-start_aar", "navn")
    )
    bound = "fra" in request.GET or "til" in request.GET
    form = CompareForm(request.GET if bound else None, programmes=programmes)
    comparison = None
    if bound and form.is_valid():
        fra, til = form.cleaned_data["fra"], form.cleaned_data["til"]
        # The queryset above already is the view rule; the permission is checked too, so
        # the page and the rule cannot drift apart.
        require(request, "tiltak.view_programme", fra)
        require(request, "tiltak.view_programme", til)
        comparison = compare_selector(fra=fra, til=til)
    status = 400 if bound and not form.is_valid() else 200
    return render(
        request,
        "tiltak/rolling/compare.html",
        {
            "form": form,
            "programmes": list(programmes),
            "comparison": comparison,
            "nav": "programmes",
        },
        status=status,
    )


@guarded
@require_POST
def programme_utfall_bulk(request, pk: int):
    """Mark every measure not marked yet (in the chosen tema, if any) with one outcome: rolling
    a 164-measure programme should not take 164 forms."""
    programme = programme_for(request, pk, "tiltak.edit_structure")
    tema_text = request.POST.get("tema", "")
    tema_id = int(tema_text) if tema_text.isdigit() else None
    if tema_id is not None and not Tema.objects.filter(program=programme, pk=tema_id).exists():
        raise Http404(_("No such theme."))
    try:
        marked = rolling.tiltak_set_utfall_bulk(
            actor=request.user,
            programme=programme,
            utfall=request.POST.get("utfall", ""),
            tema_id=tema_id,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = Utfall(request.POST["utfall"]).label
        messages.success(
            request,
            ngettext(
                "%(count)s measure was marked “%(outcome)s”.",
                "%(count)s measures were marked “%(outcome)s”.",
                marked,
            )
            % {"count": marked, "outcome": label},
        )
    query = _safe_query(request.POST.get("tilbake", ""))
    url = reverse("tiltak:programme_utfall", args=[programme.pk])
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)
