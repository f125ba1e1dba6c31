import pytest
from django.test import RequestFactory

from common.clients import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.2"),
        (0, "198.51.100.7", "10.0.0.2"),
        (1, "203.0.113.5", "203.0.113.5"),
        # Entries the client wrote itself sit further left and are ignored.
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
        # A header too short to have passed every proxy: the connecting address.
        (2, "203.0.113.5", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_the_client_is_as_many_entries_from_the_right_as_there_are_trusted_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")

    assert client_address(request) == expected
