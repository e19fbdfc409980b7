"""Editing a programme's tree in the browser. Thin views: find the object the user may see
(404 otherwise), check the permission (login redirect for anonymous users, 403 for others),
parse a form, call a service, render or redirect. Every view is guarded
the one way (partnerskap.access, lookups.py).

HTMX saves page loads where it helps (inline title/status edit in the tree, adding and removing
parties); every such action is an ordinary form POST first, so it also works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerskap.access import guarded
from partnerskap.errors import ServiceError
from tiltak.forms import (
    DelmaalForm,
    DelmaalMoveForm,
    RenumberForm,
    SatsingsomraadeForm,
    SatsingsomraadeMoveForm,
    TemaForm,
    TiltakCreateForm,
    TiltakDeleteForm,
    TiltakForm,
    TiltakMoveForm,
    TiltakQuickForm,
    add_service_errors,
    placement_value,
)
from tiltak.models import Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak
from tiltak.selectors.tree import programme_tree
from tiltak.services import structure
from tiltak.services import tiltak as tiltak_services
from tiltak.services.common import row_label
from tiltak.services.concurrency import ConcurrencyConflict
from tiltak.services.traces import tiltak_has_traces

from .lookups import (
    delmaal_for,
    move_step,
    programme_for,
    satsingsomraade_for,
    tema_for,
    tiltak_for,
)
from .parties import ansvar_form

# --- Helpers ------------------------------------------------------------------------------


def _edit_url(programme_id: int, anchor: str = "") -> str:
    url = reverse("tiltak:programme_edit", kwargs={"pk": programme_id})
    return f"{url}#{anchor}" if anchor else url


def _nivaa(programme: Handlingsprogram) -> str:
    return str(programme.get_nivaa_betegnelse_display())


# --- Programme tree -----------------------------------------------------------------------


@guarded
@require_GET
def programme_edit(request, pk: int):
    """The whole tree with controls. Planners of an adopted programme still get here to change
    the status of its tiltak; the structure controls are then left out."""
    programme = programme_for(request, pk, "tiltak.edit_tiltak_progress")
    tree = programme_tree(programme=programme)
    return render(
        request,
        "tiltak/edit/programme_edit.html",
        {"programme": programme, "tree": tree, "nav": "programmes"},
    )


def _form_page(request, template: str, **context):
    return render(request, f"tiltak/edit/{template}", {"nav": "programmes", **context})


# --- Tema ---------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def tema_create(request, pk: int):
    programme = programme_for(request, pk, "tiltak.edit_structure")
    form = TemaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tema = structure.tema_create(actor=request.user, program=programme, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Theme %(nummer)s was added.") % {"nummer": tema.nummer})
            return redirect(_edit_url(programme.pk, f"tema-{tema.pk}"))
    return _render_form(
        request,
        form,
        programme=programme,
        title=_("New %(level)s") % {"level": _nivaa(programme).lower()},
        submit=_("Add"),
    )


def _render_form(request, form, *, programme, title: str, submit: str, **extra):
    response = _form_page(
        request,
        "structure_form.html",
        form=form,
        programme=programme,
        title=title,
        submit=submit,
        cancel_url=_edit_url(programme.pk, extra.pop("anchor", "")),
        **extra,
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@guarded
@require_http_methods(["GET", "POST"])
def tema_update(request, pk: int):
    tema = tema_for(request, pk)
    form = TemaForm(request.POST or None, instance=Tema.objects.get(pk=tema.pk))
    if request.method == "POST" and form.is_valid():
        try:
            structure.tema_update(actor=request.user, tema=tema, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The theme was saved."))
            return redirect(_edit_url(tema.program_id, f"tema-{tema.pk}"))
    return _render_form(
        request,
        form,
        programme=tema.program,
        title=_("Edit %(level)s %(nummer)s")
        % {"level": _nivaa(tema.program).lower(), "nummer": tema.nummer},
        submit=_("Save"),
        anchor=f"tema-{tema.pk}",
    )


def _delete_page(request, obj, *, programme, title: str, explanation: str, anchor: str, do):
    """GET: ask to confirm. POST: delete; a refusal (ServiceError) is shown on the same page."""
    error = ""
    if request.method == "POST":
        try:
            do()
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Deleted: %(name)s") % {"name": str(obj)[:120]})
            return redirect(_edit_url(programme.pk))
    response = _form_page(
        request,
        "confirm_delete.html",
        obj=obj,
        programme=programme,
        title=title,
        explanation=explanation,
        error=error,
        cancel_url=_edit_url(programme.pk, anchor),
    )
    if error:
        response.status_code = 409
    return response


@guarded
@require_http_methods(["GET", "POST"])
def tema_delete(request, pk: int):
    tema = tema_for(request, pk)
    return _delete_page(
        request,
        tema,
        programme=tema.program,
        title=_("Delete %(level)s %(nummer)s: %(navn)s")
        % {"level": _nivaa(tema.program).lower(), "nummer": tema.nummer, "navn": tema.navn},
        explanation=_(
            "Its sub-goals and priority areas are deleted with it. A theme that holds "
            "measures cannot be deleted: move them first."
        ),
        anchor=f"tema-{tema.pk}",
        do=lambda: structure.tema_delete(actor=request.user, tema=tema),
    )


@guarded
@require_POST
def tema_move(request, pk: int):
    tema = tema_for(request, pk)
    numbers = list(
        Tema.objects.filter(program_id=tema.program_id)
        .order_by("nummer")
        .values_list("pk", flat=True)
    )
    position = numbers.index(tema.pk) + 1 + move_step(request)
    if 1 <= position <= len(numbers):
        structure.tema_move(actor=request.user, tema=tema, position=position)
        messages.success(request, _("The theme was moved."))
    return redirect(_edit_url(tema.program_id, f"tema-{tema.pk}"))


# --- Delmål -------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def delmaal_create(request, pk: int):
    tema = tema_for(request, pk)
    form = DelmaalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = structure.delmaal_create(actor=request.user, tema=tema, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The sub-goal was added."))
            return redirect(_edit_url(tema.program_id, f"delmaal-{d.pk}"))
    return _render_form(
        request,
        form,
        programme=tema.program,
        title=_("New sub-goal in %(level)s %(nummer)s")
        % {"level": _nivaa(tema.program).lower(), "nummer": tema.nummer},
        submit=_("Add"),
        anchor=f"tema-{tema.pk}",
    )


@guarded
@require_http_methods(["GET", "POST"])
def delmaal_update(request, pk: int):
    delmaal = delmaal_for(request, pk)
    form = DelmaalForm(request.POST or None, instance=Delmaal.objects.get(pk=delmaal.pk))
    if request.method == "POST" and form.is_valid():
        try:
            structure.delmaal_update(actor=request.user, delmaal=delmaal, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The sub-goal was saved."))
            return redirect(_edit_url(delmaal.tema.program_id, f"delmaal-{delmaal.pk}"))
    return _render_form(
        request,
        form,
        programme=delmaal.tema.program,
        title=_("Edit sub-goal %(nummer)s") % {"nummer": delmaal.nummer},
        submit=_("Save"),
        anchor=f"delmaal-{delmaal.pk}",
    )


@guarded
@require_http_methods(["GET", "POST"])
def delmaal_delete(request, pk: int):
    delmaal = delmaal_for(request, pk)
    return _delete_page(
        request,
        delmaal,
        programme=delmaal.tema.program,
        title=_("Delete sub-goal: %(navn)s") % {"navn": str(delmaal)[:120]},
        explanation=_(
            "Its priority areas are deleted with it. A sub-goal that holds measures cannot be "
            "deleted: move them first."
        ),
        anchor=f"delmaal-{delmaal.pk}",
        do=lambda: structure.delmaal_delete(actor=request.user, delmaal=delmaal),
    )


@guarded
@require_POST
def delmaal_move(request, pk: int):
    delmaal = delmaal_for(request, pk)
    siblings = list(
        Delmaal.objects.filter(tema_id=delmaal.tema_id)
        .order_by("rekkefoelge", "id")
        .values_list("pk", flat=True)
    )
    position = siblings.index(delmaal.pk) + 1 + move_step(request)
    if 1 <= position <= len(siblings):
        structure.delmaal_move(actor=request.user, delmaal=delmaal, position=position)
        messages.success(request, _("The sub-goal was moved."))
    return redirect(_edit_url(delmaal.tema.program_id, f"delmaal-{delmaal.pk}"))


def _numbers(tiltak_qs) -> dict[int, str]:
    return {t.pk: t.nummer_visning for t in tiltak_qs.select_related("tema")}


def _renumbered(before: dict[int, str], tiltak_qs) -> str:
    """«3.11 → 4.28, 3.12 → 4.29» for the tiltak whose number a move changed."""
    after = _numbers(tiltak_qs)
    return ", ".join(
        f"{before[pk]} → {after[pk]}"
        for pk in before
        if pk in after and before[pk] and before[pk] != after[pk]
    )


def _moved_message(what: str, where: str, renumbered: str) -> str:
    if renumbered:
        return _("%(what)s was moved to %(where)s. Its measures got new numbers: %(numbers)s.") % {
            "what": what,
            "where": where,
            "numbers": renumbered,
        }
    return _("%(what)s was moved to %(where)s.") % {"what": what, "where": where}


@guarded
@require_http_methods(["GET", "POST"])
def delmaal_move_to(request, pk: int):
    """Move a delmål, with its satsingsområder and tiltak, to another tema of the programme;
    its tiltak get the next free numbers there, and the delmål may get a new number."""
    delmaal = delmaal_for(request, pk)
    programme = delmaal.tema.program
    form = DelmaalMoveForm(request.POST or None, delmaal=delmaal, nivaa=_nivaa(programme))
    moving = Tiltak.alle.filter(delmaal=delmaal)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["tema"]
        nummer = (form.cleaned_data["nummer"] or "").strip()
        before = _numbers(moving)
        try:
            with transaction.atomic():
                structure.delmaal_move(actor=request.user, delmaal=delmaal, tema=target)
                if nummer != delmaal.nummer:
                    structure.delmaal_update(actor=request.user, delmaal=delmaal, nummer=nummer)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            delmaal.refresh_from_db()
            where = f"{_nivaa(programme).lower()} {target.nummer}"
            messages.success(
                request, _moved_message(row_label(delmaal), where, _renumbered(before, moving))
            )
            return redirect(_edit_url(programme.pk, f"delmaal-{delmaal.pk}"))
    return _move_to_page(
        request,
        form,
        programme=programme,
        title=_("Move %(what)s") % {"what": row_label(delmaal)},
        counts={"tiltak": moving.filter(slettet__isnull=True).count()},
        anchor=f"delmaal-{delmaal.pk}",
    )


def _move_to_page(request, form, *, programme, title: str, counts: dict, anchor: str):
    response = _form_page(
        request,
        "move_to.html",
        form=form,
        programme=programme,
        title=title,
        counts=counts,
        cancel_url=_edit_url(programme.pk, anchor),
    )
    if request.method == "POST":
        response.status_code = 400
    return response


# --- Satsingsområde -----------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def satsingsomraade_create(request, pk: int):
    """New satsingsområde in tema `pk`, under the delmål given as ?delmaal= (if any)."""
    tema = tema_for(request, pk)
    delmaal = None
    delmaal_id = request.GET.get("delmaal") or request.POST.get("delmaal")
    if delmaal_id:
        if not str(delmaal_id).isdigit():
            raise Http404(_("No such sub-goal."))
        delmaal = get_object_or_404(tema.delmaal.all(), pk=delmaal_id)
    form = SatsingsomraadeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = structure.satsingsomraade_create(
                actor=request.user, tema=tema, delmaal=delmaal, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The priority area was added."))
            return redirect(_edit_url(tema.program_id, f"satsing-{s.pk}"))
    return _render_form(
        request,
        form,
        programme=tema.program,
        title=_("New priority area under %(parent)s")
        % {"parent": str(delmaal) if delmaal else tema.navn},
        submit=_("Add"),
        anchor=f"delmaal-{delmaal.pk}" if delmaal else f"tema-{tema.pk}",
        hidden={"delmaal": delmaal.pk} if delmaal else {},
    )


@guarded
@require_http_methods(["GET", "POST"])
def satsingsomraade_update(request, pk: int):
    satsing = satsingsomraade_for(request, pk)
    form = SatsingsomraadeForm(
        request.POST or None, instance=Satsingsomraade.objects.get(pk=satsing.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            structure.satsingsomraade_update(
                actor=request.user, satsingsomraade=satsing, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The priority area was saved."))
            return redirect(_edit_url(satsing.tema.program_id, f"satsing-{satsing.pk}"))
    return _render_form(
        request,
        form,
        programme=satsing.tema.program,
        title=_("Edit priority area"),
        submit=_("Save"),
        anchor=f"satsing-{satsing.pk}",
    )


@guarded
@require_http_methods(["GET", "POST"])
def satsingsomraade_delete(request, pk: int):
    satsing = satsingsomraade_for(request, pk)
    return _delete_page(
        request,
        satsing,
        programme=satsing.tema.program,
        title=_("Delete priority area: %(navn)s") % {"navn": satsing.navn[:120]},
        explanation=_("A priority area that holds measures cannot be deleted: move them first."),
        anchor=f"satsing-{satsing.pk}",
        do=lambda: structure.satsingsomraade_delete(actor=request.user, satsingsomraade=satsing),
    )


@guarded
@require_POST
def satsingsomraade_move(request, pk: int):
    satsing = satsingsomraade_for(request, pk)
    siblings = list(
        Satsingsomraade.objects.filter(tema_id=satsing.tema_id, delmaal_id=satsing.delmaal_id)
        .order_by("rekkefoelge", "id")
        .values_list("pk", flat=True)
    )
    position = siblings.index(satsing.pk) + 1 + move_step(request)
    if 1 <= position <= len(siblings):
        structure.satsingsomraade_move(
            actor=request.user, satsingsomraade=satsing, position=position
        )
        messages.success(request, _("The priority area was moved."))
    return redirect(_edit_url(satsing.tema.program_id, f"satsing-{satsing.pk}"))


@guarded
@require_http_methods(["GET", "POST"])
def satsingsomraade_move_to(request, pk: int):
    """Move a satsingsområde with its tiltak under another delmål, or directly under a tema,
    of the programme; in another tema its tiltak get the next free numbers there."""
    satsing = satsingsomraade_for(request, pk)
    programme = satsing.tema.program
    tree = programme_tree(programme=programme)
    current = f"delmaal:{satsing.delmaal_id}" if satsing.delmaal_id else f"tema:{satsing.tema_id}"
    form = SatsingsomraadeMoveForm(
        request.POST or None, initial={"plassering": current}, tree=tree, nivaa=_nivaa(programme)
    )
    moving = Tiltak.alle.filter(satsingsomraade=satsing)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["plassering"]
        before = _numbers(moving)
        try:
            moved = structure.satsingsomraade_move(
                actor=request.user, satsingsomraade=satsing, **target
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if moved.delmaal:
                where = row_label(moved.delmaal)
            else:
                where = f"{_nivaa(programme)} {moved.tema.nummer}"
            messages.success(
                request, _moved_message(row_label(moved), where, _renumbered(before, moving))
            )
            return redirect(_edit_url(programme.pk, f"satsing-{satsing.pk}"))
    return _move_to_page(
        request,
        form,
        programme=programme,
        title=_("Move %(what)s") % {"what": row_label(satsing)},
        counts={"tiltak": moving.filter(slettet__isnull=True).count()},
        anchor=f"satsing-{satsing.pk}",
    )


# --- Tiltak -------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def tiltak_create(request, pk: int):
    """New tiltak in programme `pk`; ?plassering=tema:<id> (or delmaal:/satsing:) preselects
    where it goes."""
    programme = programme_for(request, pk, "tiltak.edit_structure")
    tree = programme_tree(programme=programme)
    initial = {"plassering": request.GET.get("plassering", "")}
    form = TiltakCreateForm(
        request.POST or None, initial=initial, tree=tree, nivaa=_nivaa(programme)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        placement = data.pop("plassering")
        try:
            t = tiltak_services.tiltak_create(actor=request.user, **placement, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Measure %(nummer)s was added.") % {"nummer": t.nummer_visning}
            )
            return redirect(_edit_url(programme.pk, f"tiltak-{t.pk}"))
    response = _form_page(request, "tiltak_create.html", form=form, programme=programme)
    if request.method == "POST":
        response.status_code = 400
    return response


def _plain(value) -> str:
    """A value as a form posts it, for comparing: browsers send textarea lines with CRLF."""
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _conflict_rows(conflict: ConcurrencyConflict, form, adopted: set[str]) -> list[dict]:
    """Field: their saved value vs. what this user submitted; `adopted` are the fields the user
    had not touched, whose saved value is now in the form."""
    rows = []
    for change in conflict.changes:
        field = form.fields.get(change.field)
        yours = ""
        if field is not None:
            value = form.data.get(change.field, "")
            choices = dict(getattr(field, "choices", []) or [])
            yours = str(choices.get(value, value)) if choices else value
        rows.append(
            {
                "label": change.label,
                "field": change.field,
                "theirs": change.after_display,
                "yours": yours,
                "in_form": field is not None,
                "adopted": change.field in adopted,
            }
        )
    return rows


def _rebind_on_conflict(form_class, request, conflict, **kwargs):
    """The user's input again, now based on the version that is saved, so saving once more
    puts it on top of the other person's change and nothing typed is lost. A field the user
    left as it was but the other person changed takes the other person's value (a three-way
    merge against the version the user started from), so saving again does not undo it.
    Returns (form, names of the fields that took the saved value)."""
    data = request.POST.copy()
    data["versjon"] = str(conflict.current.versjon)
    adopted = set()
    for change in conflict.changes:
        if (
            change.base_known
            and change.field in data
            and _plain(data.get(change.field)) == _plain(change.before)
        ):
            data[change.field] = "" if change.after is None else str(change.after)
            adopted.add(change.field)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form, adopted


@guarded
@require_http_methods(["GET", "POST"])
def tiltak_edit(request, pk: int):
    """All fields of a tiltak, with the version it was loaded at (no silent overwrite), and its
    parties (each added or removed on its own, see ansvar_add)."""
    tiltak = tiltak_for(request, pk, "tiltak.edit_tiltak_progress")
    progress_only = not request.user.has_perm("tiltak.edit_structure", tiltak)
    form = TiltakForm(request.POST or None, instance=tiltak, progress_only=progress_only)
    conflict = None
    conflict_rows: list[dict] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                tiltak_services.tiltak_update(
                    actor=request.user,
                    tiltak=tiltak,
                    expected_versjon=form.cleaned_data["versjon"],
                    reason=form.cleaned_data["endringsgrunn"],
                    **form.service_fields(),
                )
            except ConcurrencyConflict as exc:
                conflict, status = exc, 409
                tiltak = tiltak_for(request, pk, "tiltak.edit_tiltak_progress")
                form, adopted = _rebind_on_conflict(
                    TiltakForm, request, exc, instance=tiltak, progress_only=progress_only
                )
                conflict_rows = _conflict_rows(exc, form, adopted)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The measure was saved."))
                return redirect(tiltak.get_absolute_url())
    response = render(
        request,
        "tiltak/edit/tiltak_edit.html",
        {
            "tiltak": tiltak,
            "programme": tiltak.program,
            "form": form,
            "conflict": conflict,
            "conflict_rows": conflict_rows,
            "ansvar_form": ansvar_form(request),
            "nav": "programmes",
        },
    )
    response.status_code = status
    return response


def _row_context(request, tiltak, **extra) -> dict:
    return {
        "t": tiltak,
        "programme": tiltak.program,
        "can_edit_structure": request.user.has_perm("tiltak.edit_structure", tiltak),
        "can_edit_progress": request.user.has_perm("tiltak.edit_tiltak_progress", tiltak),
        **extra,
    }


def _quick_form(tiltak, progress_only: bool, data=None, initial=None) -> TiltakQuickForm:
    # One form per row may be open at once: ids carry the tiltak's id.
    return TiltakQuickForm(
        data, initial=initial, progress_only=progress_only, auto_id=f"id_t{tiltak.pk}_%s"
    )


@guarded
@require_http_methods(["GET", "POST"])
def tiltak_quick_edit(request, pk: int):
    """Title and status inline in the tree (HTMX swaps one table row). Without HTMX, GET goes
    to the full edit page and POST saves and goes back to the tree."""
    tiltak = tiltak_for(request, pk, "tiltak.edit_tiltak_progress")
    if request.method == "GET" and not request.htmx:
        return redirect("tiltak:tiltak_edit", pk=tiltak.pk)
    progress_only = not request.user.has_perm("tiltak.edit_structure", tiltak)
    if request.method == "GET":
        if request.GET.get("avbryt"):
            return render(
                request, "tiltak/edit/partials/tiltak_row.html", _row_context(request, tiltak)
            )
        form = _quick_form(
            tiltak,
            progress_only,
            initial={"versjon": tiltak.versjon, "tittel": tiltak.tittel, "status": tiltak.status},
        )
        return render(
            request,
            "tiltak/edit/partials/tiltak_row_form.html",
            _row_context(request, tiltak, form=form),
        )
    form = _quick_form(tiltak, progress_only, data=request.POST)
    conflict, adopted = None, set()
    if form.is_valid():
        try:
            saved = tiltak_services.tiltak_update(
                actor=request.user,
                tiltak=tiltak,
                expected_versjon=form.cleaned_data["versjon"],
                **form.service_fields(),
            )
        except ConcurrencyConflict as exc:
            conflict = exc
            form, adopted = _rebind_on_conflict(
                TiltakQuickForm,
                request,
                exc,
                progress_only=progress_only,
                auto_id=f"id_t{tiltak.pk}_%s",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if not request.htmx:
                messages.success(request, _("The measure was saved."))
                return redirect(_edit_url(tiltak.program_id, f"tiltak-{tiltak.pk}"))
            saved = tiltak_for(request, pk, "tiltak.edit_tiltak_progress")
            return render(
                request,
                "tiltak/edit/partials/tiltak_row.html",
                _row_context(request, saved, saved_now=True),
            )
    if conflict is not None:
        tiltak = tiltak_for(request, pk, "tiltak.edit_tiltak_progress")
    context = _row_context(
        request,
        tiltak,
        form=form,
        conflict=conflict,
        conflict_rows=_conflict_rows(conflict, form, adopted) if conflict else [],
    )
    if not request.htmx:
        # Without JavaScript a failed inline save shows the full edit page's form instead.
        return redirect("tiltak:tiltak_edit", pk=tiltak.pk)
    response = render(request, "tiltak/edit/partials/tiltak_row_form.html", context)
    # htmx swaps only 2xx responses by default; the row with its errors must replace the form.
    response.status_code = 200
    return response


@guarded
@require_http_methods(["GET", "POST"])
def tiltak_move(request, pk: int):
    tiltak = tiltak_for(request, pk)
    tree = programme_tree(programme=tiltak.program)
    form = TiltakMoveForm(
        request.POST or None,
        initial={"versjon": tiltak.versjon, "plassering": placement_value(tiltak)},
        tree=tree,
        nivaa=_nivaa(tiltak.program),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            moved = tiltak_services.tiltak_move(
                actor=request.user,
                tiltak=tiltak,
                expected_versjon=form.cleaned_data["versjon"],
                **form.cleaned_data["plassering"],
            )
        except ConcurrencyConflict as exc:
            conflict = exc
            form, _adopted = _rebind_on_conflict(
                TiltakMoveForm, request, exc, tree=tree, nivaa=_nivaa(tiltak.program)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The measure was moved; its number is now %(nummer)s.")
                % {"nummer": moved.nummer_visning},
            )
            return redirect(_edit_url(tiltak.program_id, f"tiltak-{tiltak.pk}"))
    response = _form_page(
        request,
        "tiltak_move.html",
        form=form,
        tiltak=tiltak,
        programme=tiltak.program,
        conflict=conflict,
    )
    if request.method == "POST":
        response.status_code = 409 if conflict else 400
    return response


@guarded
@require_http_methods(["GET", "POST"])
def tiltak_delete(request, pk: int):
    tiltak = tiltak_for(request, pk)
    form = TiltakDeleteForm(request.POST or None, initial={"versjon": tiltak.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            how = tiltak_services.tiltak_delete(
                actor=request.user,
                tiltak=tiltak,
                reason=form.cleaned_data["grunn"],
                expected_versjon=form.cleaned_data["versjon"],
            )
        except ConcurrencyConflict as exc:
            form, _adopted = _rebind_on_conflict(TiltakDeleteForm, request, exc)
            form.add_error(
                None,
                _(
                    "Someone else saved this measure while you were looking at it. Check it "
                    "is still the one to delete, then confirm again."
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if how == "soft":
                text = _(
                    "Measure %(nummer)s was deleted. It has history, so it is kept with the "
                    "reason and can be restored."
                )
            else:
                text = _("Measure %(nummer)s was deleted.")
            messages.success(request, text % {"nummer": tiltak.nummer_visning or tiltak.tittel})
            return redirect(_edit_url(tiltak.program_id, f"tema-{tiltak.tema_id}"))
    response = _form_page(
        request,
        "tiltak_delete.html",
        form=form,
        tiltak=tiltak,
        programme=tiltak.program,
        kept=tiltak_has_traces(tiltak),
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@guarded
@require_http_methods(["GET", "POST"])
def tiltak_renumber(request, pk: int):
    """Renumber the tiltak of tema `pk`: 1..n in the order of the positions entered."""
    tema = tema_for(request, pk)
    rows = list(Tiltak.objects.filter(tema=tema).select_related("tema").order_by("nummer", "id"))
    form = RenumberForm(request.POST or None, tiltak=rows)
    if request.method == "POST" and form.is_valid():
        try:
            tiltak_services.tiltak_renumber(actor=request.user, tema=tema, order=form.order())
        except ValidationError as exc:
            # One measure that does not validate: the message names it and the field.
            form.add_error(None, exc.messages)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The measures were renumbered."))
            return redirect(_edit_url(tema.program_id, f"tema-{tema.pk}"))
    response = _form_page(
        request,
        "tiltak_renumber.html",
        form=form,
        tema=tema,
        programme=tema.program,
        rows=[(t, form[f"nr_{t.pk}"]) for t in rows],
    )
    if request.method == "POST":
        response.status_code = 400
    return response
