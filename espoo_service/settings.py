"""Settings, read from environment variables only.

With nothing set the project runs in its embedded mode: SQLite, Celery tasks in-process,
local-memory cache, e-mail to the console. `DJANGO_ENV=production` switches to the
production posture and refuses to start while a required variable is missing.
"""

from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from espoo_service.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"), required=PRODUCTION)
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"), required=PRODUCTION)
EMBEDDED = not PRODUCTION and DATABASE_URL is None and REDIS_URL is None

DEBUG = env_bool("DJANGO_DEBUG", default=EMBEDDED)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production.")

SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=PRODUCTION) or "embedded-mode-only-not-a-secret"
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long in production.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the environment variable DJANGO_ALLOWED_HOSTS.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before admin so its admin integration takes effect.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "csp",
    "django_htmx",
    "health",
    "common",
    "servicepoints",
    "visits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages, feeds and the API from the cache, skipping the middleware below on a hit.
    "common.public_cache.PublicResponseCacheMiddleware",
    # A database restarting: 503 with Retry-After instead of a 500.
    "common.http.DatabaseUnavailableMiddleware",
    # An ETag on every page and feed; a matching If-None-Match gets 304 without the body.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a lockout raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "espoo_service.urls"
WSGI_APPLICATION = "espoo_service.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "common.context_processors.map_settings",
                "servicepoints.context_processors.announcements",
            ],
            # One way to write days and times on every page: |day, |moment (common.dates).
            "builtins": ["common.templatetags.date_tags"],
        },
    },
]

# Database: SQLite in the embedded mode, otherwise DATABASE_URL.
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # A deferred transaction that reads and then writes fails at once with "database is
            # locked" when another request writes; IMMEDIATE takes the write lock at BEGIN and
            # waits up to `timeout` seconds for it, so two schedulers saving at once queue up.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis can hang rather than refuse (a paused process, a stalled network): every wait on it, for
# the cache, the broker and the health check, ends after this many seconds.
REDIS_TIMEOUT_SECONDS = env_int("REDIS_TIMEOUT_SECONDS", 1, minimum=1)

# Cache: Redis when configured. IGNORE_EXCEPTIONS makes a Redis outage a cache miss, not a 500.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "espoo",
            "TIMEOUT": 300,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    # Rendered public responses (common.public_cache): errors reach the cache's own circuit breaker.
    CACHES["public"] = {
        **CACHES["default"],
        "KEY_PREFIX": "espoo-public",
        "OPTIONS": {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False},
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # Embedded: each process keeps its own responses; the data version in the database keeps them true.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "espoo"},
        "public": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "espoo-public",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
PUBLIC_CACHE_ALIAS = "public"
# How long a rendered response is kept. Its key changes every minute anyway ("open now").
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 120, minimum=0)
# Bytes of response bodies each process keeps in its own memory in front of Redis.
PUBLIC_CACHE_LOCAL_BYTES = env_int("PUBLIC_CACHE_LOCAL_BYTES", 32 * 1024 * 1024, minimum=0)
# While one request renders a response, others for it wait this long before rendering too.
PUBLIC_CACHE_LOCK_SECONDS = 3
# After a cache error, responses are rendered without the cache for this many seconds.
PUBLIC_CACHE_RETRY_SECONDS = 5
# Names the deployment in cache keys; by default a hash of the code, templates and catalogues.
RELEASE = env_str("RELEASE", "")

# Celery: tasks run in-process without a broker in the embedded mode.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
# Sending a task from a web request gives up after a few quick tries instead of holding the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Helsinki"
# A task that runs longer than this is stopped (each notice task sets its own, shorter limits).
CELERY_TASK_TIME_LIMIT = 300

# Residents' notices (visits.notices): how often beat sweeps the outbox, how long a mail may stay
# unsent after it was handed to a worker before it is handed over again, and how many attempts a
# mail gets before it waits for staff to retry it from the admin.
NOTICE_SWEEP_SECONDS = env_int("NOTICE_SWEEP_SECONDS", 30, minimum=1)
NOTICE_RESEND_AFTER_SECONDS = env_int("NOTICE_RESEND_AFTER_SECONDS", 60, minimum=1)
NOTICE_MAX_ATTEMPTS = env_int("NOTICE_MAX_ATTEMPTS", 8, minimum=1)

# Authentication; Axes locks out a username from one address after repeated failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The lockout keys on the real client's address: behind the HTTPS proxy every request comes from
# the proxy, and keying on that would let anyone lock a scheduler out for everybody.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "common.clients.client_address"
# A failure while locked out does not restart the cool-off, so a lockout always ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The staff calendar's own login page (a LoginView, so django-axes sees every attempt).
LOGIN_URL = "staff:login"

# Languages: Finnish is the default, Swedish and English follow.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fi", "en", "sv")
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["espoo_service.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# django-leaflet's app module imports GeoDjango (and so GDAL) in its admin; we use only the
# Leaflet files it ships, so its static folder is served without installing the app. The package
# is located, not imported: its __init__ reads settings, and doing that while this module loads
# leaves Django holding half-built settings when a check below refuses to start (manage.py would
# then run on Django's defaults and pass `check` instead of failing).
STATICFILES_DIRS = [BASE_DIR / "static", Path(find_spec("leaflet").origin).resolve().parent / "static"]
# In production collectstatic names each file by a hash of its content and writes a gzip and a
# Brotli copy beside it (Brotli from the `Brotli` package); WhiteNoise serves the copy the browser
# accepts, and a hashed name with `max-age` of ten years and `immutable`, as its content never
# changes under that name. The unhashed names keep WhiteNoise's 60-second default.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that hangs must not hold a worker: each SMTP wait ends after this many seconds.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "palveluneuvonta@espoo.invalid")
# The address residents reach this site at: the links in notices start with it.
SITE_URL = (env_url("SITE_URL", schemes=("https", "http"), required=PRODUCTION) or "http://127.0.0.1:8000").rstrip("/")

# Map tiles: OpenStreetMap by default; the tile host is the only outside origin a page uses.
MAP_TILE_URL = env_url("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", schemes=("https", "http"))
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
# Swedish pages may use a layer with Swedish place names (empty: the same tiles as the others).
MAP_TILE_URL_SV = env_url("MAP_TILE_URL_SV", MAP_TILE_URL, schemes=("https", "http"))


def _tile_origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


MAP_TILE_ORIGIN = _tile_origin(MAP_TILE_URL)
MAP_TILE_ORIGINS = sorted({MAP_TILE_ORIGIN, _tile_origin(MAP_TILE_URL_SV)})

# Service points count as "closing" this many days before their last day.
SERVICEPOINT_CLOSING_NOTICE_DAYS = env_int("SERVICEPOINT_CLOSING_NOTICE_DAYS", 60, minimum=0)
HSL_JOURNEY_PLANNER_URL = env_str("HSL_JOURNEY_PLANNER_URL", "https://reittiopas.hsl.fi")
# Calendar entries need a globally unique id: visit-<id>@<this domain>.
ICAL_UID_DOMAIN = env_str("ICAL_UID_DOMAIN", "palvelut.espoo.fi")
# Address search for "near me": a Pelias-style geocoder such as Digitransit's. Off when unset.
GEOCODING_URL = env_url("GEOCODING_URL", schemes=("https", "http"))
GEOCODING_API_KEY = env_str("GEOCODING_API_KEY", "")
GEOCODING_TIMEOUT_SECONDS = env_int("GEOCODING_TIMEOUT_SECONDS", 3, minimum=1)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *MAP_TILE_ORIGINS],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
