"""Drills: residents' notices come through a stopped Redis, a worker killed in the middle of a
batch, a whole worker host killed, tasks and relays run twice and at once, and a PostgreSQL
restart, and every subscriber gets each mail exactly once.

Every drill runs real processes: Celery workers and beat of its own (`celery -A espoo_service`)
on a Redis of its own (the shared one is never touched), sending with Django's SMTP backend to a
mail server in this process (aiosmtpd) and reading the pytest PostgreSQL database, directly or
through a TCP proxy of the drill's own that plays a database restart (the shared PostgreSQL
server is never restarted). Every wait has a deadline, a drill that hangs is failed by an alarm,
and every process is killed in `finally`.

The drills run only on PostgreSQL with REDIS_URL set (CI's PostgreSQL pass): a worker in another
process cannot see an SQLite test database, nor the transaction of a `db` test, hence
`transactional_db`.

The workers keep their database connections between tasks as production does
(DATABASE_CONN_MAX_AGE left at its default, with health checks): a restart then breaks a
connection a worker holds, which is the harder case. Every worker is killed before the test
database is emptied, so none holds a connection then.
"""

import asyncio
import contextlib
import datetime
import email
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from espoo_service.celery import app
from tests.processes import celery_publishing_to, free_port
from tests.visits.factories import UserFactory, VenueFactory, VisitFactory
from visits.models import CancelReason, Delivery, Notice, Subscription, Venue, Visit
from visits.notices.services import deliveries_hand_over, notices_relay
from visits.seed import staff_role_groups_ensure
from visits.services import visit_cancel
from visits.tasks import deliver_notice, relay_notices

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker in another process cannot see an SQLite test database"
    ),
    pytest.mark.skipif(not settings.REDIS_URL, reason="the drills run Celery workers, which need REDIS_URL"),
]

BASE_DIR = Path(settings.BASE_DIR)
CELERY_BIN = Path(sys.executable).with_name("celery")
SWEEP_SECONDS = 2
RESEND_AFTER_SECONDS = 5
# Waited after the last expected mail: the sweep has run several times since any delivery was
# last handed over, so a mail sent twice would have arrived.
SETTLE_SECONDS = RESEND_AFTER_SECONDS + 3 * SWEEP_SECONDS
# A drill that is still running after this long has hung: the alarm fails it.
DRILL_SECONDS = 200


# The mail server -------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Mail:
    message_id: str
    recipient: str


class MailSink:
    """An SMTP server that records every mail it accepts (its Message-ID and recipient).

    `delay` holds each DATA that long before answering (a slow batch); `refuse` answers it with a
    451 temporary error. A mail counts as accepted only once the 250 goes out: a client that goes
    away while its DATA waits (a killed worker) cancels the wait, and the mail is not recorded.
    """

    def __init__(self) -> None:
        self.delay = 0.0
        self.refuse = False
        self.port = free_port()
        self._mails: list[Mail] = []
        self._receiving = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self._receiving += 1
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
        finally:
            with self._lock:
                self._receiving -= 1
        if self.refuse:
            return "451 4.3.0 Try again later"
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        with self._lock:
            self._mails.extend(Mail(message_id, recipient) for recipient in envelope.rcpt_tos)
        return "250 2.0.0 Accepted"

    def mails(self) -> list[Mail]:
        with self._lock:
            return list(self._mails)

    @property
    def receiving(self) -> int:
        """How many DATA are waiting for their answer."""
        with self._lock:
            return self._receiving

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


# The broker ------------------------------------------------------------------------------------


