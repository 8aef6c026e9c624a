"""Clients that vote and contribute through the HTTP API, each request logged with its
answer, and the check of that log against the database.

Used by the fault tests and benchmark (``tests/core/test_faults.py``,
``bench/bench_faults.py``) to show that, whatever happens to the server or the database
under load, no acknowledged write is lost and nothing is written that was not asked for.

Every request ends in one of these, as the client sees it:

- **acknowledged**: a 200/201 answer. A vote's answer carries its ``revision`` (the
  voter's n-th vote on that statement), a contribution's its ``id``. The database must
  hold every acknowledged write, with the value of the last acknowledged revision.
- **refused**: any other answer (a 503 while the database is away, a 4xx). Nothing
  should have been written; a refused write found in the database is reported.
- **in flight**: sent, but no answer came (the server was killed, the connection reset).
  The client cannot know whether it was written: the database may hold it or not. These
  are the only writes the database may hold without an acknowledgement.
- **not sent**: the connection was refused (the server is down): certainly not written.

Clients retry on a new connection 50 ms after a request with no answer, 200 ms after a
refused connection, and 100 ms after a 503, rather than honour ``Retry-After``: the
benchmark measures how soon writes succeed again.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A consultation opened for the load, and participants with API tokens (``setup_code``).
SETUP = """
import json
from cityforum.people.models import ApiToken, Role, User
from cityforum.programme.models import Consultation
from cityforum.statements import services
boss = User.objects.create_user("load-organiser@example.org", None, role=Role.ORGANISER)
opened = {{}}
for slug in {slugs!r}:
    c = Consultation.objects.get(slug=slug)
    if c.status != "open":
        services.change_consultation_status(c, "open", by=boss)
    opened[slug] = c.pk
c = Consultation.objects.get(slug={slugs!r}[0])
ids = [services.add_statement(c, f"Load statement {{n}}.", by=boss, language="en").pk
       for n in range({statements})]
tokens = [ApiToken.issue(User.objects.create_user(f"load-{{n}}@example.org", None))[1]
          for n in range({participants})]
print({marker!r} + json.dumps(
    {{"consultations": opened, "statements": ids, "tokens": tokens}}))
