from django.http import HttpResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.generic import RedirectView


def public_cache(response: HttpResponse) -> HttpResponse:
    """Shared caches may keep public responses but must revalidate: ConditionalGetMiddleware's
    ETag makes that cheap, and a change to a visit or service point shows on the next request."""
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


class StaticRedirect(RedirectView):
    """A permanent redirect to a static file, resolved per request: with the manifest storage of
    production the hashed name is known only once the app runs, not when URLs are imported."""

    permanent = True
    path = ""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static(self.path)
