"""The reading half of the JSON API for programmes, tiltak and organisations; write.py extends
the programme and tiltak viewsets with writes through the services.

Everything is scoped by `visible_programmes(user)`, the same rule as the HTML pages:
anonymous users see programmes on hearing or adopted, staff see every status. Tiltak are
filtered by the very `TiltakFilter` the search page uses, so both answer alike.
"""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from partnerskap.filters import OrganisasjonFilter
from partnerskap.models import Organisasjon, OrganisasjonType, Region
from tiltak.filters import TiltakFilter
from tiltak.models import Handlingsprogram, ProgramStatus, Rolle, Tiltak, TiltakStatus, TiltakType
from tiltak.selectors.ansvar import (
    GruppeRolle,
    OrganisasjonAnsvar,
    TiltakRoller,
    organisasjon_ansvar,
    organisasjon_list,
    tiltak_roller,
)
from tiltak.selectors.programmes import programme_list, visible_programmes
from tiltak.selectors.search import tiltak_list
from tiltak.selectors.tree import programme_tree

# --- Shared fields ------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.ReadOnlyField):
    """The object's HTML page (`get_absolute_url`) as an absolute URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Web page of this item."))
        super().__init__(source="get_absolute_url", **kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        return request.build_absolute_uri(value) if request else value


# One small serializer per choice set, so each enum gets its own schema component name.
class ProgrammeStatusValueSerializer(serializers.Serializer):
    code = serializers.ChoiceField(source="status", choices=ProgramStatus.choices)
    display = serializers.CharField(source="get_status_display", help_text=_("Translated label."))


class TiltakStatusValueSerializer(serializers.Serializer):
    code = serializers.ChoiceField(source="status", choices=TiltakStatus.choices)
    display = serializers.CharField(source="get_status_display", help_text=_("Translated label."))


class TiltakTypeValueSerializer(serializers.Serializer):
    code = serializers.ChoiceField(source="type", choices=TiltakType.choices)
    display = serializers.CharField(source="get_type_display", help_text=_("Translated label."))

    def to_representation(self, instance):
        # A tiltak without a type gives null rather than an empty code.
        if not instance.type:
            return None
        return super().to_representation(instance)


class OrganisasjonTypeValueSerializer(serializers.Serializer):
    code = serializers.ChoiceField(source="type", choices=OrganisasjonType.choices)
    display = serializers.CharField(source="get_type_display", help_text=_("Translated label."))


# --- Organisations ------------------------------------------------------------------------


class RegionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = read_only_fields = ["id", "navn"]


class OrganisasjonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisasjon
        fields = read_only_fields = ["id", "navn", "forkortelse"]


class OrganisasjonSerializer(serializers.ModelSerializer):
    type = OrganisasjonTypeValueSerializer(source="*", read_only=True)
    region = RegionRefSerializer(read_only=True, allow_null=True)
    aliaser = serializers.SlugRelatedField(
        slug_field="navn",
        many=True,
        read_only=True,
        help_text=_("Other ways the name is written in source documents."),
    )
    antall_hovedansvar = serializers.IntegerField(
        read_only=True, help_text=_("Number of measures it leads, in visible programmes.")
    )
    antall_samarbeid = serializers.IntegerField(
        read_only=True,
        help_text=_("Number of measures it collaborates on, in visible programmes."),
    )
    url = PageUrlField()

    class Meta:
        model = Organisasjon
        fields = read_only_fields = [
            "id",
            "slug",
            "navn",
            "forkortelse",
            "type",
            "er_gruppe",
            "region",
            "aliaser",
            "antall_hovedansvar",
            "antall_samarbeid",
            "url",
        ]


class GruppeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    navn = serializers.CharField()


class OrganisasjonRolleSerializer(serializers.Serializer):
    """A role that reaches an organisation: its own (`via` null) or a group's it belongs to."""

    rolle = serializers.ChoiceField(choices=Rolle.choices)
    via = GruppeRefSerializer(allow_null=True)  # null: the organisation's own role
    gjennom = GruppeRefSerializer(
        many=True, help_text=_("The groups in between; empty for a direct membership.")
    )


