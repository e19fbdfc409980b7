"""Workshop API: workshops, their questions, inputs and themes (groupings), and turning a theme
or an input into a proposed tiltak. The same services and django-rules as the pages
(hoering/services/verksted.py, hoering/rules.py): a workshop the user may not see is 404, a
write it may not make 403 (401 when not logged in), bad input 400 naming the field, an input
saved since it was loaded 409. Registered from HoeringConfig.ready()."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from hoering.models import Innspill, Innspillgruppe, Spoersmaal, Verksted, Verkstedforslag
from hoering.models.verksted import GROUP_MAX_LENGTH, INPUT_MAX_LENGTH, LABEL_MAX_LENGTH
from hoering.selectors.verksted import verksted_for_rules, visible_verksteder
from hoering.services import verksted as services
from partnerskap.models import Organisasjon
from partnerskap.validators import no_control_characters
from tiltak.api.write import AUTHENTICATION_CLASSES, WritesNeedLogin
from tiltak.models import TITLE_MAX_LENGTH, Handlingsprogram, RegionalPlan, Tema
from tiltak.services.common import check_perm


class _Base(viewsets.GenericViewSet):
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [WritesNeedLogin]

    def verksteder(self):
        return visible_verksteder(self.request.user)


# --- Serializers --------------------------------------------------------------------------


class VerkstedSerializer(serializers.ModelSerializer):
    dager = serializers.ListField(child=serializers.DateField(), write_only=True)
    datoer = serializers.SerializerMethodField()
    spoersmaal = serializers.ListField(
        child=serializers.CharField(max_length=2000, validators=[no_control_characters]),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Questions; omitted or null: seed 004's six questions.",
    )
    program = serializers.PrimaryKeyRelatedField(
        queryset=Handlingsprogram.objects.all(), required=False, allow_null=True
    )
    regional_plan = serializers.PrimaryKeyRelatedField(
        queryset=RegionalPlan.objects.all(), required=False, allow_null=True
    )
    inviterte = serializers.PrimaryKeyRelatedField(
        queryset=Organisasjon.objects.all(), many=True, required=False
    )

    class Meta:
        model = Verksted
        fields = [
            "id",
            "tittel",
            "beskrivelse",
            "eier",
            "program",
            "regional_plan",
            "sted",
            "digitalt",
            "offentlig",
            "dager",
            "datoer",
            "fasilitatorer",
            "inviterte",
            "spoersmaal",
        ]
        read_only_fields = ["eier", "fasilitatorer"]

    def get_datoer(self, obj) -> list[str]:
        return [d.dato.isoformat() for d in obj.dager.all()]


class SpoersmaalSerializer(serializers.ModelSerializer):
    antall_innspill = serializers.SerializerMethodField()

    class Meta:
        model = Spoersmaal
        fields = [
            "id",
            "verksted",
            "rekkefoelge",
            "overskrift",
            "tekst",
            "tiltak_felt",
            "lukket",
            "antall_innspill",
        ]
        read_only_fields = ["rekkefoelge", "lukket", "antall_innspill"]

    def get_antall_innspill(self, obj) -> int:
        return len(obj.innspill.all())


class InnspillSerializer(serializers.ModelSerializer):
    tekst = serializers.CharField(max_length=INPUT_MAX_LENGTH, validators=[no_control_characters])
    gruppe = serializers.CharField(
        max_length=GROUP_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[no_control_characters],
    )
    organisasjon = serializers.PrimaryKeyRelatedField(
        queryset=Organisasjon.objects.all(), required=False, allow_null=True
    )
    versjon = serializers.IntegerField(required=False)
    tiltak = serializers.SerializerMethodField()

    class Meta:
        model = Innspill
        fields = [
            "id",
            "spoersmaal",
            "tekst",
            "gruppe",
            "organisasjon",
            "skrevet_av",
            "for_gruppen",
            "tema",
            "versjon",
            "opprettet",
            "endret",
            "tiltak",
        ]
        read_only_fields = ["skrevet_av", "for_gruppen", "tema", "opprettet", "endret", "tiltak"]

    def get_tiltak(self, obj) -> list[int]:
        return [f.tiltak_id for f in obj.forslag.all()]


class InnspillgruppeSerializer(serializers.ModelSerializer):
    etikett = serializers.CharField(max_length=LABEL_MAX_LENGTH, validators=[no_control_characters])
    innspill = serializers.PrimaryKeyRelatedField(
        queryset=Innspill.objects.all(), many=True, required=False
    )

    class Meta:
        model = Innspillgruppe
        fields = ["id", "verksted", "etikett", "innspill"]


class MergeSerializer(serializers.Serializer):
    andre = serializers.ListField(child=serializers.IntegerField())


class ForslagSerializer(serializers.Serializer):
    tema = serializers.IntegerField(help_text="The programme's theme (tema) to place it under.")
    tittel = serializers.CharField(
        max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ForslagResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tiltak = serializers.IntegerField()
    innspill = serializers.ListField(child=serializers.IntegerField())


def _forslag_body(forslag: Verkstedforslag) -> dict:
    return {
        "id": forslag.pk,
        "tiltak": forslag.tiltak_id,
        "innspill": sorted(i.pk for i in forslag.innspill.all()),
    }


def _tema(verksted: Verksted, pk: int) -> Tema:
    tema = Tema.objects.filter(pk=pk, program__in=services.programmes_for(verksted)).first()
    if tema is None:
        raise serializers.ValidationError(
            {"tema": [_("Theme: choose a theme of the workshop's programme.")]}
        )
    return tema


# --- Filters (a filterset class, so the schema documents the 400 of a bad filter value) -------


class SpoersmaalFilter(django_filters.FilterSet):
    class Meta:
        model = Spoersmaal
        fields = ["verksted"]


class InnspillFilter(django_filters.FilterSet):
    class Meta:
        model = Innspill
        fields = ["spoersmaal", "spoersmaal__verksted"]


class InnspillgruppeFilter(django_filters.FilterSet):
    class Meta:
        model = Innspillgruppe
        fields = ["verksted"]


# --- Viewsets -----------------------------------------------------------------------------


class VerkstedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _Base
):
    serializer_class = VerkstedSerializer

    def get_queryset(self):
        return verksted_for_rules(self.verksteder()).order_by("-opprettet", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.verksted_create(
            actor=self.request.user,
            tittel=data["tittel"],
            program=data.get("program"),
            regional_plan=data.get("regional_plan"),
            dager=data["dager"],
            sted=data.get("sted", ""),
            digitalt=data.get("digitalt", False),
            offentlig=data.get("offentlig", False),
            beskrivelse=data.get("beskrivelse", ""),
            inviterte=data.get("inviterte", []),
            spoersmaal=data.get("spoersmaal"),
        )


class SpoersmaalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _Base
):
    serializer_class = SpoersmaalSerializer
    filterset_class = SpoersmaalFilter

    def get_queryset(self):
        return (
            Spoersmaal.objects.filter(verksted__in=self.verksteder())
            .select_related("verksted")
            .prefetch_related("innspill", "verksted__fasilitatorer", "verksted__inviterte")
            .order_by("verksted_id", "rekkefoelge", "id")
        )

    def perform_create(self, serializer):
        verksted = serializer.validated_data["verksted"]
        if not self.verksteder().filter(pk=verksted.pk).exists():
            raise serializers.ValidationError({"verksted": [_("Workshop: not found.")]})
        serializer.instance = services.spoersmaal_add(
            actor=self.request.user,
            verksted=verksted,
            tekst=serializer.validated_data["tekst"],
            overskrift=serializer.validated_data.get("overskrift", ""),
            tiltak_felt=serializer.validated_data.get("tiltak_felt", ""),
        )

    @extend_schema(request=None, responses=SpoersmaalSerializer)
    @action(detail=True, methods=["post"], url_path="lukk")
    def lukk(self, request, pk=None):
        s = services.spoersmaal_set_open(
            actor=request.user, spoersmaal=self.get_object(), aapent=False
        )
        return Response(SpoersmaalSerializer(s).data)

    @extend_schema(request=None, responses=SpoersmaalSerializer)
    @action(detail=True, methods=["post"], url_path="aapne")
    def aapne(self, request, pk=None):
        s = services.spoersmaal_set_open(
            actor=request.user, spoersmaal=self.get_object(), aapent=True
        )
        return Response(SpoersmaalSerializer(s).data)


class InnspillViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _Base,
):
    serializer_class = InnspillSerializer
    filterset_class = InnspillFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Innspill.objects.filter(spoersmaal__verksted__in=self.verksteder())
            .select_related("spoersmaal__verksted")
            .prefetch_related(
                "forslag",
                "spoersmaal__verksted__fasilitatorer",
                "spoersmaal__verksted__inviterte",
            )
            .order_by("spoersmaal_id", "rekkefoelge", "id")
        )

    def perform_create(self, serializer):
        spoersmaal = serializer.validated_data["spoersmaal"]
        if not self.verksteder().filter(pk=spoersmaal.verksted_id).exists():
            raise serializers.ValidationError({"spoersmaal": [_("Question: not found.")]})
        serializer.instance = services.innspill_create(
            actor=self.request.user,
            spoersmaal=spoersmaal,
            tekst=serializer.validated_data["tekst"],
            gruppe=serializer.validated_data.get("gruppe", ""),
            organisasjon=serializer.validated_data.get("organisasjon"),
        )

    def perform_update(self, serializer):
        innspill = serializer.instance
        data = serializer.validated_data
        if "versjon" not in data:
            raise serializers.ValidationError(
                {"versjon": [_("Version: send the version you loaded.")]}
            )
        serializer.instance = services.innspill_update(
            actor=self.request.user,
            innspill=innspill,
            expected_versjon=data["versjon"],
            tekst=data.get("tekst", innspill.tekst),
            gruppe=data.get("gruppe", innspill.gruppe),
            organisasjon=data.get("organisasjon", innspill.organisasjon),
        )

    @extend_schema(request=ForslagSerializer, responses={201: ForslagResultSerializer})
    @action(detail=True, methods=["post"], url_path="foreslaa")
    def foreslaa(self, request, pk=None):
        """The planner turns this one input into a proposed tiltak."""
        innspill = self.get_object()
        body = ForslagSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verksted = verksted_for_rules(self.verksteder()).get(pk=innspill.spoersmaal.verksted_id)
        check_perm(request.user, "hoering.manage_verksted", verksted)
        forslag = services.forslag_create(
            actor=request.user,
            verksted=verksted,
            tema=_tema(verksted, body.validated_data["tema"]),
            innspill=innspill,
            tittel=body.validated_data["tittel"],
        )
        return Response(_forslag_body(forslag), status=status.HTTP_201_CREATED)


class InnspillgruppeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _Base,
):
    """Themes: only those who manage the workshop (the planner) see and change them."""

    serializer_class = InnspillgruppeSerializer
    filterset_class = InnspillgruppeFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        managed = [
            v.pk
            for v in verksted_for_rules(self.verksteder())
            if self.request.user.has_perm("hoering.manage_verksted", v)
        ]
        return (
            Innspillgruppe.objects.filter(verksted_id__in=managed)
            .select_related("verksted")
            .prefetch_related(Prefetch("innspill", queryset=Innspill.objects.only("id", "tema_id")))
            .order_by("verksted_id", "etikett", "id")
        )

    def _verksted(self, pk) -> Verksted:
        verksted = verksted_for_rules(self.verksteder()).filter(pk=pk).first()
        if verksted is None:
            raise serializers.ValidationError({"verksted": [_("Workshop: not found.")]})
        check_perm(self.request.user, "hoering.manage_verksted", verksted)
        return verksted

    def perform_create(self, serializer):
        verksted = self._verksted(serializer.validated_data["verksted"].pk)
        serializer.instance = services.gruppe_create(
            actor=self.request.user,
            verksted=verksted,
            etikett=serializer.validated_data["etikett"],
            innspill=serializer.validated_data.get("innspill", []),
        )

    def perform_update(self, serializer):
        serializer.instance = services.gruppe_label(
            actor=self.request.user,
            gruppe=serializer.instance,
            etikett=serializer.validated_data.get("etikett", serializer.instance.etikett),
        )

    @extend_schema(request=MergeSerializer, responses=InnspillgruppeSerializer)
    @action(detail=True, methods=["post"], url_path="slaa-sammen")
    def slaa_sammen(self, request, pk=None):
        target = self.get_object()
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sources = list(self.get_queryset().filter(pk__in=body.validated_data["andre"]))
        services.gruppe_merge(actor=request.user, target=target, sources=sources)
        return Response(InnspillgruppeSerializer(self.get_queryset().get(pk=target.pk)).data)

    @extend_schema(request=ForslagSerializer, responses={201: ForslagResultSerializer})
    @action(detail=True, methods=["post"], url_path="foreslaa")
    def foreslaa(self, request, pk=None):
        gruppe = self.get_object()
        body = ForslagSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verksted = self._verksted(gruppe.verksted_id)
        forslag = services.forslag_create(
            actor=request.user,
            verksted=verksted,
            tema=_tema(verksted, body.validated_data["tema"]),
            gruppe=gruppe,
            tittel=body.validated_data["tittel"],
        )
        return Response(_forslag_body(forslag), status=status.HTTP_201_CREATED)


def register(router: SimpleRouter) -> None:
    router.register("verksteder", VerkstedViewSet, basename="verksted")
    router.register("verksted-spoersmaal", SpoersmaalViewSet, basename="verksted-spoersmaal")
    router.register("verksted-innspill", InnspillViewSet, basename="verksted-innspill")
    router.register("verksted-temaer", InnspillgruppeViewSet, basename="verksted-tema")
