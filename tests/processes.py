"""Helpers for tests that start processes of their own."""

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def celery_publish_to(url: str) -> None:
    """Point this process's Celery app at the broker `url`. The app keeps pools of connections
    made for the broker it had when they were made, so those are closed and forgotten too."""
    from espoo_service.celery import app

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
