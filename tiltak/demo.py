"""Loads the demo data kept in fixtures/source/: the organisation registry, the real Buskerud
programme 2019-2020 (seed 000, via the hand-checked extraction) and Vestfold og Telemark's
2021-2022 programme (seed 001), and in development one account per role. Idempotent: a
programme or an account that is already there is left as it is, so edits made in the portal
(and passwords changed) are never overwritten by a second load."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from partnerskap.models import (
    Bruker,
    BrukerRolle,
    Organisasjon,
    OrganisasjonAlias,
    OrganisasjonType,
    Region,
)

from .models import (
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
    TiltakType,
)

SOURCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "source"
BUSKERUD_FILE = "buskerud_handlingsprogram_2019_2020.json"
VT_FILE = "vestfold_telemark_2021_2022.json"
REGISTRY_FILE = "organisasjoner.json"
# Also read by the login page (partnerskap/views.py), which shows them in development.
ACCOUNTS_FILE = "demo_accounts.json"


class DemoDataError(Exception):
    pass


@dataclass
class LoadReport:
    organisasjoner: int = 0
    programmer: list[str] = field(default_factory=list)
    hoppet_over: list[str] = field(default_factory=list)


def _read(name: str, source_dir: Path) -> dict:
    with (source_dir / name).open(encoding="utf-8") as fh:
        return json.load(fh)


class PartyResolver:
    """Maps a party as written ("Regionrådet i Hallingdal", "USN, IN, Inkubatorer") to registry
    entries, using the registry's explicit mapping, then names, abbreviations and aliases."""

    def __init__(self, registry: dict, by_key: dict[str, Organisasjon]):
        self.parter = registry["parter"]
        self.by_key = by_key
        self.by_name: dict[str, Organisasjon] = {}
        for entry in registry["organisasjoner"]:
            org = by_key[entry["key"]]
            for name in [entry["navn"], entry.get("forkortelse") or "", *entry.get("alias", [])]:
                if name:
                    self.by_name[name.casefold()] = org

    def resolve(self, text: str) -> list[Organisasjon]:
        if text in self.parter:
            keys = self.parter[text]
            missing = [k for k in keys if k not in self.by_key]
            if missing or not keys:
                raise DemoDataError(f"Party {text!r} maps to unknown keys {missing}")
            return [self.by_key[k] for k in keys]
        org = self.by_name.get(text.casefold())
        if org is None:
            raise DemoDataError(f"Party {text!r} is not in the organisation registry")
        return [org]


def _load_registry(registry: dict) -> dict[str, Organisasjon]:
    regions = {}
    for r in registry["regioner"]:
        regions[r["navn"]], _ = Region.objects.update_or_create(
            navn=r["navn"], defaults={"fylke": r.get("fylke", "")}
        )
    by_key = {}
    for entry in registry["organisasjoner"]:
        if entry["type"] not in OrganisasjonType.values:
            raise DemoDataError(f"Unknown organisation type {entry['type']!r} for {entry['key']}")
        org, _ = Organisasjon.objects.update_or_create(
            slug=entry["key"],
            defaults={
                "navn": entry["navn"],
                "forkortelse": entry.get("forkortelse") or "",
                "type": entry["type"],
                "er_gruppe": bool(entry.get("er_gruppe")),
                "region": regions.get(entry["region"]) if entry.get("region") else None,
            },
        )
        by_key[entry["key"]] = org
        for alias in entry.get("alias", []):
            OrganisasjonAlias.objects.get_or_create(navn=alias, defaults={"organisasjon": org})
    return by_key


def _plan(name: str, eier: Organisasjon) -> RegionalPlan:
    years = re.findall(r"(\d{4})", name)
    plan, _ = RegionalPlan.objects.get_or_create(
        navn=name,
        defaults={
            "eier": eier,
            "start_aar": int(years[0]) if years else None,
            "slutt_aar": int(years[-1]) if years else None,
        },
    )
    return plan


