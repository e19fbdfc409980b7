"""Demo data for reporting (`manage.py load_demo_rapportering`, after `load_demo`): indicators
for the goals of the Buskerud programme with EXAMPLE values, and a 2019 reporting round with a
few EXAMPLE status reports.

The seeds hold no figures, so every number here is invented to show how the pages work. They
are marked as such in the data (`Indikator.eksempelverdier`, `Rapporteringsrunde.eksempeldata`)
and every page, the API and the reports show them as «Eksempelverdier – ikke statistikk». The
reminder command never emails about an example round. Idempotent: what exists is left as it
is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from partnerskap.models import Bruker, BrukerRolle, Region
from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Rolle, Tiltak

from .models import (
    Behandling,
    Indikator,
    Indikatormaal,
    Indikatorverdi,
    Rapporteringsrunde,
    RapportStatus,
    Retning,
    Statusrapport,
)

PROGRAMME = ("Smart samhandling i Buskerud", 2019, 2020)
EXAMPLE_NOTE = "Eksempelverdi – ikke statistikk"
EXAMPLE_SOURCE = "Eksempel: tallene er oppdiktet. Hentes fra SSBs statistikkbank i bruk."

# (name, unit, direction, delmål number, description, baseline (year, value),
#  targets {year: value}, whole-area values {year: value}, 2019 values per region)
INDICATORS = [
    (
        "Sysselsettingsandel 20–66 år",
        "%",
        Retning.HOEYERE,
        "4.4",
        "Andelen av befolkningen 20–66 år som er sysselsatt.",
        (2017, "76.1"),
        {2020: "78.0"},
        {2017: "76.1", 2018: "76.6", 2019: "77.0"},
        {
            "Drammensregionen": "77.4",
            "Hallingdal": "79.2",
            "Kongsberg-regionen": "78.1",
            "Midt-Buskerud": "76.0",
            "Numedal": "75.3",
            "Ringerike": "74.9",
        },
    ),
    (
        "Fullført og bestått videregående opplæring innen fem år",
        "%",
        Retning.HOEYERE,
        "4.1",
        "Andelen elever som har fullført og bestått videregående opplæring fem år etter start.",
        (2017, "72.5"),
        {2020: "76.0"},
        {2017: "72.5", 2018: "73.4", 2019: "74.0"},
        {},
    ),
    (
        "Andel innbyggere med høyere utdanning",
        "%",
        Retning.HOEYERE,
        "4.2",
        "Andelen av befolkningen 16 år og over med universitets- eller høgskoleutdanning.",
        (2017, "28.3"),
        {2020: "30.0"},
        {2017: "28.3", 2018: "28.9", 2019: "29.6"},
        {
            "Drammensregionen": "31.2",
            "Hallingdal": "24.1",
            "Kongsberg-regionen": "33.0",
            "Midt-Buskerud": "23.5",
            "Numedal": "21.8",
            "Ringerike": "25.7",
        },
    ),
    (
        "Unge 15–29 år utenfor arbeid og utdanning",
        "%",
        Retning.LAVERE,
        "4.4",
        "Andelen unge som verken er i arbeid, utdanning eller opplæring.",
        (2017, "8.9"),
        {2020: "7.5"},
        {2017: "8.9", 2018: "8.6", 2019: "8.4"},
        {},
    ),
    (
        "Nyetablerte foretak per 1 000 innbyggere",
        "per 1 000",
        Retning.HOEYERE,
        "6.1",
        "Nye foretak registrert i året, per 1 000 innbyggere.",
        (2017, "8.2"),
        {2020: "9.0"},
        {2017: "8.2", 2018: "8.5", 2019: "8.4"},
        {},
    ),
]

# Example reports in the 2019 round: (tiltak number «3.1», review, status, progress text).
# The demo member's organisation (Regionrådet for Hallingdal) is left to report itself.
REPORTS = [
    (
        Behandling.GODKJENT,
        RapportStatus.PAAGAAR,
        "Eksempeltekst: arbeidet er i gang etter plan; to av tre delprosjekter er startet.",
    ),
    (
        Behandling.INNSENDT,
        RapportStatus.FULLFOERT,
        "Eksempeltekst: tiltaket ble gjennomført i 2019, med samlinger i alle regionene.",
    ),
    (
        Behandling.SENDT_TILBAKE,
        RapportStatus.UTSATT,
        "Eksempeltekst: oppstarten er flyttet til 2020.",
    ),
    (Behandling.UTKAST, RapportStatus.PAAGAAR, "Eksempeltekst: utkast, ikke sendt inn ennå."),
]
DEMO_MEMBER_ORG = "regionradet-hallingdal"


@dataclass
class DemoReport:
    programme: str = ""
    indikatorer: int = 0
    verdier: int = 0
    runde: bool = False
    rapporter: int = 0
    skipped: list[str] = field(default_factory=list)


def _planner(programme):
    return (
        Bruker.objects.filter(organisasjon=programme.eier, rolle=BrukerRolle.PLANLEGGER)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def demo_rapportering_load() -> DemoReport:
    report = DemoReport()
    programme = Handlingsprogram.objects.filter(
        navn=PROGRAMME[0], start_aar=PROGRAMME[1], slutt_aar=PROGRAMME[2]
    ).first()
    if programme is None:
        report.skipped.append("Buskerud-programmet finnes ikke; kjør «manage.py load_demo» først.")
        return report
    report.programme = str(programme)
    planner = _planner(programme)
    regions = {r.navn: r for r in Region.objects.all()}
    delmaal = {
        d.nummer: d for d in Delmaal.objects.filter(tema__program=programme).select_related("tema")
    }
    for order, (
        navn,
        enhet,
        retning,
        dnr,
        beskrivelse,
        basis,
        maal,
        verdier,
        per_region,
    ) in enumerate(INDICATORS, start=1):
        if Indikator.objects.filter(program=programme, navn=navn).exists():
            continue
        d = delmaal.get(dnr)
        indikator = Indikator.objects.create(
            program=programme,
            navn=navn,
            beskrivelse=beskrivelse,
            enhet=enhet,
            kilde=EXAMPLE_SOURCE,
            retning=retning,
            tema=d.tema if d else None,
            delmaal=d,
            basis_aar=basis[0],
            basis_verdi=Decimal(basis[1]),
            eksempelverdier=True,
            rekkefoelge=order,
            opprettet_av=planner,
        )
        report.indikatorer += 1
        for aar, verdi in maal.items():
            Indikatormaal.objects.create(indikator=indikator, aar=aar, verdi=Decimal(verdi))
        rows = [
            Indikatorverdi(
                indikator=indikator,
                aar=aar,
                verdi=Decimal(v),
                merknad=EXAMPLE_NOTE,
                registrert_av=planner,
            )
            for aar, v in verdier.items()
        ] + [
            Indikatorverdi(
                indikator=indikator,
                aar=2019,
                verdi=Decimal(v),
                region=regions[name],
                merknad=EXAMPLE_NOTE,
                registrert_av=planner,
            )
            for name, v in per_region.items()
            if name in regions
        ]
        for row in rows:
            row.save()
        report.verdier += len(rows)
    runde = Rapporteringsrunde.objects.filter(program=programme, aar=2019).first()
    if runde is None:
        oslo = ZoneInfo("Europe/Oslo")
        runde = Rapporteringsrunde.objects.create(
            program=programme,
            aar=2019,
            frist=datetime(2020, 2, 1, 23, 59, tzinfo=oslo),
            innledning=(
                "Eksempel: en rapporteringsrunde med oppdiktede rapporter, for å vise hvordan "
                "partnerne rapporterer status på tiltakene de har hovedansvar for."
            ),
            aapnet=datetime(2020, 1, 6, 9, 0, tzinfo=oslo),
            aapnet_av=planner,
            eksempeldata=True,
            opprettet_av=planner,
        )
        report.runde = True
        # The demo member's own tiltak are left for it to report on. Read as a list of ids
        # first: the exclude over the multi-valued relation made PostgreSQL plan a query that
        # ran for minutes on a fresh (unanalysed) database.
        members_tiltak = list(
            Ansvar.objects.filter(
                tiltak__program=programme, organisasjon__slug=DEMO_MEMBER_ORG
            ).values_list("tiltak_id", flat=True)
        )
        leads = (
            Ansvar.objects.filter(
                rolle=Rolle.HOVEDANSVAR, tiltak__program=programme, tiltak__slettet__isnull=True
            )
            .exclude(organisasjon__slug=DEMO_MEMBER_ORG)
            .exclude(tiltak_id__in=members_tiltak)
            .select_related("tiltak", "organisasjon")
            .order_by("tiltak__tema__nummer", "tiltak__nummer")
        )
        chosen: list[tuple[Tiltak, object]] = []
        seen_orgs: set[int] = set()
        for ansvar in leads:
            if ansvar.organisasjon_id in seen_orgs or any(
                t.pk == ansvar.tiltak_id for t, _o in chosen
            ):
                continue
            seen_orgs.add(ansvar.organisasjon_id)
            chosen.append((ansvar.tiltak, ansvar.organisasjon))
            if len(chosen) == len(REPORTS):
                break
        now = timezone.now()
        for (tiltak, org), (behandling, status, tekst) in zip(chosen, REPORTS, strict=False):
            submitted = behandling != Behandling.UTKAST
            Statusrapport.objects.create(
                tiltak=tiltak,
                runde=runde,
                aar=2019,
                status=status,
                fremdrift=tekst,
                resultater="Eksempeltekst: resultatene beskrives her.",
                ressurser="Eksempeltekst: ressursbruk beskrives her.",
                behandling=behandling,
                kommentar=(
                    "Eksempel: beskriv gjerne hvorfor oppstarten er utsatt."
                    if behandling == Behandling.SENDT_TILBAKE
                    else ""
                ),
                organisasjon=org,
                innsendt=now if submitted else None,
                behandlet=now
                if behandling in (Behandling.GODKJENT, Behandling.SENDT_TILBAKE)
                else None,
                behandlet_av=planner
                if behandling in (Behandling.GODKJENT, Behandling.SENDT_TILBAKE)
                else None,
            )
            report.rapporter += 1
    return report
