"""Editing a programme's tree in the browser. Thin views: find the object the user may see
(404 otherwise), check the permission (login redirect for anonymous users, 403 for others),
parse a form, call tiltak.services.hierarchy, render or redirect.

HTMX saves page loads where it helps (inline title/status edit in the tree, adding and removing
parties); every such action is an ordinary form POST first, so it also works without JavaScript.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerskap.models import Organisasjon, OrganisasjonAlias
from partnerskap.services import organisasjon_create

from . import selectors
from .forms import (
    AnsvarAddForm,
    DelmaalForm,
    RenumberForm,
    SatsingsomraadeForm,
    TemaForm,
    TiltakCreateForm,
    TiltakDeleteForm,
    TiltakForm,
    TiltakMoveForm,
    TiltakQuickForm,
    add_service_errors,
    placement_value,
)
from .models import Ansvar, Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak
from .services import hierarchy as services
from .services.common import ServiceError

ORG_SEARCH_LIMIT = 20
MOVE_STEPS = {"opp": -1, "ned": 1}


# --- Access -------------------------------------------------------------------------------


def login_required_here(view):
    """Every editing page needs a logged-in user; anonymous users go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _require(request, perm: str, obj) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _programme(request, pk: int, perm: str) -> Handlingsprogram:
    programme = get_object_or_404(
        selectors.visible_programmes(request.user).select_related("eier"), pk=pk
    )
    _require(request, perm, programme)
    return programme


def _in_visible(request, queryset, pk: int, perm: str, path: str):
    """An object of the programme tree the user may see (else 404) and act on (else 403)."""
    visible = selectors.visible_programmes(request.user)
    obj = get_object_or_404(queryset.filter(**{f"{path}__in": visible}), pk=pk)
    _require(request, perm, obj)
    return obj


def _tema(request, pk: int, perm: str = "tiltak.edit_structure") -> Tema:
    return _in_visible(request, Tema.objects.select_related("program"), pk, perm, "program")


def _delmaal(request, pk: int, perm: str = "tiltak.edit_structure") -> Delmaal:
    qs = Delmaal.objects.select_related("tema__program")
    return _in_visible(request, qs, pk, perm, "tema__program")


def _satsing(request, pk: int, perm: str = "tiltak.edit_structure") -> Satsingsomraade:
    qs = Satsingsomraade.objects.select_related("tema__program", "delmaal")
    return _in_visible(request, qs, pk, perm, "tema__program")


def _tiltak(request, pk: int, perm: str = "tiltak.edit_structure") -> Tiltak:
    visible = selectors.visible_programmes(request.user)
    try:
        tiltak = selectors.tiltak_detail(queryset=Tiltak.objects.filter(program__in=visible), pk=pk)
    except Tiltak.DoesNotExist as exc:
        raise Http404(_("No such measure.")) from exc
    _require(request, perm, tiltak)
    return tiltak


def _edit_url(programme_id: int, anchor: str = "") -> str:
    url = reverse("tiltak:programme_edit", kwargs={"pk": programme_id})
    return f"{url}#{anchor}" if anchor else url


def _nivaa(programme: Handlingsprogram) -> str:
    return str(programme.get_nivaa_betegnelse_display())


# --- Programme tree -----------------------------------------------------------------------


@login_required_here
@require_GET
def programme_edit(request, pk: int):
    """The whole tree with controls. Planners of an adopted programme still get here to change
    the status of its tiltak; the structure controls are then left out."""
    programme = _programme(request, pk, "tiltak.edit_tiltak_progress")
    tree = selectors.programme_tree(programme=programme)
    return render(
        request,
        "tiltak/edit/programme_edit.html",
        {"programme": programme, "tree": tree, "nav": "programmes"},
    )


def _form_page(request, template: str, **context):
    return render(request, f"tiltak/edit/{template}", {"nav": "programmes", **context})


# --- Tema ---------------------------------------------------------------------------------


@login_required_here
@require_http_methods(["GET", "POST"])
def tema_create(request, pk: int):
    programme = _programme(request, pk, "tiltak.edit_structure")
    form = TemaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tema = services.tema_create(actor=request.user, program=programme, **form.cleaned_data)
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


