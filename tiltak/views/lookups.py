"""Find an object of the programme tree for a view, the one way every view of this app does it:
what the user may not see is a 404 (anonymous visitors too); what the user may see but not act
on is a login redirect (anonymous) or 403 (partnerskap.access). Views are decorated with
`@guarded` so the login redirect happens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from partnerskap.access import require, visible_or_404
from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak
from tiltak.selectors.programmes import visible_programmes
from tiltak.selectors.search import tiltak_detail

EDIT = "tiltak.edit_structure"
MOVE_STEPS = {"opp": -1, "ned": 1}


def programme_for(request, pk: int, perm: str = "tiltak.view_programme") -> Handlingsprogram:
    programme = visible_or_404(
        visible_programmes(request.user).select_related("eier", "forrige_versjon"),
        _("No such programme."),
        pk=pk,
    )
    require(request, perm, programme)
    return programme


def _in_visible(request, queryset: QuerySet, pk: int, perm: str, path: str, message: str):
    visible = visible_programmes(request.user)
    obj = visible_or_404(queryset.filter(**{f"{path}__in": visible}), message, pk=pk)
    require(request, perm, obj)
    return obj


def tema_for(request, pk: int, perm: str = EDIT) -> Tema:
    queryset = Tema.objects.select_related("program")
    return _in_visible(request, queryset, pk, perm, "program", _("No such theme."))


def delmaal_for(request, pk: int, perm: str = EDIT) -> Delmaal:
    queryset = Delmaal.objects.select_related("tema__program")
    return _in_visible(request, queryset, pk, perm, "tema__program", _("No such sub-goal."))


def satsingsomraade_for(request, pk: int, perm: str = EDIT) -> Satsingsomraade:
    queryset = Satsingsomraade.objects.select_related("tema__program", "delmaal")
    return _in_visible(request, queryset, pk, perm, "tema__program", _("No such priority area."))


def tiltak_for(request, pk: int, perm: str = EDIT) -> Tiltak:
    """A tiltak (not deleted) with everything its pages show."""
    queryset = Tiltak.objects.filter(program__in=visible_programmes(request.user))
    try:
        tiltak = tiltak_detail(queryset=queryset, pk=pk)
    except Tiltak.DoesNotExist as exc:
        raise Http404(_("No such measure.")) from exc
    require(request, perm, tiltak)
    return tiltak


def tiltak_with_deleted_for(request, pk: int, perm: str) -> Tiltak:
    """A tiltak, deleted ones too (their history can still be read)."""
    queryset = Tiltak.alle.filter(program__in=visible_programmes(request.user))
    tiltak = visible_or_404(
        queryset.select_related("program", "program__eier", "tema"), _("No such measure."), pk=pk
    )
    require(request, perm, tiltak)
    return tiltak


def ansvar_for(request, pk: int, perm: str = EDIT) -> Ansvar:
    queryset = Ansvar.objects.select_related("tiltak__program", "organisasjon").filter(
        tiltak__program__in=visible_programmes(request.user), tiltak__slettet__isnull=True
    )
    ansvar = visible_or_404(queryset, _("No such responsibility."), pk=pk)
    require(request, perm, ansvar.tiltak)
    return ansvar


def move_step(request) -> int:
    """-1 or 1 from the form's «retning» (opp/ned); 404 for anything else."""
    step = MOVE_STEPS.get(request.POST.get("retning", ""))
    if step is None:
        raise Http404(_("Unknown direction."))
    return step
