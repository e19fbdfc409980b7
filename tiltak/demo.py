"""Loads the demo data kept in fixtures/source/: the organisation registry, the real Buskerud
programme 2019-2020 (seed 000, via the hand-checked extraction) and Vestfold og Telemark's
2021-2022 programme (seed 001), the members of the registry's groups, and in development one
account per role. Idempotent: a programme, a group that already has members or an account that
is already there is left as it is, so edits made in the portal or the admin (and passwords
changed) are never overwritten by a second load.

History starts from the complete loaded state: after a programme's tiltak and their parties are
in, every tiltak gets one more history row, «Innlest fra kilden» (`BASELINE_REASON`). A restore
to that row brings back the parties as loaded; the tiltak's first row, saved before its parties,
would remove them all. A tiltak the source left without a title (Buskerud 3.35) gets one made
from its description (`title_from_description`), flagged (`tittel_mangler_i_kilden`) and noted
in `merknader`."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from simple_history.utils import bulk_create_with_history

from partnerskap.models import (
    Bruker,
    BrukerRolle,
    Gruppemedlemskap,
    Organisasjon,
    OrganisasjonAlias,
    OrganisasjonType,
    Region,
)
from partnerskap.selectors import fold, organisasjon_by_name

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
from .services.history import BASELINE_REASON

SOURCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "source"
BUSKERUD_FILE = "buskerud_handlingsprogram_2019_2020.json"
VT_FILE = "vestfold_telemark_2021_2022.json"
REGISTRY_FILE = "organisasjoner.json"
MEMBERSHIP_FILE = "gruppemedlemskap.json"


# Written as data (Norwegian, like the source notes in `merknader`), not as interface text.
MISSING_TITLE_NOTE = "Tittel mangler i kilden: tittelen er hentet fra beskrivelsen."
# Also read by the login page (partnerskap/views.py), which shows them in development.
ACCOUNTS_FILE = "demo_accounts.json"


class DemoDataError(Exception):
    pass


@dataclass
class LoadReport:
    organisasjoner: int = 0
    gruppemedlemskap: int = 0
    programmer: list[str] = field(default_factory=list)
    hoppet_over: list[str] = field(default_factory=list)
    grunnlinjer: int = 0  # baseline history rows added


def title_from_description(beskrivelse: str, virkemiddel: str = "", limit: int = 120) -> str:
    """A title for a tiltak whose source has none: the first sentence of its description (or
    of its instrument), without the full stop, cut at a word before `limit` characters."""
    text = " ".join((beskrivelse or "").split()) or " ".join((virkemiddel or "").split())
    if not text:
        return "Tiltak uten tittel"
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    return first


def _title_fields(title: str | None, beskrivelse: str, virkemiddel: str, notes: list[str]) -> dict:
    """tittel, tittel_mangler_i_kilden and merknader for a tiltak as the source gives it."""
    if (title or "").strip():
        return {"tittel": title, "tittel_mangler_i_kilden": False, "merknader": "\n".join(notes)}
    return {
        "tittel": title_from_description(beskrivelse, virkemiddel),
        "tittel_mangler_i_kilden": True,
        "merknader": "\n".join([MISSING_TITLE_NOTE, *notes]),
    }


def _read(name: str, source_dir: Path) -> dict:
    with (source_dir / name).open(encoding="utf-8") as fh:
        return json.load(fh)


class PartyResolver:
    """Maps a party as written ("Regionrådet i Hallingdal", "USN, IN, Inkubatorer") to registry
    entries, using the registry's explicit mapping, then names, abbreviations and aliases as
    the portal matches them (partnerskap.selectors.organisasjon_by_name, after the registry is
    loaded)."""

    def __init__(self, registry: dict, by_key: dict[str, Organisasjon]):
        self.parter = registry["parter"]
        self.by_key = by_key
        self.by_name = organisasjon_by_name()

    def resolve(self, text: str) -> list[Organisasjon]:
        if text in self.parter:
            keys = self.parter[text]
            missing = [k for k in keys if k not in self.by_key]
            if missing or not keys:
                raise DemoDataError(f"Party {text!r} maps to unknown keys {missing}")
            return [self.by_key[k] for k in keys]
        org = self.by_name.get(fold(text))
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


def _load_memberships(data: dict, by_key: dict[str, Organisasjon]) -> int:
    """Create the members of each group in `data` (gruppemedlemskap.json) unless the group
    already has members; each membership is validated (a group, not itself, no cycle).
    Returns how many were created."""
    created = 0
    for entry in data["grupper"]:
        keys = [entry["gruppe"], *entry["medlemmer"]]
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise DemoDataError(f"Membership of {entry['gruppe']!r} names unknown keys {missing}")
        gruppe = by_key[entry["gruppe"]]
        if Gruppemedlemskap.objects.filter(gruppe=gruppe).exists():
            continue
        for key in entry["medlemmer"]:
            membership = Gruppemedlemskap(gruppe=gruppe, medlem=by_key[key])
            try:
                membership.full_clean()
            except ValidationError as exc:
                raise DemoDataError(f"{gruppe.navn} ∋ {key}: {exc.messages}") from exc
            membership.save()
            created += 1
    return created


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
                    beskrivelse = ti.get("description") or ""
                    virkemiddel = ti.get("virkemiddel") or ""
                    tiltak = Tiltak.objects.create(
                        program=program,
                        tema=tema,
                        delmaal=delmaal,
                        satsingsomraade=satsing,
                        nummer=ti["number"],
                        **_title_fields(ti["title"], beskrivelse, virkemiddel, ti.get("notes", [])),
                        beskrivelse=beskrivelse,
                        virkemiddel=virkemiddel,
                        hovedansvar_tekst="; ".join(ti["hovedansvar"]),
                        samarbeidsparter_tekst="; ".join(ti["samarbeidsparter"]),
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
                **_title_fields(ti.get("title"), ti.get("description") or "", "", []),
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


def add_baselines(programme: Handlingsprogram) -> int:
    """Give every tiltak of `programme` that is still exactly as loaded a history row «Innlest
    fra kilden», made after its parties, so the first restore point holds them. As loaded: its
    only history row is its creation, and its parties' rows are their creation, all without a
    user. A tiltak with a baseline has two rows, so a second load adds none; one a planner has
    changed keeps its history as it is. Returns the number of rows added."""
    tiltak = Tiltak.objects.filter(program=programme)
    touched_ids = set(
        Tiltak.history.filter(id__in=tiltak.values("pk"))
        .values("id")
        .annotate(
            rows=Count("history_id"),
            by_users=Count("history_id", filter=Q(history_user__isnull=False)),
        )
        .filter(Q(rows__gt=1) | Q(by_users__gt=0))
        .values_list("id", flat=True)
    )
    touched_ids |= set(
        Ansvar.history.filter(tiltak_id__in=tiltak.values("pk"))
        .filter(~Q(history_type="+") | Q(history_user__isnull=False))
        .values_list("tiltak_id", flat=True)
    )
    untouched = [t for t in tiltak.order_by("pk") if t.pk not in touched_ids]
    Tiltak.history.bulk_history_create(
        untouched, update=True, default_change_reason=BASELINE_REASON
    )
    return len(untouched)


def _demo_programmes(sources: list[dict]) -> list[Handlingsprogram]:
    found = []
    for data in sources:
        meta = data["programme"]
        start, end = _period(meta["period"])
        programme = Handlingsprogram.objects.filter(
            navn=meta["name"], start_aar=start, slutt_aar=end
        ).first()
        if programme is not None:
            found.append(programme)
    return found


@transaction.atomic
def demo_load(*, source_dir: Path = SOURCE_DIR) -> LoadReport:
    """Load (or complete) the demo data in one transaction; raises DemoDataError on bad data."""
    registry = _read(REGISTRY_FILE, source_dir)
    by_key = _load_registry(registry)
    resolver = PartyResolver(registry, by_key)
    report = LoadReport(organisasjoner=len(by_key))
    report.gruppemedlemskap = _load_memberships(_read(MEMBERSHIP_FILE, source_dir), by_key)
    sources = []
    for name, loader in (
        (BUSKERUD_FILE, lambda d: load_buskerud(d, resolver, by_key)),
        (VT_FILE, lambda d: load_vestfold_telemark(d, resolver)),
    ):
        data = _read(name, source_dir)
        sources.append(data)
        program = loader(data)
        title = data["programme"]["name"]
        (report.programmer if program else report.hoppet_over).append(title)
    # Also for programmes loaded before there were baselines, where nothing was changed since.
    for programme in _demo_programmes(sources):
        report.grunnlinjer += add_baselines(programme)
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
