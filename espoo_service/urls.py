from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from espoo_service.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("health.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("servicepoints.urls")),
    prefix_default_language=True,
)
