"""Helpers for tests that start processes of their own."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def celery_publishing_to(url: str) -> Iterator[None]:
    """This process's Celery app publishes to the broker `url` (rather than running tasks
    in-process) for the block, then has its broker and mode back. The app keeps pools of
    connections made for the broker it had when they were made, so those are forgotten on each
    change (not closed: another holder of one would find it closed)."""
    from espoo_service.celery import app

    def forget_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    # Only what was itself set on the app is put back: the rest the app reads from the settings.
    keys = ("broker_url", "task_always_eager")
    saved = {key: app.conf.changes[key] for key in keys if key in app.conf.changes}
    forget_pools()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        forget_pools()
        for key in keys:
            app.conf.changes.pop(key, None)
        app.conf.update(saved)
