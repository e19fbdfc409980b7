from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerskap.models import Organisasjon
from partnerskap.validators import no_control_characters

# The longest reason a history row, a deletion or a status change keeps. A reason the user wrote
# that is longer is refused with a message naming the field and this limit, never cut; one the
# system composes from stored names («Rullert fra …») may be shortened to fit
# (tiltak/services/common.py: checked_reason, composed_reason).
REASON_MAX_LENGTH = 5000

# The longest text a user may type into the programme tree, by kind. The models refuse longer
# text (a CharField's max_length, a TextField's MaxLengthValidator), so the services, the Excel
# import (full_clean) and the API refuse the same; the forms get them as HTML maxlength and the
# API serializers as maxLength in the schema. Several times the longest text of the real
# programmes (fixtures/source: names 89, titles 193, sub-goals and priority areas 171,
# descriptions 695 characters), and short enough that a page, a PDF row and an Excel cell
# still hold them.
NAME_MAX_LENGTH = 255  # programme, subtitle, regional plan, tema, a lead partner as written
TITLE_MAX_LENGTH = 300  # a tiltak's title
GOAL_MAX_LENGTH = 500  # a delmål or a satsingsområde: a goal in a sentence or two
TEXT_MAX_LENGTH = 10_000  # descriptions, goals, funding, notes, parties as written

# The years accepted wherever a year is entered: programme and plan periods, a tiltak's start
# and end, the period of a rolled programme. The model fields validate them, so the services,
# the forms and the API refuse the same years.
MIN_YEAR, MAX_YEAR = 1900, 2200
YEAR_VALIDATORS = (MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR))


def name_field(verbose_name, max_length: int = NAME_MAX_LENGTH, **extra) -> models.CharField:
    """A one-line text the user types: at most `max_length` characters, no control
    characters (partnerskap.validators)."""
    return models.CharField(
        verbose_name, max_length=max_length, validators=[no_control_characters], **extra
    )


def text_field(verbose_name, max_length: int = TEXT_MAX_LENGTH, **extra) -> models.TextField:
    """A multi-line text the user types: at most `max_length` characters (a TextField's
    max_length only reaches the form, so the validator refuses longer text in the model too),
    no control characters but tabs and line breaks."""
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length), no_control_characters],
        **extra,
    )


