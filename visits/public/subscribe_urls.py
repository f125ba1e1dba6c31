from django.urls import path

from visits.public import subscribe

app_name = "subscriptions"

# The mails' links reverse these names. "sent/" comes before the token patterns it would match.
urlpatterns = [
    path("", subscribe.subscribe, name="subscribe"),
    path("sent/", subscribe.sent, name="sent"),
    path("confirm/<str:token>/", subscribe.confirm, name="confirm"),
    path("<str:token>/", subscribe.change, name="change"),
    path("<str:token>/unsubscribe/", subscribe.unsubscribe, name="unsubscribe"),
]