class RedisServer:
    """A Redis of the drill's own on a free port, stopped and started again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        if not wait_until(lambda: _answers(client), timeout=10):
            pytest.fail("The drill's Redis did not start.")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


# The database proxy ----------------------------------------------------------------------------


class DatabaseProxy:
    """A TCP forwarder between the workers and PostgreSQL. `restart` plays a database restart:
    every connection is cut and new ones are refused (nothing listens) for a while."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._listening = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="database-proxy", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._listening.wait(timeout=5):
            pytest.fail("The database proxy did not start.")

    def restart(self, *, down_seconds: float) -> None:
        """Cut every connection and refuse new ones for `down_seconds`; returns once the proxy
        forwards again."""
        self._down_until = time.monotonic() + down_seconds
        if not wait_until(lambda: not self._listening.is_set(), timeout=5):
            pytest.fail("The database proxy did not go down.")
        if not self._listening.wait(timeout=down_seconds + 5):
            pytest.fail("The database proxy did not come back.")

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._cut()

    def _serve(self) -> None:
        # The listening socket is opened, closed and read by this thread alone.
        listener: socket.socket | None = None
        while not self._stopped.is_set():
            if time.monotonic() < self._down_until:
                if listener is not None:
                    listener.close()
                    listener = None
                    self._listening.clear()
                    self._cut()
                time.sleep(0.05)
                continue
            if listener is None:
                listener = socket.socket()
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind(("127.0.0.1", self.port))
                listener.listen(64)
                listener.settimeout(0.05)
                self._listening.set()
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                self._sockets |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()
        if listener is not None:
            listener.close()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, target)

    def _cut(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        self._close(*sockets)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._sockets.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


# Celery processes ------------------------------------------------------------------------------


class CeleryHost:
    """Celery processes in a process group of their own, as on one machine: a worker (with
    `beat=True`, beat runs inside it, in a child process) or beat alone."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own virtualenv
                [str(CELERY_BIN), "-A", "espoo_service", *args],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the worker answers a ping through the drill's broker."""
        deadline = time.monotonic() + timeout
        while not any(node.startswith(f"{self.name}@") for reply in app.control.ping(timeout=0.5) for node in reply):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker {self.name} did not start:\n{self.log_tail()}")

    def kill_worker(self) -> None:
        """SIGKILL the main process alone (with the solo pool, the one that runs tasks)."""
        self.process.kill()
        self.process.wait(timeout=10)

    def kill_host(self) -> None:
        """SIGKILL every process of the group at once: the machine is gone."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL for whatever is left of the group."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        self._signal_group(signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)

    def _signal_group(self, signum: int) -> None:
        # ProcessLookupError: the whole group is gone already.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:]


def _database_url(host: str, port: int) -> str:
    """The pytest test database, reached at host:port."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def _database_address() -> tuple[str, int]:
    db = connection.settings_dict
    return db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)


class Drill:
    """The processes of one drill: its Redis, its mail sink, and Celery hosts started on demand."""

    def __init__(self, redis_server: RedisServer, sink: MailSink, directory: Path) -> None:
        self.redis = redis_server
        self.sink = sink
        self.directory = directory
        self.hosts: list[CeleryHost] = []
        self.schedule = directory / "beat-schedule"

    def env(self, database_url: str) -> dict[str, str]:
        return {
            **{name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "espoo_service.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url,
            "NOTICE_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "NOTICE_RESEND_AFTER_SECONDS": str(RESEND_AFTER_SECONDS),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.sink.port),
        }

    def worker(self, *, beat: bool = False, database_url: str | None = None) -> CeleryHost:
        """A worker with the solo pool (one task at a time, one process to kill)."""
        name = f"drill{os.getpid()}-{len(self.hosts)}"
        args = [
            *("worker", "--pool", "solo", "--concurrency", "1", "-Q", "celery", "-n", f"{name}@%h"),
            *("--loglevel", "INFO", "--without-gossip", "--without-mingle"),
        ]
        if beat:
            args += ["-B", "--schedule", str(self.schedule)]
        host = self._start(name, args, database_url)
        host.wait_ready()
        return host

    def beat(self) -> CeleryHost:
        name = f"beat{os.getpid()}-{len(self.hosts)}"
        return self._start(name, ["beat", "--schedule", str(self.schedule), "--loglevel", "INFO"], None)

    def _start(self, name: str, args: list[str], database_url: str | None) -> CeleryHost:
        env = self.env(database_url or _database_url(*_database_address()))
        host = CeleryHost(name, args, env, self.directory / f"{name}.log")
        self.hosts.append(host)
        return host

    def logs(self) -> str:
        return "\n".join(f"--- {host.name}\n{host.log_tail()}" for host in self.hosts)

    def stop(self) -> None:
        for host in self.hosts:
            host.stop()


@pytest.fixture(autouse=True)
def _hard_time_limit():
    """Fail a drill that hangs instead of holding the suite."""

    def hung(signum, frame):
        raise TimeoutError(f"The drill did not finish within {DRILL_SECONDS} s.")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(DRILL_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def drill_redis(settings, tmp_path) -> Iterator[RedisServer]:
    """The drill's Redis, which this process, too, uses as its broker and cache."""
    server = RedisServer(tmp_path)
    try:
        server.start()
        settings.REDIS_URL = settings.CELERY_BROKER_URL = server.url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        options = {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": settings.REDIS_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": settings.REDIS_TIMEOUT_SECONDS,
        }
        settings.CACHES = {
            "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": server.url, "OPTIONS": options},
            "public": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "espoo-public",
                "OPTIONS": {**options, "IGNORE_EXCEPTIONS": False},
            },
        }
        with celery_publishing_to(server.url):
            yield server
    finally:
        server.stop()


@pytest.fixture
def drill(transactional_db, drill_redis, mail_sink, tmp_path) -> Iterator[Drill]:
    processes = Drill(drill_redis, mail_sink, tmp_path)
    try:
        yield processes
    finally:
        processes.stop()