def roles_data(roller: list[str], via_grupper: list[GruppeRolle]) -> list[dict]:
    """The organisation's own roles first, then those through its groups (nearest first)."""
    return [{"rolle": r, "via": None, "gjennom": []} for r in roller] + [
        {"rolle": g.rolle, "via": g.via.gruppe, "gjennom": list(g.via.gjennom)} for g in via_grupper
    ]


class GruppetilhoerighetSerializer(GruppeRefSerializer):
    id = serializers.IntegerField(source="gruppe.pk")
    slug = serializers.CharField(source="gruppe.slug")
    navn = serializers.CharField(source="gruppe.navn")
    gjennom = GruppeRefSerializer(
        many=True, help_text=_("The groups in between; empty for a direct membership.")
    )


class TiltakRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = serializers.IntegerField(source="program_id", help_text=_("Programme id."))
    nummer_visning = serializers.CharField()
    tittel = serializers.CharField()
    url = PageUrlField()


class OrganisasjonAnsvarSerializer(serializers.Serializer):
    tiltak = TiltakRefSerializer()
    roller = serializers.SerializerMethodField()

    @extend_schema_field(OrganisasjonRolleSerializer(many=True))
    def get_roller(self, rad) -> list:
        return OrganisasjonRolleSerializer(roles_data(rad.roller, rad.via_grupper), many=True).data


class OrganisasjonDetailSerializer(OrganisasjonSerializer):
    """One organisation with everything its «Ansvar» page shows: the groups it belongs to
    (`gjennom`: the groups in between), a group's members, the counts of that page
    (antall_hovedansvar/antall_samarbeid: its own roles), and each measure that reaches it
    with its roles (`via`: the group that has the role, null for its own)."""

    grupper = GruppetilhoerighetSerializer(
        source="ansvar_oversikt.grupper.grupper", many=True, read_only=True
    )
    medlemmer = GruppeRefSerializer(
        source="ansvar_oversikt.grupper.medlemmer", many=True, read_only=True
    )
    antall_tiltak = serializers.IntegerField(source="ansvar_oversikt.tall.tiltak", read_only=True)
    antall_direkte = serializers.IntegerField(source="ansvar_oversikt.tall.direkte", read_only=True)
    antall_bare_via_grupper = serializers.IntegerField(
        source="ansvar_oversikt.tall.bare_via_grupper", read_only=True
    )
    antall_hovedansvar_via_grupper = serializers.IntegerField(
        source="ansvar_oversikt.tall.hovedansvar_via_grupper", read_only=True
    )
    antall_samarbeid_via_grupper = serializers.IntegerField(
        source="ansvar_oversikt.tall.samarbeid_via_grupper", read_only=True
    )
    ansvar = serializers.SerializerMethodField()

    class Meta(OrganisasjonSerializer.Meta):
        fields = read_only_fields = [
            *OrganisasjonSerializer.Meta.fields,
            "grupper",
            "medlemmer",
            "antall_tiltak",
            "antall_direkte",
            "antall_bare_via_grupper",
            "antall_hovedansvar_via_grupper",
            "antall_samarbeid_via_grupper",
            "ansvar",
        ]

    @extend_schema_field(OrganisasjonAnsvarSerializer(many=True))
    def get_ansvar(self, obj) -> list:
        oversikt: OrganisasjonAnsvar = obj.ansvar_oversikt
        rows = [rad for program in oversikt.programmer for rad in program.rader]
        return OrganisasjonAnsvarSerializer(rows, many=True, context=self.context).data


@extend_schema_view(
    list=extend_schema(
        summary=_("List organisations"),
        description=_(
            "The partner registry. Counts of roles cover only the programmes you may see."
        ),
    ),
    retrieve=extend_schema(summary=_("One organisation")),
)
class OrganisasjonViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = OrganisasjonFilter
    lookup_field = "slug"

    def get_queryset(self):
        programmes = visible_programmes(self.request.user)
        return organisasjon_list(programmes=programmes).prefetch_related("aliaser")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OrganisasjonDetailSerializer
        return OrganisasjonSerializer

    def retrieve(self, request, *args, **kwargs):
        organisasjon = self.get_object()
        organisasjon.ansvar_oversikt = organisasjon_ansvar(
            organisasjon=organisasjon, programmes=visible_programmes(request.user)
        )
        return Response(self.get_serializer(organisasjon).data)


