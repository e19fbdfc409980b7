"""Write API for programmes (create, change, status, their deleted measures), a programme's
tree (moving a delmål or satsingsområde to another tema is a PATCH of its `tema`/`delmaal`),
its measures (restoring a deleted one: POST `/api/tiltak/{id}/gjenopprett/`) and their
responsibilities.

Every write calls the same service as the browser (tiltak/services/), so the rules and the
validation are the same; this module only parses JSON. The services' errors become HTTP answers
in the project's exception handler (partnerskap.api.api_exception_handler):

| service raises            | HTTP | body                                                     |
|---------------------------|------|----------------------------------------------------------|
| ValidationError           | 400  | `{field: [messages]}` (`non_field_errors` for the rest)  |
| ServiceError              | 400  | `{"detail": message}`                                    |
| PermissionDenied          | 403  | `{"detail": ...}`; 401 when not logged in                 |
| ConcurrencyConflict       | 409  | `{"detail", "versjon", "changed_fields", "changes", "changed_by"}` |

Objects in programmes the user may not see are 404, exactly as on the pages. Scripts log in with
a token (`Authorization: Token <key>`; tokens are made in the Django admin), browsers with
their session (and the CSRF token).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from partnerskap.models import Organisasjon
from partnerskap.validators import no_control_characters
from tiltak.api import views as api
from tiltak.models import (
    MAX_YEAR,
    MIN_YEAR,
    REASON_MAX_LENGTH,
    Ansvar,
    Delmaal,
    Handlingsprogram,
    NivaaBetegnelse,
    ProgramStatus,
    RegionalPlan,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    TiltakStatus,
    TiltakType,
)
from tiltak.selectors import history as history_selectors
from tiltak.selectors.programmes import ansvar_prefetch, programme_list, visible_programmes
from tiltak.services import ansvar as ansvar_services
from tiltak.services import programme as programme_services
from tiltak.services import structure
from tiltak.services import tiltak as tiltak_services
from tiltak.services.common import TILTAK_FIELDS
from tiltak.services.workflow import programme_transition

# Token first: an anonymous write then gets 401 with `WWW-Authenticate: Token`.
AUTHENTICATION_CLASSES = [TokenAuthentication, SessionAuthentication]
WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


class WritesNeedLogin(BasePermission):
    """Reads are as open as the pages; a write needs a logged-in user (401 otherwise). What
    the user may write is decided by the service's django-rules permission (403)."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated()
        return True


# --- Errors -------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    before_display = serializers.CharField()
    after_display = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    versjon = serializers.IntegerField(help_text=_("The current version: send it to retry."))
    changed_fields = serializers.ListField(child=serializers.CharField())
    changes = ConflictChangeSerializer(many=True)
    changed_by = serializers.CharField(allow_null=True)


BAD_REQUEST = OpenApiResponse(description=_("Invalid input: messages by field name."))
ERRORS = {
    400: BAD_REQUEST,
    401: OpenApiResponse(description=_("Not logged in.")),
    403: OpenApiResponse(response=ErrorSerializer, description=_("Not allowed.")),
    404: OpenApiResponse(description=_("No such object, or not visible to you.")),
}
CONFLICT = {409: OpenApiResponse(response=ConflictSerializer, description=_("Saved by others."))}


class WriteMixin:
    """Token or session authentication and the write rule. Service errors become HTTP answers
    in the project's exception handler (partnerskap.api.api_exception_handler)."""

    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [WritesNeedLogin]

    @property
    def programmes(self):
        return visible_programmes(self.request.user)


# --- Related fields limited to what the user may see --------------------------------------


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key among the objects of programmes the user may see; another id is "invalid
    pk" (400), the same answer as an id that does not exist."""

    path = "program"

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        programmes = visible_programmes(request.user)
        if self.path == "pk":
            return queryset.filter(pk__in=programmes.values("pk"))
        return queryset.filter(**{f"{self.path}__in": programmes})


