"""Benchmark of the public read paths with 100,000 visits, in process and under gunicorn.

Usage (PostgreSQL and Redis running; the database named in DATABASE_URL is dropped and
re-created and the Redis database in REDIS_URL is flushed, so give each one of its own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/espoo_bench \
    REDIS_URL=redis://127.0.0.1:6379/12 \
    .venv/bin/python scripts/benchmark.py [--renders 40] [--seconds 10] [--burst-seconds 20]
        [--warmup-seconds 2] [--history 99000] [--with-small] [--port 8765] [--client-processes 4]

    # A trial of the script itself, about two minutes (3,000 visits, 2-second runs):
    ... scripts/benchmark.py --quick

A full run takes about a quarter of an hour; run it on a quiet machine, as the load generator
and the server share its cores. It loads the Espoo data, 1,000 synthetic visits at 20 venues
and 99,000 visits of history (past years at 400 other venues, as a city accumulates them), then
reports for each public path — the visits API for 14 days from today, the map page, the Swedish
visit list, the page of the first open fixed service point, the page of the venue with weekly
hours that has the most coming visits, one area's calendar feed and the service points API:

- SQL queries of an uncached render;
- first-render server time: the median of `--renders` in-process requests (Django's test
  client, no network), every cache cleared before each, so each one renders;
- cached server time: the median of as many in-process repeats without clearing the cache;
- requests per second under gunicorn (2 workers × 4 threads, DJANGO_DEBUG=false, Redis cache)
  with 4 keep-alive clients for `--seconds`, and with 50 clients for `--burst-seconds`, next to
  the same server's rate for a static file of the same size (served by WhiteNoise) in the same
  run; at 50 clients also the app's p50/p99 latency and its errors (non-200 or connection
  errors).

The clients are spread over `--client-processes` processes (threads in each, one http.client
keep-alive connection per thread), so the load generator's interpreter lock does not cap the
rate; a second table gives the CPU the load generator, gunicorn and the whole machine used in
each run, to show which one was the limit. Every path is warmed up under gunicorn before it is
measured. `--with-small` first measures the same with the 1,000 visits alone, before the history
is loaded. The output is Markdown, ending with a line naming the machine; progress goes to stderr.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "espoo_service.settings")

FEW_CLIENTS = 4
MANY_CLIENTS = 50
WARMUP_CLIENTS = 8  # enough to reach every thread of both workers
REQUEST_TIMEOUT_SECONDS = 30
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# What a full run and a trial of the script (`--quick`) use when no option says otherwise.
FULL = {"history": 99_000, "renders": 40, "seconds": 10.0, "burst_seconds": 20.0, "warmup_seconds": 2.0}
QUICK = {"history": 2_000, "renders": 5, "seconds": 2.0, "burst_seconds": 2.0, "warmup_seconds": 0.5}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Data -------------------------------------------------------------------------------------------


def reset_database() -> None:
    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    import psycopg2

    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def vacuum_analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give a live database;
    otherwise its analyze may start in the middle of a measurement."""
    import psycopg2

    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def manage(*args: str) -> None:
    progress(f"manage.py {' '.join(args)}")
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL)


