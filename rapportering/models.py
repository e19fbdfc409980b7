"""Reporting (rapportering): indicators with baseline, targets and values, and the annual status
reporting round in which the organisations with hovedansvar report on their tiltak.

Indikator          what a programme measures: name, unit, source (an SSB table), which direction
                   is good, the tema or delmål it measures, a baseline (year, value).
                   `eksempelverdier` marks indicators whose figures are examples (demo data), shown
                   everywhere as «Eksempelverdier – ikke statistikk».
Indikatormaal      a target per year
Indikatorverdi     an actual value per year, for the whole programme area, a region or a
                   municipality (an Organisasjon of type kommune); note, who entered it, when
Rapporteringsrunde the annual round for a programme and year, opened and closed by a planner,
                   with a deadline
Statusrapport      one report per tiltak and year: status, progress, results, resources; draft →
                   submitted → approved or sent back (with the planner's comment) → submitted …
                   `versjon` is raised on every save; a save naming an older one is refused (409)
Rapportpaaminnelse one reminder sent to one organisation in one round at one step before the
                   deadline; the unique row, inserted before the email goes out, makes the
                   reminder command safe to run twice or on two servers at once
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerskap.models import Organisasjon, OrganisasjonType, Region
from tiltak.models import (
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    YEAR_VALIDATORS,
    Delmaal,
    Handlingsprogram,
    Tema,
    Tiltak,
    name_field,
    text_field,
)

# Figures: up to 14 digits before and 4 after the decimal point (a population, a share in %).
VALUE_MAX_DIGITS, VALUE_DECIMALS = 18, 4
UNIT_MAX_LENGTH = 50


def value_field(verbose_name, **extra) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS, **extra
    )


def year_field(verbose_name, **extra) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, validators=YEAR_VALIDATORS, **extra)


def _user_fk(verbose_name) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Retning(models.TextChoices):
    HOEYERE = "hoeyere", _("Higher is better")
    LAVERE = "lavere", _("Lower is better")


class Indikator(models.Model):
    program = models.ForeignKey(
        Handlingsprogram,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="indikatorer",
    )
    navn = name_field(_("name"))
    beskrivelse = text_field(_("description"), blank=True)
    enhet = name_field(_("unit"), UNIT_MAX_LENGTH, blank=True, help_text=_("E.g. «%»."))
    kilde = name_field(
        _("source"), blank=True, help_text=_("E.g. «SSB, statistikkbanken tabell 11615».")
    )
    retning = models.CharField(
        _("good direction"), max_length=10, choices=Retning.choices, default=Retning.HOEYERE
    )
    tema = models.ForeignKey(
        Tema,
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indikatorer",
    )
    delmaal = models.ForeignKey(
        Delmaal,
        verbose_name=_("sub-goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indikatorer",
    )
    basis_aar = year_field(_("baseline year"), null=True, blank=True)
    basis_verdi = value_field(_("baseline value"), null=True, blank=True)
    eksempelverdier = models.BooleanField(
        _("example values"),
        default=False,
        help_text=_("The figures are examples (demo data), not statistics."),
    )
    rekkefoelge = models.PositiveSmallIntegerField(_("order"), default=0)
    opprettet = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = _user_fk(_("created by"))
    versjon = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["program", "rekkefoelge", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "navn"], name="indikator_unique_navn"),
            models.CheckConstraint(
                condition=Q(retning__in=Retning.values), name="indikator_valid_retning"
            ),
            models.CheckConstraint(
                condition=Q(basis_aar__isnull=True, basis_verdi__isnull=True)
                | Q(basis_aar__isnull=False, basis_verdi__isnull=False),
                name="indikator_baseline_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.navn

    def get_absolute_url(self) -> str:
        return reverse("rapportering:indikator_detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.tema_id and self.program_id and self.tema.program_id != self.program_id:
            errors["tema"] = _("Theme: choose one from the same programme.")
        if self.delmaal_id:
            if self.program_id and self.delmaal.tema.program_id != self.program_id:
                errors["delmaal"] = _("Sub-goal: choose one from the same programme.")
            elif self.tema_id and self.delmaal.tema_id != self.tema_id:
                errors["delmaal"] = _("Sub-goal: choose one under the chosen theme.")
        if (self.basis_aar is None) != (self.basis_verdi is None):
            field = "basis_verdi" if self.basis_verdi is None else "basis_aar"
            errors[field] = _("Baseline: give both the year and the value, or neither.")
        if errors:
            raise ValidationError(errors)


class Indikatormaal(models.Model):
    indikator = models.ForeignKey(
        Indikator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="maal"
    )
    aar = year_field(_("year"))
    verdi = value_field(_("target"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indikator", "aar"]
        constraints = [
            models.UniqueConstraint(fields=["indikator", "aar"], name="indikatormaal_unique_aar"),
        ]

    def __str__(self) -> str:
        return f"{self.indikator}: {self.aar}"


class Indikatorverdi(models.Model):
    """One actual value. Where: the whole area (no region, no municipality), a region, or a
    municipality — one value per indicator, year and place."""

    indikator = models.ForeignKey(
        Indikator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="verdier"
    )
    aar = year_field(_("year"))
    verdi = value_field(_("value"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indikatorverdier",
    )
    kommune = models.ForeignKey(
        Organisasjon,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indikatorverdier",
        limit_choices_to={"type": OrganisasjonType.KOMMUNE},
    )
    merknad = text_field(_("note"), REASON_MAX_LENGTH, blank=True)
    registrert_av = _user_fk(_("entered by"))
    registrert = models.DateTimeField(_("entered"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indikator", "aar", "region__navn", "kommune__navn", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indikator", "aar"],
                condition=Q(region__isnull=True, kommune__isnull=True),
                name="indikatorverdi_unique_whole_area",
            ),
            models.UniqueConstraint(
                fields=["indikator", "aar", "region"],
                condition=Q(region__isnull=False),
                name="indikatorverdi_unique_region",
            ),
            models.UniqueConstraint(
                fields=["indikator", "aar", "kommune"],
                condition=Q(kommune__isnull=False),
                name="indikatorverdi_unique_kommune",
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(kommune__isnull=True),
                name="indikatorverdi_one_place",
            ),
        ]
        indexes = [models.Index(fields=["indikator", "aar"])]

    def __str__(self) -> str:
        return f"{self.indikator} {self.aar} {self.sted}".strip()

    @property
    def sted(self) -> str:
        """Where the value applies, as shown: the region or municipality, or empty (the whole
        area)."""
        if self.kommune_id:
            return str(self.kommune)
        if self.region_id:
            return str(self.region)
        return ""

    def clean(self):
        if self.region_id and self.kommune_id:
            raise ValidationError(
                {"kommune": _("Municipality: give a region or a municipality, not both.")}
            )


class Rapporteringsrunde(models.Model):
    program = models.ForeignKey(
        Handlingsprogram,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="rapporteringsrunder",
    )
    aar = year_field(_("year"))
    frist = models.DateTimeField(_("deadline"))
    innledning = text_field(_("introduction"), blank=True)
    aapnet = models.DateTimeField(_("opened"), null=True, blank=True)
    aapnet_av = _user_fk(_("opened by"))
    lukket = models.DateTimeField(_("closed"), null=True, blank=True)
    lukket_av = _user_fk(_("closed by"))
    eksempeldata = models.BooleanField(
        _("example data"),
        default=False,
        help_text=_("Demo data: the reports in this round are examples, not real reports."),
    )
    opprettet = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = _user_fk(_("created by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-aar", "program"]
        constraints = [
            models.UniqueConstraint(fields=["program", "aar"], name="rapporteringsrunde_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.program.navn} {self.aar}"

    def get_absolute_url(self) -> str:
        return reverse("rapportering:runde_detail", kwargs={"pk": self.pk})

    @property
    def er_aapen(self) -> bool:
        """Open for reports: opened and not closed (the deadline is a target, reports after it
        are still taken, and reminders say it has passed)."""
        return self.aapnet is not None and self.lukket is None


class RapportStatus(models.TextChoices):
    """How the tiltak stands (what the lead organisation reports)."""

    IKKE_STARTET = "ikke_startet", _("Not started")
    PAAGAAR = "paagaar", _("In progress")
    FULLFOERT = "fullfoert", _("Completed")
    UTSATT = "utsatt", _("Postponed")
    AVBRUTT = "avbrutt", _("Cancelled")


class Behandling(models.TextChoices):
    """Where the report is in its review."""

    UTKAST = "utkast", _("Draft")
    INNSENDT = "innsendt", _("Submitted")
    GODKJENT = "godkjent", _("Approved")
    SENDT_TILBAKE = "sendt_tilbake", _("Sent back")


# Editable by the lead organisation in these states; submitted and approved reports are not.
EDITABLE_STATES = (Behandling.UTKAST, Behandling.SENDT_TILBAKE)
# Seen only by the lead organisations and the planners (and the board): not yet submitted.
UNSUBMITTED_STATES = EDITABLE_STATES


class Statusrapport(models.Model):
    tiltak = models.ForeignKey(
        Tiltak,
        verbose_name=_("measure"),
        on_delete=models.PROTECT,
        related_name="statusrapporter",
    )
    runde = models.ForeignKey(
        Rapporteringsrunde,
        verbose_name=_("reporting round"),
        on_delete=models.PROTECT,
        related_name="rapporter",
    )
    aar = year_field(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=RapportStatus.choices, blank=True)
    fremdrift = text_field(_("progress"), blank=True)
    resultater = text_field(_("results achieved"), blank=True)
    ressurser = text_field(_("resources used"), blank=True)
    behandling = models.CharField(
        _("review"), max_length=20, choices=Behandling.choices, default=Behandling.UTKAST
    )
    kommentar = text_field(_("planner's comment"), REASON_MAX_LENGTH, blank=True)
    versjon = models.PositiveIntegerField(_("version"), default=1)
    skrevet_av = _user_fk(_("written by"))
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("reporting organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statusrapporter",
    )
    opprettet = models.DateTimeField(_("created"), default=timezone.now)
    endret = models.DateTimeField(_("changed"), default=timezone.now)
    innsendt = models.DateTimeField(_("submitted"), null=True, blank=True)
    innsendt_av = _user_fk(_("submitted by"))
    behandlet = models.DateTimeField(_("reviewed"), null=True, blank=True)
    behandlet_av = _user_fk(_("reviewed by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["runde", "tiltak__tema__nummer", "tiltak__nummer", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tiltak", "aar"], name="statusrapport_one_per_year"),
            models.CheckConstraint(
                condition=Q(behandling__in=Behandling.values),
                name="statusrapport_valid_behandling",
            ),
            models.CheckConstraint(
                condition=Q(status="") | Q(status__in=RapportStatus.values),
                name="statusrapport_valid_status",
            ),
            models.CheckConstraint(
                condition=Q(behandling="utkast") | (~Q(status="") & Q(innsendt__isnull=False)),
                name="statusrapport_submitted_is_complete",
            ),
        ]
        indexes = [models.Index(fields=["runde", "behandling"])]

    def __str__(self) -> str:
        return f"{self.tiltak} – {self.aar}"

    def get_absolute_url(self) -> str:
        return reverse("rapportering:rapport_detail", kwargs={"pk": self.pk})

    @property
    def kan_redigeres(self) -> bool:
        return self.behandling in EDITABLE_STATES


class Rapportpaaminnelse(models.Model):
    runde = models.ForeignKey(
        Rapporteringsrunde,
        verbose_name=_("reporting round"),
        on_delete=models.CASCADE,
        related_name="paaminnelser",
    )
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="rapportpaaminnelser",
    )
    # The step (days before the deadline; 0 = the deadline has passed) this reminder is for.
    dager_foer_frist = models.PositiveSmallIntegerField(_("days before the deadline"))
    mottakere = name_field(_("recipients"), NAME_MAX_LENGTH * 4, blank=True)
    sendt = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["runde", "organisasjon", "dager_foer_frist"],
                name="rapportpaaminnelse_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisasjon} ({self.runde}): {self.dager_foer_frist}"


# The case papers for the county committee (issue 11) live in their own module.
from .models_saksframlegg import Dokumentspraak, Saksframlegg  # noqa: E402, F401
