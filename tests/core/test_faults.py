"""Faults under load, for real: ``cityforum serve`` killed with SIGKILL while clients vote
and contribute, and an import killed half-way through its writes.

The short versions of ``bench/bench_faults.py`` (issue 9, item 4): a handful of clients
for a few seconds. Each test serves its own database through the real stack
(:mod:`cityforum.testing.served`): SQLite in the SQLite pass, a PostgreSQL server of its
own in the ``--postgres`` pass. What "acknowledged", "in flight" and "lost" mean is
defined in :mod:`cityforum.testing.load`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cityforum.testing import load
from cityforum.testing.postgres import PostgresServer
from cityforum.testing.served import MARKER, ServedSite, WriteProgress, kill_group

SLUGS = ("regional-africa", "regional-aspac")
PARTICIPANTS, STATEMENTS = 8, 20


@dataclass
class Served:
    site: ServedSite
    setup: dict[str, Any]
    workdir: Path


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """A database prepared by ``cityforum init`` with an open consultation, statements and
    participants with API tokens, served by ``cityforum serve``."""
    workdir = tmp_path_factory.mktemp("faults")
    postgres = PostgresServer().start() if request.config.getoption("--postgres") else None
    url = postgres.url if postgres else f"sqlite:///{workdir / 'faults.sqlite3'}"
    site = ServedSite(url, workdir / "site", workers=2, plain_static=True)
    try:
        site.init()
        setup = site.shell(load.setup_code(SLUGS, STATEMENTS, PARTICIPANTS, MARKER))
        site.start()
        yield Served(site, setup, workdir)
    finally:
        site.kill()  # a throw-away database: no need to wait for a graceful stop
        if postgres is not None:
            postgres.stop()


def _clients(
    served: Served, threads: int, seed: int
) -> tuple[threading.Thread, list[load.Entry], load.Plan]:
    plan = load.Plan(
        port=served.site.port,
        consultation=served.setup["consultations"][SLUGS[0]],
        statements=tuple(served.setup["statements"]),
        tokens=tuple(served.setup["tokens"]),
        until=time.time() + 120,
        threads=threads,
        seed=seed,
        stop_file=str(served.workdir / f"stop-{seed}"),
    )
    log: list[load.Entry] = []
    thread = threading.Thread(target=lambda: log.extend(load.run_clients(plan)))
    thread.start()
    return thread, log, plan


def test_a_server_killed_with_sigkill_under_load_loses_no_acknowledged_write(
    served: Served,
) -> None:
    site = served.site
    thread, log, plan = _clients(served, threads=6, seed=1)
    time.sleep(2)
    killed = time.time()
    group = site.process.pid if site.process else 0
    site.kill()
    assert _processes_in_group(group) == [], "the master and its workers all died"
    site.start()
    back = time.time()
    time.sleep(2)
    Path(plan.stop_file).touch()
    thread.join(timeout=60)

    before = [e for e in log if e.started < killed and e.acknowledged]
    after = [e for e in log if e.started >= back and e.acknowledged]
    assert before and after, "writes were acknowledged both before the kill and after the restart"
    assert {e.kind for e in before} == {load.VOTE, load.CONTRIBUTION}
    assert any(e.status in (load.IN_FLIGHT, load.NOT_SENT) for e in log), (
        "the kill happened under load: some requests got no answer or no connection"
    )
    assert [e.status for e in log if e.status >= 500] == []
    result = load.check(log, site.shell(load.snapshot_code(MARKER)))
    assert load.failures(result) == []
    assert result["votes_acknowledged"] + result["contributions_acknowledged"] == sum(
        e.acknowledged for e in log
    )


def test_an_import_killed_half_way_through_its_writes_leaves_nothing_behind(
    served: Served,
) -> None:
    site = served.site
    rows = 1200
    path = served.workdir / "import.csv"
    load.write_import_file(path, rows, PARTICIPANTS)
    before = site.shell(load.snapshot_code(MARKER))["tables"]
    progress = WriteProgress(site.database_url)
    process = site.popen("import", "contributions", SLUGS[1], str(path))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if _well_into_the_writes(progress, rows):
                break
            time.sleep(0.02)
        assert process.poll() is None, "the import was still writing when it was killed"
        kill_group(process)
        progress.settle()
    finally:
        progress.close()
        kill_group(process)

    check = site.shell(load.snapshot_code(MARKER))
    assert check["tables"] == before
    assert str(check["integrity_check"]).startswith("ok")
    assert check["foreign_key_violations"] == 0


def _well_into_the_writes(progress: WriteProgress, rows: int) -> bool:
    """A quarter of the rows inserted (PostgreSQL), or the transaction grown beyond SQLite's
    2 MiB page cache into the write-ahead log (about a third of this file's rows)."""
    if progress.sqlite:
        return progress.wal_bytes() > 2 * 2**20
    return progress.rows() >= rows // 4


def _processes_in_group(group: int, wait: float = 5) -> list[int]:
    """Live processes (not zombies) of a process group, from /proc, once they have had
    ``wait`` seconds to die."""
    deadline = time.monotonic() + wait
    while True:
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                alive.append(int(stat.parent.name))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


# --- the check itself: it must see what it is there to see -----------------------------------

LOG = [
    load.Entry(0.0, 0.01, load.VOTE, 201, 0, 5, 1, 1, ""),
    load.Entry(1.0, 0.01, load.VOTE, 200, 0, 5, -1, 2, ""),
    load.Entry(2.0, 0.01, load.VOTE, load.IN_FLIGHT, 0, 5, 1, 0, ""),
    load.Entry(0.0, 0.01, load.VOTE, 201, 1, 6, 0, 1, ""),
    load.Entry(0.0, 0.01, load.CONTRIBUTION, 201, 2, 0, 0, 77, "Load 1-0-1"),
    load.Entry(1.0, 0.01, load.CONTRIBUTION, load.IN_FLIGHT, 2, 0, 0, 0, "Load 1-0-2"),
    load.Entry(2.0, 0.01, load.CONTRIBUTION, 503, 2, 0, 0, 0, "Load 1-0-3"),
]


def _database(**changes: Any) -> dict[str, Any]:
    """The database as the log above allows it: the in-flight vote and contribution made it."""
    database: dict[str, Any] = {
        "votes": [("load-0@example.org", 5, 1, 3), ("load-1@example.org", 6, 0, 1)],
        "contributions": [
            (77, "Load 1-0-1", "load-2@example.org", 1),
            (78, "Load 1-0-2", "load-2@example.org", 2),
        ],
        "history_mismatch": 0,
        "events_without_vote": 0,
        "integrity_check": "ok",
        "foreign_key_violations": 0,
    }
    return {**database, **changes}


def test_the_check_accepts_every_acknowledged_write_and_in_flight_ones_written() -> None:
    result = load.check(LOG, _database())
    assert load.failures(result) == []
    assert result["votes_in_flight_written"] == 1
    assert result["contributions_in_flight_written"] == 1


@pytest.mark.parametrize(
    ("changes", "failure"),
    [
        ({"votes": [("load-0@example.org", 5, 1, 3)]}, "votes_lost=1"),
        (
            {"votes": [("load-0@example.org", 5, 1, 1), ("load-1@example.org", 6, 0, 1)]},
            "votes_lost=1",
        ),
        (
            {"votes": [("load-0@example.org", 5, 1, 2), ("load-1@example.org", 6, 0, 1)]},
            "votes_wrong=1",
        ),
        (
            {"votes": [("load-0@example.org", 5, 1, 4), ("load-1@example.org", 6, 0, 1)]},
            "votes_unexplained=1",
        ),
        ({"contributions": [(78, "Load 1-0-2", "load-2@example.org", 2)]}, "contributions_lost=1"),
        (
            {"contributions": [(77, "Load 1-0-1", "load-2@example.org", 0)]},
            "contributions_without_capitals=1",
        ),
        (
            {"contributions": [(77, "Load 1-0-1", "x@example.org", 1), (79, "Load 1-0-3", "x", 1)]},
            "contributions_refused_written=1",
        ),
        (
            {"contributions": [(77, "Load 1-0-1", "x@example.org", 1), (80, "Load 9-9-9", "x", 1)]},
            "contributions_unexplained=1",
        ),
        ({"history_mismatch": 2}, "history_mismatch=2"),
        (
            {"integrity_check": "row 3 missing from index"},
            "integrity_check=row 3 missing from index",
        ),
    ],
)
def test_the_check_reports_what_went_wrong(changes: dict[str, Any], failure: str) -> None:
    assert failure in load.failures(load.check(LOG, _database(**changes)))
