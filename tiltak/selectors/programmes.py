"""Which programmes a user may read, and the programme list."""

from django.db.models import Count, Prefetch, Q, QuerySet

from partnerskap.models import Organisasjon
from partnerskap.rules import is_administrator, is_board_member, is_planner
from tiltak.models import PUBLIC_STATUSES, Ansvar, Handlingsprogram


def ansvar_prefetch(lookup: str = "ansvar") -> Prefetch:
    """The one way to load a tiltak's parties: with their organisation, leads first, in the
    planner's order."""
    return Prefetch(
        lookup,
        queryset=Ansvar.objects.select_related("organisasjon").order_by(
            "rolle", "rekkefoelge", "id"
        ),
    )


def programme_list(*, programmes: QuerySet[Handlingsprogram]) -> QuerySet[Handlingsprogram]:
    return (
        programmes.select_related("eier", "forrige_versjon")
        .prefetch_related("planer")
        .annotate(
            antall_tiltak=Count("tiltak", filter=Q(tiltak__slettet__isnull=True), distinct=True),
            antall_temaer=Count("temaer", distinct=True),
        )
        .order_by("-start_aar", "navn")
    )


def visible_programmes(user) -> QuerySet[Handlingsprogram]:
    """The programmes this user may read, as a queryset: the same rule as the permission
    `tiltak.view_programme` (tiltak/rules.py), which a test checks object by object."""
    if is_administrator(user) or is_board_member(user):
        return Handlingsprogram.objects.all()
    public = Q(status__in=PUBLIC_STATUSES)
    if is_planner(user) and user.organisasjon_id:
        return Handlingsprogram.objects.filter(public | Q(eier_id=user.organisasjon_id))
    return Handlingsprogram.objects.filter(public)


def visible_predecessor(*, programme: Handlingsprogram, user) -> Handlingsprogram | None:
    """The programme this one was rolled from, if the user may read it; a public programme
    rolled from a draft must not reveal the draft (its name, its tiltak)."""
    previous = programme.forrige_versjon
    if previous is not None and user.has_perm("tiltak.view_programme", previous):
        return previous
    return None


def programme_owners(user) -> QuerySet[Organisasjon]:
    """The organisations this user may make a new programme for: the same rule as the
    permission `tiltak.own_programme` (administrators: any; planners: their own), as a
    queryset for the owner field."""
    organisations = Organisasjon.objects.order_by("navn")
    if is_administrator(user):
        return organisations
    if is_planner(user) and user.organisasjon_id:
        return organisations.filter(pk=user.organisasjon_id)
    return organisations.none()
