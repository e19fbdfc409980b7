"""The planner's hearing API: hearings (create, change with the version, open), the
høringsliste (invitations: add, change, remove, send again), extensions, and the assessment
and conversion of inputs. Every write calls the same service as the pages (hoering.services),
so the rules are the same; errors become HTTP answers in partnerskap.api.api_exception_handler
(400 by field, 401/403, 404 for what the user may not see, 409 for a stale version).

| endpoint                                   | what                                           |
|--------------------------------------------|------------------------------------------------|
| GET/POST /api/hoeringer/                   | hearings the user may see; create (`program`)  |
| GET/PATCH /api/hoeringer/{id}/             | one hearing; change with `versjon`             |
| POST /api/hoeringer/{id}/aapne/            | open it (programme on hearing, invitations)    |
| POST /api/hoeringer/{id}/vurder/           | assess an input: `{kind, id, vurdering, vurdering_begrunnelse}` |
| POST /api/hoeringer/{id}/gjennomfoer/      | proposal → tiltak / party / change             |
| GET/POST /api/hoeringsinvitasjoner/        | the høringsliste (`?hoering=`)                 |
| PATCH/DELETE /api/hoeringsinvitasjoner/{id}/, POST …/send/ | change, remove, send again     |
| GET/POST /api/fristutsettelser/            | extensions (`?hoering=`); a second replaces    |
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnerskap.models import Organisasjon
from tiltak.api.write import AUTHENTICATION_CLASSES, ERRORS, WritesNeedLogin
from tiltak.models import TEXT_MAX_LENGTH, Handlingsprogram, Rolle
from tiltak.selectors.programmes import visible_programmes

from ..models import Fristutsettelse, Hoering, Invitasjon, Vurdering
from ..models.hoering import Spraak
from ..services import runde, vurdering
from ..services.vurdering import CHANGE_FIELDS, KINDS

MANAGE = "hoering.manage_hoering"


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


class HoeringSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hoering
        fields = read_only_fields = [
            "id",
            "program",
            "tittel",
            "innledning",
            "aapner",
            "frist",
            "aapen_for_alle",
            "publiser_svar",
            "aapnet",
            "versjon",
        ]


class HoeringCreateSerializer(serializers.Serializer):
    program = serializers.PrimaryKeyRelatedField(queryset=Handlingsprogram.objects.all())
    tittel = serializers.CharField(max_length=300)
    innledning = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    aapner = serializers.DateTimeField()
    frist = serializers.DateTimeField()
    aapen_for_alle = serializers.BooleanField(required=False, default=False)
    publiser_svar = serializers.BooleanField(required=False, default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["program"].queryset = visible_programmes(request.user)


class HoeringUpdateSerializer(serializers.Serializer):
    versjon = serializers.IntegerField()
    tittel = serializers.CharField(max_length=300, required=False)
    innledning = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    aapner = serializers.DateTimeField(required=False)
    frist = serializers.DateTimeField(required=False)
    aapen_for_alle = serializers.BooleanField(required=False)
    publiser_svar = serializers.BooleanField(required=False)


class InputRefSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    id = serializers.IntegerField()


class AssessSerializer(InputRefSerializer):
    vurdering = serializers.ChoiceField(choices=Vurdering.choices, allow_blank=True)
    vurdering_begrunnelse = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class ConvertSerializer(InputRefSerializer):
    tittel = serializers.CharField(max_length=300, required=False)
    organisasjon = serializers.PrimaryKeyRelatedField(
        queryset=Organisasjon.objects.all(), required=False, allow_null=True
    )
    rolle = serializers.ChoiceField(choices=Rolle.choices, required=False)
    field = serializers.ChoiceField(choices=list(CHANGE_FIELDS), required=False)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False)
    versjon = serializers.IntegerField(required=False)


class ConvertResultSerializer(serializers.Serializer):
    tiltak = serializers.IntegerField()
    url = serializers.CharField()


class Mixin:
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [WritesNeedLogin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def visible_hearings(self):
        user = self.request.user
        hearings = Hoering.objects.filter(program__in=visible_programmes(user)).select_related(
            "program__eier"
        )
        return hearings

    def managed_hearing(self, pk) -> Hoering:
        hoering = self.visible_hearings().filter(pk=pk).first()
        if hoering is None or not self.request.user.has_perm("hoering.view_hoering", hoering):
            raise Http404
        return hoering


@extend_schema_view(
    list=extend_schema(summary=_("Hearings you may see")),
    retrieve=extend_schema(summary=_("One hearing")),
    create=extend_schema(
        summary=_("Create a hearing"),
        request=HoeringCreateSerializer,
        responses={201: HoeringSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary=_("Change a hearing"),
        request=HoeringUpdateSerializer,
        responses={200: HoeringSerializer, **ERRORS, 409: OpenApiResponse(description="Conflict")},
    ),
)
class HoeringViewSet(
    Mixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = HoeringSerializer

    def get_queryset(self):
        user = self.request.user
        ids = [
            h.pk
            for h in self.visible_hearings()
            if h.aapnet is not None or user.has_perm(MANAGE, h)
        ]
        return Hoering.objects.filter(pk__in=ids).select_related("program").order_by("-frist", "id")

    def create(self, request, *args, **kwargs):
        data = _parse(HoeringCreateSerializer, request)
        hoering = runde.hoering_create(actor=request.user, programme=data.pop("program"), **data)
        return Response(HoeringSerializer(hoering).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        hoering = self.get_object()
        data = _parse(HoeringUpdateSerializer, request)
        versjon = data.pop("versjon")
        hoering = runde.hoering_update(
            actor=request.user, hoering=hoering, expected_versjon=versjon, **data
        )
        return Response(HoeringSerializer(hoering).data)

    @extend_schema(
        summary=_("Open the hearing"), request=None, responses={200: HoeringSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def aapne(self, request, pk=None):
        hoering = self.get_object()
        hoering = runde.hoering_open(
            actor=request.user, hoering=hoering, base_url=_base_url(request)
        )
        return Response(HoeringSerializer(hoering).data)

    def _input(self, hoering, kind, pk):
        model = KINDS[kind]
        qs = model.objects.filter(
            **({"hoering": hoering} if kind == "merknader" else {"svar__hoering": hoering})
        )
        obj = qs.filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    @extend_schema(
        summary=_("Assess an input"),
        request=AssessSerializer,
        responses={200: AssessSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def vurder(self, request, pk=None):
        hoering = self.get_object()
        data = _parse(AssessSerializer, request)
        obj = self._input(hoering, data["kind"], data["id"])
        obj = vurdering.innspill_assess(
            actor=request.user,
            innspill=obj,
            vurdering=data["vurdering"],
            begrunnelse=data["vurdering_begrunnelse"],
        )
        return Response(
            {
                "kind": data["kind"],
                "id": obj.pk,
                "vurdering": obj.vurdering,
                "vurdering_begrunnelse": obj.vurdering_begrunnelse,
            }
        )

    @extend_schema(
        summary=_("Turn a proposal into a measure, a party or a change"),
        request=ConvertSerializer,
        responses={
            200: ConvertResultSerializer,
            **ERRORS,
            409: OpenApiResponse(description="Conflict"),
        },
    )
    @action(detail=True, methods=["post"])
    def gjennomfoer(self, request, pk=None):
        from django.core.exceptions import ValidationError

        hoering = self.get_object()
        data = _parse(ConvertSerializer, request)
        obj = self._input(hoering, data["kind"], data["id"])
        kind = data["kind"]
        if kind == "tiltaksforslag":
            t = vurdering.tiltaksforslag_to_tiltak(
                actor=request.user, forslag=obj, tittel=data.get("tittel")
            )
        elif kind == "aktoerforslag":
            t = vurdering.aktoerforslag_to_ansvar(
                actor=request.user,
                forslag=obj,
                organisasjon=data.get("organisasjon"),
                rolle=data.get("rolle"),
            ).tiltak
        elif kind == "standpunkt":
            missing = [n for n in ("field", "text", "versjon") if n not in data]
            if missing:
                raise ValidationError({n: [_("This field is required.")] for n in missing})
            t = vurdering.endring_apply(
                actor=request.user,
                standpunkt=obj,
                field=data["field"],
                text=data["text"],
                expected_versjon=data["versjon"],
            )
        else:
            raise ValidationError({"kind": [_("General remarks are assessed, not converted.")]})
        return Response({"tiltak": t.pk, "url": request.build_absolute_uri(t.get_absolute_url())})


class InvitasjonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitasjon
        fields = read_only_fields = [
            "id",
            "hoering",
            "organisasjon",
            "epost",
            "spraak",
            "sendt",
            "foerst_aapnet",
        ]


class InvitasjonCreateSerializer(serializers.Serializer):
    hoering = serializers.IntegerField()
    organisasjon = serializers.PrimaryKeyRelatedField(queryset=Organisasjon.objects.all())
    epost = serializers.EmailField(max_length=254)
    spraak = serializers.ChoiceField(choices=Spraak.choices, default=Spraak.BOKMAAL)


class InvitasjonUpdateSerializer(serializers.Serializer):
    epost = serializers.EmailField(max_length=254, required=False)
    spraak = serializers.ChoiceField(choices=Spraak.choices, required=False)


class ManagedListMixin(Mixin):
    """Lists only what the user manages; `?hoering=<id>` narrows to one hearing."""

    def managed_ids(self) -> list[int]:
        user = self.request.user
        if not user.is_authenticated:
            return []
        return [h.pk for h in self.visible_hearings() if user.has_perm(MANAGE, h)]

    def filter_hoering(self, qs):
        value = self.request.query_params.get("hoering", "")
        if value:
            if not value.isdigit():
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"hoering": [_("A hearing id.")]})
            qs = qs.filter(hoering_id=int(value))
        return qs


@extend_schema_view(
    list=extend_schema(summary=_("The hearing list (invitations)")),
    create=extend_schema(
        request=InvitasjonCreateSerializer, responses={201: InvitasjonSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        request=InvitasjonUpdateSerializer, responses={200: InvitasjonSerializer, **ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class InvitasjonViewSet(
    ManagedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvitasjonSerializer

    def get_queryset(self):
        qs = Invitasjon.objects.filter(hoering_id__in=self.managed_ids()).select_related(
            "hoering__program", "organisasjon"
        )
        return self.filter_hoering(qs).order_by("id")

    def create(self, request, *args, **kwargs):
        data = _parse(InvitasjonCreateSerializer, request)
        hoering = self.managed_hearing(data.pop("hoering"))
        inv = runde.invitasjon_add(
            actor=request.user, hoering=hoering, base_url=_base_url(request), **data
        )
        return Response(InvitasjonSerializer(inv).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        inv = self.get_object()
        data = _parse(InvitasjonUpdateSerializer, request)
        inv = runde.invitasjon_update(actor=request.user, invitasjon=inv, **data)
        return Response(InvitasjonSerializer(inv).data)

    def destroy(self, request, *args, **kwargs):
        runde.invitasjon_remove(actor=request.user, invitasjon=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Send the invitation again"),
        request=None,
        responses={200: InvitasjonSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        inv = runde.invitasjon_resend(
            actor=request.user, invitasjon=self.get_object(), base_url=_base_url(request)
        )
        return Response(InvitasjonSerializer(inv).data)


class FristutsettelseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fristutsettelse
        fields = read_only_fields = ["id", "hoering", "organisasjon", "ny_frist", "grunn", "gitt"]


class FristutsettelseCreateSerializer(serializers.Serializer):
    hoering = serializers.IntegerField()
    organisasjon = serializers.PrimaryKeyRelatedField(queryset=Organisasjon.objects.all())
    ny_frist = serializers.DateTimeField()
    grunn = serializers.CharField(max_length=5000)


@extend_schema_view(
    list=extend_schema(summary=_("Extensions of the deadline")),
    create=extend_schema(
        request=FristutsettelseCreateSerializer,
        responses={201: FristutsettelseSerializer, **ERRORS},
    ),
)
class FristutsettelseViewSet(
    ManagedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FristutsettelseSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = Fristutsettelse.objects.filter(hoering_id__in=self.managed_ids())
        return self.filter_hoering(qs).order_by("id")

    def create(self, request, *args, **kwargs):
        data = _parse(FristutsettelseCreateSerializer, request)
        hoering = self.managed_hearing(data.pop("hoering"))
        u = runde.fristutsettelse_give(actor=request.user, hoering=hoering, **data)
        return Response(FristutsettelseSerializer(u).data, status=status.HTTP_201_CREATED)
