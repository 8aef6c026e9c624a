"""Load and faults: 64 clients voting and contributing through ``cityforum serve``, the
server killed, PostgreSQL restarted, an import killed half-way — and nothing lost.

``section(quick)`` runs, on SQLite and then on PostgreSQL (a throw-away server from the
system binaries, :mod:`cityforum.testing.postgres`):

a. **Steady load**: 64 keep-alive clients (threads in two processes) for 60 s (8 s with
   ``quick``), each request a vote (80 %) or a contribution (20 %) by one of 64
   participants with API tokens (:mod:`cityforum.testing.load`).
b. **SIGKILL**: the same load; after a third of the phase's time, the gunicorn master and
   its workers are killed at once (SIGKILL to the process group) and ``cityforum serve``
   is started again on the same database; the clients retry until it answers, and go on
   for two thirds of the phase's time more.
c. **PostgreSQL restarted** (PostgreSQL only): the same load; after a quarter of the
   phase's time, PostgreSQL is shut down (``pg_ctl stop -m fast``: transactions rolled
   back, clients disconnected), left down 5 s (2 s with ``quick``) and started again; the
   site is not restarted. The clients count the 503s, and any other 5xx.
d. **An import killed half-way**: ``cityforum import contributions`` of a generated file
   (long bodies, as workshop minutes have) runs to the end once, to be timed; then the same
   file into another consultation is killed (SIGKILL) half-way through its writes — on
   PostgreSQL when the contributions' id sequence (which moves outside transactions) shows
   half the rows inserted, on SQLite when the write-ahead log holds half of what the full
   import wrote — and every table's row count is compared with before.

After each of a–c the clients' log is compared with the database (``load.check``): every
acknowledged vote present with the value of its last acknowledged revision, every
acknowledged contribution present with its capitals, the vote history matching the votes,
no foreign key pointing nowhere, ``PRAGMA integrity_check`` (SQLite) or amcheck on every
B-tree index (PostgreSQL) clean; writes the database holds without an acknowledgement
are allowed only for requests in flight (sent, no answer: the server was killed under
them) and are counted.

Run alone: ``.venv/bin/python bench/bench_faults.py [--quick]``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cityforum.testing import load
from cityforum.testing.postgres import PostgresServer, PostgresUnavailable
from cityforum.testing.served import MARKER, ServedSite, WriteProgress, kill_group

CLIENTS, PROCESSES, CONTRIBUTION_SHARE = 64, 2, 0.2
N_STATEMENTS, N_PARTICIPANTS = 200, 64
LOAD_SLUG, IMPORT_SLUG, INTERRUPTED_SLUG = "regional-africa", "regional-latam", "regional-aspac"


class Run:
    """One database: the site, its setup, the clients' cumulative log, the figures."""

    def __init__(
        self, label: str, site: ServedSite, postgres: PostgresServer | None, workdir: Path
    ) -> None:
        self.label, self.site, self.postgres, self.workdir = label, site, postgres, workdir
        self.setup: dict[str, Any] = {}
        self.log: list[load.Entry] = []
        self.phases: list[dict[str, Any]] = []
        self.imports: list[str] = []
        self.seed = 0

    # --- load ---------------------------------------------------------------------------

    def clients(self) -> load.Clients:
        """64 clients until :meth:`load.Clients.stop` (an hour at most)."""
        stop_file = self.workdir / f"stop-{self.seed}"
        plans = []
        for threads in load.split(CLIENTS, PROCESSES):
            self.seed += 1
            plans.append(
                load.Plan(
                    port=self.site.port,
                    consultation=self.setup["consultations"][LOAD_SLUG],
                    statements=tuple(self.setup["statements"]),
                    tokens=tuple(self.setup["tokens"]),
                    until=time.time() + 3600,
                    threads=threads,
                    contribution_share=CONTRIBUTION_SHARE,
                    seed=self.seed,
                    stop_file=str(stop_file),
                )
            )
        return load.Clients(plans)

    def phase(self, name: str, log: list[load.Entry]) -> dict[str, Any]:
        """Record a phase; rates are over the time the clients really ran (they start a
        moment after their processes)."""
        self.log += log
        seconds = max((e.started + e.elapsed for e in log), default=0.0) - min(
            (e.started for e in log), default=0.0
        )
        result = {
            "name": name,
            "seconds": seconds,
            "summary": load.summary(log, seconds),
            "check": load.check(self.log, self.site.shell(load.snapshot_code(MARKER))),
            "log": log,
        }
        self.phases.append(result)
        return result

    def steady(self, seconds: float) -> None:
        clients = self.clients()
        _sleep_from_first_request(clients, seconds)
        clients.stop()
        self.phase("steady load", clients.wait())

    def sigkill(self, seconds: float) -> None:
        """A third of ``seconds`` of load, the kill and restart, two thirds more."""
        clients = self.clients()
        _sleep_from_first_request(clients, seconds / 3)
        killed = time.time()
        self.site.kill()
        restart = self.site.start()
        back = time.time()
        time.sleep(seconds * 2 / 3)
        clients.stop()
        log = clients.wait()
        result = self.phase("SIGKILL, restart", log)
        before = [e for e in log if e.started < killed]
        after = [e for e in log if e.started >= back]
        during = [e for e in log if killed <= e.started < back]
        unanswered = sum(e.status == load.IN_FLIGHT for e in log if e.started < killed)
        result["fault"] = (
            f"| {self.label} | SIGKILL to gunicorn's master and workers; `cityforum serve` "
            f"started again | {restart:.1f} s until it answered | "
            f"{sum(e.acknowledged for e in before)} acknowledged before the kill, "
            f"{unanswered} in flight at the kill; {len(during)} requests while it restarted "
            f"({_statuses(during)}); {sum(e.acknowledged for e in after)} acknowledged after "
            f"| {_server_errors(log, allowed=())} | {_first_ack_after(log, killed):.1f} s "
            "after the kill |"
        )

    def postgres_restart(self, seconds: float, down_for: float) -> None:
        """A quarter of ``seconds`` of load, PostgreSQL down ``down_for`` s, the rest."""
        assert self.postgres is not None
        clients = self.clients()
        _sleep_from_first_request(clients, seconds / 4)
        paused = time.time()
        self.postgres.pause("fast")
        stopped = time.time()
        time.sleep(down_for)
        self.postgres.resume()
        resumed = time.time()
        time.sleep(seconds * 3 / 4)
        clients.stop()
        log = clients.wait()
        result = self.phase("PostgreSQL restarted", log)
        during = [e for e in log if paused <= e.started < resumed]
        unavailable = sum(e.status == 503 for e in log)
        after = [e for e in log if e.started >= resumed]
        last_503 = max((e.started + e.elapsed for e in log if e.status == 503), default=paused)
        result["fault"] = (
            f"| {self.label} | PostgreSQL stopped (`pg_ctl stop -m fast`, {stopped - paused:.1f}"
            f" s), left down {down_for:.0f} s, started again; the site not restarted | "
            f"{resumed - paused:.1f} s without a database | {unavailable} × 503 in all "
            f"({_statuses(during)} while it was down); "
            f"{sum(e.acknowledged for e in after)} acknowledged after; last 503 answered "
            f"{last_503 - resumed:+.1f} s from the restart | {_server_errors(log, allowed=(503,))}"
            f" | {_first_ack_after(log, resumed):.1f} s after PostgreSQL was back |"
        )

    # --- import ----------------------------------------------------------------------------

    def interrupted_import(self, rows: int) -> None:
        path = self.workdir / "import.csv"
        load.write_import_file(path, rows, N_PARTICIPANTS)
        started = time.monotonic()
        wal_peak = self._import(IMPORT_SLUG, path, rows, kill_at_wal=None)
        full = time.monotonic() - started
        before = self.site.shell(load.snapshot_code(MARKER))["tables"]
        started = time.monotonic()
        progress = self._import(INTERRUPTED_SLUG, path, rows, kill_at_wal=wal_peak // 2)
        killed = time.monotonic() - started
        check = self.site.shell(load.snapshot_code(MARKER))
        after = check["tables"]
        changed = {t: (before.get(t), after.get(t)) for t in set(before) | set(after)}
        changed = {t: counts for t, counts in changed.items() if counts[0] != counts[1]}
        self.imports.append(
            f"| {self.label} | {rows} | {full:.1f} s | {killed:.1f} s | {progress} | "
            f"{', '.join(f'{t} {a}→{b}' for t, (a, b) in sorted(changed.items())) or 'none'} | "
            f"{check['integrity_check']}; {check['foreign_key_violations']} foreign keys "
            "pointing nowhere |"
        )

    def _import(self, slug: str, path: Path, rows: int, kill_at_wal: int | None) -> Any:
        """Run ``cityforum import contributions`` to the end (``kill_at_wal`` None: returns
        the largest size of SQLite's write-ahead log seen), or SIGKILL it half-way through
        its writes (returns how far it had got)."""
        progress = WriteProgress(self.site.database_url)
        process = self.site.popen("import", "contributions", slug, str(path))
        peak = 0
        try:
            while process.poll() is None:
                peak = max(peak, progress.wal_bytes() if progress.sqlite else 0)
                if kill_at_wal is not None:
                    if not progress.sqlite and progress.rows() >= rows // 2:
                        kill_group(process)
                        return f"{progress.rows()} of {rows} rows inserted (id sequence)"
                    if progress.sqlite and kill_at_wal and peak >= kill_at_wal:
                        kill_group(process)
                        return (
                            f"{peak / 2**20:.1f} MiB in the write-ahead log, of the "
                            f"{kill_at_wal * 2 / 2**20:.1f} MiB the whole import wrote"
                        )
                time.sleep(0.02)
        finally:
            progress.settle()
            progress.close()
        output = process.stdout.read().decode(errors="replace") if process.stdout else ""
        if kill_at_wal is not None:
            return f"not killed: the import ended first ({output.strip()[-200:]})"
        if process.returncode != 0:
            raise RuntimeError(f"the import failed: {output}")
        return peak


def _sleep_from_first_request(clients: load.Clients, seconds: float) -> None:
    """Sleep ``seconds`` from the moment the clients' processes run (spawning them takes a
    second or two on a busy machine)."""
    clients.wait_started()
    time.sleep(seconds)


def _statuses(entries: list[load.Entry]) -> str:
    from collections import Counter

    names = {load.IN_FLIGHT: "no answer", load.NOT_SENT: "refused connection"}
    counts = Counter(e.status for e in entries)
    return ", ".join(f"{n}× {names.get(s, s)}" for s, n in sorted(counts.items())) or "none"


def _server_errors(log: list[load.Entry], allowed: tuple[int, ...]) -> str:
    errors = sum(e.status >= 500 and e.status not in allowed for e in log)
    return f"{errors} other 5xx" if allowed else f"{errors} × 5xx"


def _first_ack_after(log: list[load.Entry], moment: float) -> float:
    ends = [e.started + e.elapsed for e in log if e.acknowledged and e.started >= moment]
    return (min(ends) - moment) if ends else float("nan")


def _database(
    label: str,
    url: str,
    workdir: Path,
    seconds: float,
    postgres: PostgresServer | None,
    import_rows: int,
    down_for: float,
) -> Run:
    site = ServedSite(url, workdir / "site", workers=2, plain_static=True)
    run = Run(label, site, postgres, workdir)
    site.init()
    run.setup = site.shell(
        load.setup_code(
            [LOAD_SLUG, IMPORT_SLUG, INTERRUPTED_SLUG], N_STATEMENTS, N_PARTICIPANTS, MARKER
        )
    )
    try:
        site.start()
        run.steady(seconds)
        run.sigkill(seconds)
        if postgres is not None:
            run.postgres_restart(seconds, down_for)
    finally:
        site.stop()
    run.interrupted_import(import_rows)
    return run


def _load_rows(run: Run) -> list[str]:
    rows = []
    for phase in run.phases:
        s, c = phase["summary"], phase["check"]
        wrong = load.failures(c)
        statuses = {}
        for kind in (load.VOTE, load.CONTRIBUTION):
            for status, n in s[kind]["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
        unavailable = statuses.get(503, 0)
        five = sum(n for status, n in statuses.items() if status >= 500 and status != 503)
        rows.append(
            f"| {run.label} | {phase['name']} | {s['vote']['per_second']:.0f} | "
            f"{s['vote']['p50_ms']:.0f} / {s['vote']['p99_ms']:.0f} | "
            f"{s['contribution']['per_second']:.0f} | "
            f"{s['contribution']['p50_ms']:.0f} / {s['contribution']['p99_ms']:.0f} | "
            f"{_statuses(phase['log'])} | {unavailable} | {five} | "
            f"{c['votes_acknowledged']} votes, {c['contributions_acknowledged']} contributions "
            f"acknowledged in all; lost {c['votes_lost'] + c['contributions_lost']}, wrong "
            f"{c['votes_wrong']}, unexplained "
            f"{c['votes_unexplained'] + c['contributions_unexplained']}, in flight and "
            f"written {c['votes_in_flight_written'] + c['contributions_in_flight_written']} "
            f"of {c['in_flight']}; {c['integrity_check']} | "
            f"{'pass' if not wrong else 'FAIL: ' + ', '.join(wrong)} |"
        )
    return rows


def section(quick: bool = False) -> str:
    seconds = 8.0 if quick else 60.0
    down_for = 2.0 if quick else 5.0
    import_rows = 1500 if quick else 6000
    runs: list[Run] = []
    notes: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="cityforum-bench-faults-"))
    try:
        runs.append(
            _database(
                "SQLite",
                f"sqlite:///{workdir / 'sqlite' / 'faults.sqlite3'}",
                workdir / "sqlite",
                seconds,
                None,
                import_rows,
                down_for,
            )
        )
        try:
            postgres = PostgresServer().start()
        except PostgresUnavailable as error:
            notes.append(f"PostgreSQL not measured: {error}")
        else:
            try:
                runs.append(
                    _database(
                        "PostgreSQL",
                        postgres.url,
                        workdir / "pg",
                        seconds,
                        postgres,
                        import_rows,
                        down_for,
                    )
                )
            finally:
                postgres.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    load_rows = [row for run in runs for row in _load_rows(run)]
    fault_rows = [phase["fault"] for run in runs for phase in run.phases if "fault" in phase]
    import_rows_md = [row for run in runs for row in run.imports]
    return (
        "## Load and faults\n\n"
        f"{CLIENTS} keep-alive clients ({PROCESSES} processes) for {seconds:.0f} s per phase, "
        f"each request a vote ({100 - CONTRIBUTION_SHARE * 100:.0f} %) or a contribution "
        f"({CONTRIBUTION_SHARE * 100:.0f} %) by one of {N_PARTICIPANTS} participants with "
        "API tokens, through `cityforum serve` (gunicorn, 2 workers × 4 threads) on a "
        "database prepared by `cityforum init`; write limits raised as in the vote benchmark. "
        "The phases run one after the other on the same database, and after each the clients' "
        "log is compared with it (`cityforum.testing.load.check`, definitions in "
        "[security.md](security.md#load-and-faults)): *lost* = acknowledged but absent (or "
        "a vote below its last acknowledged revision), *unexplained* = written without an "
        "acknowledgement or a request in flight to account for it, *in flight* = sent with "
        "no answer (the server was killed under it): the only writes allowed to be present "
        "or not. The clients run on the same machine as the server and PostgreSQL; the "
        "figures are noisy on a small shared machine, the checks are not.\n\n"
        "| database | phase | votes/s | vote p50 / p99 ms | contributions/s | "
        "contribution p50 / p99 ms | answers | 503 | other 5xx | check (cumulative) | result |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(load_rows)
        + "\n\n| database | fault | down | requests | 5xx | first write acknowledged |\n"
        "|---|---|---|---|---|---|\n"
        + "\n".join(fault_rows)
        + "\n\nAn import killed half-way (`cityforum import contributions`, SIGKILL): the file "
        "is first imported whole into another consultation (timed), then killed half-way "
        "through its writes; every table's row count is compared with before the killed "
        "import.\n\n"
        "| database | rows | full import | killed after | progress when killed | "
        "tables changed | database check |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(import_rows_md)
        + ("\n\n" + "\n".join(notes) if notes else "")
        + "\n"
    )


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
