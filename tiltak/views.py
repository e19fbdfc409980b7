from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from partnerskap.models import Organisasjon, OrganisasjonType

from . import selectors
from .filters import TiltakFilter
from .models import Tiltak

SEARCH_PAGE_SIZE = 50


def programme_list(request):
    programmes = selectors.visible_programmes(request.user)
    return render(
        request,
        "tiltak/handlingsprogram_list.html",
        {"programmes": selectors.programme_list(programmes=programmes), "nav": "programmes"},
    )


def programme_detail(request, pk: int):
    programme = get_object_or_404(
        selectors.visible_programmes(request.user)
        .select_related("eier", "forrige_versjon")
        .prefetch_related("planer"),
        pk=pk,
    )
    tree = selectors.programme_tree(programme=programme)
    return render(
        request,
        "tiltak/handlingsprogram_detail.html",
        {
            "programme": programme,
            "tree": tree,
            "antall_tiltak": sum(node.antall_tiltak for node in tree),
            "nav": "programmes",
        },
    )


def tiltak_search(request):
    programmes = selectors.visible_programmes(request.user)
    queryset = Tiltak.objects.filter(program__in=programmes)
    filterset = TiltakFilter(request.GET or None, queryset=queryset, programmes=programmes)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if filterset.is_bound and not filterset.is_valid():
        results = queryset.none()
    paginator = Paginator(selectors.tiltak_list(queryset=results), SEARCH_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "tiltak/tiltak_list.html",
        {
            "filter": filterset,
            "page": page,
            "count": paginator.count,
            "querystring": query.urlencode(),
            "invalid": filterset.is_bound and not filterset.is_valid(),
            "nav": "search",
        },
    )


def tiltak_detail(request, pk: int):
    try:
        tiltak = selectors.tiltak_detail(
            queryset=Tiltak.objects.filter(program__in=selectors.visible_programmes(request.user)),
            pk=pk,
        )
    except Tiltak.DoesNotExist as exc:
        raise Http404(_("No such measure.")) from exc
    return render(request, "tiltak/tiltak_detail.html", {"tiltak": tiltak, "nav": "search"})


def organisasjon_list(request):
    programmes = selectors.visible_programmes(request.user)
    organisations = selectors.organisasjon_list(programmes=programmes)
    q = request.GET.get("q", "").strip()
    if q:
        organisations = organisations.filter(
            Q(navn__icontains=q) | Q(forkortelse__icontains=q) | Q(aliaser__navn__icontains=q)
        ).distinct()
    type_ = request.GET.get("type", "")
    if type_ in OrganisasjonType.values:
        organisations = organisations.filter(type=type_)
    else:
        type_ = ""
    bare_aktive = request.GET.get("alle") != "1"
    if bare_aktive:
        organisations = organisations.filter(
            Q(antall_hovedansvar__gt=0) | Q(antall_samarbeid__gt=0)
        )
    return render(
        request,
        "tiltak/organisasjon_list.html",
        {
            "organisations": organisations,
            "q": q,
            "type": type_,
            "types": OrganisasjonType.choices,
            "bare_aktive": bare_aktive,
            "nav": "organisations",
        },
    )


def organisasjon_detail(request, slug: str):
    organisasjon = get_object_or_404(
        Organisasjon.objects.select_related("region").prefetch_related("aliaser"), slug=slug
    )
    ansvar = selectors.organisasjon_ansvar(
        organisasjon=organisasjon, programmes=selectors.visible_programmes(request.user)
    )
    return render(
        request,
        "tiltak/organisasjon_detail.html",
        {"organisasjon": organisasjon, "ansvar": ansvar, "nav": "organisations"},
    )
