"""Residents' e-mail notices without an account: the form, and the pages the links in the mails
open (confirm, change, unsubscribe) by the subscription's token.

Every page here is personal, so none is stored by the public response cache (`never_cache`). A
link opened with GET never changes anything: mail scanners fetch links before the resident does.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from visits.models import UNCONFIRMED_DAYS, Subscription
from visits.notices import services
from visits.notices.selectors import subscription_by_token
from visits.public.subscribe_forms import (
    LANGUAGE_NAMES,
    SubscribeForm,
    SubscriptionChoicesForm,
    change_initial,
    subscribe_initial,
)

require_get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def _unknown_link(request: HttpRequest) -> HttpResponse:
    """A forged, mistyped or cut link, or a subscription already deleted: 404, said plainly."""
    return render(request, "visits/subscribe/unknown.html", {"unconfirmed_days": UNCONFIRMED_DAYS}, status=404)


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "visits/subscribe/expired.html", {"unconfirmed_days": UNCONFIRMED_DAYS}, status=410)


def _summary(subscription: Subscription) -> dict:
    return {"subscription": subscription, "language_name": LANGUAGE_NAMES.get(subscription.language, "")}


@never_cache
@require_get_or_post
def subscribe(request: HttpRequest) -> HttpResponse:
    """The form. Whatever the address's state (new, unconfirmed, confirmed), a valid request
    leads to the same page, so the form tells no one whether an address is subscribed."""
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            try:
                services.subscription_request(**form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("subscriptions:sent")
    else:
        form = SubscribeForm(initial=subscribe_initial(request.GET, language=get_language()))
    return render(request, "visits/subscribe/form.html", {"form": form, "unconfirmed_days": UNCONFIRMED_DAYS})


@never_cache
@require_get_or_post
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "visits/subscribe/sent.html", {"unconfirmed_days": UNCONFIRMED_DAYS})


@never_cache
@require_get_or_post
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; only the button (POST) confirms."""
    subscription = subscription_by_token(token)
    if subscription is None:
        return _unknown_link(request)
    if request.method == "POST":
        try:
            subscription = services.subscription_confirm(subscription=subscription)
        except ValidationError:
            return _expired(request)
        return render(request, "visits/subscribe/confirmed.html", _summary(subscription))
    if subscription.is_expired:
        return _expired(request)
    if subscription.is_confirmed:
        return render(request, "visits/subscribe/confirmed.html", _summary(subscription))
    return render(request, "visits/subscribe/confirm.html", _summary(subscription))


@never_cache
@require_get_or_post
def change(request: HttpRequest, token: str) -> HttpResponse:
    """The subscriber's choices; saving them also confirms a subscription not yet confirmed."""
    subscription = subscription_by_token(token)
    if subscription is None:
        return _unknown_link(request)
    if subscription.is_expired:
        return _expired(request)
    if request.method == "POST":
        form = SubscriptionChoicesForm(request.POST, subscription=subscription)
        if form.is_valid():
            try:
                services.subscription_change(subscription=subscription, **form.cleaned_data)
            except ValidationError as error:
                if getattr(error, "code", None) == "expired":
                    return _expired(request)
                form.add_service_errors(error)
            else:
                messages.success(request, _("Your choices were saved."))
                return redirect("subscriptions:change", token=subscription.token)
    else:
        form = SubscriptionChoicesForm(subscription=subscription, initial=change_initial(subscription))
    return render(request, "visits/subscribe/change.html", {"form": form, **_summary(subscription)})


# RFC 8058 one-click unsubscribe: the mail program POSTs `List-Unsubscribe=One-Click` to the link
# in the List-Unsubscribe header, without a CSRF token; the token in the address is the key.
@csrf_exempt
@never_cache
@require_get_or_post
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; only the button (POST) deletes the address and the choices."""
    subscription = subscription_by_token(token)
    if subscription is None:
        return _unknown_link(request)
    if request.method == "POST":
        services.subscription_delete(subscription=subscription)
        return render(request, "visits/subscribe/unsubscribed.html")
    return render(request, "visits/subscribe/unsubscribe.html", _summary(subscription))
