"""A hearing round (høring) on a programme and the organisations' answers to it.

Hoering            one round on one programme: opening time, deadline (to the second), who may
                   answer, whether answers are published after the deadline
Invitasjon         the høringsliste: one invited organisation, its contact email, language, its
                   personal link (token), when it was sent and first opened
Paaminnelse        one reminder sent (invitation × days before the deadline); the unique row is
                   what makes the reminder command safe to run twice or on two servers at once
Fristutsettelse    an extension for one organisation: new deadline, reason, who gave it
Hoeringssvar       one organisation's answer. Drafts are shared by the organisation's members
                   and carry a `versjon` (no silent overwrite). A submitted answer is never
                   changed again: a change after submission is a new row (`versjon_nr` + 1)
                   that keeps the old one. The current answer is the newest submitted row.
Standpunkt         the answer's position on one tiltak (påtar seg hovedansvar, bekrefter
                   samarbeid, kan ikke, forslag til endring, ingen merknad)
Aktoerforslag      an additional actor proposed for a tiltak
Tiltaksforslag     a proposed new tiltak under a tema/delmål/satsingsområde, with the six
                   fields of seed 004

Every input (Standpunkt, Aktoerforslag, Tiltaksforslag, and the answer's general remarks) can
be assessed by the planner (Vurdering) and lead to a tiltak (`resultat_tiltak`): the link from
input to tiltak is kept and shown both ways.

Times are stored in UTC and shown in Europe/Oslo («frist 23. oktober 2018 kl. 23.59»).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerskap.models import Organisasjon
from tiltak.models import (
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    name_field,
    text_field,
)


class Spraak(models.TextChoices):
    BOKMAAL = "nb", _("Bokmål")
    NYNORSK = "nn", _("Nynorsk")


class Hoering(models.Model):
    program = models.ForeignKey(
        Handlingsprogram,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="hoeringer",
    )
    tittel = name_field(_("title"), TITLE_MAX_LENGTH)
    innledning = text_field(_("introduction"), blank=True)
    aapner = models.DateTimeField(_("opens"))
    frist = models.DateTimeField(_("deadline"))
    aapen_for_alle = models.BooleanField(
        _("other registered organisations may answer"),
        default=False,
        help_text=_("Organisations not on the hearing list may also answer."),
    )
    publiser_svar = models.BooleanField(
        _("publish the answers after the deadline"),
        default=True,
        help_text=_(
            "As on regjeringen.no: everyone can read the submitted answers once the deadline has passed."
        ),
    )
    # Set when the planner opens the hearing: invitations go out and the programme moves to
    # «på høring». Until then the hearing is a draft only the planners see.
    aapnet = models.DateTimeField(_("opened"), null=True, blank=True)
    aapnet_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opprettet = models.DateTimeField(_("created"), default=timezone.now)
    opprettet_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    versjon = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["-frist", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(aapner__lt=models.F("frist")), name="hoering_opens_before_deadline"
            ),
        ]

    def __str__(self) -> str:
        return self.tittel

    def get_absolute_url(self) -> str:
        return reverse("hoering:hoering_detail", kwargs={"pk": self.pk})

    @property
    def er_aapnet(self) -> bool:
        return self.aapnet is not None

    def er_aapen(self, now: datetime | None = None) -> bool:
        """Open for answers from everyone without an extension: opened, and the clock is between
        the opening time and the deadline (inclusive: 23:59:59 is still in time)."""
        now = now or timezone.now()
        return self.aapnet is not None and self.aapner <= now <= self.frist

    def frist_passert(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) > self.frist


class Invitasjon(models.Model):
    """An organisation on the høringsliste."""

    hoering = models.ForeignKey(
        Hoering, verbose_name=_("hearing"), on_delete=models.CASCADE, related_name="invitasjoner"
    )
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="hoeringsinvitasjoner",
    )
    epost = models.EmailField(_("contact email"))
    spraak = models.CharField(
        _("language of the invitation"),
        max_length=2,
        choices=Spraak.choices,
        default=Spraak.BOKMAAL,
    )
    # The personal link: /hoering/invitasjon/<token>/. Random, unique, never shown to others.
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    sendt = models.DateTimeField(_("sent"), null=True, blank=True)
    foerst_aapnet = models.DateTimeField(_("first opened"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hoering", "organisasjon"], name="invitasjon_unique_organisasjon"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisasjon} ({self.hoering})"


class Paaminnelse(models.Model):
    """One reminder sent. Inserting the row before the email goes out, under the unique
    constraint, is what stops two runs of the reminder command from sending it twice."""

    invitasjon = models.ForeignKey(
        Invitasjon,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="paaminnelser",
    )
    dager_foer_frist = models.PositiveSmallIntegerField(_("days before the deadline"))
    sendt = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitasjon", "dager_foer_frist"], name="paaminnelse_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitasjon}: {self.dager_foer_frist}"


class Fristutsettelse(models.Model):
    """A later deadline for one organisation, given by a planner with a reason."""

    hoering = models.ForeignKey(
        Hoering, verbose_name=_("hearing"), on_delete=models.CASCADE, related_name="utsettelser"
    )
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="fristutsettelser",
    )
    ny_frist = models.DateTimeField(_("new deadline"))
    grunn = text_field(_("reason"), REASON_MAX_LENGTH)
    gitt_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    gitt = models.DateTimeField(_("given"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hoering", "organisasjon"], name="fristutsettelse_one_per_organisasjon"
            ),
            models.CheckConstraint(condition=~Q(grunn=""), name="fristutsettelse_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.organisasjon}: {self.ny_frist}"


class Vurdering(models.TextChoices):
    """The planner's assessment of an input."""

    TATT_TIL_FOELGE = "tatt_til_foelge", _("Adopted")
    DELVIS = "delvis", _("Partly adopted")
    IKKE = "ikke", _("Not adopted")


