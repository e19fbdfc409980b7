import pytest
from django.core.management import call_command


@pytest.fixture
def demo_data(db):
    """The real demo data: Buskerud 2019-2020 and Vestfold og Telemark 2021-2022."""
    call_command("load_demo", verbosity=0)


@pytest.fixture
def demo_data_10x(demo_data):
    """Demo data plus nine synthetic copies of the Buskerud programme (10× the tiltak)."""
    from tiltak.synthetic import build_synthetic_copies

    build_synthetic_copies(copies=9)
