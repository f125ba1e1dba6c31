"""Notices delivered per second by one Celery worker: a cancelled visit told to M subscribers.

Usage (PostgreSQL running; redis-server installed, as Debian's redis-server package gives it):

    .venv/bin/python scripts/notice_throughput.py [--subscribers 500] [--smtp-delay 0]

    # Another database (it is dropped and re-created, so give the script one of its own):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/espoo_notice_bench_2 \
    .venv/bin/python scripts/notice_throughput.py --subscribers 2000

The database named in DATABASE_URL (default `espoo_notice_bench` on 127.0.0.1) is dropped,
re-created and migrated, loaded with the Espoo data (`load_espoo_data`), and given M confirmed
subscribers of the venue of one published coming visit; it is dropped again at the end unless
`--keep` is given. The script starts a Redis of its own on a free port (REDIS_URL is ignored:
the shared Redis is never touched), a mail server in its own process (aiosmtpd, a dev
dependency) that accepts every mail, after `--smtp-delay` seconds if asked, and one worker
(`celery worker --pool solo`: one task at a time) sending there with Django's SMTP backend.

It then cancels the visit as a scheduler's save does (`visit_cancel`: the event is written and
the relay is asked for after the commit) and times from that commit to the last mail received:
the relay, then one task per mail, each opening its own SMTP connection. It checks that each
subscriber got exactly one mail and every delivery is marked sent, and prints the machine (CPU
count and model), M, the seconds and the mails per second; progress goes to stderr. Beat is not
started: the sweep is for what goes wrong, and nothing should here.
"""

import argparse
import asyncio
import logging
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "espoo_service.settings")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/espoo_notice_bench"
CELERY_BIN = Path(sys.executable).with_name("celery")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Gave up waiting for {what} after {timeout} s.")
        time.sleep(interval)


# The database -----------------------------------------------------------------------------------


def _admin_execute(database_url: str, statement: str) -> None:
    import psycopg2

    url = urlparse(database_url)
    connection = psycopg2.connect(url._replace(path="/postgres").geturl())
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def database_create(database_url: str) -> None:
    name = urlparse(database_url).path.lstrip("/")
    _admin_execute(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_execute(database_url, f'CREATE DATABASE "{name}"')


def database_drop(database_url: str) -> None:
    name = urlparse(database_url).path.lstrip("/")
    _admin_execute(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, env: dict[str, str]) -> None:
    progress(f"manage.py {' '.join(args)}")
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600
    )


def subscribers_create(count: int):
    """M confirmed subscribers of the venue of the first published coming visit: that visit."""
    from django.utils import timezone

    from visits.models import Subscription, Visit

    visit = Visit.objects.published().upcoming().select_related("venue").order_by("starts_at", "pk").first()
    if visit is None:
        raise SystemExit("The Espoo data has no published coming visit to cancel.")
    now = timezone.now()
    subscriptions = Subscription.objects.bulk_create(
        Subscription(
            email=f"asukas{n}@example.invalid", language="fi", token=secrets.token_urlsafe(32), confirmed_at=now
        )
        for n in range(count)
    )
    Subscription.venues.through.objects.bulk_create(
        Subscription.venues.through(subscription_id=subscription.pk, venue_id=visit.venue_id)
        for subscription in subscriptions
    )
    return visit


# The mail server ---------------------------------------------------------------------------------


class MailSink:
    """Accepts every mail; remembers each recipient and when the last mail came."""

    def __init__(self, delay: float) -> None:
        from aiosmtpd.controller import Controller

        self.delay = delay
        self.port = free_port()
        self.recipients: Counter[str] = Counter()
        self.last_at = 0.0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.recipients.update(envelope.rcpt_tos)
            self.last_at = time.monotonic()
        return "250 2.0.0 Accepted"

    def received(self) -> int:
        with self._lock:
            return sum(self.recipients.values())

    def __enter__(self) -> "MailSink":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()


# Processes ---------------------------------------------------------------------------------------


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def redis_start(directory: str) -> tuple[subprocess.Popen, str]:
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("The script needs redis-server (Debian's redis-server package).")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def answers() -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    wait_until(answers, timeout=10, what="the private Redis")
    return server, url


def worker_start(env: dict[str, str], log: Path) -> subprocess.Popen:
    from espoo_service.celery import app

    name = f"notice-bench-{os.getpid()}"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [
                *(str(CELERY_BIN), "-A", "espoo_service", "worker", "--pool", "solo", "--concurrency", "1"),
                *("-n", f"{name}@%h", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def ready() -> bool:
        if worker.poll() is not None:
            raise SystemExit(f"The worker stopped:\n{log.read_text()[-3000:]}")
        return any(node.startswith(f"{name}@") for reply in app.control.ping(timeout=0.5) for node in reply)

    wait_until(ready, timeout=60, what="the worker")
    return worker


# The machine -------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# The run -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=500, help="M, how many residents are told (500)")
    parser.add_argument("--smtp-delay", type=float, default=0.0, help="seconds the mail server takes per mail (0)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the last mail (1800)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database of the script's own.")

    workdir = tempfile.mkdtemp(prefix="notice-bench-")
    redis_server, redis_url = redis_start(workdir)
    worker = None
    try:
        # This process and the worker read the same settings from the environment; the worker
        # keeps its database connection between tasks, as in production.
        os.environ.update(DATABASE_URL=database_url, REDIS_URL=redis_url)
        env = dict(os.environ)
        database_create(database_url)
        manage("migrate", "--noinput", env=env)
        manage("load_espoo_data", env=env)

        import django

        django.setup()
        # aiosmtpd logs every SMTP command at INFO: 500 mails would bury the result.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        from django.db import connections

        from visits.models import CancelReason, Delivery, Notice
        from visits.services import visit_cancel

        visit = subscribers_create(options.subscribers)
        progress(f"{options.subscribers} subscribers of {visit.venue}; starting the mail server and the worker")
        with MailSink(options.smtp_delay) as sink:
            worker = worker_start(
                {
                    **env,
                    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(sink.port),
                },
                Path(workdir) / "worker.log",
            )
            started = time.monotonic()
            visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
            wait_until(
                lambda: sink.received() >= options.subscribers,
                timeout=options.timeout,
                what=f"{options.subscribers} mails",
                interval=0.01,
            )
            seconds = sink.last_at - started
            time.sleep(1)  # a mail sent twice would come now
            notice = Notice.objects.get(visit=visit)
            relay_seconds = (notice.relayed_at - notice.created_at).total_seconds()
            unsent = Delivery.objects.exclude(state=Delivery.State.SENT).count()
            twice = sum(1 for count in sink.recipients.values() if count > 1)
            told = len(sink.recipients)
        connections.close_all()
    finally:
        if worker is not None:
            stop(worker)
        stop(redis_server)
        shutil.rmtree(workdir, ignore_errors=True)
    if not options.keep:
        database_drop(database_url)

    if told != options.subscribers or twice or unsent:
        raise SystemExit(f"Wrong delivery: {told} told, {twice} told twice, {unsent} deliveries not marked sent.")
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}")
    print(f"subscribers (M): {options.subscribers}, mail server delay: {options.smtp_delay} s")
    print(f"seconds from the cancellation's commit to the last mail: {seconds:.2f} (relay: {relay_seconds:.2f})")
    print(f"mails per second: {options.subscribers / seconds:.1f}")


if __name__ == "__main__":
    main()