# --- Tiltak -------------------------------------------------------------------------------


class TemaRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nummer = serializers.IntegerField()
    navn = serializers.CharField()


class DelmaalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nummer = serializers.CharField(help_text=_("For example “3.1”; may be empty."))
    navn = serializers.CharField()


class SatsingsomraadeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    navn = serializers.CharField()


class TiltakPartSerializer(serializers.Serializer):
    """One organisation's role in a tiltak (read from an Ansvar row)."""

    id = serializers.IntegerField(source="organisasjon.id")
    slug = serializers.CharField(source="organisasjon.slug")
    navn = serializers.CharField(source="organisasjon.navn")
    forkortelse = serializers.CharField(source="organisasjon.forkortelse")
    tekst_som_skrevet = serializers.CharField(
        help_text=_("The party as the source document wrote it.")
    )


class TiltakSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_id", help_text=_("Programme id."))
    tema = TemaRefSerializer(read_only=True)
    delmaal = DelmaalRefSerializer(read_only=True, allow_null=True)
    satsingsomraade = SatsingsomraadeRefSerializer(read_only=True, allow_null=True)
    nummer_visning = serializers.CharField(
        read_only=True, help_text=_("Theme and measure number as cited, e.g. “3.11”.")
    )
    type = TiltakTypeValueSerializer(source="*", read_only=True, allow_null=True)
    status = TiltakStatusValueSerializer(source="*", read_only=True)
    hovedansvar = TiltakPartSerializer(many=True, read_only=True)
    samarbeidsparter = TiltakPartSerializer(many=True, read_only=True)
    organisasjon_roller = serializers.SerializerMethodField(
        help_text=_(
            "With the organisation filter: its roles in the measure, its own and through its "
            "groups (via). Null without the filter."
        )
    )
    url = PageUrlField()

    @extend_schema_field(OrganisasjonRolleSerializer(many=True, allow_null=True))
    def get_organisasjon_roller(self, tiltak) -> list | None:
        roller: dict[int, TiltakRoller] | None = self.context.get("organisasjon_roller")
        if roller is None:
            return None
        entry = roller.get(tiltak.pk, TiltakRoller([], []))
        return OrganisasjonRolleSerializer(
            roles_data(entry.roller, entry.via_grupper), many=True
        ).data

    class Meta:
        model = Tiltak
        fields = read_only_fields = [
            "id",
            "program",
            "tema",
            "delmaal",
            "satsingsomraade",
            "nummer",
            "nummer_visning",
            "tittel",
            "beskrivelse",
            "virkemiddel",
            "type",
            "status",
            "start_aar",
            "slutt_aar",
            "finansiering",
            "forventet_resultat",
            "hovedansvar",
            "samarbeidsparter",
            "hovedansvar_tekst",
            "samarbeidsparter_tekst",
            "organisasjon_roller",
            "url",
        ]


