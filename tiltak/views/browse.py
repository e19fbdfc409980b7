"""The public pages: programmes, one programme's tree, the tiltak search, one tiltak, the
organisation registry and one organisation's «Ansvar». What a visitor may not see is a 404.

The search results and the «Ansvar» lists download from the page's own address with
`?format=xlsx` or `?format=csv` (the search keeps its filters, «Ansvar» takes `program=<id>` for
one programme's list): the same view, so the same guard and the same visible programmes —
drafts only for those who may see them."""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from partnerskap.access import visible_or_404
from partnerskap.filters import OrganisasjonFilter
from partnerskap.models import Organisasjon, OrganisasjonType
from partnerskap.selectors import organisasjon_grupper
from tiltak import exports_lists
from tiltak.exports import XLSX_CONTENT_TYPE
from tiltak.filters import TiltakFilter
from tiltak.models import Tiltak
from tiltak.selectors import ansvar as ansvar_selectors
from tiltak.selectors import programmes as programme_selectors
from tiltak.selectors import render_cache
from tiltak.selectors import search as search_selectors
from tiltak.selectors.tree import programme_tree

from .excel import attachment_header
from .lookups import tiltak_for

SEARCH_PAGE_SIZE = 50
# «side=alle»: every result on one page, to print the whole list.
ALL_PAGES = "alle"
DOWNLOAD_FORMATS = ("xlsx", "csv")


def _download_format(request) -> str | None:
    """ "xlsx" or "csv" for a download, None for the page; another value is a 404."""
    fmt = request.GET.get("format")
    if fmt in (None, ""):
        return None
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404(_("Not found."))
    return fmt