@pytest.fixture
def database_proxy() -> Iterator[DatabaseProxy]:
    proxy = DatabaseProxy(_database_address())
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


# Helpers ---------------------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def subscribers(venue: Venue, count: int) -> list[str]:
    """Residents who confirmed a subscription to the venue's notices: their addresses."""
    now = timezone.now()
    addresses = [f"asukas{n}@example.invalid" for n in range(count)]
    for address in addresses:
        subscription = Subscription.objects.create(
            email=address, language="fi", token=secrets.token_urlsafe(32), confirmed_at=now
        )
        subscription.venues.add(venue)
    return addresses


def published_visit(venue: Venue, *, days_ahead: int = 2) -> Visit:
    starts_at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days_ahead)
    return VisitFactory(published=True, venue=venue, starts_at=starts_at)


def cancel(visit: Visit) -> None:
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)


def everyone_told(sink: MailSink, addresses: list[str], *, times: int = 1) -> Callable[[], bool]:
    def told() -> bool:
        received = Counter(mail.recipient for mail in sink.mails())
        return all(received[address] >= times for address in addresses)

    return told


def assert_told_exactly_once(drill: Drill, addresses: list[str], *, notices: int = 1) -> None:
    """Each address got each notice once: no one missing, no mail twice, and nothing left
    waiting to be sent."""
    mails = drill.sink.mails()
    per_address = Counter(mail.recipient for mail in mails)
    twice = sorted(mail for mail, count in Counter(mails).items() if count > 1)
    assert not twice, f"Sent more than once: {twice}\n{drill.logs()}"
    assert per_address == Counter({address: notices for address in addresses}), drill.logs()
    expected_ids = {delivery.message_id for delivery in Delivery.objects.select_related("notice")}
    assert {mail.message_id for mail in mails} == expected_ids
    unsent = list(Delivery.objects.exclude(state=Delivery.State.SENT).values_list("pk", "state", "attempts"))
    assert unsent == [], drill.logs()


def settle_and_assert_told_exactly_once(
    drill: Drill, addresses: list[str], *, notices: int = 1, within: float = 60
) -> None:
    """Everyone is told `within` seconds, and no one twice even after the sweep ran again."""
    arrived = wait_until(everyone_told(drill.sink, addresses, times=notices), timeout=within, interval=0.2)
    received = Counter(mail.recipient for mail in drill.sink.mails())
    missing = [address for address in addresses if received[address] < notices]
    assert arrived, f"Not told within {within} s: {missing}\n{drill.logs()}"
    time.sleep(SETTLE_SECONDS)
    assert_told_exactly_once(drill, addresses, notices=notices)


def wait_mid_batch(drill: Drill, arrived: int) -> None:
    """Until `arrived` mails are in and the next is waiting for the server's answer: a kill now
    lands before that mail was accepted."""
    in_the_middle = wait_until(lambda: len(drill.sink.mails()) >= arrived and drill.sink.receiving, timeout=60)
    assert in_the_middle, f"The batch did not get going:\n{drill.logs()}"


# 1. Redis stopped ------------------------------------------------------------------------------


def test_with_redis_stopped_a_cancellation_saves_and_once_it_is_back_everyone_is_told_once(drill, client):
    venue = VenueFactory()
    addresses = subscribers(venue, 5)
    visit = published_visit(venue)
    drill.worker()
    drill.beat()
    staff_role_groups_ensure()
    scheduler = UserFactory()
    scheduler.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(scheduler)

    drill.redis.stop()
    path = reverse("staff:visit_cancel", kwargs={"pk": visit.pk})
    data = {"cancel_reason_code": CancelReason.ILLNESS, "cancel_reason": "Neuvoja sairastui."}
    started = time.monotonic()
    review = client.post(path, {**data, "action": "review"}).content.decode()
    acknowledged = re.search(r'name="acknowledged" value="([^"]+)"', review)[1]
    saved = client.post(path, {**data, "action": "save", "acknowledged": acknowledged})
    waited = time.monotonic() - started
    page_started = time.monotonic()
    page = client.get("/fi/visits/")
    page_waited = time.monotonic() - page_started

    assert saved.status_code == 302
    assert waited < 5
    visit.refresh_from_db()
    assert visit.is_cancelled
    assert Notice.objects.filter(visit=visit, kind=Notice.Kind.CANCELLED).count() == 1
    assert page.status_code == 200
    assert page_waited < 5
    assert drill.sink.mails() == []

    drill.redis.start()
    settle_and_assert_told_exactly_once(drill, addresses)


# 2. A worker killed in the middle of a batch ---------------------------------------------------


