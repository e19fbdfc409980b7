"""The reporting API: indicators, their targets and values, reporting rounds and status
reports. Reads are as open as the pages (indicators of public programmes are public; a draft
report only for its lead organisation and the programme's planners); every write calls the
same service as the browser, so the rules, the validation and the 409 on a stale save are the
same (partnerskap.api.api_exception_handler maps the service errors).

| endpoint                               | read                    | write                      |
|----------------------------------------|-------------------------|----------------------------|
| /api/indikatorer/                      | who sees the programme  | its planners               |
| /api/indikatormaal/                    | who sees the programme  | its planners               |
| /api/indikatorverdier/                 | who sees the programme  | its planners               |
| /api/rapporteringsrunder/ (+aapne, lukk)| opened: logged in; all: planners | its planners      |
| /api/statusrapporter/                  | rapportering.view_statusrapport | create/PATCH (versjon): a member of a lead organisation; godkjenn / send_tilbake: planners |
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnerskap.models import Organisasjon, OrganisasjonType, Region
from rapportering import selectors
from rapportering.filters import (
    IndikatorFilter,
    IndikatormaalFilter,
    IndikatorverdiFilter,
    RapporteringsrundeFilter,
    StatusrapportFilter,
)
from rapportering.models import (
    VALUE_DECIMALS,
    VALUE_MAX_DIGITS,
    Behandling,
    Indikator,
    Indikatormaal,
    Indikatorverdi,
    Rapporteringsrunde,
    RapportStatus,
    Retning,
    Statusrapport,
)
from rapportering.services import indikatorer as indikator_services
from rapportering.services import rapporter as rapport_services
from rapportering.services import runder as runde_services
from tiltak.api.write import (
    ERRORS,
    WRITE_METHODS,
    DelmaalField,
    ErrorSerializer,
    ProgrammeField,
    TemaField,
    TiltakField,
    WriteMixin,
    _model_text,
    _optional_text,
    _parse,
    choice_field,
)
from tiltak.models import MAX_YEAR, MIN_YEAR
from tiltak.selectors.programmes import visible_programmes


def _value(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS, coerce_to_string=False, **kwargs
    )


def _year(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


def _schema(noun: str, create, update, response, *, conflict=None, read_only=False):
    views = {
        "list": extend_schema(summary=_("List of %(noun)s") % {"noun": noun}),
        "retrieve": extend_schema(
            summary=_("One %(noun)s") % {"noun": noun}, responses={200: response, 404: ERRORS[404]}
        ),
    }
    if read_only:
        return extend_schema_view(**views)
    extra = {409: conflict} if conflict else {}
    views.update(
        create=extend_schema(
            summary=_("Create a %(noun)s") % {"noun": noun},
            request=create,
            responses={201: response, **ERRORS, **extra},
        ),
        partial_update=extend_schema(
            summary=_("Change a %(noun)s") % {"noun": noun},
            request=update,
            responses={200: response, **ERRORS, **extra},
        ),
        destroy=extend_schema(
            summary=_("Delete a %(noun)s") % {"noun": noun}, responses={204: None, **ERRORS}
        ),
    )
    return extend_schema_view(**views)


class ApiViewSet(
    WriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    http_method_names = WRITE_METHODS

    def _respond(self, instance, code=status.HTTP_200_OK):
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=code)


# --- Indicators ---------------------------------------------------------------------------


class IndikatorSerializer(serializers.ModelSerializer):
    basis_verdi = _value(allow_null=True)
    eksempelverdier = serializers.BooleanField(
        help_text=_("The figures are examples (demo data), not statistics.")
    )

    class Meta:
        model = Indikator
        fields = read_only_fields = [
            "id",
            "program",
            "navn",
            "beskrivelse",
            "enhet",
            "kilde",
            "retning",
            "tema",
            "delmaal",
            "basis_aar",
            "basis_verdi",
            "eksempelverdier",
            "versjon",
        ]


class IndikatorWriteSerializer(serializers.Serializer):
    navn = _model_text(Indikator, "navn", required=False)
    beskrivelse = _optional_text(Indikator, "beskrivelse")
    enhet = _optional_text(Indikator, "enhet")
    kilde = _optional_text(Indikator, "kilde")
    retning = choice_field(Retning.choices, required=False)
    tema = TemaField(required=False, allow_null=True)
    delmaal = DelmaalField(required=False, allow_null=True)
    basis_aar = _year(required=False, allow_null=True)
    basis_verdi = _value(required=False, allow_null=True)
    eksempelverdier = serializers.BooleanField(required=False)


class IndikatorCreateSerializer(IndikatorWriteSerializer):
    program = ProgrammeField()
    navn = _model_text(Indikator, "navn")


class IndikatorUpdateSerializer(IndikatorWriteSerializer):
    versjon = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The version you loaded; a stale one is refused with 409."),
    )


CONFLICT_SIMPLE = OpenApiResponse(response=ErrorSerializer, description=_("Saved by others."))


@_schema(
    "indicator",
    IndikatorCreateSerializer,
    IndikatorUpdateSerializer,
    IndikatorSerializer,
    conflict=CONFLICT_SIMPLE,
)
class IndikatorViewSet(ApiViewSet):
    serializer_class = IndikatorSerializer
    filterset_class = IndikatorFilter

    def get_queryset(self):
        return (
            selectors.visible_indikatorer(self.request.user)
            .select_related("program")
            .order_by("program", "rekkefoelge", "id")
        )

    def create(self, request, *args, **kwargs):
        data = _parse(IndikatorCreateSerializer, request)
        programme = data.pop("program")
        indikator = indikator_services.indikator_create(
            actor=request.user, programme=programme, **data
        )
        return self._respond(indikator, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        indikator = self.get_object()
        data = _parse(IndikatorUpdateSerializer, request)
        versjon = data.pop("versjon", None)
        indikator_services.indikator_update(
            actor=request.user, indikator=indikator, versjon=versjon, **data
        )
        return self._respond(indikator)

    def destroy(self, request, *args, **kwargs):
        indikator_services.indikator_delete(actor=request.user, indikator=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndikatorField(serializers.PrimaryKeyRelatedField):
    """An indicator of a programme the user may see; another id is «invalid pk» (400)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Indikator.objects.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Indikator.objects.none()
        return selectors.visible_indikatorer(request.user).select_related("program")


