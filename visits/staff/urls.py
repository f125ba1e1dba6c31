from django.urls import path

from visits.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/publish/", views.visits_publish, name="visits_publish"),
    path("visits/copy-week/", views.week_copy, name="week_copy"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("series/", views.series_list, name="series_list"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("series/<int:pk>/skip/", views.series_skip, name="series_skip"),
]