def _add_parties(tiltak: Tiltak, hoved: list[str], samarbeid: list[str], resolver: PartyResolver):
    rows: dict[tuple[int, str], Ansvar] = {}
    for rolle, texts in ((Rolle.HOVEDANSVAR, hoved), (Rolle.SAMARBEIDSPART, samarbeid)):
        for text in texts:
            for org in resolver.resolve(text):
                row = rows.get((org.pk, rolle))
                if row is not None:
                    # "rektorer; enhetsledere" both mean kommunene: one role, both texts kept.
                    row.tekst_som_skrevet = f"{row.tekst_som_skrevet}; {text}"
                    continue
                rows[(org.pk, rolle)] = Ansvar(
                    tiltak=tiltak,
                    organisasjon=org,
                    rolle=rolle,
                    rekkefoelge=len(rows),
                    tekst_som_skrevet=text,
                )
    # With history rows, so a later restore can go back to the state as loaded.
    bulk_create_with_history(list(rows.values()), Ansvar)


def _period(text: str) -> tuple[int, int]:
    start, end = (int(y) for y in re.findall(r"\d{4}", text)[:2])
    return start, end


def load_buskerud(data: dict, resolver: PartyResolver, by_key: dict) -> Handlingsprogram | None:
    meta = data["programme"]
    start, end = _period(meta["period"])
    if Handlingsprogram.objects.filter(navn=meta["name"], start_aar=start, slutt_aar=end).exists():
        return None
    eier = resolver.resolve(meta["county"])[0]
    program = Handlingsprogram.objects.create(
        navn=meta["name"],
        undertittel=meta.get("document_subtitle", ""),
        start_aar=start,
        slutt_aar=end,
        eier=eier,
        status=ProgramStatus.PAA_HOERING,
        nivaa_betegnelse=NivaaBetegnelse.TEMA,
        beskrivelse=meta.get("status", ""),
        kilde=meta.get("source", "") if isinstance(meta.get("source"), str) else "",
    )
    program.planer.set([_plan(name, eier) for name in meta["plans"]])
    order = 0
    for t in data["temaer"]:
        ansvarlig_tekst = t.get("ansvar_for_delomrade") or ""
        tema = Tema.objects.create(
            program=program,
            nummer=t["number"],
            navn=t["name"],
            etikett=t.get("label") or "",
            overordnet_maal=t.get("overall_goal") or "",
            ansvarlig=resolver.resolve(ansvarlig_tekst)[0] if ansvarlig_tekst else None,
            ansvarlig_tekst=ansvarlig_tekst,
        )
        for d_index, d in enumerate(t["delmal"]):
            delmaal = Delmaal.objects.create(
                tema=tema,
                nummer=d["number"] or "",
                navn=d["name"],
                smarte_maal=d.get("section_heading") or "",
                rekkefoelge=d_index,
            )
            for s_index, s in enumerate(d["satsingsomrader"]):
                satsing = Satsingsomraade.objects.create(
                    tema=tema,
                    delmaal=delmaal,
                    navn=s["name"],
                    prioritert_handling=s.get("prioritert_handling") or "",
                    rekkefoelge=s_index,
                )
                for ti in s["tiltak"]:
                    order += 1
                    tiltak = Tiltak.objects.create(
                        program=program,
                        tema=tema,
                        delmaal=delmaal,
                        satsingsomraade=satsing,
                        nummer=ti["number"],
                        tittel=ti["title"] or "",
                        beskrivelse=ti.get("description") or "",
                        virkemiddel=ti.get("virkemiddel") or "",
                        hovedansvar_tekst="; ".join(ti["hovedansvar"]),
                        samarbeidsparter_tekst="; ".join(ti["samarbeidsparter"]),
                        merknader="\n".join(ti.get("notes", [])),
                        start_aar=start,
                        slutt_aar=end,
                        rekkefoelge=order,
                    )
                    _add_parties(tiltak, ti["hovedansvar"], ti["samarbeidsparter"], resolver)
    return program


