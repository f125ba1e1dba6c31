import pytest

from tests.visits.test_geocoding import FakeGeocoder


@pytest.fixture
def geocoder(settings):
    """A local stand-in for a Pelias geocoder, configured as the app's geocoder."""
    with FakeGeocoder() as fake:
        settings.GEOCODING_URL = fake.url
        settings.GEOCODING_API_KEY = ""
        settings.GEOCODING_TIMEOUT_SECONDS = 0.5
        yield fake
