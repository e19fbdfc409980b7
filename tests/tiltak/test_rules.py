"""The programme rules and their queryset twin: `visible_programmes(user)` (the lists, search
and API) must give exactly the programmes for which `user.has_perm("tiltak.view_programme",
programme)` (the object pages) is True, for every role and every programme status."""

import pytest
from django.contrib.auth.models import AnonymousUser

from partnerskap.models import BrukerRolle
from tests.conftest import ROLES
from tests.factories import BrukerFactory, HandlingsprogramFactory
from tiltak.models import Handlingsprogram, ProgramStatus
from tiltak.selectors.programmes import visible_programmes

pytestmark = pytest.mark.django_db

S = ProgramStatus
PUBLIC = {(status, owner) for status in (S.PAA_HOERING, S.VEDTATT) for owner in ("county", "other")}
EVERY = {(status, owner) for status in S.values for owner in ("county", "other")}

# What each person may see, written out, so the test fails if the rule and the queryset are
# both wrong in the same way.
EXPECTED = {
    "anonymous": PUBLIC,
    "administrator": EVERY,
    "planner": PUBLIC | {(S.UTKAST, "county"), (S.ARKIVERT, "county")},
    "other_planner": PUBLIC | {(S.UTKAST, "other"), (S.ARKIVERT, "other")},
    "member": PUBLIC,
    "other_member": PUBLIC,
    "board": EVERY,
    "superuser": EVERY,  # role medlem, but a superuser
    "inactive_planner": PUBLIC,  # of the county, deactivated
}


@pytest.fixture
def programmes(users) -> dict[tuple[str, str], Handlingsprogram]:
    """A programme in every status, owned by the planner's county and by another organisation."""
    return {
        (status, owner): HandlingsprogramFactory(
            navn=f"Program {status} {owner}", status=status, eier=users[owner]
        )
        for status, owner in EVERY
    }


def _person(users, name: str):
    if name == "superuser":
        return BrukerFactory(
            email="superbruker@example.no",
            organisasjon=users["kommune"],
            rolle=BrukerRolle.MEDLEM,
            is_superuser=True,
        )
    if name == "inactive_planner":
        return BrukerFactory(
            email="sluttet@testfylket.no",
            organisasjon=users["county"],
            rolle=BrukerRolle.PLANLEGGER,
            is_active=False,
        )
    return users[name] or AnonymousUser()


def test_every_role_is_in_the_matrix():
    assert set(ROLES) <= set(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_visible_programmes_is_the_view_permission_object_by_object(users, programmes, name):
    user = _person(users, name)
    by_pk = {p.pk: key for key, p in programmes.items()}
    assert Handlingsprogram.objects.count() == len(programmes) == 8
    permitted = {key for key, p in programmes.items() if user.has_perm("tiltak.view_programme", p)}
    visible = {by_pk[pk] for pk in visible_programmes(user).values_list("pk", flat=True)}
    assert visible == permitted
    assert visible == EXPECTED[name]
