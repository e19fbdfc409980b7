"""A small programme for the dashboard tests, and reading the numbers a page shows."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.html

from partnerskap.models import Gruppemedlemskap
from tests.factories import (
    AnsvarFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import ProgramStatus, Rolle, TiltakStatus

# (tema index, status) for each tiltak: tema 1 is mostly postponed (red), tema 2 mostly
# under way (green), tema 3 only planned (amber).
LAYOUT = [
    (0, TiltakStatus.UTSATT),
    (0, TiltakStatus.UTSATT),
    (0, TiltakStatus.PAAGAAR),
    (0, TiltakStatus.AVSLUTTET),
    (1, TiltakStatus.PAAGAAR),
    (1, TiltakStatus.GJENNOMFOERT),
    (1, TiltakStatus.GJENNOMFOERT),
    (1, TiltakStatus.PLANLAGT),
    (2, TiltakStatus.PLANLAGT),
    (2, TiltakStatus.FORESLAATT),
]


def small_programme(owner, *, status=ProgramStatus.VEDTATT):
    programme = HandlingsprogramFactory(eier=owner, status=status)
    temaer = [TemaFactory(program=programme, nummer=n, navn=f"Tema nr {n}") for n in (1, 2, 3)]
    lead = OrganisasjonFactory(navn="Ledende kommune", slug="ledende")
    partner = OrganisasjonFactory(navn="Partner AS", slug="partner")
    group = OrganisasjonFactory(navn="Regionrådene", slug="regionraadene", er_gruppe=True)
    Gruppemedlemskap.objects.create(gruppe=group, medlem=lead)
    Gruppemedlemskap.objects.create(gruppe=group, medlem=partner)
    tiltak = []
    for i, (tema_index, status) in enumerate(LAYOUT):
        t = TiltakFactory(tema=temaer[tema_index], status=status, nummer=i + 1)
        tiltak.append(t)
        AnsvarFactory(tiltak=t, organisasjon=lead if i % 3 else group, rolle=Rolle.HOVEDANSVAR)
        if i % 2 == 0:
            AnsvarFactory(tiltak=t, organisasjon=partner, rolle=Rolle.SAMARBEIDSPART)
    return {
        "programme": programme,
        "temaer": temaer,
        "tiltak": tiltak,
        "lead": lead,
        "partner": partner,
        "group": group,
    }


def links(html: bytes | str) -> list[tuple[str, dict, str, str]]:
    """(path, query as a dict of single values, link text, aria-label) of every link."""
    tree = lxml.html.fromstring(html)
    found = []
    for a in tree.iter("a"):
        href = a.get("href") or ""
        parts = urlsplit(href)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        found.append((parts.path, query, a.text_content().strip(), a.get("aria-label") or ""))
    return found
