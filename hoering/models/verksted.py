"""Workshops (verksted): a facilitator poses questions, groups write inputs, and planners turn
the good ones into tiltak (seeds 001, 002, 004).

Verksted         one workshop, tied to a programme or a regional plan (or, for a workshop
                 somebody else arranged — seed 002, KMD — to neither), owned by an organisation
                 whose planners manage it; place or «digitalt», facilitators (users), invited
                 organisations, and whether it is public (see hoering/rules.py)
VerkstedDag      one day of it (a workshop has one or more), with the day's theme and notes
Spoersmaal       one question, ordered; closed by the facilitator (no more inputs or edits)
Innspill         one input to a question, as written: the group/table, optionally the
                 organisation, who typed it (a participant, or a facilitator for a group)
Innspillgruppe   a theme the planner groups inputs into (merge, split, label)
Verkstedforslag  a tiltak proposal made from a group or a single input: the draft tiltak it
                 created and the inputs it came from. The tiltak page shows the inputs (also
                 after rolling: the panel follows `Tiltak.forgjenger`), the input its tiltak.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerskap.models import Organisasjon
from tiltak.models import (
    TITLE_MAX_LENGTH,
    Handlingsprogram,
    RegionalPlan,
    Tiltak,
    name_field,
    text_field,
)

INPUT_MAX_LENGTH = 5000  # one input: a few paragraphs, as a group writes on a sheet
GROUP_MAX_LENGTH = 100  # «Bord 3», «Gruppe Hallingdal»
QUESTION_MAX_LENGTH = 2000
LABEL_MAX_LENGTH = 200

# The fields of a tiltak each of seed 004's six questions prefills («Aktuelle spørsmål for å
# definere tiltak»). The questions are stored in bokmål as the seed writes them.
TILTAK_TEMPLATE = (
    ("Beskriv tiltak/problemstilling", "beskrivelse"),
    ("Hvem er de involverte aktørene og hvilken rolle har de?", "samarbeidsparter_tekst"),
    ("Hvordan bør det jobbes? Hvilke arenaer må utvikles/saneres", "virkemiddel"),
    ("Hva skal målet/resultatet være?", "forventet_resultat"),
    ("Hvem kan være finansiører?", "finansiering"),
    ("Hvor langsiktig er satsingen, tiltaket, prosjektet?", "merknader"),
)


class TiltakFelt(models.TextChoices):
    """Which tiltak field a question's answers prefill when inputs become a proposal."""

    BESKRIVELSE = "beskrivelse", _("Description")
    AKTOERER = "samarbeidsparter_tekst", _("Collaborators as written")
    VIRKEMIDDEL = "virkemiddel", _("Instrument")
    RESULTAT = "forventet_resultat", _("Expected result")
    FINANSIERING = "finansiering", _("Funding")
    MERKNADER = "merknader", _("Notes")


