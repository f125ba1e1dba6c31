import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from espoo_service.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET = "t3st-only-" * 6  # 60 characters, enough variety for the deployment check
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "palvelut.espoo.fi",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SITE_URL": "https://palvelut.espoo.fi",
}


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("TRUE", True), ("on", True), ("no", False), ("", False)])
def test_a_boolean_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("ESPOO_TEST_FLAG", value)

    assert env_bool("ESPOO_TEST_FLAG", default=not expected) is expected


@pytest.mark.parametrize(
    ("helper", "value"),
    [
        (lambda: env_bool("ESPOO_TEST_VALUE", default=False), "maybe"),
        (lambda: env_int("ESPOO_TEST_VALUE", 5), "five"),
        (lambda: env_int("ESPOO_TEST_VALUE", 5), "2.5"),
        (lambda: env_int("ESPOO_TEST_VALUE", 5, minimum=1), "0"),
        (lambda: env_url("ESPOO_TEST_VALUE", schemes=("postgres", "sqlite")), "mysql://db/espoo"),
        (lambda: env_url("ESPOO_TEST_VALUE", schemes=("redis",)), "localhost:6379"),
        (lambda: env_url("ESPOO_TEST_VALUE", schemes=("https",)), "https://"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch, helper, value):
    monkeypatch.setenv("ESPOO_TEST_VALUE", value)

    with pytest.raises(ImproperlyConfigured, match="ESPOO_TEST_VALUE"):
        helper()


def test_a_missing_required_value_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.delenv("ESPOO_TEST_VALUE", raising=False)

    with pytest.raises(ImproperlyConfigured, match="ESPOO_TEST_VALUE"):
        env_str("ESPOO_TEST_VALUE", required=True)


def test_unset_values_take_their_defaults(monkeypatch):
    monkeypatch.delenv("ESPOO_TEST_VALUE", raising=False)

    assert env_str("ESPOO_TEST_VALUE", "fallback") == "fallback"
    assert env_int("ESPOO_TEST_VALUE", 60, minimum=0) == 60
    assert env_bool("ESPOO_TEST_VALUE", default=True) is True
    assert env_list("ESPOO_TEST_VALUE", ["localhost"]) == ["localhost"]
    assert env_url("ESPOO_TEST_VALUE", schemes=("redis",)) is None


def test_good_values_are_parsed(monkeypatch):
    monkeypatch.setenv("ESPOO_TEST_INT", " 42 ")
    monkeypatch.setenv("ESPOO_TEST_LIST", "palvelut.espoo.fi, , www.espoo.fi ")
    monkeypatch.setenv("ESPOO_TEST_URL", "rediss://cache.internal:6380/1")

    assert env_int("ESPOO_TEST_INT", 0, minimum=1) == 42
    assert env_list("ESPOO_TEST_LIST") == ["palvelut.espoo.fi", "www.espoo.fi"]
    assert env_url("ESPOO_TEST_URL", schemes=("redis", "rediss")) == "rediss://cache.internal:6380/1"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Runs manage.py in a fresh process with only the given project settings in its environment."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_", "AXES_", "SERVICEPOINT_", "MAP_TILE_", "EMAIL_"))
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "espoo_service.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"]
)
def test_production_refuses_to_start_without_a_required_setting(missing):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"DJANGO_SECRET_KEY": "too-short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": "mysql://db/espoo"}, "DATABASE_URL"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
        ({"AXES_FAILURE_LIMIT": "many"}, "AXES_FAILURE_LIMIT"),
    ],
)
def test_production_refuses_to_start_with_a_bad_setting(changes, named):
    result = manage("check", **{**PRODUCTION, **changes})

    assert result.returncode != 0
    assert named in result.stderr


def test_the_deployment_checklist_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_with_nothing_configured_it_runs_embedded():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.EMBEDDED, s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.CACHES['default']['BACKEND'], s.EMAIL_BACKEND)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_production_settings_use_postgres_redis_and_a_secure_posture():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'], s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "False",
        "redis://127.0.0.1:6379/0",
        "django_redis.cache.RedisCache",
        "True",
        "True",
        "True",
    ]


# Collects the project's own static files (not the thousand of the admin and the packages, which
# take ten seconds more to compress) with the production storage into `root`, then asks the
# production middleware for one file by its hashed and by its plain name, as a browser would.
STATIC_FILES_SERVED = """
import gzip, json
from pathlib import Path

import brotli
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

settings.STATIC_ROOT = root
settings.STATICFILES_DIRS = [settings.BASE_DIR / "static"]
settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
call_command("collectstatic", interactive=False, verbosity=0)
original = (settings.BASE_DIR / "static/js/service-map.js").read_bytes()
decoders = {"gzip": gzip.decompress, "br": brotli.decompress, None: bytes}
client = Client(HTTP_HOST="palvelut.espoo.fi")
served = {}
for name, url in (("hashed", static("js/service-map.js")), ("plain", "/static/js/service-map.js")):
    for accepted in ("gzip", "br, gzip"):
        response = client.get(url, HTTP_ACCEPT_ENCODING=accepted, secure=True)
        encoding = response.get("Content-Encoding")
        served[f"{name} {accepted}"] = {
            "url": url,
            "status": response.status_code,
            "encoding": encoding,
            "cache": response.get("Cache-Control"),
            "vary": response.get("Vary"),
            "intact": decoders[encoding](b"".join(response.streaming_content)) == original,
        }
print(json.dumps(served))
"""


def test_production_serves_hashed_static_files_compressed_and_cached_for_good(tmp_path):
    result = manage("shell", "--no-imports", "-c", f"root = {str(tmp_path)!r}\n{STATIC_FILES_SERVED}", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.splitlines()[-1])
    hashed = served["hashed gzip"]["url"]
    assert re.fullmatch(r"/static/js/service-map\.[0-9a-f]{12}\.js", hashed)
    assert {case: (answer["status"], answer["encoding"], answer["intact"]) for case, answer in served.items()} == {
        "hashed gzip": (200, "gzip", True),
        "hashed br, gzip": (200, "br", True),
        "plain gzip": (200, "gzip", True),
        "plain br, gzip": (200, "br", True),
    }
    assert all(answer["vary"] == "Accept-Encoding" for answer in served.values())
    caching = {case: answer["cache"] for case, answer in served.items()}
    # A hashed name never changes content: browsers and proxies keep it ten years without asking.
    # A plain name changes content at the next deployment: it is kept only briefly.
    assert caching == {
        "hashed gzip": "max-age=315360000, public, immutable",
        "hashed br, gzip": "max-age=315360000, public, immutable",
        "plain gzip": "max-age=60, public",
        "plain br, gzip": "max-age=60, public",
    }
