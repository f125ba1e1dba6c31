import logging

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from common.dates import local_today
from common.public_cache import PUBLIC_PATHS
from servicepoints.models import Announcement

logger = logging.getLogger(__name__)


def _in_force_today() -> list[Announcement]:
    try:
        return list(Announcement.objects.in_force(local_today()))
    except DatabaseError as error:
        # The banner adds to a page; the page that says the database is away must still render.
        logger.warning("Announcements not shown: %s", error)
        return []


def announcements(request: HttpRequest) -> dict[str, object]:
    """The announcements in force today (Helsinki), for the banner of every public page.

    Public means what the response cache calls public, so a page stored there carries the banner
    and a staff page never does. Read only when a template shows them: the admin and the staff
    pages render with this context too.
    """
    if not PUBLIC_PATHS.match(request.path_info):
        return {}
    return {"announcements": SimpleLazyObject(_in_force_today)}
