import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as `make run` prepares it: migrated, and with the cache table that
    settings.CACHES uses (the login throttle counts there)."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2's cost is the point in production and pure waiting in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_data(db):
    """The real demo data: Buskerud 2019-2020 and Vestfold og Telemark 2021-2022."""
    call_command("load_demo", verbosity=0)


ROLES = [
    "anonymous",
    "administrator",
    "planner",
    "other_planner",
    "member",
    "other_member",
    "board",
]


@pytest.fixture
def users(db):
    """One user per role. The planner belongs to the county organisation that owns programmes
    made with `owned_programme`; other_* belong to another organisation."""
    from partnerskap.models import BrukerRolle, OrganisasjonType
    from tests.factories import BrukerFactory, OrganisasjonFactory

    county = OrganisasjonFactory(
        navn="Testfylket fylkeskommune", slug="testfylket", type=OrganisasjonType.FYLKESKOMMUNE
    )
    kommune = OrganisasjonFactory(navn="Testby kommune", slug="testby")
    other = OrganisasjonFactory(
        navn="Annen fylkeskommune", slug="annen", type=OrganisasjonType.FYLKESKOMMUNE
    )
    return {
        "county": county,
        "kommune": kommune,
        "other": other,
        "anonymous": None,
        "administrator": BrukerFactory(
            email="admin@example.no", organisasjon=county, rolle=BrukerRolle.ADMINISTRATOR
        ),
        "planner": BrukerFactory(
            email="planlegger@testfylket.no", organisasjon=county, rolle=BrukerRolle.PLANLEGGER
        ),
        "other_planner": BrukerFactory(
            email="planlegger@annen.no", organisasjon=other, rolle=BrukerRolle.PLANLEGGER
        ),
        "member": BrukerFactory(
            email="medlem@testby.no", organisasjon=kommune, rolle=BrukerRolle.MEDLEM
        ),
        "other_member": BrukerFactory(
            email="medlem@annen.no", organisasjon=other, rolle=BrukerRolle.MEDLEM
        ),
        "board": BrukerFactory(
            email="styret@example.no", organisasjon=county, rolle=BrukerRolle.STYREMEDLEM
        ),
    }


@pytest.fixture
def client_for(users):
    """client_for("planner") -> a Django test client logged in as that role (or anonymous)."""
    from django.test import Client

    def make(role: str) -> Client:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return make
