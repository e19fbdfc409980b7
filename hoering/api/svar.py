"""API for an organisation's hearing answer: a member fills in and submits its answer entirely
through the API (token auth: `Authorization: Token <key>`), under the same rules as the pages —
every write calls hoering.services.svar.

| request                                         | does                                           |
|-------------------------------------------------|------------------------------------------------|
| GET  /api/hoeringssvar/                         | my organisation's answers, and published ones  |
|                                                 | (anonymous: the published ones)                |
| POST /api/hoeringssvar/ {"hoering": id}         | my organisation's draft (201 when made now)    |
| GET  /api/hoeringssvar/{id}/                    | one answer with positions and proposals        |
| PATCH /api/hoeringssvar/{id}/ {"versjon", …}    | save the draft; 409 when someone saved first   |
| POST /api/hoeringssvar/{id}/vedlegg/            | the decision as PDF (multipart: versjon, fil)  |
| POST /api/hoeringssvar/{id}/send-inn/           | submit {"signatar", "versjon"}: the receipt    |
| GET  /api/hoeringssvar/{id}/kvittering/         | the receipt of a submitted answer              |
| POST /api/hoeringssvar/{id}/ny-versjon/         | a new draft copying the submitted answer       |

Errors: 400 with messages by field (ValidationError) or `{"detail"}` (after the deadline, an
answer already submitted), 401 without a login, 403 for a user who may not answer, 404 for an
answer the user may not see, 409 with `{"detail", "versjon", "changes", …}` for a stale draft.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from tiltak.api.write import ERRORS, WritesNeedLogin
from tiltak.models import PUBLIC_STATUSES, Rolle

from ..deadlines import frist_for
from ..models import Hoering, Hoeringssvar, StandpunktValg, SvarStatus
from ..selectors.svar import svar_med_innhold
from ..services import svar as services
from ..services.svar import FORSLAG_TEXT_FIELDS


class StandpunktSerializer(serializers.Serializer):
    tiltak = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    standpunkt = serializers.ChoiceField(
        choices=StandpunktValg.choices,
        allow_blank=True,
        help_text=_("Empty removes the position."),
    )
    tekst = serializers.CharField(allow_blank=True, required=False, default="", max_length=10000)
    foreslaatt_rolle = serializers.CharField(read_only=True)


class AktoerforslagSerializer(serializers.Serializer):
    tiltak = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    organisasjon = serializers.IntegerField(
        allow_null=True, required=False, default=None, min_value=1, max_value=2**63 - 1
    )
    navn = serializers.CharField(allow_blank=True, required=False, default="", max_length=255)
    rolle = serializers.ChoiceField(choices=Rolle.choices)
    begrunnelse = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=10000
    )


class TiltaksforslagSerializer(serializers.Serializer):
    tema = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    delmaal = serializers.IntegerField(
        allow_null=True, required=False, default=None, min_value=1, max_value=2**63 - 1
    )
    satsingsomraade = serializers.IntegerField(
        allow_null=True, required=False, default=None, min_value=1, max_value=2**63 - 1
    )
    tittel = serializers.CharField(max_length=300)
    hva = serializers.CharField(max_length=10000)
    hvem = serializers.CharField(allow_blank=True, required=False, default="", max_length=10000)
    hvordan = serializers.CharField(allow_blank=True, required=False, default="", max_length=10000)
    maal = serializers.CharField(allow_blank=True, required=False, default="", max_length=10000)
    finansiering = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=10000
    )
    langsiktighet = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=10000
    )


class HoeringssvarSerializer(serializers.ModelSerializer):
    frist = serializers.SerializerMethodField(help_text=_("The deadline for this organisation."))
    vedlegg = serializers.SerializerMethodField()
    standpunkter = serializers.SerializerMethodField()
    aktoerforslag = serializers.SerializerMethodField()
    tiltaksforslag = serializers.SerializerMethodField()

    class Meta:
        model = Hoeringssvar
        fields = [
            "id",
            "hoering",
            "organisasjon",
            "status",
            "versjon_nr",
            "versjon",
            "frist",
            "generelle_merknader",
            "saksnummer",
            "vedtaksdato",
            "vedtakstekst",
            "vedlegg",
            "signatar",
            "innsendt",
            "sha256",
            "med_utsatt_frist",
            "endret",
            "standpunkter",
            "aktoerforslag",
            "tiltaksforslag",
        ]
        read_only_fields = fields

    def get_frist(self, obj) -> str:
        return frist_for(obj.hoering, obj.organisasjon_id).isoformat()

    def get_vedlegg(self, obj) -> str | None:
        return obj.vedtak_vedlegg_navn or None

    def get_standpunkter(self, obj) -> list[dict]:
        return [
            {
                "tiltak": s.tiltak_id,
                "standpunkt": s.standpunkt,
                "tekst": s.tekst,
                "foreslaatt_rolle": s.foreslaatt_rolle,
            }
            for s in obj.standpunkter.all()
        ]

    def get_aktoerforslag(self, obj) -> list[dict]:
        return [
            {
                "tiltak": a.tiltak_id,
                "organisasjon": a.organisasjon_id,
                "navn": a.navn,
                "rolle": a.rolle,
                "begrunnelse": a.begrunnelse,
            }
            for a in obj.aktoerforslag.all()
        ]

    def get_tiltaksforslag(self, obj) -> list[dict]:
        return [
            {
                "tema": f.tema_id,
                "delmaal": f.delmaal_id,
                "satsingsomraade": f.satsingsomraade_id,
                **{name: getattr(f, name) for name in FORSLAG_TEXT_FIELDS},
            }
            for f in obj.tiltaksforslag.all()
        ]


class StartSerializer(serializers.Serializer):
    hoering = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class PatchSerializer(serializers.Serializer):
    versjon = serializers.IntegerField(
        min_value=0,
        max_value=2**31,
        help_text=_("The draft's version as you read it; 409 if someone saved since."),
    )
    generelle_merknader = serializers.CharField(allow_blank=True, required=False, max_length=10000)
    saksnummer = serializers.CharField(allow_blank=True, required=False, max_length=255)
    vedtaksdato = serializers.DateField(allow_null=True, required=False)
    vedtakstekst = serializers.CharField(allow_blank=True, required=False, max_length=10000)
    standpunkter = StandpunktSerializer(
        many=True,
        required=False,
        help_text=_("Positions to set; an empty position removes it; others are kept."),
    )
    aktoerforslag = AktoerforslagSerializer(
        many=True, required=False, help_text=_("When given: the whole list.")
    )
    tiltaksforslag = TiltaksforslagSerializer(
        many=True, required=False, help_text=_("When given: the whole list.")
    )


class SubmitSerializer(serializers.Serializer):
    signatar = serializers.CharField(max_length=255)
    versjon = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=2**31
    )


class VedleggSerializer(serializers.Serializer):
    versjon = serializers.IntegerField(min_value=0, max_value=2**31)
    fil = serializers.FileField(help_text=_("The decision as PDF, at most 10 MB."))


class KvitteringSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    hoering = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    organisasjon = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    versjon_nr = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    innsendt = serializers.DateTimeField()
    signatar = serializers.CharField()
    sha256 = serializers.CharField()
    med_utsatt_frist = serializers.BooleanField()


class SvarChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    saved = serializers.CharField()
    yours = serializers.CharField()


class SvarConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    versjon = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    changed_fields = serializers.ListField(child=serializers.CharField())
    changes = SvarChangeSerializer(many=True)
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField()


CONFLICT = {
    409: OpenApiResponse(
        response=SvarConflictSerializer,
        description=_("Someone saved the draft since your version; nothing was saved."),
    )
}


def _kvittering(svar: Hoeringssvar) -> dict:
    return {
        "id": svar.pk,
        "hoering": svar.hoering_id,
        "organisasjon": svar.organisasjon_id,
        "versjon_nr": svar.versjon_nr,
        "innsendt": timezone.localtime(svar.innsendt).isoformat(),
        "signatar": svar.signatar,
        "sha256": svar.sha256,
        "med_utsatt_frist": svar.med_utsatt_frist,
    }


@extend_schema_view(
    list=extend_schema(summary=_("My organisation's hearing answers, and published answers")),
    retrieve=extend_schema(
        summary=_("One hearing answer"), responses={200: HoeringssvarSerializer, 404: ERRORS[404]}
    ),
    create=extend_schema(
        summary=_("My organisation's draft for a hearing (made if it has none)"),
        request=StartSerializer,
        responses={200: HoeringssvarSerializer, 201: HoeringssvarSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary=_("Save the draft"),
        request=PatchSerializer,
        responses={200: HoeringssvarSerializer, **ERRORS, **CONFLICT},
    ),
)
class HoeringssvarViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = HoeringssvarSerializer
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    # Reads as open as the pages (published answers for everyone); writes need a login (401).
    permission_classes = [WritesNeedLogin]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        published = Q(
            status=SvarStatus.INNSENDT,
            hoering__publiser_svar=True,
            hoering__aapnet__isnull=False,
            hoering__frist__lt=timezone.now(),
            hoering__program__status__in=PUBLIC_STATUSES,
        )
        org_id = getattr(user, "organisasjon_id", None)
        own = Q(organisasjon_id=org_id) if org_id else Q(pk__in=[])
        return (
            Hoeringssvar.objects.filter(own | published)
            .select_related("hoering")
            .prefetch_related("standpunkter", "aktoerforslag", "tiltaksforslag")
            .order_by("hoering_id", "organisasjon_id", "versjon_nr")
        )

    def _svar(self) -> Hoeringssvar:
        try:
            pk = int(self.kwargs["pk"])
            if not 0 < pk < 2**63:
                raise ValueError(pk)
            svar = svar_med_innhold(pk)
        except (ValueError, Hoeringssvar.DoesNotExist) as exc:
            raise NotFound() from exc
        if not self.request.user.has_perm("hoering.view_svar", svar):
            raise NotFound()
        return svar

    def retrieve(self, request, *args, **kwargs):
        return Response(HoeringssvarSerializer(self._svar()).data)

    def create(self, request, *args, **kwargs):
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hoering = (
            Hoering.objects.select_related("program")
            .filter(pk=data.validated_data["hoering"])
            .first()
        )
        if hoering is None or not request.user.has_perm("hoering.view_hoering", hoering):
            raise NotFound()
        before = services.current_svar(
            hoering=hoering, organisasjon_id=request.user.organisasjon_id
        )
        svar = services.svar_start(actor=request.user, hoering=hoering)
        return Response(
            HoeringssvarSerializer(svar_med_innhold(svar.pk)).data,
            status=status.HTTP_200_OK if before is not None else status.HTTP_201_CREATED,
        )

    def partial_update(self, request, *args, **kwargs):
        svar = self._svar()
        data = PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        fields = {name: v[name] for name in services.SVAR_FIELDS if name in v}
        standpunkter = None
        if "standpunkter" in v:
            standpunkter = {
                s["tiltak"]: ((s["standpunkt"], s.get("tekst", "")) if s["standpunkt"] else None)
                for s in v["standpunkter"]
            }
        saved = services.svar_save(
            actor=request.user,
            svar=svar,
            versjon=v["versjon"],
            fields=fields,
            standpunkter=standpunkter,
            aktoerforslag=[dict(a) for a in v["aktoerforslag"]] if "aktoerforslag" in v else None,
            tiltaksforslag=[dict(t) for t in v["tiltaksforslag"]]
            if "tiltaksforslag" in v
            else None,
        )
        return Response(HoeringssvarSerializer(svar_med_innhold(saved.pk)).data)

    @extend_schema(
        summary=_("Attach the decision as PDF"),
        request={"multipart/form-data": VedleggSerializer},
        responses={200: HoeringssvarSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def vedlegg(self, request, pk=None):
        svar = self._svar()
        data = VedleggSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.svar_save(
            actor=request.user,
            svar=svar,
            versjon=data.validated_data["versjon"],
            vedlegg=data.validated_data["fil"],
        )
        return Response(HoeringssvarSerializer(svar_med_innhold(saved.pk)).data)

    @extend_schema(
        summary=_("Submit the answer"),
        request=SubmitSerializer,
        responses={200: KvitteringSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="send-inn")
    def send_inn(self, request, pk=None):
        svar = self._svar()
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submitted = services.svar_submit(
            actor=request.user,
            svar=svar,
            signatar=data.validated_data["signatar"],
            versjon=data.validated_data["versjon"],
        )
        return Response(_kvittering(submitted))

    @extend_schema(
        summary=_("The receipt of a submitted answer"),
        responses={200: KvitteringSerializer, 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"])
    def kvittering(self, request, pk=None):
        svar = self._svar()
        if not svar.er_innsendt:
            raise NotFound(_("This answer has not been submitted."))
        return Response(_kvittering(svar))

    @extend_schema(
        summary=_("A new draft version of a submitted answer"),
        request=None,
        responses={201: HoeringssvarSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="ny-versjon")
    def ny_versjon(self, request, pk=None):
        svar = self._svar()
        ny = services.svar_new_version(actor=request.user, svar=svar)
        return Response(
            HoeringssvarSerializer(svar_med_innhold(ny.pk)).data, status=status.HTTP_201_CREATED
        )
