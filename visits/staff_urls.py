from django.urls import path

from visits import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.calendar, name="calendar"),
    path("login/", staff_views.login, name="login"),
    path("logout/", staff_views.logout, name="logout"),
    path("visits/new/", staff_views.visit_create, name="visit_create"),
    path("visits/publish/", staff_views.visits_publish, name="visits_publish"),
    path("visits/copy-week/", staff_views.week_copy, name="week_copy"),
    path("visits/<int:pk>/", staff_views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", staff_views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/cancel/", staff_views.visit_cancel, name="visit_cancel"),
    path("series/", staff_views.series_list, name="series_list"),
    path("series/new/", staff_views.series_create, name="series_create"),
    path("series/<int:pk>/", staff_views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", staff_views.series_edit, name="series_edit"),
    path("series/<int:pk>/skip/", staff_views.series_skip, name="series_skip"),
]