"""

#: What the database holds, for :func:`check`: votes, their history, contributions, every
#: table's row count (an interrupted import must leave them all as they were), and the
#: database's own consistency checks.
SNAPSHOT = """
import json
from django.db import connection
from django.db.models import Count
from cityforum.participation.models import Contribution
from cityforum.statements.models import Vote, VoteEvent
votes = list(Vote.objects.values_list("voter__user__email", "statement_id", "value", "revision"))
with connection.cursor() as cursor:
    cursor.execute('''
        SELECT v.statement_id, v.voter_id, COUNT(e.id), MAX(e.revision),
               SUM(CASE WHEN e.revision = v.revision AND e.value = v.value THEN 1 ELSE 0 END)
        FROM statements_vote v LEFT JOIN statements_voteevent e
             ON e.statement_id = v.statement_id AND e.voter_id = v.voter_id
        GROUP BY v.id, v.statement_id, v.voter_id, v.revision
        HAVING COUNT(e.id) <> MAX(v.revision) OR MAX(e.revision) <> MAX(v.revision)
            OR SUM(CASE WHEN e.revision = v.revision AND e.value = v.value THEN 1 ELSE 0 END) <> 1
    ''')
    history_mismatch = len(cursor.fetchall())
    cursor.execute('''
        SELECT COUNT(*) FROM statements_voteevent e WHERE NOT EXISTS (
            SELECT 1 FROM statements_vote v
            WHERE v.statement_id = e.statement_id AND v.voter_id = e.voter_id)
    ''')
    events_without_vote = cursor.fetchone()[0]
    tables = {{}}
    for table in connection.introspection.table_names(cursor):
        cursor.execute(f'SELECT COUNT(*) FROM "{{table}}"')
        tables[table] = cursor.fetchone()[0]
    checks = {{}}
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA integrity_check")
        checks["integrity_check"] = "; ".join(row[0] for row in cursor.fetchall())
        cursor.execute("PRAGMA foreign_key_check")
        checks["foreign_key_violations"] = len(cursor.fetchall())
    else:
        # Every foreign key of the schema, checked by a query (they are DEFERRABLE INITIALLY
        # DEFERRED in Django's schema, so a half-written transaction could not commit one).
        cursor.execute('''
            SELECT tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu
                 ON tc.constraint_name = kcu.constraint_name
            JOIN information_schema.constraint_column_usage ccu
                 ON tc.constraint_name = ccu.constraint_name
            WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'
        ''')
        orphans = 0
        for table, column, target, target_column in cursor.fetchall():
            cursor.execute(
                f'SELECT COUNT(*) FROM "{{table}}" t WHERE t."{{column}}" IS NOT NULL AND NOT'
                f' EXISTS (SELECT 1 FROM "{{target}}" r'
                f' WHERE r."{{target_column}}" = t."{{column}}")'
            )
            orphans += cursor.fetchone()[0]
        checks["foreign_key_violations"] = orphans
        # amcheck: every B-tree index agrees with itself and with its table.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        cursor.execute('''
            SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE a.amname = 'btree' AND n.nspname = 'public'
        ''')
        indexes = [row[0] for row in cursor.fetchall()]
        for name in indexes:
            cursor.execute("SELECT bt_index_check(%s::regclass, true)", [name])
        checks["integrity_check"] = f"ok ({{len(indexes)}} indexes checked by amcheck)"
contributions = list(
    Contribution.objects.filter(title__startswith="Load ")
    .annotate(n_capitals=Count("capitals"))
    .values_list("id", "title", "author__email", "n_capitals")
)
print({marker!r} + json.dumps({{
    "votes": votes, "events": VoteEvent.objects.count(), "history_mismatch": history_mismatch,
    "events_without_vote": events_without_vote, "contributions": contributions,
    "tables": tables, **checks,
}}))
"""

#: Status of a request that got no answer (sent; outcome unknown) and of one never sent.
IN_FLIGHT, NOT_SENT = 0, -1
VOTE, CONTRIBUTION = "vote", "contribution"
CAPITALS = ("human", "social", "economic", "cultural", "environmental")
TYPES = ("proposal", "practice", "challenge", "recommendation")


def setup_code(slugs: Sequence[str], statements: int, participants: int, marker: str) -> str:
    """The :data:`SETUP` script: the first of ``slugs`` gets the statements."""
    return SETUP.format(
        slugs=list(slugs), statements=statements, participants=participants, marker=marker
    )


def snapshot_code(marker: str) -> str:
    return SNAPSHOT.format(marker=marker)


def write_import_file(path: Path, rows: int, participants: int) -> None:
    """A ``cityforum import contributions`` CSV of ``rows`` contributions by the load's
    participants, each with a long body (3 KB, as workshop minutes have): the import's
    transaction then outgrows SQLite's page cache and spills into the write-ahead log,
    where its progress can be seen (:class:`cityforum.testing.served.WriteProgress`)."""
    import csv

    body = " ".join(
        f"Point {k}: the council funds trains, water and schools before roads." for k in range(40)
    )
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["author_email", "type", "title", "body", "capitals", "language"])
        for n in range(rows):
            writer.writerow(
                [
                    f"load-{n % participants}@example.org",
                    "proposal",
                    f"Import {n}",
                    body,
                    "human;social",
                    "en",
                ]
            )


@dataclass(frozen=True)
class Entry:
    """One request: when it started (epoch s), how long it took, what it asked, the answer."""

    started: float
    elapsed: float
    kind: str
    status: int
    who: int
    target: int  # the statement voted on; 0 for a contribution
    value: int  # the vote's value; 0 for a contribution
    result: int  # the vote's revision or the contribution's id, when acknowledged
    marker: str  # a contribution's title (unique per request); "" for a vote

    @property
    def acknowledged(self) -> bool:
        return self.status in (200, 201)


@dataclass(frozen=True)
class Plan:
    """What the clients do: ``threads`` keep-alive clients until ``until`` (epoch s) or
    until ``stop_file`` exists, whichever comes first (the file lets whoever runs a fault
    decide when the load ends: a while after the server is back)."""

    port: int
    consultation: int
    statements: tuple[int, ...]
    tokens: tuple[str, ...]
    until: float
    threads: int = 8
    contribution_share: float = 0.2
    seed: int = 0
    timeout: float = 30.0
    stop_file: str = ""

    def running(self) -> bool:
        return time.time() < self.until and not (self.stop_file and os.path.exists(self.stop_file))


def _request(
    conn: http.client.HTTPConnection, path: str, body: str, token: str
) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        conn.request("POST", path, body, headers)
    except ConnectionRefusedError:
        return NOT_SENT, b""
    except (OSError, http.client.HTTPException):
        return IN_FLIGHT, b""
    try:
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return IN_FLIGHT, b""


def _client(plan: Plan, n: int, out: list[Entry], lock: threading.Lock) -> None:
    rng = random.Random(plan.seed * 1000 + n)
    conn: http.client.HTTPConnection | None = None
    mine: list[Entry] = []
    count = 0
    while plan.running():
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", plan.port, timeout=plan.timeout)
        who = rng.randrange(len(plan.tokens))
        count += 1
        if rng.random() < plan.contribution_share:
            kind, target, value = CONTRIBUTION, 0, 0
            marker = f"Load {plan.seed}-{n}-{count}"
            path = f"/api/v1/consultations/{plan.consultation}/contributions"
            body = json.dumps(
                {
                    "type": rng.choice(TYPES),
                    "title": marker,
                    "body": "Written by the load test: trains, water and schools first.",
                    "language": "en",
                    "capitals": rng.sample(CAPITALS, rng.randint(1, 3)),
                }
            )
        else:
            kind, marker = VOTE, ""
            target, value = rng.choice(plan.statements), rng.choice((-1, 0, 1))
            path = f"/api/v1/consultations/{plan.consultation}/votes"
            body = json.dumps({"statement": target, "value": value})
        started, clock = time.time(), time.perf_counter()
        status, data = _request(conn, path, body, plan.tokens[who])
        elapsed = time.perf_counter() - clock
        result = 0
        if status in (200, 201):
            answer = json.loads(data)
            result = int(answer["revision"] if kind == VOTE else answer["id"])
        mine.append(Entry(started, elapsed, kind, status, who, target, value, result, marker))
        if status in (IN_FLIGHT, NOT_SENT):
            conn.close()
            conn = None
            time.sleep(0.05 if status == IN_FLIGHT else 0.2)
        elif status == 503:
            time.sleep(0.1)
    if conn is not None:
        conn.close()
    with lock:
        out.extend(mine)


def run_clients(plan: Plan) -> list[Entry]:
    """``plan.threads`` client threads in this process, until ``plan.until``."""
    out: list[Entry] = []
    lock = threading.Lock()
    if plan.stop_file:
        Path(f"{plan.stop_file}.started-{plan.seed}").touch()
    threads = [
        threading.Thread(target=_client, args=(plan, n, out, lock)) for n in range(plan.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


class Clients:
    """Each plan run in a process of its own (so that the clients' GIL is not the limit),
    started at once; :meth:`stop` ends them (through the plans' ``stop_file``), :meth:`wait`
    returns the log of every request."""

    def __init__(self, plans: Sequence[Plan]) -> None:
        self.plans = list(plans)
        self._pool = multiprocessing.get_context("spawn").Pool(len(self.plans))
        self._result = self._pool.map_async(run_clients, self.plans)
        self._pool.close()

    def wait_started(self, timeout: float = 120) -> None:
        """Wait until every client process runs (spawning them takes a second or two)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(
                Path(f"{plan.stop_file}.started-{plan.seed}").exists()
                for plan in self.plans
                if plan.stop_file
            ):
                return
            time.sleep(0.05)

    def stop(self) -> None:
        for plan in self.plans:
            if plan.stop_file:
                Path(plan.stop_file).touch()

    def wait(self) -> list[Entry]:
        logs = self._result.get()
        self._pool.join()
        return [entry for log in logs for entry in log]


def split(clients: int, processes: int) -> list[int]:
    return [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]


# --- the check ------------------------------------------------------------------------------


def summary(log: Iterable[Entry], seconds: float) -> dict[str, Any]:
    """Per kind of write: requests, acknowledgements per second, p50/p99 (ms), statuses."""
    out: dict[str, Any] = {}
    entries = list(log)
    for kind in (VOTE, CONTRIBUTION):
        mine = [e for e in entries if e.kind == kind]
        acked = sorted(e.elapsed for e in mine if e.acknowledged) or [float("nan")]
        out[kind] = {
            "requests": len(mine),
            "acknowledged": sum(e.acknowledged for e in mine),
            "per_second": sum(e.acknowledged for e in mine) / seconds if seconds else 0.0,
            "p50_ms": statistics.median(acked) * 1000,
            "p99_ms": acked[min(len(acked) - 1, int(0.99 * len(acked)))] * 1000,
            "statuses": Counter(e.status for e in mine),
        }
    return out


def check(log: Iterable[Entry], db: dict[str, Any]) -> dict[str, Any]:
    """Compare the clients' log with the database snapshot (:data:`SNAPSHOT`).

    ``lost``: acknowledged writes the database does not hold (a vote whose revision is
    below the last acknowledged one counts as lost). ``wrong``: a vote at the last
    acknowledged revision with another value. ``unexplained``: writes in the database
    that no acknowledged or in-flight request explains. ``in_flight_written``: writes
    explained only by an in-flight request (allowed). ``refused_written``: writes whose
    request was answered with an error (should be none).
    """
    entries = list(log)
    votes: dict[tuple[str, int], tuple[int, int]] = {}
    duplicated = 0
    for email, statement, value, revision in db["votes"]:
        key = (email, statement)
        duplicated += key in votes
        votes[key] = (value, revision)
    by_key: dict[tuple[str, int], list[Entry]] = defaultdict(list)
    for e in entries:
        if e.kind == VOTE:
            by_key[(f"load-{e.who}@example.org", e.target)].append(e)
    lost = wrong = unexplained = in_flight_written = refused_written = repeated_revision = 0
    for key in set(by_key) | set(votes):
        requests = by_key.get(key, [])
        acks = sorted((e.result, e.value) for e in requests if e.acknowledged)
        in_flight = sum(e.status == IN_FLIGHT for e in requests)
        refused = sum(e.status not in (200, 201, IN_FLIGHT, NOT_SENT) for e in requests)
        repeated_revision += len(acks) - len({revision for revision, _value in acks})
        top_revision, top_value = acks[-1] if acks else (0, None)
        value, revision = votes.get(key, (None, 0))
        if revision < top_revision:
            lost += 1
            continue
        if revision == top_revision and acks and value != top_value:
            wrong += 1
        # Revisions count every write to the pair: those not acknowledged must be explained.
        extra = revision - len(acks)
        if extra > in_flight:
            refused_written += min(extra - in_flight, refused)
            unexplained += max(0, extra - in_flight - refused)
        in_flight_written += min(max(extra, 0), in_flight)
    acked_ids = {e.result: e.marker for e in entries if e.kind == CONTRIBUTION and e.acknowledged}
    markers = {e.marker: e for e in entries if e.kind == CONTRIBUTION}
    rows = {row[0]: row for row in db["contributions"]}
    titles = Counter(row[1] for row in db["contributions"])
    contributions_lost = sum(
        1 for pk, marker in acked_ids.items() if pk not in rows or rows[pk][1] != marker
    )
    contributions_in_flight = contributions_refused = contributions_unexplained = 0
    for pk, title, _email, _capitals in db["contributions"]:
        if pk in acked_ids:
            continue
        entry = markers.get(title)
        if entry is None:
            contributions_unexplained += 1
        elif entry.status == IN_FLIGHT:
            contributions_in_flight += 1
        else:
            contributions_refused += 1
    return {
        "votes_acknowledged": sum(e.kind == VOTE and e.acknowledged for e in entries),
        "vote_pairs": len(votes),
        "votes_lost": lost,
        "votes_wrong": wrong,
        "votes_duplicated_rows": duplicated,
        "votes_repeated_revision": repeated_revision,
        "votes_unexplained": unexplained,
        "votes_in_flight_written": in_flight_written,
        "votes_refused_written": refused_written,
        "history_mismatch": db["history_mismatch"],
        "events_without_vote": db["events_without_vote"],
        "contributions_acknowledged": len(acked_ids),
        "contributions_lost": contributions_lost,
        "contributions_duplicated": sum(n - 1 for n in titles.values() if n > 1),
        "contributions_without_capitals": sum(1 for row in db["contributions"] if row[3] == 0),
        "contributions_unexplained": contributions_unexplained,
        "contributions_in_flight_written": contributions_in_flight,
        "contributions_refused_written": contributions_refused,
        "in_flight": sum(e.status == IN_FLIGHT for e in entries),
        "integrity_check": db["integrity_check"],
        "foreign_key_violations": db["foreign_key_violations"],
    }


#: The fields of :func:`check` that must be zero (or "ok…") for the run to pass.
MUST_BE_ZERO = (
    "votes_lost",
    "votes_wrong",
    "votes_duplicated_rows",
    "votes_repeated_revision",
    "votes_unexplained",
    "votes_refused_written",
    "history_mismatch",
    "events_without_vote",
    "contributions_lost",
    "contributions_duplicated",
    "contributions_without_capitals",
    "contributions_unexplained",
    "contributions_refused_written",
    "foreign_key_violations",
)


def failures(result: dict[str, Any]) -> list[str]:
    """What is wrong in a :func:`check` result: ``[]`` when every write is accounted for."""
    wrong = [f"{name}={result[name]}" for name in MUST_BE_ZERO if result[name]]
    if not str(result["integrity_check"]).startswith("ok"):
        wrong.append(f"integrity_check={result['integrity_check']}")
    return wrong