class Verksted(models.Model):
    tittel = name_field(_("title"), TITLE_MAX_LENGTH)
    beskrivelse = text_field(_("description"), blank=True)
    eier = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="verksteder",
        help_text=_("Its planners manage the workshop."),
    )
    program = models.ForeignKey(
        Handlingsprogram,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verksteder",
    )
    regional_plan = models.ForeignKey(
        RegionalPlan,
        verbose_name=_("regional plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verksteder",
    )
    sted = name_field(_("place"), blank=True)
    digitalt = models.BooleanField(_("digital"), default=False)
    offentlig = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Everyone may read the questions, the inputs and the summary."),
    )
    fasilitatorer = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="fasiliterte_verksteder",
    )
    inviterte = models.ManyToManyField(
        Organisasjon,
        verbose_name=_("invited organisations"),
        blank=True,
        related_name="verkstedinvitasjoner",
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

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-opprettet", "id"]

    def __str__(self) -> str:
        return self.tittel

    def get_absolute_url(self) -> str:
        return reverse("hoering:verksted_detail", kwargs={"pk": self.pk})


class VerkstedDag(models.Model):
    verksted = models.ForeignKey(
        Verksted, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="dager"
    )
    dato = models.DateField(_("date"))
    tema = name_field(_("theme of the day"), blank=True)
    notat = text_field(_("notes of the day"), blank=True)

    class Meta:
        verbose_name = _("workshop day")
        verbose_name_plural = _("workshop days")
        ordering = ["dato", "id"]
        constraints = [
            models.UniqueConstraint(fields=["verksted", "dato"], name="verkstedsdag_unique_dato")
        ]

    def __str__(self) -> str:
        return str(self.dato)


class Spoersmaal(models.Model):
    verksted = models.ForeignKey(
        Verksted, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="spoersmaal"
    )
    dag = models.ForeignKey(
        VerkstedDag,
        verbose_name=_("day"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spoersmaal",
    )
    rekkefoelge = models.PositiveSmallIntegerField(_("order"), default=0)
    overskrift = name_field(_("heading"), blank=True)
    tekst = text_field(_("question"), QUESTION_MAX_LENGTH)
    tiltak_felt = models.CharField(
        _("prefills the measure's field"),
        max_length=30,
        choices=TiltakFelt.choices,
        blank=True,
    )
    lukket = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("workshop question")
        verbose_name_plural = _("workshop questions")
        ordering = ["rekkefoelge", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tiltak_felt="") | Q(tiltak_felt__in=TiltakFelt.values),
                name="spoersmaal_valid_tiltak_felt",
            )
        ]

    def __str__(self) -> str:
        return self.tekst

    @property
    def er_aapent(self) -> bool:
        return self.lukket is None


class Innspillgruppe(models.Model):
    verksted = models.ForeignKey(
        Verksted, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="grupper"
    )
    etikett = name_field(_("label"), LABEL_MAX_LENGTH)
    opprettet = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("group of inputs")
        verbose_name_plural = _("groups of inputs")
        ordering = ["etikett", "id"]

    def __str__(self) -> str:
        return self.etikett


class Innspill(models.Model):
    spoersmaal = models.ForeignKey(
        Spoersmaal, verbose_name=_("question"), on_delete=models.CASCADE, related_name="innspill"
    )
    tekst = text_field(_("input"), INPUT_MAX_LENGTH)
    gruppe = name_field(_("group or table"), GROUP_MAX_LENGTH, blank=True)
    organisasjon = models.ForeignKey(
        Organisasjon,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verkstedinnspill",
    )
    skrevet_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verkstedinnspill",
    )
    for_gruppen = models.BooleanField(_("typed by the facilitator for the group"), default=False)
    tema = models.ForeignKey(
        Innspillgruppe,
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="innspill",
    )
    rekkefoelge = models.PositiveIntegerField(_("order"), default=0)
    opprettet = models.DateTimeField(_("created"), default=timezone.now)
    endret = models.DateTimeField(_("changed"), null=True, blank=True)
    versjon = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("workshop input")
        verbose_name_plural = _("workshop inputs")
        ordering = ["rekkefoelge", "id"]

    def __str__(self) -> str:
        return self.tekst[:80]


class Verkstedforslag(models.Model):
    verksted = models.ForeignKey(
        Verksted, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="forslag"
    )
    gruppe = models.ForeignKey(
        Innspillgruppe,
        verbose_name=_("group of inputs"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forslag",
    )
    innspill = models.ManyToManyField(Innspill, verbose_name=_("inputs"), related_name="forslag")
    # PROTECT: a tiltak with workshop traces is soft-deleted (the trace check in
    # hoering/extensions_verksted.py), never removed under the proposal.
    tiltak = models.ForeignKey(
        Tiltak,
        verbose_name=_("measure"),
        on_delete=models.PROTECT,
        related_name="verkstedforslag",
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

    class Meta:
        verbose_name = _("workshop proposal")
        verbose_name_plural = _("workshop proposals")
        ordering = ["opprettet", "id"]

    def __str__(self) -> str:
        return str(self.tiltak)