class IndikatormaalSerializer(serializers.ModelSerializer):
    verdi = _value()

    class Meta:
        model = Indikatormaal
        fields = read_only_fields = ["id", "indikator", "aar", "verdi"]


class IndikatormaalCreateSerializer(serializers.Serializer):
    indikator = IndikatorField()
    aar = _year()
    verdi = _value()


class IndikatormaalUpdateSerializer(serializers.Serializer):
    verdi = _value()


@_schema(
    "target", IndikatormaalCreateSerializer, IndikatormaalUpdateSerializer, IndikatormaalSerializer
)
class IndikatormaalViewSet(ApiViewSet):
    """A target per indicator and year. POST for a year that has one changes it."""

    serializer_class = IndikatormaalSerializer
    filterset_class = IndikatormaalFilter

    def get_queryset(self):
        return (
            Indikatormaal.objects.filter(
                indikator__program__in=visible_programmes(self.request.user)
            )
            .select_related("indikator__program")
            .order_by("indikator", "aar")
        )

    def create(self, request, *args, **kwargs):
        data = _parse(IndikatormaalCreateSerializer, request)
        maal = indikator_services.maal_set(actor=request.user, **data)
        return self._respond(maal, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        maal = self.get_object()
        data = _parse(IndikatormaalUpdateSerializer, request)
        maal = indikator_services.maal_set(
            actor=request.user, indikator=maal.indikator, aar=maal.aar, verdi=data["verdi"]
        )
        return self._respond(maal)

    def destroy(self, request, *args, **kwargs):
        indikator_services.maal_delete(actor=request.user, maal=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndikatorverdiSerializer(serializers.ModelSerializer):
    verdi = _value()
    sted = serializers.CharField(
        read_only=True, help_text=_("The region or municipality; empty for the whole area.")
    )
    eksempelverdi = serializers.BooleanField(
        source="indikator.eksempelverdier",
        read_only=True,
        help_text=_("An example figure (demo data), not statistics."),
    )

    class Meta:
        model = Indikatorverdi
        fields = read_only_fields = [
            "id",
            "indikator",
            "aar",
            "verdi",
            "region",
            "kommune",
            "sted",
            "merknad",
            "registrert",
            "eksempelverdi",
        ]


def _region_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), **kwargs)


def _kommune_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=Organisasjon.objects.filter(type=OrganisasjonType.KOMMUNE), **kwargs
    )


