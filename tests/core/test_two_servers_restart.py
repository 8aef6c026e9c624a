"""PostgreSQL restarted under load while two app servers share it (and one Redis): as the
reliability suite does for one server (``tests/core/test_database_unavailable.py``,
``tests/core/test_faults.py``), now with clients on both servers. No answer is a 500, both
servers write again once the database is back, without a restart, and every acknowledged
write is in the database (:func:`cityforum.testing.load.check`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityforum.testing import load
from cityforum.testing.postgres import PostgresServer
from cityforum.testing.redis import RedisServer
from cityforum.testing.served import MARKER, ServedSite

pytestmark = pytest.mark.postgres_only

SLUGS = ("regional-africa", "regional-aspac")


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PostgresServer, list[ServedSite], dict, Path]]:
    workdir = tmp_path_factory.mktemp("two-servers-restart")
    postgres = PostgresServer().start()
    redis = RedisServer().start()
    sites = [
        ServedSite(
            postgres.url,
            workdir / name,
            workers=1,
            plain_static=True,
            extra_env={"REDIS_URL": redis.url},
        )
        for name in ("one", "two")
    ]
    try:
        sites[0].init()
        setup = sites[0].shell(load.setup_code(SLUGS, 20, 8, MARKER))
        for site in sites:
            site.start()
        yield postgres, sites, setup, workdir
    finally:
        for site in sites:
            site.kill()
        redis.stop()
        postgres.stop()


def test_postgresql_restarted_under_load_on_two_servers_loses_no_acknowledged_write(
    servers: tuple[PostgresServer, list[ServedSite], dict, Path],
) -> None:
    postgres, sites, setup, workdir = servers
    stop_file = workdir / "stop"
    logs: list[list[load.Entry]] = [[], []]
    threads = []
    for n, site in enumerate(sites):
        plan = load.Plan(
            port=site.port,
            consultation=setup["consultations"][SLUGS[0]],
            statements=tuple(setup["statements"]),
            tokens=tuple(setup["tokens"]),  # the same people on both servers
            until=time.time() + 120,
            threads=3,
            seed=n + 1,
            stop_file=str(stop_file),
        )
        thread = threading.Thread(target=lambda p=plan, n=n: logs[n].extend(load.run_clients(p)))
        thread.start()
        threads.append(thread)
    time.sleep(2)
    down = time.time()
    postgres.restart(down_for=1.5)
    back = time.time()
    time.sleep(3)
    stop_file.touch()
    for thread in threads:
        thread.join(timeout=60)

    log = logs[0] + logs[1]
    assert [e.status for e in log if e.status >= 500 and e.status != 503] == []
    for n in (0, 1):
        assert any(e.acknowledged and e.started < down for e in logs[n]), f"before, server {n}"
        assert any(e.acknowledged and e.started > back for e in logs[n]), f"after, server {n}"
    result = load.check(log, sites[0].shell(load.snapshot_code(MARKER)))
    assert load.failures(result) == []
