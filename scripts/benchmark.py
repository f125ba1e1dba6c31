"""Benchmark of the public read paths with 1,000 and with 100,000 visits.

Usage (PostgreSQL and Redis running; the database named in DATABASE_URL is dropped and
re-created, so give it a database of its own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/espoo_bench \
    REDIS_URL=redis://127.0.0.1:6379/12 \
    .venv/bin/python scripts/benchmark.py [--requests 60] [--seconds 10]

For each volume it reports, per URL: SQL queries per request, the median server time of
in-process requests (Django's test client, no network), and requests per second under gunicorn
(2 workers, 4 threads each) with 4 concurrent clients on loopback, next to the same server's
figure for a static file of the same size served by WhiteNoise.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "espoo_service.settings")

PORT = 8765
CLIENTS = 4


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
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL)


def urls() -> dict[str, str]:
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    end = today + datetime.timedelta(days=13)
    return {
        "api_visits_14_days": f"/api/v1/visits?start={today}&end={end}",
        "map_page": "/fi/",
        "calendar_ics_one_area": "/calendar.ics?area=suur-leppavaara",
    }


def in_process(paths: dict[str, str], requests: int) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    results = {}
    for name, path in paths.items():
        client.get(path)  # warm caches and connections
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        # Read now: every later request clears the connection's query log.
        query_count = len(queries)
        assert response.status_code == 200, (path, response.status_code)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        results[name] = {
            "queries": query_count,
            "median_ms": statistics.median(times) * 1000,
            "bytes": len(response.content),
            "body": response.content,
        }
    return results


def _load(path: str, seconds: float) -> float:
    """Requests per second from CLIENTS keep-alive connections hammering one path."""
    counts = [0] * CLIENTS
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while time.perf_counter() < deadline:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def under_gunicorn(paths: dict[str, str], sizes: dict[str, int], seconds: float) -> dict[str, tuple[float, float]]:
    from django.conf import settings

    static_dir = Path(settings.STATIC_ROOT) / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    for name, size in sizes.items():
        (static_dir / f"{name}.bin").write_bytes(os.urandom(size))
    env = {**os.environ, "DJANGO_DEBUG": "false"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "espoo_service.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        results = {}
        for name, path in paths.items():
            _load(path, 1)  # warm up every worker
            dynamic = _load(path, seconds)
            static = _load(f"/static/bench/{name}.bin", seconds)
            results[name] = (dynamic, static)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(label: str, args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.db import connections

    paths = urls()
    local = in_process(paths, args.requests)
    connections.close_all()
    served = under_gunicorn(paths, {name: r["bytes"] for name, r in local.items()}, args.seconds)
    print(f"\n## {label}")
    print("| URL | SQL queries | median server time | req/s (gunicorn, 4 clients) | req/s static file, same size |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, path in paths.items():
        row = local[name]
        dynamic, static = served[name]
        print(
            f"| `{path}` ({row['bytes']:,} B) | {row['queries']} | {row['median_ms']:.1f} ms | "
            f"{dynamic:.0f} | {static:.0f} |"
        )
    return local


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=60, help="in-process requests per URL for the median")
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load per URL under gunicorn")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (it is re-created).")

    reset_database()
    manage("migrate", "--noinput")
    manage("load_espoo_data")
    manage("collectstatic", "--noinput")
    manage("generate_demo_visits", "--venues", "20", "--visits", "1000", "--seed", "1")
    vacuum_analyze()
    small = measure_in_subprocess("1,000 synthetic visits (+ demo plan)", args)
    # The other 99,000 are the history a city accumulates: past years' visits at other venues.
    manage("generate_demo_visits", "--venues", "400", "--visits", "99000", "--seed", "2", "--start", "2019-01-01")
    vacuum_analyze()
    large = measure_in_subprocess("100,000 synthetic visits (+ demo plan)", args)
    print("\n## Ratio of median server time, 100,000 vs 1,000 visits")
    for name in small:
        print(f"- {name}: {large[name] / small[name]:.2f}x")


def measure_in_subprocess(label: str, args: argparse.Namespace) -> dict[str, float]:
    """Each volume is measured in a fresh process, so no cache carries over."""
    code = (
        "import sys, json, argparse; sys.argv=['x']; import scripts.benchmark as b; "
        f"a=argparse.Namespace(requests={args.requests}, seconds={args.seconds}); "
        f"r=b.measure({label!r}, a); "
        "print('MEDIANS ' + json.dumps({k: v['median_ms'] for k, v in r.items()}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, check=True, capture_output=True, text=True
    ).stdout
    import json

    medians = {}
    for line in output.splitlines():
        if line.startswith("MEDIANS "):
            medians = json.loads(line.removeprefix("MEDIANS "))
        else:
            print(line)
    return medians


if __name__ == "__main__":
    main()