class ProgrammeField(VisibleRelatedField):
    path = "pk"

    def __init__(self, **kwargs):
        super().__init__(queryset=Handlingsprogram.objects.all(), **kwargs)


class TemaField(VisibleRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Tema.objects.select_related("program"), **kwargs)


class DelmaalField(VisibleRelatedField):
    path = "tema__program"

    def __init__(self, **kwargs):
        super().__init__(queryset=Delmaal.objects.select_related("tema__program"), **kwargs)


class SatsingsomraadeField(VisibleRelatedField):
    path = "tema__program"

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Satsingsomraade.objects.select_related("tema__program", "delmaal"), **kwargs
        )


class TiltakField(VisibleRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Tiltak.objects.select_related("program"), **kwargs)


def _organisasjon_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=Organisasjon.objects.all(), **kwargs)


class TypedText(serializers.CharField):
    """Text a user typed: no control characters (partnerskap.validators). That check also
    covers the lone surrogates DRF refuses on its own, so it replaces DRF's: one message."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitSurrogateCharactersValidator)
        ]
        self.validators.append(no_control_characters)


def _text(*, max_length: int, **kwargs):
    # Whitespace is kept as typed; the services decide what to trim. The limit is the model's,
    # so the schema shows it (maxLength) and a longer text is refused before a service runs.
    return TypedText(trim_whitespace=False, max_length=max_length, **kwargs)


def _model_text(model, name: str, **kwargs):
    """A text field with the limit of the model field `name`."""
    return _text(max_length=model._meta.get_field(name).max_length, **kwargs)


def _optional_text(model, name: str):
    return _model_text(model, name, required=False, allow_blank=True)


def _posisjon():
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=32767,
        help_text=_("New 1-based position among its siblings."),
    )


NUMMER_RANGE = {"min_value": 1, "max_value": 32767}


def choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """A ChoiceField documented as a string with a pattern of its codes, not as an enum: the
    read API already names these choice sets ("code" fields), and drf-spectacular warns when
    one choice set gets a second enum name. (With ENUM_NAME_OVERRIDES in SPECTACULAR_SETTINGS
    this could become a plain ChoiceField.)"""
    codes = [str(code) for code, _label in choices]
    # Not "" among the codes when blank is allowed: drf-spectacular adds the blank itself (oneOf
    # with maxLength 0), and "" matching both alternatives of a oneOf would be invalid.
    schema = {"type": "string", "pattern": "^(" + "|".join(codes) + ")$"}
    if kwargs.get("allow_null"):
        schema["nullable"] = True
    field_class = extend_schema_field(schema)(
        type("DocumentedChoiceField", (serializers.ChoiceField,), {})
    )
    help_text = "; ".join(f"{code}: {label}" for code, label in choices)
    kwargs.setdefault("help_text", help_text)
    return field_class(choices=choices, **kwargs)


# --- Tema ---------------------------------------------------------------------------------


class TemaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tema
        fields = read_only_fields = [
            "id",
            "program",
            "nummer",
            "navn",
            "etikett",
            "overordnet_maal",
            "ansvarlig",
            "ansvarlig_tekst",
        ]


class TemaCreateSerializer(serializers.Serializer):
    program = ProgrammeField()
    nummer = serializers.IntegerField(
        required=False, help_text=_("Default: after the last theme."), **NUMMER_RANGE
    )
    navn = _model_text(Tema, "navn")
    etikett = _optional_text(Tema, "etikett")
    overordnet_maal = _optional_text(Tema, "overordnet_maal")
    ansvarlig = _organisasjon_field(required=False, allow_null=True)
    ansvarlig_tekst = _optional_text(Tema, "ansvarlig_tekst")


class TemaUpdateSerializer(serializers.Serializer):
    navn = _model_text(Tema, "navn", required=False)
    etikett = _optional_text(Tema, "etikett")
    overordnet_maal = _optional_text(Tema, "overordnet_maal")
    ansvarlig = _organisasjon_field(required=False, allow_null=True)
    ansvarlig_tekst = _optional_text(Tema, "ansvarlig_tekst")
    posisjon = _posisjon()


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _write_schema(noun: str, create, update, response, *, conflict: bool = False):
    extra = CONFLICT if conflict else {}
    return extend_schema_view(
        retrieve=extend_schema(summary=_("One %(noun)s") % {"noun": noun}),
        create=extend_schema(
            summary=_("Create a %(noun)s") % {"noun": noun},
            request=create,
            responses={201: response, **ERRORS},
        ),
        partial_update=extend_schema(
            summary=_("Change a %(noun)s") % {"noun": noun},
            request=update,
            responses={200: response, **ERRORS, **extra},
        ),
        destroy=extend_schema(
            summary=_("Delete a %(noun)s") % {"noun": noun},
            responses={204: None, **ERRORS},
        ),
    )


class WriteViewSet(
    WriteMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = WRITE_METHODS

    def _respond(self, instance, code=status.HTTP_200_OK):
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=code)


@_write_schema("theme", TemaCreateSerializer, TemaUpdateSerializer, TemaSerializer)
class TemaViewSet(WriteViewSet):
    serializer_class = TemaSerializer

    def get_queryset(self):
        return Tema.objects.filter(program__in=self.programmes).select_related("program")

    def create(self, request, *args, **kwargs):
        data = _parse(TemaCreateSerializer, request)
        tema = structure.tema_create(actor=request.user, **data)
        return self._respond(tema, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        tema = self.get_object()
        data = _parse(TemaUpdateSerializer, request)
        posisjon = data.pop("posisjon", None)
        with transaction.atomic():
            structure.tema_update(actor=request.user, tema=tema, **data)
            if posisjon is not None:
                structure.tema_move(actor=request.user, tema=tema, position=posisjon)
        return self._respond(tema)

    def destroy(self, request, *args, **kwargs):
        structure.tema_delete(actor=request.user, tema=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Delmål -------------------------------------------------------------------------------


class DelmaalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Delmaal
        fields = read_only_fields = ["id", "tema", "nummer", "navn", "smarte_maal", "rekkefoelge"]


class DelmaalCreateSerializer(serializers.Serializer):
    tema = TemaField()
    nummer = _optional_text(Delmaal, "nummer")
    navn = _model_text(Delmaal, "navn")
    smarte_maal = _optional_text(Delmaal, "smarte_maal")


class DelmaalUpdateSerializer(serializers.Serializer):
    nummer = _optional_text(Delmaal, "nummer")
    navn = _model_text(Delmaal, "navn", required=False)
    smarte_maal = _optional_text(Delmaal, "smarte_maal")
    tema = TemaField(required=False, help_text=_("Move to this theme (same programme)."))
    posisjon = _posisjon()


@_write_schema("sub-goal", DelmaalCreateSerializer, DelmaalUpdateSerializer, DelmaalSerializer)
class DelmaalViewSet(WriteViewSet):
    serializer_class = DelmaalSerializer

    def get_queryset(self):
        return Delmaal.objects.filter(tema__program__in=self.programmes).select_related(
            "tema__program"
        )

    def create(self, request, *args, **kwargs):
        data = _parse(DelmaalCreateSerializer, request)
        delmaal = structure.delmaal_create(actor=request.user, **data)
        return self._respond(delmaal, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        delmaal = self.get_object()
        data = _parse(DelmaalUpdateSerializer, request)
        tema = data.pop("tema", None)
        posisjon = data.pop("posisjon", None)
        with transaction.atomic():
            structure.delmaal_update(actor=request.user, delmaal=delmaal, **data)
            if tema is not None or posisjon is not None:
                structure.delmaal_move(
                    actor=request.user, delmaal=delmaal, position=posisjon, tema=tema
                )
        return self._respond(delmaal)

    def destroy(self, request, *args, **kwargs):
        structure.delmaal_delete(actor=request.user, delmaal=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Satsingsområde -----------------------------------------------------------------------


class SatsingsomraadeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Satsingsomraade
        fields = read_only_fields = [
            "id",
            "tema",
            "delmaal",
            "navn",
            "prioritert_handling",
            "rekkefoelge",
        ]


class SatsingsomraadeCreateSerializer(serializers.Serializer):
    tema = TemaField(required=False, help_text=_("Give the theme or the sub-goal."))
    delmaal = DelmaalField(required=False)
    navn = _model_text(Satsingsomraade, "navn")
    prioritert_handling = _optional_text(Satsingsomraade, "prioritert_handling")

    def validate(self, attrs):
        if not attrs.get("tema") and not attrs.get("delmaal"):
            raise serializers.ValidationError(
                {"tema": [_("Theme: give the theme or the sub-goal it belongs to.")]}
            )
        return attrs


class SatsingsomraadeUpdateSerializer(serializers.Serializer):
    navn = _model_text(Satsingsomraade, "navn", required=False)
    prioritert_handling = _optional_text(Satsingsomraade, "prioritert_handling")
    tema = TemaField(required=False, help_text=_("Move directly under this theme."))
    delmaal = DelmaalField(required=False, help_text=_("Move under this sub-goal."))
    posisjon = _posisjon()


@_write_schema(
    "priority area",
    SatsingsomraadeCreateSerializer,
    SatsingsomraadeUpdateSerializer,
    SatsingsomraadeSerializer,
)
class SatsingsomraadeViewSet(WriteViewSet):
    serializer_class = SatsingsomraadeSerializer

    def get_queryset(self):
        return Satsingsomraade.objects.filter(tema__program__in=self.programmes).select_related(
            "tema__program", "delmaal"
        )

    def create(self, request, *args, **kwargs):
        data = _parse(SatsingsomraadeCreateSerializer, request)
        satsing = structure.satsingsomraade_create(actor=request.user, **data)
        return self._respond(satsing, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        satsing = self.get_object()
        data = _parse(SatsingsomraadeUpdateSerializer, request)
        move = {k: data.pop(k) for k in ("tema", "delmaal") if k in data}
        posisjon = data.pop("posisjon", None)
        with transaction.atomic():
            structure.satsingsomraade_update(actor=request.user, satsingsomraade=satsing, **data)
            if move or posisjon is not None:
                structure.satsingsomraade_move(
                    actor=request.user, satsingsomraade=satsing, position=posisjon, **move
                )
        return self._respond(satsing)

    def destroy(self, request, *args, **kwargs):
        structure.satsingsomraade_delete(actor=request.user, satsingsomraade=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Ansvar -------------------------------------------------------------------------------


class AnsvarSerializer(serializers.ModelSerializer):
    organisasjon = api.OrganisasjonRefSerializer(read_only=True)
    rolle = choice_field(Rolle.choices, read_only=True)

    class Meta:
        model = Ansvar
        fields = read_only_fields = [
            "id",
            "tiltak",
            "organisasjon",
            "rolle",
            "rekkefoelge",
            "tekst_som_skrevet",
        ]


class AnsvarCreateSerializer(serializers.Serializer):
    tiltak = TiltakField()
    organisasjon = _organisasjon_field()
    rolle = choice_field(Rolle.choices)
    tekst_som_skrevet = _optional_text(Ansvar, "tekst_som_skrevet")


class AnsvarUpdateSerializer(serializers.Serializer):
    rolle = choice_field(Rolle.choices, required=False)
    tekst_som_skrevet = _optional_text(Ansvar, "tekst_som_skrevet")


@_write_schema("responsibility", AnsvarCreateSerializer, AnsvarUpdateSerializer, AnsvarSerializer)
class AnsvarViewSet(WriteViewSet):
    serializer_class = AnsvarSerializer

    def get_queryset(self):
        return Ansvar.objects.filter(tiltak__program__in=self.programmes).select_related(
            "tiltak__program", "organisasjon"
        )

    def create(self, request, *args, **kwargs):
        data = _parse(AnsvarCreateSerializer, request)
        ansvar = ansvar_services.ansvar_add(actor=request.user, **data)
        return self._respond(ansvar, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        ansvar = self.get_object()
        data = _parse(AnsvarUpdateSerializer, request)
        ansvar = ansvar_services.ansvar_update(actor=request.user, ansvar=ansvar, **data)
        return self._respond(ansvar)

    def destroy(self, request, *args, **kwargs):
        ansvar_services.ansvar_remove(actor=request.user, ansvar=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Tiltak -------------------------------------------------------------------------------


class TiltakEditSerializer(serializers.ModelSerializer):
    """A tiltak as an editor needs it: ids of its place in the tree, every editable field, its
    parties with the ids to change or remove them, and `versjon` to send with a change."""

    nummer_visning = serializers.CharField(
        read_only=True, help_text=_("Theme and measure number as cited, e.g. “3.11”.")
    )
    type = choice_field(TiltakType.choices, allow_blank=True, read_only=True)
    status = choice_field(TiltakStatus.choices, read_only=True)
    ansvar = AnsvarSerializer(many=True, read_only=True)
    url = api.PageUrlField()

    class Meta:
        model = Tiltak
        fields = read_only_fields = [
            "id",
            "versjon",
            "program",
            "tema",
            "delmaal",
            "satsingsomraade",
            "nummer",
            "nummer_visning",
            "tittel",
            *[f for f in TILTAK_FIELDS if f != "tittel"],
            "ansvar",
            "url",
        ]


# The parties as the source document wrote them are kept as text; writing them assigns nobody.
SOURCE_TEXT_HELP = _(
    "The parties as the source document wrote them. Assigns nothing: the parties are the "
    "responsibilities (/api/ansvar/)."
)


def _tiltak_field(name: str, **kwargs):
    model_field = Tiltak._meta.get_field(name)
    if name == "type":
        return choice_field(TiltakType.choices, allow_blank=True, **kwargs)
    if name == "status":
        return choice_field(TiltakStatus.choices, **kwargs)
    if name in ("start_aar", "slutt_aar"):
        return serializers.IntegerField(
            allow_null=True, min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs
        )
    if name in ("hovedansvar_tekst", "samarbeidsparter_tekst"):
        kwargs.setdefault("help_text", SOURCE_TEXT_HELP)
    return _model_text(Tiltak, name, allow_blank=model_field.blank, **kwargs)


class TiltakCreateSerializer(serializers.Serializer):
    tema = TemaField(required=False)
    delmaal = DelmaalField(required=False)
    satsingsomraade = SatsingsomraadeField(
        required=False, help_text=_("The most specific level given decides the place.")
    )
    nummer = serializers.IntegerField(
        required=False, help_text=_("Default: the next free number in the theme."), **NUMMER_RANGE
    )
    tittel = _model_text(Tiltak, "tittel")

    def get_fields(self):
        fields = super().get_fields()
        for name in TILTAK_FIELDS:
            if name not in fields:
                fields[name] = _tiltak_field(name, required=False)
        return fields

    def validate(self, attrs):
        if not any(attrs.get(k) for k in ("tema", "delmaal", "satsingsomraade")):
            raise serializers.ValidationError(
                {"tema": [_("Theme: choose where the measure belongs.")]}
            )
        return attrs


class TiltakUpdateSerializer(serializers.Serializer):
    versjon = serializers.IntegerField(
        min_value=1,
        help_text=_("The version you started from; a newer one on the server gives 409."),
    )
    tema = TemaField(required=False, help_text=_("Move to this theme."))
    delmaal = DelmaalField(
        required=False, allow_null=True, help_text=_("Move under this sub-goal (null: none).")
    )
    satsingsomraade = SatsingsomraadeField(
        required=False,
        allow_null=True,
        help_text=_("Move under this priority area (null: none)."),
    )
    nummer = serializers.IntegerField(required=False, **NUMMER_RANGE)
    reason = TypedText(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Recorded with the change in the history."),
    )

    def get_fields(self):
        fields = super().get_fields()
        for name in TILTAK_FIELDS:
            fields[name] = _tiltak_field(name, required=False)
        return fields


class TiltakDeleteSerializer(serializers.Serializer):
    slettet_grunn = _text(
        max_length=REASON_MAX_LENGTH, help_text=_("Why the measure is deleted (required).")
    )
    versjon = serializers.IntegerField(required=False, min_value=1)


class TiltakDeletedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sletting = choice_field(
        [("soft", "soft"), ("hard", "hard")],
        help_text=_(
            "soft: kept as deleted (it has history or other records); hard: removed for good."
        ),
    )


def _placement(tiltak: Tiltak, data: dict) -> dict | None:
    """The keyword arguments for tiltak_move from a PATCH, or None when the place stays."""
    if data.get("satsingsomraade") is not None:
        return {"satsingsomraade": data["satsingsomraade"]}
    if data.get("delmaal") is not None:
        return {"delmaal": data["delmaal"]}
    if data.get("tema") is not None:
        return {"tema": data["tema"]}
    if "satsingsomraade" in data:  # null: out of the priority area, same sub-goal
        return {"tema": tiltak.tema, "delmaal": tiltak.delmaal}
    if "delmaal" in data:  # null: directly under the theme
        return {"tema": tiltak.tema}
    if "nummer" in data:
        return {
            "tema": tiltak.tema,
            "delmaal": tiltak.delmaal,
            "satsingsomraade": tiltak.satsingsomraade,
        }
    return None


def _edit_queryset(programmes):
    return Tiltak.objects.filter(program__in=programmes).prefetch_related(ansvar_prefetch())


def _with_deleted_queryset(programmes):
    return Tiltak.alle.filter(program__in=programmes).select_related("program", "tema")


@extend_schema_view(
    create=extend_schema(
        summary=_("Create a measure"),
        request=TiltakCreateSerializer,
        responses={201: TiltakEditSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary=_("Change a measure"),
        description=_(
            "Send `versjon` from your last read (`/redigering/`) or write. If someone saved "
            "the measure since, nothing is written and the answer is 409 with their changes."
        ),
        request=TiltakUpdateSerializer,
        responses={200: TiltakEditSerializer, **ERRORS, **CONFLICT},
    ),
    destroy=extend_schema(
        summary=_("Delete a measure"),
        description=_(
            "A measure with history or other records is kept as deleted (soft); one without "
            "is removed. The reason is required, in the body or as a query parameter."
        ),
        parameters=[
            OpenApiParameter("slettet_grunn", str, required=False),
            OpenApiParameter("versjon", int, required=False),
        ],
        request=TiltakDeleteSerializer,
        responses={200: TiltakDeletedSerializer, **ERRORS, **CONFLICT},
    ),
    redigering=extend_schema(
        summary=_("One measure for editing"),
        description=_("Its version, the ids of its place and of its parties."),
        responses={200: TiltakEditSerializer, 404: ERRORS[404]},
    ),
    gjenopprett=extend_schema(
        summary=_("Restore"),
        request=None,
        responses={200: TiltakEditSerializer, **ERRORS},
    ),
)
class TiltakWriteViewSet(WriteMixin, api.TiltakViewSet):
    """The measures endpoint of api/views.py plus writes."""

    http_method_names = WRITE_METHODS

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return super().get_queryset()
        if self.action == "gjenopprett":
            return _with_deleted_queryset(self.programmes)
        return _edit_queryset(self.programmes)

    def filter_queryset(self, queryset):
        # The search filters belong to the list; a write finds its object by id alone.
        if self.action == "list":
            return super().filter_queryset(queryset)
        return queryset

    def get_serializer_class(self):
        if self.action in ("list", "retrieve"):
            return super().get_serializer_class()
        return TiltakEditSerializer

    def _respond(self, tiltak, code=status.HTTP_200_OK):
        tiltak = _edit_queryset(self.programmes).get(pk=tiltak.pk)
        return Response(
            TiltakEditSerializer(tiltak, context=self.get_serializer_context()).data, status=code
        )

    @action(detail=True, methods=["get"])
    def redigering(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    @action(detail=True, methods=["post"])
    def gjenopprett(self, request, *args, **kwargs):
        tiltak = tiltak_services.tiltak_restore_deleted(
            actor=request.user, tiltak=self.get_object()
        )
        return self._respond(tiltak)

    def create(self, request, *args, **kwargs):
        data = _parse(TiltakCreateSerializer, request)
        tiltak = tiltak_services.tiltak_create(actor=request.user, **data)
        return self._respond(tiltak, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        tiltak = self.get_object()
        data = _parse(TiltakUpdateSerializer, request)
        versjon = data.pop("versjon")
        reason = data.pop("reason", "")
        placement = _placement(tiltak, data)
        nummer = data.pop("nummer", None)
        for key in ("tema", "delmaal", "satsingsomraade"):
            data.pop(key, None)
        actor = request.user
        with transaction.atomic():
            if data or placement is None:
                tiltak = tiltak_services.tiltak_update(
                    actor=actor, tiltak=tiltak, expected_versjon=versjon, reason=reason, **data
                )
                versjon = tiltak.versjon
            if placement is not None:
                tiltak = tiltak_services.tiltak_move(
                    actor=actor, tiltak=tiltak, nummer=nummer, expected_versjon=versjon, **placement
                )
        return self._respond(tiltak)

    def destroy(self, request, *args, **kwargs):
        tiltak = self.get_object()
        raw = (
            request.data if hasattr(request.data, "get") and request.data else request.query_params
        )
        serializer = TiltakDeleteSerializer(
            data={
                k: raw.get(k) for k in ("slettet_grunn", "versjon") if raw.get(k) not in (None, "")
            }
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = tiltak_services.tiltak_delete(
            actor=request.user,
            tiltak=tiltak,
            reason=data["slettet_grunn"],
            expected_versjon=data.get("versjon"),
        )
        return Response({"id": tiltak.pk, "sletting": result})


# --- Programme: create, change, its deleted tiltak ---------------------------------------


class ProgrammeEditSerializer(serializers.ModelSerializer):
    """A programme's own fields as its owner edits them."""

    status = choice_field(ProgramStatus.choices, read_only=True)
    nivaa_betegnelse = choice_field(NivaaBetegnelse.choices, read_only=True)
    planer = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    url = api.PageUrlField()

    class Meta:
        model = Handlingsprogram
        fields = read_only_fields = [
            "id",
            "navn",
            "undertittel",
            "beskrivelse",
            "start_aar",
            "slutt_aar",
            "eier",
            "planer",
            "nivaa_betegnelse",
            "status",
            "forrige_versjon",
            "url",
        ]


