from django.urls import path

from servicepoints import views

app_name = "servicepoints"

urlpatterns = [
    path("service-points/<slug:slug>/", views.service_point_detail, name="detail"),
]
