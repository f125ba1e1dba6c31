from django.urls import path

from visits.public import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("print/", views.visit_print, name="print"),
    path("<int:pk>/", views.visit_detail, name="detail"),
]
