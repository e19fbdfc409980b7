"""The public pages: programmes, one programme's tree, the tiltak search, one tiltak, the
organisation registry and one organisation's «Ansvar». What a visitor may not see is a 404."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from partnerskap.access import visible_or_404
from partnerskap.filters import OrganisasjonFilter
from partnerskap.models import Organisasjon, OrganisasjonType
from tiltak.filters import TiltakFilter
from tiltak.models import Tiltak
from tiltak.selectors import ansvar as ansvar_selectors
from tiltak.selectors import programmes as programme_selectors
from tiltak.selectors import search as search_selectors
from tiltak.selectors.tree import programme_tree

from .lookups import tiltak_for

SEARCH_PAGE_SIZE = 50


def programme_list(request):
    programmes = programme_selectors.visible_programmes(request.user)
    return render(
        request,
        "tiltak/handlingsprogram_list.html",
        {
            "programmes": programme_selectors.programme_list(programmes=programmes),
            "nav": "programmes",
        },
    )


def programme_detail(request, pk: int):
    programme = visible_or_404(
        programme_selectors.visible_programmes(request.user)
        .select_related("eier", "forrige_versjon")
        .prefetch_related("planer"),
        _("No such programme."),
        pk=pk,
    )
    tree = programme_tree(programme=programme)
    return render(
        request,
        "tiltak/handlingsprogram_detail.html",
        {
            "programme": programme,
            "previous": programme_selectors.visible_predecessor(
                programme=programme, user=request.user
            ),
            "tree": tree,
            "antall_tiltak": sum(node.antall_tiltak for node in tree),
            "nav": "programmes",
        },
    )


def tiltak_search(request):
    programmes = programme_selectors.visible_programmes(request.user)
    queryset = Tiltak.objects.filter(program__in=programmes)
    filterset = TiltakFilter(request.GET or None, queryset=queryset, programmes=programmes)
    invalid = filterset.is_bound and not filterset.is_valid()
    results = queryset.none() if invalid else (filterset.qs if filterset.is_bound else queryset)
    paginator = Paginator(search_selectors.tiltak_list(queryset=results), SEARCH_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("side"))
    return render(
        request,
        "tiltak/tiltak_list.html",
        {
            "filter": filterset,
            "page": page,
            "count": paginator.count,
            "invalid": invalid,
            "nav": "search",
        },
    )


def tiltak_detail(request, pk: int):
    tiltak = tiltak_for(request, pk, "tiltak.view_programme")
    return render(
        request,
        "tiltak/tiltak_detail.html",
        {
            "tiltak": tiltak,
            "source_parties": ansvar_selectors.source_parties(tiltak),
            "nav": "search",
        },
    )


def organisasjon_list(request):
    programmes = programme_selectors.visible_programmes(request.user)
    filterset = OrganisasjonFilter(
        request.GET or None,
        queryset=ansvar_selectors.organisasjon_list(programmes=programmes),
    )
    invalid = filterset.is_bound and not filterset.is_valid()
    organisations = filterset.qs if filterset.is_bound and not invalid else filterset.queryset
    bare_aktive = request.GET.get("alle") != "1"
    if bare_aktive:
        organisations = organisations.filter(
            Q(antall_hovedansvar__gt=0) | Q(antall_samarbeid__gt=0)
        )
    data = filterset.form.cleaned_data if filterset.is_bound and not invalid else {}
    return render(
        request,
        "tiltak/organisasjon_list.html",
        {
            "organisations": organisations,
            "q": (data.get("q") or "").strip(),
            "type": data.get("type") or "",
            "types": OrganisasjonType.choices,
            "bare_aktive": bare_aktive,
            "invalid": invalid,
            "nav": "organisations",
        },
    )


def organisasjon_detail(request, slug: str):
    organisasjon = visible_or_404(
        Organisasjon.objects.select_related("region").prefetch_related("aliaser"),
        _("No such organisation."),
        slug=slug,
    )
    ansvar = ansvar_selectors.organisasjon_ansvar(
        organisasjon=organisasjon,
        programmes=programme_selectors.visible_programmes(request.user),
    )
    return render(
        request,
        "tiltak/organisasjon_detail.html",
        {"organisasjon": organisasjon, "ansvar": ansvar, "nav": "organisations"},
    )