class Innspill(models.Model):
    """What every input carries: the planner's assessment and the tiltak it led to."""

    vurdering = models.CharField(
        _("assessment"), max_length=20, choices=Vurdering.choices, blank=True
    )
    vurdering_begrunnelse = text_field(
        _("reason for the assessment"), REASON_MAX_LENGTH, blank=True
    )
    vurdert_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    vurdert = models.DateTimeField(_("assessed"), null=True, blank=True)
    # The tiltak the input became (a new tiltak), changed or gained an actor in.
    resultat_tiltak = models.ForeignKey(
        Tiltak,
        verbose_name=_("resulting measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class SvarStatus(models.TextChoices):
    UTKAST = "utkast", _("Draft")
    INNSENDT = "innsendt", _("Submitted")


class Hoeringssvar(Innspill):
    """One organisation's answer. Its own assessment fields (Innspill) are the planner's
    assessment of the general remarks."""

    hoering = models.ForeignKey(
        Hoering, verbose_name=_("hearing"), on_delete=models.PROTECT, related_name="svar"
    )
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="hoeringssvar",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SvarStatus.choices, default=SvarStatus.UTKAST
    )
    # 1 for the first answer; a change after submission is a new row with the next number.
    versjon_nr = models.PositiveSmallIntegerField(_("answer version"), default=1)
    # Raised on every save of a draft; a save that names an older value is refused (409).
    versjon = models.PositiveIntegerField(_("version"), default=1)
    generelle_merknader = text_field(_("general remarks"), blank=True)
    saksnummer = name_field(_("case number"), blank=True, help_text=_("E.g. «SAK 44/18»."))
    vedtaksdato = models.DateField(_("date of decision"), null=True, blank=True)
    vedtakstekst = text_field(_("decision"), blank=True)
    vedtak_vedlegg = models.FileField(
        _("decision as PDF"), upload_to="hoering/vedtak/%Y/", blank=True, max_length=300
    )
    vedtak_vedlegg_navn = name_field(_("file name"), blank=True)
    signatar = name_field(_("signed by"), blank=True)
    innsendt = models.DateTimeField(_("submitted"), null=True, blank=True)
    innsendt_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # SHA-256 of the submitted content (hoering.services), shown on the receipt.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # Submitted after the deadline under an extension (kept to tell «levert med utsatt frist»).
    med_utsatt_frist = models.BooleanField(_("submitted under an extension"), default=False)
    opprettet = models.DateTimeField(_("created"), default=timezone.now)
    endret = models.DateTimeField(_("changed"), default=timezone.now)
    endret_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hearing answer")
        verbose_name_plural = _("hearing answers")
        ordering = ["hoering", "organisasjon", "versjon_nr"]
        constraints = [
            models.UniqueConstraint(
                fields=["hoering", "organisasjon", "versjon_nr"],
                name="hoeringssvar_unique_version",
            ),
            # At most one draft per organisation and hearing: its members share it.
            models.UniqueConstraint(
                fields=["hoering", "organisasjon"],
                condition=Q(status="utkast"),
                name="hoeringssvar_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SvarStatus.values), name="hoeringssvar_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(status="utkast") | (Q(innsendt__isnull=False) & ~Q(sha256="")),
                name="hoeringssvar_submitted_is_stamped",
            ),
        ]
        indexes = [models.Index(fields=["hoering", "status"])]

    def __str__(self) -> str:
        return f"{self.organisasjon} – {self.hoering}"

    def get_absolute_url(self) -> str:
        return reverse("hoering:svar_detail", kwargs={"pk": self.pk})

    @property
    def er_innsendt(self) -> bool:
        return self.status == SvarStatus.INNSENDT


class StandpunktValg(models.TextChoices):
    PAATAR_HOVEDANSVAR = "paatar_hovedansvar", _("Takes on lead responsibility")
    BEKREFTER_SAMARBEID = "bekrefter_samarbeid", _("Confirms collaboration")
    KAN_IKKE = "kan_ikke", _("Cannot take on the responsibility")
    ENDRING = "endring", _("Proposes a change")
    INGEN_MERKNAD = "ingen_merknad", _("No comment")


class Standpunkt(Innspill):
    svar = models.ForeignKey(
        Hoeringssvar,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="standpunkter",
    )
    tiltak = models.ForeignKey(
        Tiltak, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="+"
    )
    # The role the programme gave the organisation (or a group it belongs to) when it answered;
    # blank for a tiltak it was not named in.
    foreslaatt_rolle = models.CharField(
        _("proposed role"), max_length=20, choices=Rolle.choices, blank=True
    )
    standpunkt = models.CharField(_("position"), max_length=30, choices=StandpunktValg.choices)
    # The reason (kan ikke: required), the change proposed (endring: required) or a comment.
    tekst = text_field(_("text"), blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["svar", "tiltak"], name="standpunkt_one_per_tiltak"),
            models.CheckConstraint(
                condition=Q(standpunkt__in=StandpunktValg.values), name="standpunkt_valid"
            ),
            models.CheckConstraint(
                condition=~Q(standpunkt__in=["kan_ikke", "endring"]) | ~Q(tekst=""),
                name="standpunkt_reason_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tiltak}: {self.get_standpunkt_display()}"


class Aktoerforslag(Innspill):
    """Another actor proposed for a tiltak: from the registry, or as written."""

    svar = models.ForeignKey(
        Hoeringssvar,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="aktoerforslag",
    )
    tiltak = models.ForeignKey(
        Tiltak, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="+"
    )
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    navn = name_field(_("name as written"), blank=True)
    rolle = models.CharField(_("role"), max_length=20, choices=Rolle.choices)
    begrunnelse = text_field(_("reason"), blank=True)

    class Meta:
        verbose_name = _("proposed actor")
        verbose_name_plural = _("proposed actors")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisasjon__isnull=False) | ~Q(navn=""),
                name="aktoerforslag_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tiltak}: {self.organisasjon or self.navn}"


class Tiltaksforslag(Innspill):
    """A proposed new tiltak, with the six questions of seed 004."""

    svar = models.ForeignKey(
        Hoeringssvar,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="tiltaksforslag",
    )
    tema = models.ForeignKey(
        Tema, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="+"
    )
    delmaal = models.ForeignKey(
        Delmaal,
        verbose_name=_("sub-goal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    satsingsomraade = models.ForeignKey(
        Satsingsomraade,
        verbose_name=_("priority area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tittel = name_field(_("title"), TITLE_MAX_LENGTH)
    hva = text_field(_("what is the measure (or the problem it answers)"))
    hvem = text_field(_("who takes part, in which role"), blank=True)
    hvordan = text_field(_("how, and on which arenas"), blank=True)
    maal = text_field(_("goal and result"), blank=True)
    finansiering = text_field(_("who finances it"), blank=True)
    langsiktighet = text_field(_("how long-term"), blank=True)

    class Meta:
        verbose_name = _("proposed measure")
        verbose_name_plural = _("proposed measures")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.tittel
