"""Who is asking: the client's address behind the reverse proxies we trust."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent `request`.

    Behind TRUSTED_PROXY_COUNT proxies, each of which appends the address it received the request
    from to X-Forwarded-For, the client is that many entries from the right: entries further left
    were written by the client itself and prove nothing. With no trusted proxy, or a header too
    short to have passed them all, it is the connecting address.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