@login_required_here
@require_http_methods(["GET", "POST"])
def tema_update(request, pk: int):
    tema = _tema(request, pk)
    form = TemaForm(request.POST or None, instance=Tema.objects.get(pk=tema.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.tema_update(actor=request.user, tema=tema, **form.cleaned_data)
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


@login_required_here
@require_http_methods(["GET", "POST"])
def tema_delete(request, pk: int):
    tema = _tema(request, pk)
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
        do=lambda: services.tema_delete(actor=request.user, tema=tema),
    )


def _step(request) -> int:
    step = MOVE_STEPS.get(request.POST.get("retning", ""))
    if step is None:
        raise Http404(_("Unknown direction."))
    return step


@login_required_here
@require_POST
def tema_move(request, pk: int):
    tema = _tema(request, pk)
    numbers = list(
        Tema.objects.filter(program_id=tema.program_id)
        .order_by("nummer")
        .values_list("pk", flat=True)
    )
    position = numbers.index(tema.pk) + 1 + _step(request)
    if 1 <= position <= len(numbers):
        services.tema_move(actor=request.user, tema=tema, position=position)
        messages.success(request, _("The theme was moved."))
    return redirect(_edit_url(tema.program_id, f"tema-{tema.pk}"))


# --- Delmål -------------------------------------------------------------------------------


@login_required_here
@require_http_methods(["GET", "POST"])
def delmaal_create(request, pk: int):
    tema = _tema(request, pk)
    form = DelmaalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.delmaal_create(actor=request.user, tema=tema, **form.cleaned_data)
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


@login_required_here
@require_http_methods(["GET", "POST"])
def delmaal_update(request, pk: int):
    delmaal = _delmaal(request, pk)
    form = DelmaalForm(request.POST or None, instance=Delmaal.objects.get(pk=delmaal.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.delmaal_update(actor=request.user, delmaal=delmaal, **form.cleaned_data)
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


@login_required_here
@require_http_methods(["GET", "POST"])
def delmaal_delete(request, pk: int):
    delmaal = _delmaal(request, pk)
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
        do=lambda: services.delmaal_delete(actor=request.user, delmaal=delmaal),
    )


@login_required_here
@require_POST
def delmaal_move(request, pk: int):
    delmaal = _delmaal(request, pk)
    siblings = list(
        Delmaal.objects.filter(tema_id=delmaal.tema_id)
        .order_by("rekkefoelge", "id")
        .values_list("pk", flat=True)
    )
    position = siblings.index(delmaal.pk) + 1 + _step(request)
    if 1 <= position <= len(siblings):
        services.delmaal_move(actor=request.user, delmaal=delmaal, position=position)
        messages.success(request, _("The sub-goal was moved."))
    return redirect(_edit_url(delmaal.tema.program_id, f"delmaal-{delmaal.pk}"))


# --- Satsingsområde -----------------------------------------------------------------------


@login_required_here
@require_http_methods(["GET", "POST"])
def satsing_create(request, pk: int):
    """New satsingsområde in tema `pk`, under the delmål given as ?delmaal= (if any)."""
    tema = _tema(request, pk)
    delmaal = None
    delmaal_id = request.GET.get("delmaal") or request.POST.get("delmaal")
    if delmaal_id:
        if not str(delmaal_id).isdigit():
            raise Http404(_("No such sub-goal."))
        delmaal = get_object_or_404(Delmaal, pk=delmaal_id, tema=tema)
    form = SatsingsomraadeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.satsingsomraade_create(
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


@login_required_here
@require_http_methods(["GET", "POST"])
def satsing_update(request, pk: int):
    satsing = _satsing(request, pk)
    form = SatsingsomraadeForm(
        request.POST or None, instance=Satsingsomraade.objects.get(pk=satsing.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.satsingsomraade_update(
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


@login_required_here
@require_http_methods(["GET", "POST"])
def satsing_delete(request, pk: int):
    satsing = _satsing(request, pk)
    return _delete_page(
        request,
        satsing,
        programme=satsing.tema.program,
        title=_("Delete priority area: %(navn)s") % {"navn": satsing.navn[:120]},
        explanation=_("A priority area that holds measures cannot be deleted: move them first."),
        anchor=f"satsing-{satsing.pk}",
        do=lambda: services.satsingsomraade_delete(actor=request.user, satsingsomraade=satsing),
    )


@login_required_here
@require_POST
def satsing_move(request, pk: int):
    satsing = _satsing(request, pk)
    siblings = list(
        Satsingsomraade.objects.filter(tema_id=satsing.tema_id, delmaal_id=satsing.delmaal_id)
        .order_by("rekkefoelge", "id")
        .values_list("pk", flat=True)
    )
    position = siblings.index(satsing.pk) + 1 + _step(request)
    if 1 <= position <= len(siblings):
        services.satsingsomraade_move(
            actor=request.user, satsingsomraade=satsing, position=position
        )
        messages.success(request, _("The priority area was moved."))
    return redirect(_edit_url(satsing.tema.program_id, f"satsing-{satsing.pk}"))


# --- Tiltak -------------------------------------------------------------------------------


@login_required_here
@require_http_methods(["GET", "POST"])
def tiltak_create(request, pk: int):
    """New tiltak in programme `pk`; ?plassering=tema:<id> (or delmaal:/satsing:) preselects
    where it goes."""
    programme = _programme(request, pk, "tiltak.edit_structure")
    tree = selectors.programme_tree(programme=programme)
    initial = {"plassering": request.GET.get("plassering", "")}
    form = TiltakCreateForm(
        request.POST or None, initial=initial, tree=tree, nivaa=_nivaa(programme)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        placement = data.pop("plassering")
        try:
            t = services.tiltak_create(actor=request.user, **placement, **data)
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


def _conflict_rows(conflict: services.ConcurrencyConflict, form, adopted: set[str]) -> list[dict]:
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


@login_required_here
@require_http_methods(["GET", "POST"])
def tiltak_edit(request, pk: int):
    """All fields of a tiltak, with the version it was loaded at (no silent overwrite), and its
    parties (each added or removed on its own, see ansvar_add)."""
    tiltak = _tiltak(request, pk, "tiltak.edit_tiltak_progress")
    progress_only = not request.user.has_perm("tiltak.edit_structure", tiltak)
    form = TiltakForm(request.POST or None, instance=tiltak, progress_only=progress_only)
    conflict = None
    conflict_rows: list[dict] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.tiltak_update(
                    actor=request.user,
                    tiltak=tiltak,
                    expected_versjon=form.cleaned_data["versjon"],
                    reason=form.cleaned_data["endringsgrunn"],
                    **form.service_fields(),
                )
            except services.ConcurrencyConflict as exc:
                conflict, status = exc, 409
                tiltak = _tiltak(request, pk, "tiltak.edit_tiltak_progress")
                form, adopted = _rebind_on_conflict(
                    TiltakForm, request, exc, instance=tiltak, progress_only=progress_only
                )
                conflict_rows = _conflict_rows(exc, form, adopted)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
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
            "ansvar_form": _ansvar_form(request),
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


@login_required_here
@require_http_methods(["GET", "POST"])
def tiltak_quick_edit(request, pk: int):
    """Title and status inline in the tree (HTMX swaps one table row). Without HTMX, GET goes
    to the full edit page and POST saves and goes back to the tree."""
    tiltak = _tiltak(request, pk, "tiltak.edit_tiltak_progress")
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
            saved = services.tiltak_update(
                actor=request.user,
                tiltak=tiltak,
                expected_versjon=form.cleaned_data["versjon"],
                **form.service_fields(),
            )
        except services.ConcurrencyConflict as exc:
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
            saved = _tiltak(request, pk, "tiltak.edit_tiltak_progress")
            return render(
                request,
                "tiltak/edit/partials/tiltak_row.html",
                _row_context(request, saved, saved_now=True),
            )
    if conflict is not None:
        tiltak = _tiltak(request, pk, "tiltak.edit_tiltak_progress")
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


@login_required_here
@require_http_methods(["GET", "POST"])
def tiltak_move(request, pk: int):
    tiltak = _tiltak(request, pk)
    tree = selectors.programme_tree(programme=tiltak.program)
    form = TiltakMoveForm(
        request.POST or None,
        initial={"versjon": tiltak.versjon, "plassering": placement_value(tiltak)},
        tree=tree,
        nivaa=_nivaa(tiltak.program),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.tiltak_move(
                actor=request.user,
                tiltak=tiltak,
                expected_versjon=form.cleaned_data["versjon"],
                **form.cleaned_data["plassering"],
            )
        except services.ConcurrencyConflict as exc:
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


@login_required_here
@require_http_methods(["GET", "POST"])
def tiltak_delete(request, pk: int):
    tiltak = _tiltak(request, pk)
    form = TiltakDeleteForm(request.POST or None, initial={"versjon": tiltak.versjon})
    if request.method == "POST" and form.is_valid():
        try:
            how = services.tiltak_delete(
                actor=request.user,
                tiltak=tiltak,
                reason=form.cleaned_data["grunn"],
                expected_versjon=form.cleaned_data["versjon"],
            )
        except services.ConcurrencyConflict as exc:
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
        kept=services.tiltak_has_traces(tiltak),
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@login_required_here
@require_http_methods(["GET", "POST"])
def tiltak_renumber(request, pk: int):
    """Renumber the tiltak of tema `pk`: 1..n in the order of the positions entered."""
    tema = _tema(request, pk)
    rows = list(Tiltak.objects.filter(tema=tema).select_related("tema").order_by("nummer", "id"))
    form = RenumberForm(request.POST or None, tiltak=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.tiltak_renumber(actor=request.user, tema=tema, order=form.order())
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


# --- Parties ------------------------------------------------------------------------------


def _ansvar_form(request, data=None) -> AnsvarAddForm:
    return AnsvarAddForm(
        data,
        can_create=request.user.has_perm("partnerskap.create_organisasjon"),
        auto_id="id_ansvar_%s",
    )


def _parties_response(request, tiltak_pk: int, *, form=None, status_message: str = ""):
    tiltak = _tiltak(request, tiltak_pk)
    return render(
        request,
        "tiltak/edit/partials/parties.html",
        {
            "tiltak": tiltak,
            "ansvar_form": form or _ansvar_form(request),
            "status_message": status_message,
            "oob_status": True,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required_here
@require_POST
def ansvar_add(request, pk: int):
    """Add a party to tiltak `pk`; with "ny_organisasjon" the organisation is created first
    (partnerskap.create_organisasjon). HTMX gets the parties section back, others a redirect."""
    tiltak = _tiltak(request, pk)
    form = _ansvar_form(request, request.POST)
    message = ""
    if form.is_valid():
        try:
            org = form.cleaned_data["organisasjon"]
            if org is None:
                org = organisasjon_create(
                    actor=request.user, navn=form.cleaned_data["ny_organisasjon"]
                )
            ansvar = services.ansvar_add(
                actor=request.user,
                tiltak=tiltak,
                organisasjon=org,
                rolle=form.cleaned_data["rolle"],
                tekst_som_skrevet=form.cleaned_data["tekst_som_skrevet"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "navn" in exc.error_dict:
                form.add_error("ny_organisasjon", exc.error_dict["navn"])
            else:
                add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            message = _("%(org)s was added as %(rolle)s.") % {
                "org": org.navn,
                "rolle": ansvar.get_rolle_display().lower(),
            }
            form = None
    if not request.htmx:
        if form is not None and form.errors:
            return _parties_page(request, tiltak, form)
        messages.success(request, message)
        return redirect(reverse("tiltak:tiltak_edit", kwargs={"pk": tiltak.pk}) + "#parter")
    return _parties_response(request, tiltak.pk, form=form, status_message=message)


def _parties_page(request, tiltak, form):
    """Without JavaScript a refused party shows the tiltak edit page with the party form's
    errors (the tiltak form as saved)."""
    response = render(
        request,
        "tiltak/edit/tiltak_edit.html",
        {
            "tiltak": tiltak,
            "programme": tiltak.program,
            "form": TiltakForm(
                instance=tiltak,
                progress_only=not request.user.has_perm("tiltak.edit_structure", tiltak),
            ),
            "ansvar_form": form,
            "nav": "programmes",
        },
    )
    response.status_code = 400
    return response


def _ansvar(request, pk: int) -> Ansvar:
    visible = selectors.visible_programmes(request.user)
    ansvar = get_object_or_404(
        Ansvar.objects.select_related("tiltak__program", "organisasjon").filter(
            tiltak__program__in=visible, tiltak__slettet__isnull=True
        ),
        pk=pk,
    )
    _require(request, "tiltak.edit_structure", ansvar.tiltak)
    return ansvar


def _after_party_change(request, tiltak_pk: int, message: str):
    if request.htmx:
        return _parties_response(request, tiltak_pk, status_message=message)
    messages.success(request, message)
    return redirect(reverse("tiltak:tiltak_edit", kwargs={"pk": tiltak_pk}) + "#parter")


@login_required_here
@require_POST
def ansvar_remove(request, pk: int):
    ansvar = _ansvar(request, pk)
    tiltak_pk = ansvar.tiltak_id
    message = _("%(org)s is no longer %(rolle)s.") % {
        "org": ansvar.organisasjon.navn,
        "rolle": ansvar.get_rolle_display().lower(),
    }
    services.ansvar_remove(actor=request.user, ansvar=ansvar)
    return _after_party_change(request, tiltak_pk, message)


@login_required_here
@require_POST
def ansvar_move(request, pk: int):
    ansvar = _ansvar(request, pk)
    order = list(
        Ansvar.objects.filter(tiltak_id=ansvar.tiltak_id, rolle=ansvar.rolle)
        .order_by("rekkefoelge", "id")
        .values_list("pk", flat=True)
    )
    index = order.index(ansvar.pk)
    target = index + _step(request)
    message = ""
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        services.ansvar_reorder(
            actor=request.user, tiltak=ansvar.tiltak, rolle=ansvar.rolle, order=order
        )
        message = _("%(org)s was moved.") % {"org": ansvar.organisasjon.navn}
    return _after_party_change(request, ansvar.tiltak_id, message)


# --- Organisation picker ------------------------------------------------------------------


def _org_label(navn: str, forkortelse: str) -> str:
    if forkortelse and forkortelse.casefold() != navn.casefold():
        return f"{navn} ({forkortelse})"
    return navn


def organisasjon_matches(q: str, limit: int = ORG_SEARCH_LIMIT) -> list[dict]:
    """Organisations whose name, abbreviation or another name as written contains `q`,
    case-insensitively also for æ, ø and å (compared in Python: SQLite's LIKE folds ASCII
    only, and the registry is small). Those starting with `q` first. Two queries."""
    needle = " ".join(q.split()).casefold()
    if not needle:
        return []
    aliases: dict[int, list[str]] = {}
    for org_id, navn in OrganisasjonAlias.objects.values_list("organisasjon_id", "navn"):
        aliases.setdefault(org_id, []).append(navn)
    hits = []
    for pk, navn, forkortelse in Organisasjon.objects.values_list("pk", "navn", "forkortelse"):
        names = [navn, forkortelse, *aliases.get(pk, [])]
        folded = [n.casefold() for n in names if n]
        if not any(needle in n for n in folded):
            continue
        starts = any(n.startswith(needle) for n in folded)
        exact = any(n == needle for n in folded)
        alias = next((a for a in aliases.get(pk, []) if needle in a.casefold()), "")
        hits.append(
            (
                (not exact, not starts, navn.casefold()),
                {
                    "id": pk,
                    "navn": navn,
                    "label": _org_label(navn, forkortelse),
                    "alias": alias if needle not in navn.casefold() else "",
                    "exact": exact,
                },
            )
        )
    hits.sort(key=lambda h: h[0])
    return [h[1] for h in hits[:limit]]


@login_required_here
@require_GET
def organisasjon_search(request):
    """JSON for the organisation picker: {"results": [{id, navn, label, alias, exact}],
    "can_create": bool}. At most 20 results."""
    q = request.GET.get("q", "")[:100]
    results = organisasjon_matches(q)
    can_create = (
        request.user.has_perm("partnerskap.create_organisasjon")
        and bool(q.strip())
        and not any(r["exact"] for r in results)
    )
    return JsonResponse({"results": results, "can_create": can_create})


@login_required_here
@require_POST
def organisasjon_create_json(request):
    """Create an organisation from the picker (POST navn). 201 with {id, navn, label}, or 400
    with {"error": message}; 403 without partnerskap.create_organisasjon."""
    navn = " ".join(request.POST.get("navn", "").split())
    if not navn:
        return JsonResponse({"error": _("Name: write the name of the organisation.")}, status=400)
    if len(navn) > 255:
        return JsonResponse({"error": _("Name: at most 255 characters.")}, status=400)
    try:
        org = organisasjon_create(actor=request.user, navn=navn)
    except PermissionDenied:
        return JsonResponse({"error": _("You may not create organisations.")}, status=403)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse(
        {"id": org.pk, "navn": org.navn, "label": _org_label(org.navn, org.forkortelse)},
        status=201,
    )
