from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from common.http import StaticRedirect
from espoo_service.api import api
from visits.public import views as public_views
from visits.staff import views as staff_views

# The admin carries the product's name, in the administrator's language.
admin.site.site_header = _("Espoo service map: administration")
admin.site.site_title = _("Espoo service map")
admin.site.index_title = _("Service points, venues and visits")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("health.urls")),
    path("calendar.ics", public_views.calendar_ics, name="calendar-ics"),
    path("visits/<int:pk>.ics", public_views.visit_ics, name="visit-ics"),
    path("staff-feed/<str:token>.ics", staff_views.advisor_feed_ics, name="advisor-feed-ics"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", StaticRedirect.as_view(path="img/favicon.svg")),
]

# A service point's page also lists the mobile service's visits near it, so `visits` renders it;
# its URL names stay in the `servicepoints` namespace, where the model's links point.
service_point_urls = (
    [path("service-points/<slug:slug>/", public_views.service_point_detail, name="detail")],
    "servicepoints",
)
# A venue's page: its hours, closures and the mobile service's visits there (`venue.id` of the API).
venue_urls = ([path("venues/<int:pk>/", public_views.venue_detail, name="detail")], "venues")

urlpatterns += i18n_patterns(
    path("", public_views.home, name="home"),
    path("", include(service_point_urls)),
    path("", include(venue_urls)),
    path("visits/", include("visits.public.urls")),
    path("subscribe/", include("visits.public.subscribe_urls")),
    path("staff/", include("visits.staff.urls")),
    prefix_default_language=True,
)