def load_vestfold_telemark(data: dict, resolver: PartyResolver) -> Handlingsprogram | None:
    meta = data["programme"]
    start, end = _period(meta["period"])
    if Handlingsprogram.objects.filter(navn=meta["name"], start_aar=start, slutt_aar=end).exists():
        return None
    eier = resolver.resolve(meta["county"])[0]
    program = Handlingsprogram.objects.create(
        navn=meta["name"],
        start_aar=start,
        slutt_aar=end,
        eier=eier,
        status=meta.get("status") or ProgramStatus.UTKAST,
        nivaa_betegnelse=NivaaBetegnelse.INNSATSOMRAADE,
        beskrivelse="; ".join(meta.get("overall_goals", [])),
        kilde=meta.get("source", ""),
    )
    program.planer.set([_plan(name, eier) for name in meta.get("plans", [])])
    order = 0
    for area in data["innsatsomrader"]:
        tema = Tema.objects.create(
            program=program,
            nummer=area["number"],
            navn=area["name"],
            overordnet_maal=area.get("overall_goal") or "",
        )
        for ti in area["tiltak"]:
            order += 1
            tiltak_type = ti.get("type") or ""
            if tiltak_type and tiltak_type not in TiltakType.values:
                raise DemoDataError(f"Unknown tiltak type {tiltak_type!r}")
            tiltak = Tiltak.objects.create(
                program=program,
                tema=tema,
                nummer=ti["number"],
                tittel=ti["title"],
                beskrivelse=ti.get("description") or "",
                type=tiltak_type,
                start_aar=ti.get("start_year"),
                slutt_aar=ti.get("end_year"),
                finansiering=ti.get("funding") or "",
                forventet_resultat=ti.get("expected_result") or "",
                hovedansvar_tekst="; ".join(ti.get("hovedansvar", [])),
                samarbeidsparter_tekst="; ".join(ti.get("samarbeidsparter", [])),
                rekkefoelge=order,
            )
            _add_parties(
                tiltak, ti.get("hovedansvar", []), ti.get("samarbeidsparter", []), resolver
            )
    return program


@transaction.atomic
def demo_load(*, source_dir: Path = SOURCE_DIR) -> LoadReport:
    """Load (or complete) the demo data in one transaction; raises DemoDataError on bad data."""
    registry = _read(REGISTRY_FILE, source_dir)
    by_key = _load_registry(registry)
    resolver = PartyResolver(registry, by_key)
    report = LoadReport(organisasjoner=len(by_key))
    for name, loader in (
        (BUSKERUD_FILE, lambda d: load_buskerud(d, resolver, by_key)),
        (VT_FILE, lambda d: load_vestfold_telemark(d, resolver)),
    ):
        data = _read(name, source_dir)
        program = loader(data)
        title = data["programme"]["name"]
        (report.programmer if program else report.hoppet_over).append(title)
    return report


@dataclass
class DemoAccount:
    email: str
    passord: str
    rolle: str
    organisasjon: str
    opprettet: bool  # False: it was there already and is left as it is


@transaction.atomic
def demo_accounts_load(*, source_dir: Path = SOURCE_DIR) -> list[DemoAccount]:
    """Development only: one account per role (fixtures/source/demo_accounts.json) so every
    role can be tried at once. An account whose email exists (in any case) is left exactly as
    it is: a second load changes nothing and never resets a changed password. Needs the
    organisation registry (demo_load). Raises DemoDataError in production
    (settings.PRODUCTION), where accounts with published passwords must never exist."""
    if settings.PRODUCTION:
        raise DemoDataError("Demo accounts are never created in production (DJANGO_PRODUCTION=1).")
    accounts = []
    for entry in _read(ACCOUNTS_FILE, source_dir)["kontoer"]:
        if entry["rolle"] not in BrukerRolle.values:
            raise DemoDataError(f"Unknown role {entry['rolle']!r} for {entry['email']}")
        org = Organisasjon.objects.filter(slug=entry["organisasjon"]).first()
        if org is None:
            raise DemoDataError(f"Unknown organisation {entry['organisasjon']!r}")
        exists = Bruker.objects.filter(email__iexact=entry["email"]).exists()
        if not exists:
            bruker = Bruker(
                email=entry["email"],
                first_name=entry["fornavn"],
                last_name=entry["etternavn"],
                organisasjon=org,
                rolle=entry["rolle"],
            )
            bruker.set_password(entry["passord"])
            bruker.full_clean()
            bruker.save()
        accounts.append(
            DemoAccount(
                email=entry["email"],
                passord=entry["passord"],
                rolle=entry["rolle"],
                organisasjon=org.navn,
                opprettet=not exists,
            )
        )
    return accounts
