"""Serving with gunicorn from inside the ``cityforum`` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from cityforum.wsgi import application

        return application


def run_gunicorn(host: str, port: int, workers: int) -> None:
    """Threaded workers: SQLite in WAL mode serves concurrent readers well within a process."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "accesslog": "-",
            "timeout": 60,
            "preload_app": True,
        }
    ).run()