def bench_paths() -> dict[str, tuple[str, str]]:
    """Name -> (what it is, path). The service point and the venue are picked from the loaded data."""
    from django.db.models import Count, Exists, OuterRef, Q
    from django.utils import timezone

    from servicepoints.models import ServicePoint
    from visits.models import State, Venue, VenueOpeningHours

    today = timezone.localdate()
    end = today + datetime.timedelta(days=13)
    point = next(
        p
        for p in ServicePoint.objects.filter(kind=ServicePoint.Kind.FIXED).operating_on(today).order_by("slug")
        if p.status_on(today) == ServicePoint.Status.OPEN
    )
    # A venue page as residents mostly meet it: a venue with weekly hours (the demo plan's venues
    # have them, the synthetic ones do not), the one with the most coming visits residents see.
    coming = Q(
        visits__state__in=[State.PUBLISHED, State.CANCELLED],
        visits__published_at__isnull=False,
        visits__ends_at__gt=timezone.now(),
    )
    venue = (
        Venue.objects.filter(active=True)
        .annotate(
            coming=Count("visits", filter=coming),
            has_hours=Exists(VenueOpeningHours.objects.filter(venue=OuterRef("pk"))),
        )
        .filter(coming__gt=0)
        .order_by("-has_hours", "-coming", "pk")
        .first()
    )
    if venue is None:
        sys.exit("No active venue has coming visits: the data did not load as expected.")
    return {
        "api_visits_14_days": ("visits API, 14 days", f"/api/v1/visits?start={today}&end={end}"),
        "map_page": ("map page", "/fi/"),
        "visit_list_sv": ("visit list", "/sv/visits/"),
        "service_point_page": ("service point page", f"/fi/service-points/{point.slug}/"),
        "venue_page": ("venue page", f"/fi/venues/{venue.pk}/"),
        "calendar_ics_one_area": ("calendar feed, one area", "/calendar.ics?area=suur-leppavaara"),
        "api_service_points": ("service points API", "/api/v1/service-points"),
    }


# In process -------------------------------------------------------------------------------------


@dataclass
class InProcess:
    queries: int
    first_render_ms: float
    cached_ms: float
    size: int


def in_process(paths: dict[str, str], renders: int) -> dict[str, InProcess]:
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    from common.public_cache import recent

    def clear_caches() -> None:
        # Every alias, not only the default: the rendered responses have a cache of their own
        # ("public"), and each process keeps its recent ones in memory too.
        for alias in settings.CACHES:
            caches[alias].clear()
        recent.clear()

    def get(path: str) -> tuple[float, int]:
        """Seconds the request took and the body's size."""
        # A cookie set by an earlier response (CSRF) would make this client unlike the anonymous
        # clients under gunicorn, which send none.
        client.cookies.clear()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        return elapsed, len(response.content)

    results = {}
    for name, path in paths.items():
        progress(f"in process: {path}")
        get(path)  # templates, translations and the database connection are ready
        clear_caches()
        with CaptureQueriesContext(connection) as queries:
            _, size = get(path)
        # Read now: every later request clears the connection's query log.
        query_count = len(queries)
        first = []
        for _ in range(renders):
            clear_caches()
            first.append(get(path)[0])
        get(path)
        cached = [get(path)[0] for _ in range(renders)]
        results[name] = InProcess(
            queries=query_count,
            first_render_ms=statistics.median(first) * 1000,
            cached_ms=statistics.median(cached) * 1000,
            size=size,
        )
    return results


# Load generator ---------------------------------------------------------------------------------


# Each keep-alive connection is renewed after this many requests. Which of gunicorn's two worker
# processes takes a connection is chance; kept for a whole run, 4 connections all on one worker
# (1 run in 8) would measure one core instead of two, for the app and the static file alike.
RENEW_AFTER_REQUESTS = 200


