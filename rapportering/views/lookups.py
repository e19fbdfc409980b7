"""Find a reporting object for a view, the one way (partnerskap.access): what the user may not
see is a 404 for everyone; what the user may see but not act on is a login redirect
(anonymous) or a 403 (logged in). Views are decorated with `@guarded`."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from partnerskap.access import require, visible_or_404
from rapportering import selectors
from rapportering.models import (
    Indikator,
    Indikatormaal,
    Indikatorverdi,
    Rapporteringsrunde,
    Statusrapport,
)
from tiltak.models import Tiltak
from tiltak.selectors.programmes import visible_programmes


def indikator_for(request, pk: int, perm: str = "rapportering.manage_indikator") -> Indikator:
    try:
        indikator = selectors.indikator_detail(
            queryset=selectors.visible_indikatorer(request.user), pk=pk
        )
    except (Indikator.DoesNotExist, ValueError) as exc:
        raise Http404(_("No such indicator.")) from exc
    require(request, perm, indikator)
    return indikator


def maal_for(request, pk: int) -> Indikatormaal:
    queryset = Indikatormaal.objects.select_related("indikator__program").filter(
        indikator__program__in=visible_programmes(request.user)
    )
    maal = visible_or_404(queryset, _("No such target."), pk=pk)
    require(request, "rapportering.manage_indikator", maal)
    return maal


def verdi_for(request, pk: int) -> Indikatorverdi:
    queryset = Indikatorverdi.objects.select_related(
        "indikator__program", "region", "kommune"
    ).filter(indikator__program__in=visible_programmes(request.user))
    verdi = visible_or_404(queryset, _("No such value."), pk=pk)
    require(request, "rapportering.manage_indikator", verdi)
    return verdi


def runde_for(request, pk: int, perm: str = "rapportering.view_runde") -> Rapporteringsrunde:
    """A round of a programme the user may see; a round not yet opened exists only for the
    programme's planners (404 for everyone else)."""
    queryset = Rapporteringsrunde.objects.select_related("program", "program__eier").filter(
        program__in=visible_programmes(request.user)
    )
    runde = visible_or_404(queryset, _("No such reporting round."), pk=pk)
    if runde.aapnet is None and not request.user.has_perm("rapportering.manage_runde", runde):
        raise Http404(_("No such reporting round."))
    require(request, perm, runde)
    return runde


def tiltak_in(runde: Rapporteringsrunde, pk: int) -> Tiltak:
    from django.db.models import Prefetch

    from tiltak.models import Ansvar

    queryset = (
        Tiltak.objects.filter(program_id=runde.program_id)
        .select_related("program", "tema", "delmaal")
        .prefetch_related(Prefetch("ansvar", Ansvar.objects.select_related("organisasjon")))
    )
    return visible_or_404(queryset, _("No such measure."), pk=pk)


def rapport_for(request, pk: int, perm: str = "rapportering.view_statusrapport") -> Statusrapport:
    """A report the user may see (a draft of another organisation is a 404, as if it did not
    exist); then `perm`."""
    try:
        rapport = selectors.rapport_detail(pk=pk)
    except (Statusrapport.DoesNotExist, ValueError) as exc:
        raise Http404(_("No such report.")) from exc
    if not request.user.has_perm("tiltak.view_programme", rapport.runde.program) or (
        not request.user.has_perm("rapportering.view_statusrapport", rapport)
    ):
        raise Http404(_("No such report."))
    require(request, perm, rapport)
    return rapport
