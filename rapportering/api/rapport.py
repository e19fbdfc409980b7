"""GET /api/rapporter/<programme id>/<year>/: every table of the annual report as JSON
(rapportering.aarsrapport.selectors.as_json), with the same visibility as the page: a programme
the user may not see, or a year outside its period, is a 404; `faerre_enn` (1–1000) sets the
threshold of «sub-goals with fewer than n measures» (400 when it is not such a number)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from rapportering.aarsrapport.selectors import annual_report, as_json, parse_threshold
from tiltak.selectors.programmes import visible_programmes


class AarsrapportViewSet(viewsets.ViewSet):
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="Årsrapportens tabeller for et program og år",
        parameters=[
            OpenApiParameter("aar", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("faerre_enn", OpenApiTypes.INT, OpenApiParameter.QUERY),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], url_path=r"(?P<aar>[0-9]{4})", url_name="aar")
    def aar(self, request, pk=None, aar=None):
        programme = visible_programmes(request.user).filter(pk=pk).first()
        year = int(aar)
        if programme is None or not programme.start_aar <= year <= programme.slutt_aar:
            raise Http404(_("No such report."))
        try:
            threshold = parse_threshold(request.query_params.get("faerre_enn"))
        except ValueError as exc:
            raise ValidationError({"faerre_enn": [str(exc)]}) from exc
        report = annual_report(programme=programme, year=year, threshold=threshold)
        return Response(as_json(report))


def register(router: SimpleRouter) -> None:
    router.register("rapporter", AarsrapportViewSet, basename="aarsrapport")
