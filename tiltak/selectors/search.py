"""Lists of tiltak (search, API) and one tiltak with everything its page shows."""

from django.db.models import F, QuerySet

from tiltak.models import Handlingsprogram, Tiltak

from .programmes import ansvar_prefetch


def tiltak_list(*, queryset: QuerySet[Tiltak]) -> QuerySet[Tiltak]:
    return (
        queryset.select_related("program", "tema", "delmaal", "satsingsomraade")
        .prefetch_related(ansvar_prefetch())
        .order_by(
            "program__start_aar",
            "program_id",
            "tema__nummer",
            F("nummer").asc(nulls_last=True),
            "id",
        )
    )


def tiltak_detail(*, queryset: QuerySet[Tiltak], pk: int) -> Tiltak:
    return (
        queryset.select_related(
            "program", "program__eier", "tema", "tema__ansvarlig", "delmaal", "satsingsomraade"
        )
        .prefetch_related(ansvar_prefetch())
        .get(pk=pk)
    )


def programme_tiltak(*, programme: Handlingsprogram) -> QuerySet[Tiltak]:
    """The programme's tiltak (not deleted) in the programme's order, with everything a row of
    the Excel sheet needs: two queries whatever the size."""
    return (
        Tiltak.objects.filter(program=programme)
        .select_related("tema", "delmaal", "satsingsomraade")
        .prefetch_related(ansvar_prefetch())
        .order_by("tema__nummer", "rekkefoelge", "id")
    )