def predecessor_field(**extra) -> models.ForeignKey:
    """The link from a copy to what it was rolled from (rullering), the same on every level."""
    return models.ForeignKey(
        "self",
        verbose_name=_("predecessor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="etterfoelgere",
        **extra,
    )


class RegionalPlan(models.Model):
    navn = name_field(_("name"), unique=True)
    eier = models.ForeignKey(
        Organisasjon,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regionale_planer",
    )
    start_aar = models.PositiveSmallIntegerField(
        _("from year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    slutt_aar = models.PositiveSmallIntegerField(
        _("to year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )

    class Meta:
        verbose_name = _("regional plan")
        verbose_name_plural = _("regional plans")
        ordering = ["navn"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_aar__isnull=True)
                | Q(slutt_aar__isnull=True)
                | Q(start_aar__lte=F("slutt_aar")),
                name="regionalplan_period_order",
            )
        ]

    def __str__(self) -> str:
        return self.navn


class ProgramStatus(models.TextChoices):
    UTKAST = "utkast", _("Draft")
    PAA_HOERING = "paa_hoering", _("On hearing")
    VEDTATT = "vedtatt", _("Adopted")
    ARKIVERT = "arkivert", _("Archived")


PUBLIC_STATUSES = (ProgramStatus.PAA_HOERING, ProgramStatus.VEDTATT)


class NivaaBetegnelse(models.TextChoices):
    """What the programme calls its top level; seed 000 says tema, seed 001 innsatsområde."""

    TEMA = "tema", _("Theme")
    INNSATSOMRAADE = "innsatsomraade", _("Focus area")
    OMRAADE = "omraade", _("Area")


class HandlingsprogramQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)


class Handlingsprogram(models.Model):
    navn = name_field(_("name"))
    undertittel = name_field(_("subtitle"), blank=True)
    start_aar = models.PositiveSmallIntegerField(_("from year"), validators=YEAR_VALIDATORS)
    slutt_aar = models.PositiveSmallIntegerField(_("to year"), validators=YEAR_VALIDATORS)
    eier = models.ForeignKey(
        Organisasjon,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="handlingsprogrammer",
        help_text=_("The county organisation that owns and edits the programme."),
    )
    planer = models.ManyToManyField(
        RegionalPlan,
        verbose_name=_("regional plans"),
        related_name="handlingsprogrammer",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.UTKAST
    )
    forrige_versjon = models.ForeignKey(
        "self",
        verbose_name=_("rolled from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="neste_versjoner",
    )
    nivaa_betegnelse = models.CharField(
        _("name of the top level"),
        max_length=20,
        choices=NivaaBetegnelse.choices,
        default=NivaaBetegnelse.TEMA,
    )
    beskrivelse = text_field(_("description"), blank=True)
    kilde = text_field(_("source"), blank=True)

    objects = HandlingsprogramQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[planer])

    class Meta:
        verbose_name = _("action programme")
        verbose_name_plural = _("action programmes")
        ordering = ["-start_aar", "navn"]
        constraints = [
            models.UniqueConstraint(
                fields=["navn", "start_aar", "slutt_aar"], name="handlingsprogram_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(start_aar__lte=F("slutt_aar")), name="handlingsprogram_period_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgramStatus.values), name="handlingsprogram_valid_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.navn} {self.periode}"

    @property
    def periode(self) -> str:
        return f"{self.start_aar}–{self.slutt_aar}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def get_absolute_url(self) -> str:
        return reverse("tiltak:programme_detail", kwargs={"pk": self.pk})


class Tema(models.Model):
    """Top level: tema (seed 000), innsatsområde (seed 001) or hovedinnsatsområde (seed 003)."""

    program = models.ForeignKey(
        Handlingsprogram,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="temaer",
    )
    nummer = models.PositiveSmallIntegerField(_("number"))
    navn = name_field(_("name"))
    etikett = name_field(_("label"), max_length=100, blank=True)
    overordnet_maal = text_field(_("overall goal"), blank=True)
    ansvarlig = models.ForeignKey(
        Organisasjon,
        verbose_name=_("lead partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ansvar_for_temaer",
    )
    ansvarlig_tekst = name_field(_("lead partner as written"), blank=True)
    forgjenger = predecessor_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        # Only own fields: an ordering through a foreign key joins on every query.
        ordering = ["nummer", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "nummer"], name="tema_unique_nummer"),
        ]

    def __str__(self) -> str:
        return f"{self.nummer} {self.navn}"


class Delmaal(models.Model):
    tema = models.ForeignKey(
        Tema, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="delmaal"
    )
    nummer = name_field(
        _("number"), max_length=10, blank=True, help_text=_("For example “3.1”; may be empty.")
    )
    navn = text_field(_("sub-goal"), GOAL_MAX_LENGTH)
    smarte_maal = text_field(_("measurable goals"), blank=True)
    rekkefoelge = models.PositiveSmallIntegerField(_("order"), default=0)
    forgjenger = predecessor_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sub-goal")
        verbose_name_plural = _("sub-goals")
        ordering = ["rekkefoelge", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tema", "nummer"], condition=~Q(nummer=""), name="delmaal_unique_nummer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nummer} {self.navn}".strip() if self.nummer else self.navn


class Satsingsomraade(models.Model):
    tema = models.ForeignKey(
        Tema, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="satsingsomraader"
    )
    delmaal = models.ForeignKey(
        Delmaal,
        verbose_name=_("sub-goal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="satsingsomraader",
    )
    navn = text_field(_("priority area"), GOAL_MAX_LENGTH)
    prioritert_handling = text_field(_("prioritised action"), blank=True)
    rekkefoelge = models.PositiveSmallIntegerField(_("order"), default=0)
    forgjenger = predecessor_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")
        ordering = ["rekkefoelge", "id"]

    def __str__(self) -> str:
        return self.navn

    def clean(self):
        if self.delmaal_id and self.delmaal.tema_id != self.tema_id:
            raise ValidationError({"delmaal": _("The sub-goal belongs to another theme.")})


class TiltakType(models.TextChoices):
    """The six types of seed 003 (annual reporting on the competence strategy)."""

    FOU = "fou", _("R&D")
    KURS_UTDANNING = "kurs_utdanning", _("Course/education")
    RAAD_UTVALG_NETTVERK = "raad_utvalg_nettverk", _("Council/committee/network")
    PROSJEKT = "prosjekt", _("Project")
    INFORMASJON = "informasjon", _("Information")
    ARRANGEMENT = "arrangement", _("Event")


class TiltakStatus(models.TextChoices):
    FORESLAATT = "foreslaatt", _("Proposed")
    PLANLAGT = "planlagt", _("Planned")
    PAAGAAR = "paagaar", _("In progress")
    GJENNOMFOERT = "gjennomfoert", _("Completed")
    UTSATT = "utsatt", _("Postponed")
    AVSLUTTET = "avsluttet", _("Discontinued")


class Utfall(models.TextChoices):
    """What became of a tiltak when the programme was rolled to a new period."""

    VIDEREFOERT = "viderefoert", _("Continued")
    ENDRET = "endret", _("Changed")
    SLAATT_SAMMEN = "slaatt_sammen", _("Merged into another")
    AVSLUTTET = "avsluttet", _("Concluded")
    UTGAATT = "utgaatt", _("Dropped")


class TiltakQuerySet(models.QuerySet):
    def for_organisasjon(self, organisasjon, rolle: str | None = None):
        filters = {"organisasjon": organisasjon}
        if rolle:
            filters["rolle"] = rolle
        return self.filter(pk__in=Ansvar.objects.filter(**filters).values("tiltak_id"))

    def public(self):
        return self.filter(program__status__in=PUBLIC_STATUSES)


class ActiveTiltakManager(models.Manager.from_queryset(TiltakQuerySet)):
    """Soft-deleted tiltak (kept because partners answered or reported on them) are hidden
    everywhere by default; `Tiltak.alle` reaches them."""

    def get_queryset(self):
        return super().get_queryset().filter(slettet__isnull=True)


class Tiltak(models.Model):
    program = models.ForeignKey(
        Handlingsprogram,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="tiltak",
    )
    tema = models.ForeignKey(
        Tema, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="tiltak"
    )
    delmaal = models.ForeignKey(
        Delmaal,
        verbose_name=_("sub-goal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tiltak",
    )
    satsingsomraade = models.ForeignKey(
        Satsingsomraade,
        verbose_name=_("priority area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tiltak",
    )
    nummer = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("Numbered within the theme.")
    )
    tittel = text_field(_("title"), TITLE_MAX_LENGTH)
    # The source gave no title (Buskerud 3.35): one was made from the description so the row
    # can be loaded and edited, and planners are told until they write a title themselves.
    tittel_mangler_i_kilden = models.BooleanField(_("title missing in the source"), default=False)
    beskrivelse = text_field(_("description"), blank=True)
    virkemiddel = text_field(_("instrument"), blank=True)
    type = models.CharField(_("type"), max_length=30, choices=TiltakType.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TiltakStatus.choices, default=TiltakStatus.FORESLAATT
    )
    start_aar = models.PositiveSmallIntegerField(
        _("start year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    slutt_aar = models.PositiveSmallIntegerField(
        _("end year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    finansiering = text_field(_("funding"), blank=True)
    forventet_resultat = text_field(_("expected result"), blank=True)
    hovedansvar_tekst = text_field(_("lead responsibility as written"), blank=True)
    samarbeidsparter_tekst = text_field(_("collaborators as written"), blank=True)
    merknader = text_field(_("notes"), blank=True)
    rekkefoelge = models.PositiveIntegerField(_("order"), default=0)
    versjon = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save; refuses silent overwrites.")
    )
    slettet = models.DateTimeField(_("deleted"), null=True, blank=True)
    slettet_grunn = text_field(_("reason for deletion"), REASON_MAX_LENGTH, blank=True)
    forgjenger = predecessor_field(
        help_text=_("The tiltak in the previous period's programme this one was rolled from.")
    )
    utfall = models.CharField(
        _("outcome of rolling"), max_length=20, choices=Utfall.choices, blank=True
    )
    slaatt_sammen_med = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sammenslaatte",
    )

    objects = ActiveTiltakManager()
    alle = TiltakQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["rekkefoelge", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tema", "nummer"],
                condition=Q(nummer__isnull=False) & Q(slettet__isnull=True),
                name="tiltak_unique_nummer_in_tema",
            ),
            models.CheckConstraint(
                condition=Q(start_aar__isnull=True)
                | Q(slutt_aar__isnull=True)
                | Q(start_aar__lte=F("slutt_aar")),
                name="tiltak_period_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TiltakStatus.values), name="tiltak_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(type="") | Q(type__in=TiltakType.values), name="tiltak_valid_type"
            ),
            models.CheckConstraint(
                condition=Q(utfall="") | Q(utfall__in=Utfall.values), name="tiltak_valid_utfall"
            ),
            models.CheckConstraint(
                condition=Q(slettet__isnull=True) | ~Q(slettet_grunn=""),
                name="tiltak_deletion_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.nummer_visning} {self.tittel}".strip()

    @property
    def nummer_visning(self) -> str:
        """ "3.11": tema number and tiltak number, as the programme's readers cite it."""
        if self.nummer is None:
            return ""
        return f"{self.tema.nummer}.{self.nummer}"

    def get_absolute_url(self) -> str:
        return reverse("tiltak:tiltak_detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.tema_id and self.program_id and self.tema.program_id != self.program_id:
            errors["tema"] = _("The theme belongs to another programme.")
        if self.delmaal_id and self.delmaal.tema_id != self.tema_id:
            errors["delmaal"] = _("The sub-goal belongs to another theme.")
        if self.satsingsomraade_id:
            s = self.satsingsomraade
            if s.tema_id != self.tema_id or (s.delmaal_id and s.delmaal_id != self.delmaal_id):
                errors["satsingsomraade"] = _("The priority area belongs to another sub-goal.")
        if errors:
            raise ValidationError(errors)

    # Both read the prefetched ansvar rows, so a list of tiltak costs no query per row.
    def hovedansvar(self) -> list["Ansvar"]:
        return [a for a in self.ansvar.all() if a.rolle == Rolle.HOVEDANSVAR]

    def samarbeidsparter(self) -> list["Ansvar"]:
        return [a for a in self.ansvar.all() if a.rolle == Rolle.SAMARBEIDSPART]


class Rolle(models.TextChoices):
    HOVEDANSVAR = "hovedansvar", _("Lead responsibility")
    SAMARBEIDSPART = "samarbeidspart", _("Collaborator")


class Ansvar(models.Model):
    """One organisation's role in one tiltak. All responsibility lives in this one table."""

    tiltak = models.ForeignKey(
        Tiltak, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="ansvar"
    )
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="ansvar",
    )
    rolle = models.CharField(_("role"), max_length=20, choices=Rolle.choices)
    rekkefoelge = models.PositiveSmallIntegerField(_("order"), default=0)
    tekst_som_skrevet = name_field(
        _("as written"),
        max_length=500,
        blank=True,
        help_text=_("The party as the source document wrote it, e.g. “Regionrådet i Hallingdal”."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["rolle", "rekkefoelge", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tiltak", "organisasjon", "rolle"], name="ansvar_unique_role"
            ),
            models.CheckConstraint(condition=Q(rolle__in=Rolle.values), name="ansvar_valid_rolle"),
        ]
        indexes = [models.Index(fields=["organisasjon", "rolle"])]

    def __str__(self) -> str:
        return f"{self.organisasjon} – {self.get_rolle_display()}"
