import ast
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
from django.conf import settings
from django.core.management import call_command

from tests.processes import free_port

BASE_DIR = Path(__file__).resolve().parent.parent
CELERY_BIN = Path(sys.executable).with_name("celery")
REDIS_DATABASES = 16  # Redis's default `databases`


@pytest.fixture(scope="session", autouse=True)
def _own_redis_database(worker_id):
    """Under pytest-xdist, each worker process takes its own Redis database: gw0 the one in
    REDIS_URL, gw1 the next, and so on.

    Redis is the cache and Celery's broker. Sharing one database, a worker's `cache.clear()`
    (a FLUSHDB) would drop another's queued tasks and queue bindings, and the Celery worker one
    test process starts (`celery_worker`) would run tasks another sent. Nothing has connected to
    Redis yet when a session begins, so changing the settings here is in time.
    """
    if not settings.REDIS_URL or worker_id == "master":
        return
    parts = urlsplit(settings.REDIS_URL)
    database = int(parts.path.strip("/") or 0) + int(worker_id.removeprefix("gw"))
    if database >= REDIS_DATABASES:
        pytest.exit(f"REDIS_URL={settings.REDIS_URL} leaves no Redis database for xdist worker {worker_id}", 4)
    from espoo_service.celery import app

    url = parts._replace(path=f"/{database}").geturl()
    settings.REDIS_URL = settings.CELERY_BROKER_URL = app.conf.broker_url = url
    for cache in settings.CACHES.values():
        cache["LOCATION"] = url


@pytest.fixture
def espoo_data(db):
    """The real network as `load_espoo_data` loads it."""
    call_command("load_espoo_data", verbosity=0)


@pytest.fixture
def espoo_network(db):
    """The service point network and its public holidays as `load_espoo_data` loads them.

    Without the venues, advisors and demo visits, which service point tests do not look at.
    """
    from common.dates import local_today
    from servicepoints.services import network_load, public_holiday_closures_add

    network_load()
    year = local_today().year
    public_holiday_closures_add(years=[year, year + 1])


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    from common.public_cache import recent

    for cache in caches.all():
        cache.clear()
    recent.clear()
    yield
    for cache in caches.all():
        cache.clear()
    recent.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. Django's LocaleMiddleware leaves the language of
    a test client's last request active in the thread, so a test would otherwise read its dates,
    links and messages in whichever language the test before it asked for."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashers are slow on purpose; tests log in often and guard nothing with the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class TaskRunner:
    """Runs a task the way the app does and returns its result once it has run.

    The project keeps no result backend, so with a real worker the result is read from the
    worker's log line `Task name[id] succeeded in 0.1s: value`.
    """

    def __init__(self, log: Path | None = None) -> None:
        self.log = log

    def run(self, task, *args, timeout: float = 60):
        result = task.delay(*args)
        if self.log is None:
            return result.get(timeout=timeout)
        task_id = re.escape(result.id)
        succeeded = re.compile(rf"\[{task_id}\] succeeded in [^:]+: (?P<value>.*)")
        failed = re.compile(rf"\[{task_id}\] (?:retry|raised)")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.log.read_text()
            if match := succeeded.search(output):
                return ast.literal_eval(match["value"])
            if failed.search(output):
                pytest.fail(f"The task failed on the worker:\n{output}")
            time.sleep(0.2)
        pytest.fail(f"The worker did not finish the task in {timeout} s:\n{self.log.read_text()}")


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real Celery worker on the configured broker, reading the pytest test database.

    Only when REDIS_URL is set (CI's PostgreSQL pass); in the embedded mode tasks run eagerly in
    this process, so no worker is started. Either way the fixture gives a `TaskRunner`.
    """
    if not settings.REDIS_URL:
        yield TaskRunner()
        return
    from django.db import connection

    from espoo_service.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process cannot see an SQLite test database")
    db = connection.settings_dict
    credentials = db["USER"] + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    address = db["HOST"] or "127.0.0.1"
    if db["PORT"]:
        address = f"{address}:{db['PORT']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "espoo_service.settings",
        "DATABASE_URL": f"postgres://{credentials}@{address}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        # The worker must not hold a connection open after a task: pytest drops the test
        # database at the end of the session and PostgreSQL refuses while one is open.
        "DATABASE_CONN_MAX_AGE": "0",
    }
    # Tasks left on the queue by an earlier, interrupted run would run first and change the data.
    app.control.purge()
    hostname = f"pytest-{os.getpid()}@%h"
    log = tmp_path / "celery-worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(  # noqa: S603 - fixed arguments, our own virtualenv
            [
                str(CELERY_BIN),
                *("-A", "espoo_service", "worker", "--pool", "solo", "--concurrency", "1", "-Q", "celery"),
                *("-n", hostname, "--loglevel", "INFO", "--without-gossip", "--without-mingle"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        expected = hostname.replace("%h", "")
        while not any(name.startswith(expected) for reply in app.control.ping(timeout=1) for name in reply):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start:\n{log.read_text()}")
        yield TaskRunner(log)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.fixture
def private_redis(tmp_path) -> Iterator[tuple[subprocess.Popen, str]]:
    """A Redis of the test's own on a free port, for drills that pause or stop it: (process, URL).
    The shared Redis is never touched."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("The drill needs redis-server (Debian's redis-server package).", pytrace=False)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("The private Redis did not start.")
                time.sleep(0.05)
        yield server, url
    finally:
        if server.poll() is None:  # a drill may have stopped it already
            os.kill(server.pid, signal.SIGCONT)
            server.terminate()
            server.wait(timeout=10)