class IndikatorverdiUpdateSerializer(serializers.Serializer):
    aar = _year(required=False)
    verdi = _value(required=False)
    region = _region_field(required=False, allow_null=True)
    kommune = _kommune_field(required=False, allow_null=True)
    merknad = _optional_text(Indikatorverdi, "merknad")


class IndikatorverdiCreateSerializer(IndikatorverdiUpdateSerializer):
    indikator = IndikatorField()
    aar = _year()
    verdi = _value()


@_schema(
    "value",
    IndikatorverdiCreateSerializer,
    IndikatorverdiUpdateSerializer,
    IndikatorverdiSerializer,
)
class IndikatorverdiViewSet(ApiViewSet):
    serializer_class = IndikatorverdiSerializer
    filterset_class = IndikatorverdiFilter

    def get_queryset(self):
        return (
            Indikatorverdi.objects.filter(
                indikator__program__in=visible_programmes(self.request.user)
            )
            .select_related("indikator__program", "region", "kommune")
            .order_by("indikator", "aar", "id")
        )

    def create(self, request, *args, **kwargs):
        data = _parse(IndikatorverdiCreateSerializer, request)
        indikator = data.pop("indikator")
        verdi = indikator_services.verdi_create(actor=request.user, indikator=indikator, **data)
        return self._respond(verdi, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        verdi = self.get_object()
        data = _parse(IndikatorverdiUpdateSerializer, request)
        indikator_services.verdi_update(actor=request.user, verdi=verdi, **data)
        return self._respond(verdi)

    def destroy(self, request, *args, **kwargs):
        indikator_services.verdi_delete(actor=request.user, verdi=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Reporting rounds ---------------------------------------------------------------------


class RapporteringsrundeSerializer(serializers.ModelSerializer):
    er_aapen = serializers.BooleanField(read_only=True, help_text=_("Open for reports."))

    class Meta:
        model = Rapporteringsrunde
        fields = read_only_fields = [
            "id",
            "program",
            "aar",
            "frist",
            "innledning",
            "aapnet",
            "lukket",
            "er_aapen",
            "eksempeldata",
        ]


class RapporteringsrundeCreateSerializer(serializers.Serializer):
    program = ProgrammeField()
    aar = _year()
    frist = serializers.DateTimeField()
    innledning = _optional_text(Rapporteringsrunde, "innledning")


@extend_schema_view(
    list=extend_schema(summary=_("List of reporting rounds")),
    retrieve=extend_schema(summary=_("One reporting round")),
    create=extend_schema(
        summary=_("Create a reporting round"),
        request=RapporteringsrundeCreateSerializer,
        responses={201: RapporteringsrundeSerializer, **ERRORS},
    ),
    aapne=extend_schema(
        summary=_("Open the round"),
        request=None,
        responses={200: RapporteringsrundeSerializer, **ERRORS},
    ),
    lukk=extend_schema(
        summary=_("Close the round"),
        request=None,
        responses={200: RapporteringsrundeSerializer, **ERRORS},
    ),
)
class RapporteringsrundeViewSet(ApiViewSet, mixins.CreateModelMixin):
    serializer_class = RapporteringsrundeSerializer
    filterset_class = RapporteringsrundeFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            selectors.visible_runder(self.request.user)
            .select_related("program")
            .order_by("-aar", "id")
        )

    def create(self, request, *args, **kwargs):
        data = _parse(RapporteringsrundeCreateSerializer, request)
        runde = runde_services.runde_create(
            actor=request.user, programme=data.pop("program"), **data
        )
        return self._respond(runde, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def aapne(self, request, pk=None):
        runde = runde_services.runde_open(actor=request.user, runde=self.get_object())
        return self._respond(runde)

    @action(detail=True, methods=["post"])
    def lukk(self, request, pk=None):
        runde = runde_services.runde_close(actor=request.user, runde=self.get_object())
        return self._respond(runde)


# --- Status reports -----------------------------------------------------------------------


class StatusrapportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statusrapport
        fields = read_only_fields = [
            "id",
            "tiltak",
            "runde",
            "aar",
            "status",
            "fremdrift",
            "resultater",
            "ressurser",
            "behandling",
            "kommentar",
            "versjon",
            "innsendt",
            "behandlet",
        ]


def _report_text(name):
    return _optional_text(Statusrapport, name)


class StatusrapportUpdateSerializer(serializers.Serializer):
    versjon = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The version you loaded; a stale one is refused with 409."),
    )
    status = choice_field(RapportStatus.choices, required=False, allow_blank=True)
    fremdrift = _report_text("fremdrift")
    resultater = _report_text("resultater")
    ressurser = _report_text("ressurser")
    send_inn = serializers.BooleanField(
        required=False, default=False, help_text=_("Submit the report (status required).")
    )


class StatusrapportCreateSerializer(StatusrapportUpdateSerializer):
    versjon = None
    runde = serializers.PrimaryKeyRelatedField(queryset=Rapporteringsrunde.objects.none())
    tiltak = TiltakField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["runde"].queryset = selectors.visible_runder(request.user)


class ReviewSerializer(serializers.Serializer):
    versjon = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kommentar = _optional_text(Statusrapport, "kommentar")


class RapportChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    after = serializers.CharField()


class RapportConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    versjon = serializers.IntegerField(help_text=_("The current version: send it to retry."))
    behandling = choice_field(Behandling.choices)
    changed_fields = serializers.ListField(child=serializers.CharField())
    changes = RapportChangeSerializer(many=True)
    changed_by = serializers.CharField(allow_null=True)


RAPPORT_CONFLICT = OpenApiResponse(
    response=RapportConflictSerializer, description=_("Saved by others.")
)


@extend_schema_view(
    list=extend_schema(summary=_("List of status reports")),
    retrieve=extend_schema(summary=_("One status report")),
    create=extend_schema(
        summary=_("Write the report on a measure (member of a lead organisation)"),
        request=StatusrapportCreateSerializer,
        responses={201: StatusrapportSerializer, **ERRORS, 409: RAPPORT_CONFLICT},
    ),
    partial_update=extend_schema(
        summary=_("Change (or submit) a report"),
        request=StatusrapportUpdateSerializer,
        responses={200: StatusrapportSerializer, **ERRORS, 409: RAPPORT_CONFLICT},
    ),
    godkjenn=extend_schema(
        summary=_("Approve a submitted report (planner)"),
        request=ReviewSerializer,
        responses={200: StatusrapportSerializer, **ERRORS, 409: RAPPORT_CONFLICT},
    ),
    send_tilbake=extend_schema(
        summary=_("Send a submitted report back with a comment (planner)"),
        request=ReviewSerializer,
        responses={200: StatusrapportSerializer, **ERRORS, 409: RAPPORT_CONFLICT},
    ),
)
class StatusrapportViewSet(ApiViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    serializer_class = StatusrapportSerializer
    filterset_class = StatusrapportFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.visible_statusrapporter(self.request.user)
            .select_related("runde__program", "tiltak__program")
            .order_by("-aar", "tiltak_id")
        )

    def create(self, request, *args, **kwargs):
        data = _parse(StatusrapportCreateSerializer, request)
        rapport = rapport_services.statusrapport_save(
            actor=request.user,
            runde=data.pop("runde"),
            tiltak=data.pop("tiltak"),
            versjon=None,
            submit=data.pop("send_inn", False),
            **data,
        )
        return self._respond(rapport, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        rapport = self.get_object()
        data = _parse(StatusrapportUpdateSerializer, request)
        saved = rapport_services.statusrapport_save(
            actor=request.user,
            runde=rapport.runde,
            tiltak=rapport.tiltak,
            versjon=data.pop("versjon"),
            submit=data.pop("send_inn", False),
            **data,
        )
        return self._respond(saved)

    def update(self, request, *args, **kwargs):  # PUT is not offered
        return self.http_method_not_allowed(request, *args, **kwargs)

    def _review(self, request, approve: bool):
        rapport = self.get_object()
        data = _parse(ReviewSerializer, request)
        saved = rapport_services.statusrapport_review(
            actor=request.user, rapport=rapport, approve=approve, **data
        )
        return self._respond(saved)

    @action(detail=True, methods=["post"])
    def godkjenn(self, request, pk=None):
        return self._review(request, True)

    @action(detail=True, methods=["post"], url_path="send-tilbake")
    def send_tilbake(self, request, pk=None):
        return self._review(request, False)


def register(router) -> None:
    router.register("indikatorer", IndikatorViewSet, basename="indikator")
    router.register("indikatormaal", IndikatormaalViewSet, basename="indikatormaal")
    router.register("indikatorverdier", IndikatorverdiViewSet, basename="indikatorverdi")
    router.register("rapporteringsrunder", RapporteringsrundeViewSet, basename="rapporteringsrunde")
    router.register("statusrapporter", StatusrapportViewSet, basename="statusrapport")
