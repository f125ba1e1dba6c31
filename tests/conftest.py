import pytest
from django.core.management import call_command


@pytest.fixture
def espoo_data(db):
    """The real network as `load_espoo_data` loads it."""
    call_command("load_espoo_data", verbosity=0)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