def _client_process(port: int, path: str, threads: int, seconds: float, barrier, results) -> None:
    """`threads` keep-alive connections asking for `path` one request after another for `seconds`.

    Puts (latencies as array('d') bytes, ok, errors, start, end, CPU seconds) on `results`.
    """
    connections = [
        http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS) for _ in range(threads)
    ]
    for connection in connections:
        # A connection refused now is counted as an error by the first request, which retries.
        with contextlib.suppress(OSError):
            connection.connect()
    latencies: list[list[float]] = [[] for _ in range(threads)]
    counts = [[0, 0] for _ in range(threads)]  # ok, errors
    ends = [0.0] * threads

    def run(index: int, deadline: float) -> None:
        connection, own, count = connections[index], latencies[index], counts[index]
        while True:
            started = time.monotonic()
            if started >= deadline:
                break
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                count[1] += 1
                connection.close()  # the next request opens a new connection
                time.sleep(0.01)  # a refused connection must not spin
                continue
            finished = time.monotonic()
            own.append(finished - started)
            ends[index] = finished
            count[0 if response.status == 200 else 1] += 1
            if len(own) % RENEW_AFTER_REQUESTS == 0:
                connection.close()  # the next request opens a new keep-alive connection
        connection.close()

    barrier.wait()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    deadline = start + seconds
    workers = [threading.Thread(target=run, args=(i, deadline)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    merged = array("d")
    for own in latencies:
        merged.extend(own)
    results.put(
        (
            merged.tobytes(),
            sum(c[0] for c in counts),
            sum(c[1] for c in counts),
            start,
            max(ends, default=start),
            cpu,
        )
    )


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent on anything but idling, since boot (/proc/stat)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def _process_tree_seconds(pid: int) -> float:
    """CPU seconds of `pid` and its children (a gunicorn master and its workers)."""
    pids = [pid]
    with contextlib.suppress(OSError):  # a kernel without the children file: the master alone
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    total = 0
    for one in pids:
        try:
            # Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
            fields = Path(f"/proc/{one}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@dataclass
class Load:
    rate: float  # 200 responses per second
    errors: int
    p50_ms: float
    p99_ms: float
    client_cores: float  # CPU the load generator used, in cores
    server_cores: float  # CPU gunicorn used
    machine_cores: float  # CPU the whole machine used


def load(port: int, path: str, *, clients: int, seconds: float, processes: int, server_pid: int) -> Load:
    """`clients` keep-alive clients in `processes` processes asking for `path` for `seconds`."""
    context = multiprocessing.get_context("spawn")
    processes = max(1, min(clients, processes))
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [
        context.Process(target=_client_process, args=(port, path, share, seconds, barrier, results)) for share in shares
    ]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=60)  # every client has connected
    machine, server, started = _machine_busy_seconds(), _process_tree_seconds(server_pid), time.monotonic()
    outcomes = [results.get(timeout=seconds + 2 * REQUEST_TIMEOUT_SECONDS) for _ in workers]
    wall = time.monotonic() - started
    machine, server = _machine_busy_seconds() - machine, _process_tree_seconds(server_pid) - server
    for worker in workers:
        worker.join()
    latencies = array("d")
    for outcome in outcomes:
        latencies.frombytes(outcome[0])
    ok = sum(o[1] for o in outcomes)
    window = max(o[4] for o in outcomes) - min(o[3] for o in outcomes)
    if len(latencies) >= 2:
        ordered = sorted(latencies)
        p50 = statistics.median(ordered)
        p99 = statistics.quantiles(ordered, n=100, method="inclusive")[98]
    else:
        p50 = p99 = float("nan")
    return Load(
        rate=ok / window if window > 0 else 0.0,
        errors=sum(o[2] for o in outcomes),
        p50_ms=p50 * 1000,
        p99_ms=p99 * 1000,
        client_cores=sum(o[5] for o in outcomes) / wall,
        server_cores=server / wall,
        machine_cores=machine / wall,
    )


# Under gunicorn ---------------------------------------------------------------------------------


@dataclass
class Served:
    app_few: Load
    static_few: Load
    app_many: Load
    static_many: Load


def _refuse_busy_port(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            sys.exit(f"Port {port} is in use: give another with --port.")


def _wait_until_ready(server: subprocess.Popen, port: int) -> None:
    for _ in range(300):
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}.")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("gunicorn did not answer /healthz with 200 within 30 s.")


def under_gunicorn(paths: dict[str, str], sizes: dict[str, int], args: argparse.Namespace) -> dict[str, Served]:
    from django.conf import settings

    static_dir = Path(settings.STATIC_ROOT) / "bench"
    shutil.rmtree(static_dir, ignore_errors=True)
    static_dir.mkdir(parents=True)
    # Written before gunicorn starts: without DEBUG, WhiteNoise serves the files it found at start-up.
    for name, size in sizes.items():
        (static_dir / f"{name}.bin").write_bytes(os.urandom(size))
    _refuse_busy_port(args.port)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "espoo_service.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "false"},
    )
    try:
        _wait_until_ready(server, args.port)

        def run(target: str, clients: int, seconds: float) -> Load:
            return load(
                args.port,
                target,
                clients=clients,
                seconds=seconds,
                processes=args.client_processes,
                server_pid=server.pid,
            )

        results = {}
        for name, path in paths.items():
            static = f"/static/bench/{name}.bin"
            progress(f"under gunicorn: {path}")
            run(path, WARMUP_CLIENTS, args.warmup_seconds)
            run(static, WARMUP_CLIENTS, args.warmup_seconds / 2)
            results[name] = Served(
                app_few=run(path, FEW_CLIENTS, args.seconds),
                static_few=run(static, FEW_CLIENTS, args.seconds),
                app_many=run(path, MANY_CLIENTS, args.burst_seconds),
                static_many=run(static, MANY_CLIENTS, args.burst_seconds),
            )
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


# Report -----------------------------------------------------------------------------------------


def _size(size: int) -> str:
    return f"{size / 1000:.0f} kB" if size >= 1000 else f"{size} B"


def _ratio(app: float, static: float) -> str:
    return f"{app / static:.3f}" if static else "–"


def machine_line() -> str:
    import psycopg2
    import redis

    with open("/proc/meminfo") as meminfo:
        kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    connection.close()
    redis_version = redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["redis_version"]
    load_average = os.getloadavg()[0]
    return (
        f"Measured on {datetime.date.today().isoformat()}: {os.cpu_count()} cores, {kib / 1024**2:.1f} GiB RAM, "
        f"PostgreSQL {postgres} and Redis {redis_version} on the same host, Python {platform.python_version()}; "
        f"load average {load_average:.2f} when the measurement began."
    )


def report(
    label: str,
    paths: dict[str, tuple[str, str]],
    local: dict[str, InProcess],
    served: dict[str, Served],
    args: argparse.Namespace,
) -> None:
    print(f"\n## {label}\n")
    print(
        f"First render and cached: medians of {args.renders} in-process requests. Under gunicorn (2 workers × "
        f"4 threads, Redis cache): {FEW_CLIENTS} clients for {args.seconds:g} s and {MANY_CLIENTS} clients for "
        f"{args.burst_seconds:g} s per path after {args.warmup_seconds:g} s of warm-up, the clients in "
        f"{args.client_processes} processes on the same host; errors are non-200 responses and connection errors.\n"
    )
    print(
        f"| path (size) | SQL queries | first render | cached | req/s, {FEW_CLIENTS} clients "
        f"| static file of the same size | app ÷ static | req/s, {MANY_CLIENTS} clients | static file | app ÷ static "
        f"| p50 / p99, {MANY_CLIENTS} clients | errors, {MANY_CLIENTS} clients |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (what, path) in paths.items():
        row, run = local[name], served[name]
        print(
            f"| {what} `{path}` ({_size(row.size)}) | {row.queries} | {row.first_render_ms:.1f} ms "
            f"| {row.cached_ms:.1f} ms | {run.app_few.rate:,.0f} | {run.static_few.rate:,.0f} "
            f"| {_ratio(run.app_few.rate, run.static_few.rate)} | {run.app_many.rate:,.0f} "
            f"| {run.static_many.rate:,.0f} | {_ratio(run.app_many.rate, run.static_many.rate)} "
            f"| {run.app_many.p50_ms:.0f} / {run.app_many.p99_ms:.0f} ms | {run.app_many.errors} |"
        )
    stray = [
        f"{path} ({kind}): {load.errors}"
        for name, (_, path) in paths.items()
        for kind, load in (
            (f"app, {FEW_CLIENTS} clients", served[name].app_few),
            (f"static, {FEW_CLIENTS} clients", served[name].static_few),
            (f"static, {MANY_CLIENTS} clients", served[name].static_many),
        )
        if load.errors
    ]
    if stray:
        print(f"\nErrors in other runs: {'; '.join(stray)}.")
    print(
        "\nCPU used during each run, in cores: load generator / gunicorn / whole machine "
        "(the machine's figure includes anything else running).\n"
    )
    print(
        f"| path | app, {FEW_CLIENTS} clients | static, {FEW_CLIENTS} clients | app, {MANY_CLIENTS} clients "
        f"| static, {MANY_CLIENTS} clients |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (_, path) in paths.items():
        run = served[name]
        cells = [
            f"{one.client_cores:.2f} / {one.server_cores:.2f} / {one.machine_cores:.2f}"
            for one in (run.app_few, run.static_few, run.app_many, run.static_many)
        ]
        print(f"| `{path}` | {' | '.join(cells)} |")
    print(f"\n{machine_line()}", flush=True)


def measure(label: str, args: argparse.Namespace) -> None:
    """Measure the loaded data and print the report; in-process medians go to --medians-file."""
    import django

    django.setup()
    from django.db import connections

    described = bench_paths()
    paths = {name: path for name, (_, path) in described.items()}
    local = in_process(paths, args.renders)
    connections.close_all()
    served = under_gunicorn(paths, {name: row.size for name, row in local.items()}, args)
    report(label, described, local, served, args)
    if args.medians_file:
        Path(args.medians_file).write_text(json.dumps({name: asdict(row) for name, row in local.items()}))


def measure_in_subprocess(label: str, args: argparse.Namespace) -> dict[str, dict]:
    """Each volume is measured in a fresh process, so no in-memory cache carries over."""
    with tempfile.NamedTemporaryFile(suffix=".json") as medians:
        options = [
            f"--renders={args.renders}",
            f"--seconds={args.seconds}",
            f"--burst-seconds={args.burst_seconds}",
            f"--warmup-seconds={args.warmup_seconds}",
            f"--port={args.port}",
            f"--client-processes={args.client_processes}",
            f"--medians-file={medians.name}",
        ]
        subprocess.run([sys.executable, __file__, f"--measure={label}", *options], cwd=BASE_DIR, check=True)
        return json.loads(Path(medians.name).read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a trial of the script: 2,000 history visits, short runs")
    parser.add_argument("--history", type=int, help=f"visits of history (default {FULL['history']:,})")
    parser.add_argument(
        "--renders",
        "--requests",
        type=int,
        help=f"in-process requests per path for each median (default {FULL['renders']})",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        help=f"seconds of each {FEW_CLIENTS}-client run under gunicorn (default {FULL['seconds']:g})",
    )
    parser.add_argument(
        "--burst-seconds",
        type=float,
        help=f"seconds of each {MANY_CLIENTS}-client run under gunicorn (default {FULL['burst_seconds']:g})",
    )
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        help=f"seconds of warm-up per path under gunicorn (default {FULL['warmup_seconds']:g})",
    )
    parser.add_argument("--with-small", action="store_true", help="also measure with the 1,000 visits alone, first")
    parser.add_argument("--port", type=int, default=8765, help="loopback port for gunicorn (default 8765)")
    parser.add_argument(
        "--client-processes",
        type=int,
        default=max(4, os.cpu_count() or 1),
        help="processes the load generator spreads its clients over (default: the number of cores, at least 4)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--medians-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for option, value in (QUICK if args.quick else FULL).items():
        if getattr(args, option) is None:
            setattr(args, option, value)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (it is re-created).")
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        sys.exit("Set REDIS_URL to a Redis database of its own (it is flushed): the cache under test is Redis.")

    if args.measure:
        measure(args.measure, args)
        return

    reset_database()
    manage("migrate", "--noinput")
    manage("load_espoo_data")
    manage("collectstatic", "--noinput")
    manage("generate_demo_visits", "--venues", "20", "--visits", "1000", "--seed", "1")
    vacuum_analyze()
    small = measure_in_subprocess("1,000 synthetic visits (+ demo plan)", args) if args.with_small else None
    # The history a city accumulates: past years' visits at other venues.
    history = ("--venues", "400", "--visits", str(args.history), "--seed", "2", "--start", "2019-01-01")
    manage("generate_demo_visits", *history)
    vacuum_analyze()
    total = 1_000 + args.history
    label = f"{total:,} synthetic visits: 1,000 + {args.history:,} of history (+ demo plan)"
    large = measure_in_subprocess(label, args)
    if small:
        print(f"\n## First-render server time, {total:,} vs 1,000 visits\n")
        for name, row in large.items():
            print(f"- {name}: {row['first_render_ms'] / small[name]['first_render_ms']:.2f}x")


if __name__ == "__main__":
    main()
