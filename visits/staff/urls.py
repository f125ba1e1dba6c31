from django.urls import path

from visits.staff import records, reports, views

app_name = "staff"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("my-feed/", views.my_feed, name="my_feed"),
    path("my-visits/", records.my_visits, name="my_visits"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/publish/", views.visits_publish, name="visits_publish"),
    path("visits/copy-week/", views.week_copy, name="week_copy"),
    path("copies/<int:pk>/", views.copy_detail, name="copy_detail"),
    path("copies/<int:pk>/undo/", views.copy_undo, name="copy_undo"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/restore/", views.visit_restore, name="visit_restore"),
    path("visits/<int:pk>/record/", records.visit_record, name="visit_record"),
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/<int:pk>/", views.venue_detail, name="venue_detail"),
    path("venues/<int:pk>/exceptions/", views.venue_exception_add, name="venue_exception_add"),
    path(
        "venues/<int:pk>/exceptions/<int:exception_pk>/delete/",
        views.venue_exception_delete,
        name="venue_exception_delete",
    ),
    path("series/", views.series_list, name="series_list"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/preview/", views.series_preview, name="series_preview"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("series/<int:pk>/preview/", views.series_edit_preview, name="series_edit_preview"),
    path("series/<int:pk>/skip/", views.series_skip, name="series_skip"),
]
urlpatterns += [
    path("reports/", reports.reports, name="reports"),
    path("reports/export.csv", reports.reports_csv, name="reports_csv"),
    path("reports/export.xlsx", reports.reports_xlsx, name="reports_xlsx"),
    path("service-points/counts/", reports.daily_counts, name="daily_counts"),
]