class VisibleProgrammesFilterBackend(DjangoFilterBackend):
    """Gives the FilterSet the programmes this user may see, so a programme, theme or
    sub-goal outside them is an invalid choice (400), exactly as on the search page. Keeps
    the FilterSet on the view, whose list marks each measure with the organisation's role."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["programmes"] = visible_programmes(request.user)
        return kwargs

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        view.tiltak_filterset = filterset
        return filterset


@extend_schema_view(
    list=extend_schema(
        summary=_("Search measures"),
        description=_(
            "The same filters as the search page. An invalid value gives 400 naming the parameter."
        ),
    ),
    retrieve=extend_schema(summary=_("One measure")),
)
class TiltakViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TiltakSerializer
    filter_backends = [VisibleProgrammesFilterBackend]
    filterset_class = TiltakFilter

    tiltak_filterset: TiltakFilter | None = None

    def get_queryset(self):
        programmes = visible_programmes(self.request.user)
        return tiltak_list(queryset=Tiltak.objects.filter(program__in=programmes))

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = self.get_serializer_context()
        context["organisasjon_roller"] = self._organisation_roles(rows)
        serializer = self.get_serializer(rows, many=True, context=context)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def _organisation_roles(self, rows: "list[Tiltak]") -> dict[int, TiltakRoller] | None:
        """With the `organisasjon` filter: its roles in these measures (one query)."""
        filterset = self.tiltak_filterset
        if filterset is None:
            return None
        grupper = filterset.organisasjon_grupper
        if grupper is None:
            return None
        organisasjon = filterset.form.cleaned_data["organisasjon"]
        return tiltak_roller(
            organisasjon=organisasjon, grupper=grupper, tiltak=[t.pk for t in rows]
        )


# --- Programmes ---------------------------------------------------------------------------


class PeriodeSerializer(serializers.Serializer):
    start_aar = serializers.IntegerField()
    slutt_aar = serializers.IntegerField()


class ProgrammeSerializer(serializers.ModelSerializer):
    periode = PeriodeSerializer(source="*", read_only=True)
    status = ProgrammeStatusValueSerializer(source="*", read_only=True)
    eier = OrganisasjonRefSerializer(read_only=True)
    planer = serializers.SlugRelatedField(
        slug_field="navn", many=True, read_only=True, help_text=_("Regional plans it serves.")
    )
    forrige_versjon = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("Id of the programme it was rolled from.")
    )
    antall_tiltak = serializers.IntegerField(read_only=True, help_text=_("Number of measures."))
    url = PageUrlField()

    class Meta:
        model = Handlingsprogram
        fields = read_only_fields = [
            "id",
            "navn",
            "undertittel",
            "periode",
            "status",
            "eier",
            "planer",
            "forrige_versjon",
            "antall_tiltak",
            "url",
        ]


# The tree nodes are TemaNode/DelmaalNode/SatsingsomraadeNode. A level the programme does not
# use (no delmål, no satsingsområde) is a node whose object is None: its id and name are null.
class TreeTiltakSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nummer = serializers.IntegerField(allow_null=True)
    nummer_visning = serializers.CharField()
    tittel = serializers.CharField()


class TreeSatsingsomraadeSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="satsingsomraade.id",
        allow_null=True,
        help_text=_("Null for measures without a priority area."),
    )
    navn = serializers.CharField(source="satsingsomraade.navn", allow_null=True)
    prioritert_handling = serializers.CharField(
        source="satsingsomraade.prioritert_handling", allow_null=True
    )
    tiltak = TreeTiltakSerializer(many=True)


class TreeDelmaalSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="delmaal.id", allow_null=True, help_text=_("Null for measures without a sub-goal.")
    )
    nummer = serializers.CharField(source="delmaal.nummer", allow_null=True)
    navn = serializers.CharField(source="delmaal.navn", allow_null=True)
    satsingsomraader = TreeSatsingsomraadeSerializer(many=True)


class TreeTemaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="tema.id")
    nummer = serializers.IntegerField(source="tema.nummer")
    navn = serializers.CharField(source="tema.navn")
    etikett = serializers.CharField(source="tema.etikett")
    overordnet_maal = serializers.CharField(source="tema.overordnet_maal")
    delmaal = TreeDelmaalSerializer(many=True)


class ProgrammeDetailSerializer(ProgrammeSerializer):
    temaer = TreeTemaSerializer(
        source="tree",
        many=True,
        read_only=True,
        help_text=_("Themes → sub-goals → priority areas → measures."),
    )

    class Meta(ProgrammeSerializer.Meta):
        fields = read_only_fields = [*ProgrammeSerializer.Meta.fields, "temaer"]


@extend_schema_view(
    list=extend_schema(summary=_("List action programmes")),
    retrieve=extend_schema(summary=_("One action programme with its whole hierarchy")),
)
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        programmes = visible_programmes(self.request.user)
        return programme_list(programmes=programmes)

    def get_serializer_class(self):
        return ProgrammeDetailSerializer if self.action == "retrieve" else ProgrammeSerializer

    def retrieve(self, request, *args, **kwargs):
        programme = self.get_object()
        programme.tree = programme_tree(programme=programme)
        return Response(self.get_serializer(programme).data)
