"""Drills with real processes: an app served by gunicorn with two worker processes, changed by a
third process, and a private Redis that hangs, thaws and goes away.

Each drill migrates a database of its own (a SQLite file, or a PostgreSQL database when the suite
runs on PostgreSQL), starts its own processes on free ports, and stops them after itself. The
shared PostgreSQL database of the suite and the shared Redis are never touched.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.processes import free_port

BASE_DIR = Path(settings.BASE_DIR)
BOUND_SECONDS = 3


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """A database of the drill's own, of the same kind as the suite's."""
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'drill.sqlite3'}"
        return
    import psycopg2

    name = f"espoo_drill_{uuid.uuid4().hex[:10]}"
    credentials = default["USER"] + (f":{default['PASSWORD']}" if default["PASSWORD"] else "")
    address = f"{default['HOST'] or '127.0.0.1'}:{default['PORT'] or 5432}"
    admin = psycopg2.connect(f"postgres://{credentials}@{address}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{credentials}@{address}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class App:
    """The app served by gunicorn (two worker processes) on a database of its own."""

    def __init__(self, database_url: str, redis_url: str | None, log: Path) -> None:
        self.env = {
            **{name: value for name, value in os.environ.items() if name not in ("REDIS_URL", "DATABASE_URL")},
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_CONN_MAX_AGE": "0",
            "RELEASE": "drill",
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.log = log
        self.port = free_port()
        self.server: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def shell(self, code: str) -> str:
        """Runs Python in a third process, as a management command or an admin save would."""
        return self.manage("shell", "-c", code)

    def start(self) -> None:
        self.manage("migrate", "--noinput")
        self.server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "espoo_service.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5)
                return
            except urllib.error.HTTPError:
                return  # answering, if not healthy
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    pytest.fail(f"gunicorn did not start: {self.log.read_text()[-2000:]}")
                time.sleep(0.1)

    def get(self, path: str) -> tuple[int, str, float]:
        started = time.monotonic()
        # A new connection each time, so both worker processes answer in turn.
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.status, response.read().decode(), time.monotonic() - started

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=20)


@pytest.fixture
def app_factory(database_url, tmp_path):
    apps = []

    def make(redis_url: str | None = None) -> App:
        app = App(database_url, redis_url, tmp_path / "gunicorn.log")
        apps.append(app)
        app.start()
        return app

    yield make
    for app in apps:
        app.stop()


VENUE = """
from tests.visits.factories import published, sello_library
from django.utils import timezone
import datetime
venue = sello_library()
published(str(timezone.localdate() + datetime.timedelta(days=2)), venue=venue)
print(venue.pk)
"""


def rename(app: App, pk: str, name: str) -> None:
    app.shell(f"from visits.models import Venue; Venue.objects.filter(pk={pk}).update(name_en={name!r})")


def test_a_change_made_by_another_process_shows_on_every_web_process(app_factory):
    app = app_factory()
    pk = app.shell(VENUE).strip().splitlines()[-1]
    path = f"/en/venues/{pk}/"
    for _ in range(6):
        status, body, _ = app.get(path)
        assert status == 200 and "Sello library" in body

    rename(app, pk, "Sello library, main hall")

    for _ in range(6):
        assert "Sello library, main hall" in app.get(path)[1]


def test_redis_hung_and_gone_is_not_an_outage_and_the_cache_refills(app_factory, private_redis):
    redis_server, url = private_redis
    app = app_factory(url)
    cache = redis.Redis.from_url(url, socket_timeout=1)
    pk = app.shell(VENUE).strip().splitlines()[-1]
    path = f"/en/venues/{pk}/"
    for _ in range(4):
        assert app.get(path)[0] == 200
    stored = len(cache.keys("*espoo-public*"))
    assert stored >= 1

    # Redis hangs. A change made meanwhile reaches only the database.
    os.kill(redis_server.pid, signal.SIGSTOP)
    rename(app, pk, "Sello library, hall B")
    for _ in range(4):
        status, body, waited = app.get(path)
        assert status == 200
        assert "Sello library, hall B" in body
        assert waited < BOUND_SECONDS

    # Redis thaws with the old response still in it: it is never served, and the cache refills.
    os.kill(redis_server.pid, signal.SIGCONT)
    time.sleep(settings.PUBLIC_CACHE_RETRY_SECONDS + 0.5)
    for _ in range(4):
        assert "Sello library, hall B" in app.get(path)[1]
        assert app.get(f"/sv/venues/{pk}/")[0] == 200  # a page no process holds yet
    assert len(cache.keys("*espoo-public*")) > stored

    # Redis goes away altogether.
    redis_server.terminate()
    redis_server.wait(timeout=10)
    for public in (path, "/fi/", "/api/v1/service-points", "/calendar.ics"):
        status, _, waited = app.get(public)
        assert status == 200
        assert waited < BOUND_SECONDS