def _download(liste: exports_lists.Liste, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(exports_lists.liste_xlsx(liste), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(
            exports_lists.liste_csv(liste), content_type=exports_lists.CSV_CONTENT_TYPE
        )
    name = liste.title
    for char in '\\/:*?"<>|':
        name = name.replace(char, "-")
    response["Content-Disposition"] = attachment_header(f"{' '.join(name.split())}.{fmt}")
    # Drafts may be in it: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def url_parts(name: str, kwarg: str, sample: str = "0") -> tuple[str, str]:
    """The URL of `name` split around its one argument: ("/tiltak/", "/"). Reversed once for a
    page of many links, which then join prefix, value and suffix (a reverse() per link was a
    fifth of the programme page)."""
    url = reverse(name, kwargs={kwarg: sample})
    head, _sep, tail = url.rpartition(sample)
    return head, tail


class SearchRow(NamedTuple):
    tiltak: Tiltak
    roller: ansvar_selectors.TiltakRoller | None  # with an organisation filter


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

    def build() -> tuple[int, str]:
        tree = programme_tree(programme=programme)
        html = render_to_string(
            "tiltak/partials/programme_tree.html",
            {
                "programme": programme,
                "tree": tree,
                "tiltak_url": url_parts("tiltak:tiltak_detail", "pk"),
                "organisasjon_url": url_parts("tiltak:organisasjon_detail", "slug", "x"),
            },
        )
        return sum(node.antall_tiltak for node in tree), html

    antall_tiltak, tree_html = render_cache.cached_fragment(
        "programme-tree", (programme.pk,), request.user, build
    )
    return render(
        request,
        "tiltak/handlingsprogram_detail.html",
        {
            "programme": programme,
            "previous": programme_selectors.visible_predecessor(
                programme=programme, user=request.user
            ),
            "tree_html": tree_html,
            "antall_tiltak": antall_tiltak,
            "nav": "programmes",
        },
    )


def tiltak_search(request):
    fmt = _download_format(request)
    programmes = programme_selectors.visible_programmes(request.user)
    queryset = Tiltak.objects.filter(program__in=programmes)
    filterset = TiltakFilter(request.GET or None, queryset=queryset, programmes=programmes)
    invalid = filterset.is_bound and not filterset.is_valid()
    results = queryset.none() if invalid else (filterset.qs if filterset.is_bound else queryset)
    results = search_selectors.tiltak_list(queryset=results)
    organisasjon = None
    if filterset.is_bound and not invalid:
        organisasjon = filterset.form.cleaned_data.get("organisasjon")
    grupper = filterset.organisasjon_grupper if organisasjon else None

    def roles_of(tiltak) -> dict[int, ansvar_selectors.TiltakRoller] | None:
        if organisasjon is None or grupper is None:
            return None
        return ansvar_selectors.tiltak_roller(
            organisasjon=organisasjon, grupper=grupper, tiltak=tiltak
        )

    if fmt is not None:
        title = _("Measures")
        if organisasjon is not None:
            title = f"{title} – {organisasjon.navn}"
        liste = exports_lists.tiltak_liste(
            results,
            title=title,
            url_for=request.build_absolute_uri,
            organisasjon=organisasjon,
            roller=roles_of(results),
        )
        return _download(liste, fmt)

    show_all = request.GET.get("side") == ALL_PAGES
    paginator = Paginator(results, SEARCH_PAGE_SIZE)
    if show_all:
        paginator.per_page = max(1, paginator.count)  # before num_pages is first worked out
    page = paginator.get_page(1 if show_all else request.GET.get("side"))
    roller = roles_of([t.pk for t in page.object_list]) or {}
    return render(
        request,
        "tiltak/tiltak_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [SearchRow(t, roller.get(t.pk)) for t in page.object_list],
            "organisasjon": organisasjon,
            "count": paginator.count,
            "show_all": show_all,
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


# «?program=alle» on an organisation's page: every programme in full (to print the whole list).
ALL_PROGRAMMES = "alle"


def organisasjon_detail(request, slug: str):
    """An organisation's «Ansvar»: one programme in full (the newest, or `?program=<id>`;
    `?program=alle` every one) and the others by their counts, so the page of an organisation
    with roles in many large programmes stays bounded. The lists are a cached fragment."""
    fmt = _download_format(request)
    organisasjon = visible_or_404(
        Organisasjon.objects.select_related("region").prefetch_related("aliaser"),
        _("No such organisation."),
        slug=slug,
    )
    programmes = programme_selectors.visible_programmes(request.user)
    grupper = organisasjon_grupper(organisasjon=organisasjon)
    chosen = request.GET.get("program") or None
    open_all = fmt is None and chosen == ALL_PROGRAMMES
    program = None
    if chosen is not None and not open_all:
        # One programme's list or page; one the user may not see is a 404 like its page.
        program = visible_or_404(programmes, _("No such programme."), pk=chosen)
    if fmt is not None:
        if program is not None:
            programmes = programmes.filter(pk=program.pk)
        ansvar = ansvar_selectors.organisasjon_ansvar(
            organisasjon=organisasjon, programmes=programmes, grupper=grupper
        )
        liste = exports_lists.ansvar_liste(
            ansvar, organisasjon=organisasjon, url_for=request.build_absolute_uri
        )
        if program is not None:
            liste.title = f"{liste.title} – {program.navn} {program.periode}"
        return _download(liste, fmt)

    def compute() -> ansvar_selectors.OrganisasjonAnsvar:
        return ansvar_selectors.organisasjon_ansvar(
            organisasjon=organisasjon,
            programmes=programmes,
            grupper=grupper,
            collapse=not open_all,
            expanded=program.pk if program is not None else None,
        )

    # Read only on a cache miss (or by a test through the response's context).
    ansvar = SimpleLazyObject(compute)

    def build() -> tuple[None, str]:
        html = render_to_string(
            "tiltak/partials/organisasjon_ansvar.html",
            {"organisasjon": organisasjon, "ansvar": ansvar, "open_all": open_all},
        )
        return None, html

    shown = ALL_PROGRAMMES if open_all else (program.pk if program is not None else "")
    _none, ansvar_html = render_cache.cached_fragment(
        "ansvar", (organisasjon.pk, shown), request.user, build
    )
    return render(
        request,
        "tiltak/organisasjon_detail.html",
        {
            "organisasjon": organisasjon,
            "grupper": grupper,
            "ansvar": ansvar,
            "ansvar_html": ansvar_html,
            "nav": "organisations",
        },
    )