def test_a_worker_killed_mid_batch_is_taken_over_and_everyone_is_told_once(drill):
    drill.sink.delay = 0.2
    venue = VenueFactory()
    addresses = subscribers(venue, 40)
    visit = published_visit(venue)
    drill.beat()
    first = drill.worker()

    cancel(visit)
    wait_mid_batch(drill, 13)
    first.kill_worker()
    assert len(drill.sink.mails()) < len(addresses)
    drill.worker()

    settle_and_assert_told_exactly_once(drill, addresses, within=120)


def test_a_worker_killed_sending_the_last_mail_is_taken_over_and_that_mail_goes_once(drill):
    # Nothing waits on the broker behind the mail the dead worker had claimed: the sweep's hand
    # over alone must get it sent.
    drill.sink.delay = 0.5
    venue = VenueFactory()
    addresses = subscribers(venue, 3)
    visit = published_visit(venue)
    drill.beat()
    first = drill.worker()

    cancel(visit)
    wait_mid_batch(drill, 2)
    first.kill_worker()
    assert len(drill.sink.mails()) == 2
    drill.worker()

    settle_and_assert_told_exactly_once(drill, addresses)


# 3. The whole worker host killed ---------------------------------------------------------------


def test_a_worker_host_killed_with_tasks_unacknowledged_is_taken_over_and_everyone_is_told_once(drill):
    drill.sink.delay = 0.2
    venue = VenueFactory()
    addresses = subscribers(venue, 40)
    visit = published_visit(venue)
    host = drill.worker(beat=True)

    cancel(visit)
    wait_mid_batch(drill, 13)
    host.kill_host()
    broker = drill.redis.client()
    # The task the worker was running is neither done nor given back: the broker would hand it
    # out again only after its visibility timeout (an hour).
    assert broker.hlen("unacked") >= 1
    assert broker.llen("celery") >= 1
    assert len(drill.sink.mails()) < len(addresses)
    drill.worker(beat=True)

    settle_and_assert_told_exactly_once(drill, addresses, within=120)


# 4. Twice and at once --------------------------------------------------------------------------


def test_a_delivery_handed_to_two_workers_at_once_is_mailed_once(drill):
    drill.sink.delay = 0.2
    venue = VenueFactory()
    addresses = subscribers(venue, 20)
    visit = published_visit(venue)
    cancel(visit)  # its relay task waits on the broker until the workers start
    delivery_ids = notices_relay().deliveries
    assert len(delivery_ids) == len(addresses)
    drill.worker()
    drill.worker()

    # Each delivery's task twice in a row: the two idle workers take the two copies at once.
    for pk in delivery_ids:
        deliver_notice.apply_async((pk,))
        deliver_notice.apply_async((pk,))
    relay_notices.apply_async()
    relay_notices.apply_async()
    drill.beat()

    settle_and_assert_told_exactly_once(drill, addresses)
    assert Delivery.objects.count() == len(addresses)


def test_relays_run_at_once_make_each_delivery_once_and_mail_it_once(drill):
    venue = VenueFactory()
    addresses = subscribers(venue, 10)
    visits = [published_visit(venue, days_ahead=days) for days in (2, 3, 4, 5)]
    drill.worker()
    drill.worker()
    drill.beat()
    start = threading.Barrier(3, timeout=10)
    relayed: dict[str, list[int]] = {}

    def relay(name: str) -> None:
        # The relay task's own loop, one event at a time, so the two threads take turns at the
        # events while the workers' relays run too.
        ids: list[int] = []
        try:
            start.wait()
            while (batch := notices_relay(limit=1)).notices:
                deliveries_hand_over(batch.deliveries)
                ids += batch.deliveries
        finally:
            relayed[name] = ids
            connection.close()

    threads = [threading.Thread(target=relay, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    # Four cancellations in one commit. After it, the two relays here start, then each
    # cancellation's own relay task goes to the workers, and two more are published.
    with transaction.atomic():
        transaction.on_commit(start.wait)
        for visit in visits:
            cancel(visit)
    relay_notices.apply_async()
    relay_notices.apply_async()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert not set(relayed["a"]) & set(relayed["b"]), "Two relays handed over the same deliveries."
    settle_and_assert_told_exactly_once(drill, addresses, notices=len(visits))
    assert Delivery.objects.count() == len(addresses) * len(visits)


# 5. PostgreSQL restarted while mails are being sent -------------------------------------------


def test_a_database_restart_while_sending_leaves_nothing_unsent_and_nothing_sent_twice(drill, database_proxy):
    drill.sink.delay = 0.3
    venue = VenueFactory()
    addresses = subscribers(venue, 20)
    visit = published_visit(venue)
    drill.worker(beat=True, database_url=_database_url("127.0.0.1", database_proxy.port))

    cancel(visit)
    wait_mid_batch(drill, 5)
    database_proxy.restart(down_seconds=3)
    assert len(drill.sink.mails()) < len(addresses)

    settle_and_assert_told_exactly_once(drill, addresses)
