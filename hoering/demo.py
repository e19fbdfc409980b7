"""The demo hearing: the Buskerud 2019-2020 draft («Smart samhandling i Buskerud», as
tiltak/demo.py loads it) on hearing from 5 September 2018 to 23 October 2018 23:59 (Europe/Oslo),
a høringsliste of the regional councils and some municipalities from the registry, and
Regionrådet for Hallingdal's real answer (seed 000, SAK 44/18, structured in
fixtures/source/hallingdal_horingssvar_2018.json) as a submitted response.

The answer goes through the same services as the browser (hoering.services.svar), with `now=`
inside the hearing window. Its text is kept exactly as written — nynorsk, with its own spelling
and the county's bokmål quotations — never «corrected». Idempotent: a hearing that exists is left
as it is, and an answer that exists is not submitted again.

How the JSON becomes positions (what the planner sees):
- «responsibility_accepted: true» (3.31, 3.36, 4.6; lines 200-203): påtar seg hovedansvar where
  the programme gives the council hovedansvar (3.36), bekrefter samarbeid otherwise (4.6, and
  3.31, where the programme does not name the council); the council's sentence as the text.
- «responsibility_accepted: null» with the council named in the text (3.23, lines 203-205):
  ingen merknad, with the sentence (it states the role without accepting or declining it).
- tiltak found only by searching the programme (3.8, 3.40, 7.32; the tables are missing in the
  source): no position — the source says nothing about them.
- the proposed changes (3.10, 3.11): forslag til endring with the proposal as written.
- the proposed actor (Yrkesmessa i Hallingdal on 4.22): samarbeidspart, the sentence as reason.
- the proposed tiltak (Livskvalitet Hallingdal under tema 7, no delmål/satsingsområde named).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from partnerskap.models import Bruker, BrukerRolle, Organisasjon
from tiltak.models import Handlingsprogram, Rolle, Tema, Tiltak

from .models import Hoering, Hoeringssvar, Invitasjon, StandpunktValg, SvarStatus
from .models.hoering import Spraak
from .services import svar as services

OSLO = ZoneInfo("Europe/Oslo")
SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "hallingdal_horingssvar_2018.json"
PROGRAMME_NAME = "Smart samhandling i Buskerud"
TITLE = "Høring: Smart samhandling i Buskerud – regionalt handlingsprogram 2019–2020"
INTRODUCTION = (
    "Fylkesutvalget vedtok i møte 5. september 2018, sak PS 53/18, å sende forslag til felles "
    "regionalt handlingsprogram 2019–2020 «Smart samhandling i Buskerud» på høring. "
    "Hovedhensikten med høringen er å sikre forankring, avklaring av forpliktelse og ansvar for "
    "aktørene. Aktører som ikke kan ta ansvar for gjennomføring av tiltak som er foreslått, "
    "retter også et skriftlig høringssvar til Buskerud fylkeskommune innen fristen."
)
OPENS = datetime(2018, 9, 5, 0, 0, 0, tzinfo=OSLO)
# 23:59:59 so that «frist 23. oktober 2018 kl. 23.59» holds for the whole minute.
DEADLINE = datetime(2018, 10, 23, 23, 59, 59, tzinfo=OSLO)
# When the demo answer is submitted: after the meeting of 2 October 2018 the paper refers to.
SUBMITTED = datetime(2018, 10, 19, 10, 15, 0, tzinfo=OSLO)
HALLINGDAL = "regionradet-hallingdal"
# The høringsliste: the regional councils (members of «Regionrådene») and some municipalities.
INVITED = [
    ("regionradet-hallingdal", Spraak.NYNORSK),
    ("kongsbergregionen", Spraak.BOKMAAL),
    ("regionradet-midt-buskerud", Spraak.BOKMAAL),
    ("ringeriksregionen", Spraak.BOKMAAL),
    ("drammensregionen-ipr", Spraak.BOKMAAL),
    ("drammen-kommune", Spraak.BOKMAAL),
    ("kongsberg-kommune", Spraak.BOKMAAL),
    ("ringerike-kommune", Spraak.BOKMAAL),
    ("gol-kommune", Spraak.NYNORSK),
    ("hol-kommune", Spraak.NYNORSK),
]
SUBMITTER_EMAIL = "hallingdal@demo.test"  # the demo account of tiltak/demo.py, when it exists
FALLBACK_SUBMITTER = "hoeringssvar.hallingdal@demo.test"


class HoeringDemoError(Exception):
    pass


@dataclass
class HoeringDemoReport:
    hoering: Hoering | None = None
    opprettet: bool = False
    invitasjoner: int = 0
    svar: Hoeringssvar | None = None
    svar_opprettet: bool = False
    merknader: list[str] = field(default_factory=list)


def read_source(path: Path = SOURCE) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _programme() -> Handlingsprogram:
    programme = Handlingsprogram.objects.filter(
        navn=PROGRAMME_NAME, start_aar=2019, slutt_aar=2020
    ).first()
    if programme is None:
        raise HoeringDemoError(
            "The Buskerud programme 2019-2020 is not loaded; run `manage.py load_demo` first."
        )
    return programme


def _planner(programme: Handlingsprogram) -> Bruker | None:
    return (
        Bruker.objects.filter(organisasjon=programme.eier, rolle=BrukerRolle.PLANLEGGER)
        .order_by("id")
        .first()
    )


def _hoering(programme: Handlingsprogram, report: HoeringDemoReport) -> Hoering:
    hoering = Hoering.objects.filter(program=programme, tittel=TITLE).first()
    if hoering is None:
        planner = _planner(programme)
        hoering = Hoering.objects.create(
            program=programme,
            tittel=TITLE,
            innledning=INTRODUCTION,
            aapner=OPENS,
            frist=DEADLINE,
            aapen_for_alle=True,
            publiser_svar=True,
            aapnet=OPENS,
            aapnet_av=planner,
            opprettet=OPENS,
            opprettet_av=planner,
        )
        report.opprettet = True
    for slug, spraak in INVITED:
        org = Organisasjon.objects.filter(slug=slug).first()
        if org is None:
            report.merknader.append(f"Ikke i registeret, ikke invitert: {slug}")
            continue
        _inv, created = Invitasjon.objects.get_or_create(
            hoering=hoering,
            organisasjon=org,
            defaults={
                "epost": f"postmottak@{slug}.demo.test",
                "spraak": spraak,
                "token": secrets.token_urlsafe(32),
                "sendt": OPENS,
            },
        )
        report.invitasjoner += created
    return hoering


def _submitter(org: Organisasjon) -> Bruker:
    user = Bruker.objects.filter(email=SUBMITTER_EMAIL, organisasjon=org, is_active=True).first()
    if user is not None:
        return user
    user, created = Bruker.objects.get_or_create(
        email=FALLBACK_SUBMITTER,
        defaults={
            "organisasjon": org,
            "rolle": BrukerRolle.MEDLEM,
            "first_name": "Regionrådet for",
            "last_name": "Hallingdal",
        },
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _tiltak(programme, tema: int, nummer: int) -> Tiltak:
    try:
        return Tiltak.objects.select_related("tema").get(
            program=programme, tema__nummer=tema, nummer=nummer
        )
    except Tiltak.DoesNotExist as exc:
        raise HoeringDemoError(f"Tiltak {tema}.{nummer} is not in the programme.") from exc


def hallingdal_answer(data: dict, programme: Handlingsprogram) -> dict:
    """The JSON as the service's arguments (see the module docstring for the mapping)."""
    standpunkter: dict[int, tuple[str, str]] = {}
    for entry in data["tiltak_with_council_role"]:
        t = _tiltak(programme, entry["tema"], entry["tiltak"])
        if entry["basis"] != "eksplisitt nemnt":
            continue  # found by searching the programme; the source says nothing about it
        text = entry["hearing_statement"]
        if entry["responsibility_accepted"] is True:
            lead = any(
                a.rolle == Rolle.HOVEDANSVAR and a.organisasjon.slug == HALLINGDAL
                for a in t.ansvar.select_related("organisasjon")
            )
            valg = StandpunktValg.PAATAR_HOVEDANSVAR if lead else StandpunktValg.BEKREFTER_SAMARBEID
        else:
            valg = StandpunktValg.INGEN_MERKNAD
        standpunkter[t.pk] = (valg, text)
    for entry in data["proposed_changes_to_existing_tiltak"]:
        t = _tiltak(programme, entry["tema"], entry["tiltak"])
        parts = [entry["proposal"]]
        for key in ("basis_in_strategisk_plan_for_hallingdal", "related_text"):
            if entry.get(key):
                parts.append(entry[key])
        standpunkter[t.pk] = (StandpunktValg.ENDRING, "\n".join(parts))
    aktoerer = []
    for entry in data["proposed_additional_actors"]:
        t = _tiltak(programme, entry["tema"], entry["tiltak"])
        org = Organisasjon.objects.filter(navn=entry["proposed_actor"]).first()
        aktoerer.append(
            {
                "tiltak": t.pk,
                "organisasjon": org.pk if org else None,
                "navn": entry["proposed_actor"],
                "rolle": Rolle.SAMARBEIDSPART,
                "begrunnelse": entry["text"],
            }
        )
    forslag = []
    for entry in data["proposed_new_tiltak"]:
        tema = Tema.objects.get(program=programme, nummer=entry["proposed_tema"])
        forslag.append(
            {
                "tema": tema.pk,
                "delmaal": None,
                "satsingsomraade": None,
                "tittel": entry["name"],
                "hva": f"{entry['proposal_text']}\n\n{entry['description']}",
                "hvem": "",
                "hvordan": "",
                "maal": "",
                "finansiering": "",
                "langsiktighet": "",
            }
        )
    prepared = data["respondent"]["prepared_by"]
    return {
        "fields": {
            "generelle_merknader": "\n\n".join(r["text"] for r in data["general_remarks"]),
            "saksnummer": data["document"]["case_number"],
            "vedtaksdato": date.fromisoformat(data["place_and_date"]["date"]),
            # «Forslag til vedtak» is empty in the source (line 240): no decision text.
            "vedtakstekst": "",
        },
        "standpunkter": standpunkter,
        "aktoerforslag": aktoerer,
        "tiltaksforslag": forslag,
        "signatar": f"{prepared['name']}, {prepared['title']}",
    }


def load_demo_hoering(source: Path = SOURCE) -> HoeringDemoReport:
    report = HoeringDemoReport()
    with transaction.atomic():
        programme = _programme()
        hoering = _hoering(programme, report)
        report.hoering = hoering
        org = Organisasjon.objects.get(slug=HALLINGDAL)
        existing = Hoeringssvar.objects.filter(
            hoering=hoering, organisasjon=org, status=SvarStatus.INNSENDT
        ).first()
        if existing is not None:
            report.svar = existing
            return report
        answer = hallingdal_answer(read_source(source), programme)
        actor = _submitter(org)
        svar = services.svar_start(actor=actor, hoering=hoering, now=SUBMITTED)
        svar = services.svar_save(
            actor=actor,
            svar=svar,
            versjon=svar.versjon,
            fields=answer["fields"],
            standpunkter=answer["standpunkter"],
            aktoerforslag=answer["aktoerforslag"],
            tiltaksforslag=answer["tiltaksforslag"],
            now=SUBMITTED,
        )
        report.svar = services.svar_submit(
            actor=actor, svar=svar, signatar=answer["signatar"], now=SUBMITTED
        )
        report.svar_opprettet = True
    return report