def _year(**kwargs):
    return serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


def _plans_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=RegionalPlan.objects.all(),
        many=True,
        help_text=_("Regional plans it serves."),
        **kwargs,
    )


def _new_plans_field():
    # Plans not registered yet, by name; each is created, owned by the programme's owner.
    return serializers.ListField(child=_model_text(RegionalPlan, "navn"), required=False)


class ProgrammeCreateSerializer(serializers.Serializer):
    navn = _model_text(Handlingsprogram, "navn")
    undertittel = _optional_text(Handlingsprogram, "undertittel")
    beskrivelse = _optional_text(Handlingsprogram, "beskrivelse")
    start_aar = _year()
    slutt_aar = _year()
    # Administrators: any organisation; planners: their own (else 400 on `eier`).
    eier = _organisasjon_field()
    nivaa_betegnelse = choice_field(NivaaBetegnelse.choices, required=False)
    planer = _plans_field(required=False)
    nye_planer = _new_plans_field()


class ProgrammeUpdateSerializer(serializers.Serializer):
    navn = _model_text(Handlingsprogram, "navn", required=False)
    undertittel = _optional_text(Handlingsprogram, "undertittel")
    beskrivelse = _optional_text(Handlingsprogram, "beskrivelse")
    start_aar = _year(required=False)
    slutt_aar = _year(required=False)
    nivaa_betegnelse = choice_field(NivaaBetegnelse.choices, required=False)
    planer = _plans_field(required=False)
    nye_planer = _new_plans_field()
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Recorded with the change in the history."),
    )


class DeletedTiltakSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="tiltak.id")
    nummer_visning = serializers.CharField(source="tiltak.nummer_visning")
    tittel = serializers.CharField(source="tiltak.tittel")
    tema = serializers.IntegerField(source="tiltak.tema_id")
    slettet = serializers.DateTimeField(source="tiltak.slettet")
    slettet_grunn = serializers.CharField(source="tiltak.slettet_grunn")
    # Another measure has its number now: restored, it gets the next free one.
    nummer_tatt = serializers.BooleanField(source="number_taken")


# --- Programme status ---------------------------------------------------------------------


class TransitionSerializer(serializers.Serializer):
    status = choice_field(ProgramStatus.choices)
    reason = TypedText(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Why; required when the programme leaves the public site or goes back from "
            "adopted or archived."
        ),
    )


@extend_schema_view(
    create=extend_schema(
        summary=_("Create a %(noun)s") % {"noun": "programme"},
        request=ProgrammeCreateSerializer,
        responses={201: ProgrammeEditSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary=_("Change a %(noun)s") % {"noun": "programme"},
        request=ProgrammeUpdateSerializer,
        responses={200: ProgrammeEditSerializer, **ERRORS},
    ),
    slettede_tiltak=extend_schema(
        summary=_("Deleted measures"),
        responses={200: DeletedTiltakSerializer(many=True), **ERRORS},
    ),
    transition=extend_schema(
        summary=_("Change the status of a programme"),
        description=_(
            "Allowed: draft → on hearing → adopted; with a reason on hearing → draft, "
            "adopted → archived, on hearing or draft, and archived → adopted."
        ),
        request=TransitionSerializer,
        responses={200: api.ProgrammeSerializer, **ERRORS},
    ),
)
class ProgrammeWriteViewSet(WriteMixin, api.ProgrammeViewSet):
    """The programmes endpoint of api/views.py plus create, change, the list of its deleted
    measures and the status transition."""

    http_method_names = WRITE_METHODS

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return ProgrammeEditSerializer
        return super().get_serializer_class()

    def _respond(self, programme, code=status.HTTP_200_OK):
        programme = Handlingsprogram.objects.prefetch_related("planer").get(pk=programme.pk)
        return Response(
            ProgrammeEditSerializer(programme, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        data = _parse(ProgrammeCreateSerializer, request)
        programme = programme_services.programme_create(actor=request.user, **data)
        return self._respond(programme, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        programme = self.get_object()
        data = _parse(ProgrammeUpdateSerializer, request)
        programme = programme_services.programme_update(
            actor=request.user, programme=programme, **data
        )
        return self._respond(programme)

    @action(detail=True, methods=["get"], url_path="slettede-tiltak", pagination_class=None)
    def slettede_tiltak(self, request, *args, **kwargs):
        programme = self.get_object()
        if not request.user.has_perm("tiltak.view_history", programme):
            if not request.user.is_authenticated:
                raise NotAuthenticated()
            raise PermissionDenied()
        rows = history_selectors.deleted_tiltak(programme=programme)
        return Response(DeletedTiltakSerializer(rows, many=True).data)

    @action(detail=True, methods=["post"], url_path="status", serializer_class=TransitionSerializer)
    def transition(self, request, *args, **kwargs):
        programme = self.get_object()
        data = _parse(TransitionSerializer, request)
        programme_transition(
            actor=request.user,
            programme=programme,
            to_status=data["status"],
            reason=data.get("reason", ""),
        )
        programme = programme_list(
            programmes=Handlingsprogram.objects.filter(pk=programme.pk)
        ).get()
        return Response(
            api.ProgrammeSerializer(programme, context=self.get_serializer_context()).data
        )
