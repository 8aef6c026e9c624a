"""Benchmark of vote writes through the real HTTP stack (``cityforum serve``: gunicorn).

``section(quick)`` prepares a fresh database (``cityforum init --skip-cities``; one open
consultation with 200 accepted statements and 64 participants with API tokens, made by the
statements services in a ``cityforum manage shell`` subprocess), starts the server the way
``make run`` does, and drives it with 16 and then 64 concurrent keep-alive clients (threads
with a lean HTTP/1.1 client, spread over a few processes so that the client's GIL is not the
limit)
for 30 s each (5 s with ``quick``): first ``GET /api/v1/health`` (the baseline: the same
stack doing nothing), then ``POST /api/v1/consultations/{id}/votes`` with a random voter,
statement and value per request. It reports throughput, p50/p99 latency and the ratio of
vote throughput to health throughput, then checks the database against the clients' log:
every acknowledged vote present with its last value (the acknowledgement with the highest
``revision``), as many revisions as acknowledgements, no duplicated row. Then the same on
PostgreSQL (``cityforum.testing.postgres.PostgresServer``), when its binaries are present.

Run alone: ``.venv/bin/python bench/bench_votes.py [--quick]``.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CITYFORUM = REPO / ".venv" / "bin" / "cityforum"
N_STATEMENTS, N_PARTICIPANTS = 200, 64
CLIENTS = (16, 64)
#: Seconds of untimed voting before each timed run (see ``_run_database``).
WARMUP_S = 3.0
TARGET_RATIO, TARGET_P99_MS = 0.5, 100.0

SETUP = """
import json
from cityforum.people.models import ApiToken, Role, User
from cityforum.programme.models import Consultation
from cityforum.statements import services
c = Consultation.objects.get(slug="regional-africa")
boss = User.objects.create_user("bench-organiser@example.org", None, role=Role.ORGANISER)
if c.status != "open":
    services.change_consultation_status(c, "open", by=boss)
ids = [services.add_statement(c, f"Bench statement {{n}}.", by=boss, language="en").pk
       for n in range({statements})]
tokens = []
for n in range({participants}):
    user = User.objects.create_user(f"bench-{{n}}@example.org", None)
    tokens.append(ApiToken.issue(user)[1])
print("BENCH" + json.dumps({{"consultation": c.pk, "statements": ids, "tokens": tokens}}))
"""

CHECK = """
import json
from cityforum.statements.models import Vote, VoteEvent
rows = list(Vote.objects.values_list("voter__user__email", "statement_id", "value", "revision"))
print("BENCH" + json.dumps({"votes": rows, "events": VoteEvent.objects.count()}))
"""


def _run(args: list[str], env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(  # noqa: S603 - our own command line
        [str(CITYFORUM), *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"cityforum {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _shell(code: str, env: dict[str, str]) -> dict:
    out = _run(["manage", "shell", "-c", code], env)
    line = next(line for line in out.splitlines() if line.startswith("BENCH"))
    return json.loads(line.removeprefix("BENCH"))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, server: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {seconds:.0f} s")


class _Connection:
    """A keep-alive HTTP/1.1 connection that sends prepared bytes and reads the answer with
    the least work: the status line and ``Content-Length``, nothing else.

    Why not ``http.client``: it parses every answer's headers with the ``email`` package,
    about as much CPU as the server spends on a vote; on a machine whose cores the clients
    share with the server, that CPU is taken from the server being measured. The server
    sees the same requests either way (a load tool such as wrk or k6 would do the same).
    """

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def request(self, data: bytes) -> tuple[int, bytes]:
        self.sock.sendall(data)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._fill()
        head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
        status = int(head[9:12])
        match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if match is None:  # every answer of the server has one (no chunked encoding)
            raise ValueError(f"no Content-Length in the answer: {head[:200]!r}")
        length = int(match[1])
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body

    def close(self) -> None:
        self.sock.close()


def _client(args: tuple) -> list[tuple]:
    """One client process: ``threads`` keep-alive connections for ``seconds``.

    Returns one tuple per request: (latency s, status, token index, statement, value, revision).
    """
    import gc
    import threading

    port, kind, threads, seconds, consultation, statements, tokens, seed = args
    # The log grows by a tuple per request: the cyclic collector's pauses, which stop every
    # thread of this process, would be measured as the server's latency. Nothing here
    # makes reference cycles.
    gc.disable()
    log: list[tuple] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    host = f"Host: 127.0.0.1:{port}\r\n"
    health = f"GET /api/v1/health HTTP/1.1\r\n{host}\r\n".encode()

    def vote_request(token: str, statement: int, value: int) -> bytes:
        body = json.dumps({"statement": statement, "value": value})
        return (
            f"POST /api/v1/consultations/{consultation}/votes HTTP/1.1\r\n{host}"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()

    def run(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = _Connection(port)
        mine: list[tuple] = []
        while time.monotonic() < stop:
            if kind == "health":
                started = time.perf_counter()
                status, _body = conn.request(health)
                mine.append((time.perf_counter() - started, status, -1, 0, 0, 0))
                continue
            who = rng.randrange(len(tokens))
            statement = rng.choice(statements)
            value = rng.choice((-1, 0, 1))
            data = vote_request(tokens[who], statement, value)
            started = time.perf_counter()
            status, body = conn.request(data)
            elapsed = time.perf_counter() - started
            revision = json.loads(body)["revision"] if status in (200, 201) else 0
            mine.append((elapsed, status, who, statement, value, revision))
        conn.close()
        with lock:
            log.extend(mine)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return log


def _load(port: int, kind: str, clients: int, seconds: float, setup: dict) -> dict:
    processes = min(8, clients, max(2, (os.cpu_count() or 2)))
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    jobs = [
        (port, kind, n, seconds, setup["consultation"], setup["statements"], setup["tokens"], i)
        for i, n in enumerate(per)
    ]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        logs = pool.map(_client, jobs)
    return _summary([entry for part in logs for entry in part], seconds)


def _summary(log: list[tuple], seconds: float) -> dict:
    """Throughput, p50 and p99 of the answered requests of a client log over ``seconds``."""
    ok = [entry for entry in log if entry[1] in (200, 201)]
    latencies = sorted(entry[0] for entry in ok) or [float("nan")]
    return {
        "log": log,
        "ok": len(ok),
        "statuses": Counter(entry[1] for entry in log),
        "throughput": len(ok) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000,
    }


def _verify(logs: list[list[tuple]], setup: dict, env: dict[str, str]) -> dict:
    """Compare the database with every acknowledged vote of the clients' logs."""
    acked: dict[tuple[str, int], list[tuple[int, int]]] = {}
    total = 0
    for log in logs:
        for _elapsed, status, who, statement, value, revision in log:
            if status in (200, 201):
                total += 1
                acked.setdefault((f"bench-{who}@example.org", statement), []).append(
                    (revision, value)
                )
    db = _shell(CHECK, env)
    rows: dict[tuple[str, int], tuple[int, int]] = {}
    duplicated = 0
    for email, statement, value, revision in db["votes"]:
        key = (email, statement)
        duplicated += key in rows
        rows[key] = (value, revision)
    lost = wrong = 0
    for key, acks in acked.items():
        revision, value = max(acks)
        if key not in rows:
            lost += 1
        elif rows[key] != (value, revision) or revision != len(acks):
            wrong += 1
    return {
        "acknowledged": total,
        "keys": len(acked),
        "lost": lost,
        "wrong": wrong,
        "duplicated": duplicated,
        "extra_rows": len(set(rows) - set(acked)),
        "events": db["events"],
    }


def _run_database(label: str, database_url: str, seconds: float, workdir: Path) -> list[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-not-a-secret",
        "CITYFORUM_VAR_DIR": str(workdir / "var"),
        "DJANGO_SETTINGS_MODULE": "cityforum.settings.prod",
        # 64 simulated voters on one address cast ~15 votes a second each: the limiters
        # still count every write (their cost is measured) but never refuse one.
        "CITYFORUM_WRITE_RATE_PER_PERSON": "100000000/m",
        "CITYFORUM_WRITE_RATE_PER_ADDRESS": "100000000/m",
        "CITYFORUM_VOTE_RATE": "100000000/m",
        "LOG_LEVEL": "ERROR",
        "LANG": "en_GB.UTF-8",
    }
    (workdir / "var").mkdir(parents=True, exist_ok=True)
    _run(["init", "--skip-cities"], env)
    setup = _shell(SETUP.format(statements=N_STATEMENTS, participants=N_PARTICIPANTS), env)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(CITYFORUM), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = []
    logs = []
    try:
        _wait(port, server)
        _load(port, "health", 4, 1, setup)  # warm up both workers
        for clients in CLIENTS:
            health = _load(port, "health", clients, seconds, setup)
            # Steady state: every voter's first vote (Django makes the voter), each server
            # thread's first database connection, happen in a warm-up at the same
            # concurrency; its votes are not timed but are checked with the others.
            logs.append(_load(port, "votes", clients, WARMUP_S, setup)["log"])
            votes = _load(port, "votes", clients, seconds, setup)
            logs.append(votes["log"])
            ratio = votes["throughput"] / health["throughput"] if health["throughput"] else 0
            others = {s: n for s, n in votes["statuses"].items() if s not in (200, 201)}
            rows.append(
                f"| {label} | {clients} | {health['throughput']:.0f} | {health['p50']:.1f} | "
                f"{health['p99']:.1f} | {votes['throughput']:.0f} | {votes['p50']:.1f} | "
                f"{votes['p99']:.1f} | {ratio:.2f} | "
                f"{', '.join(f'{n}× {s}' for s, n in sorted(others.items())) or 'none'} |"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    check = _verify(logs, setup, env)
    rows.append(
        f"| {label}: check | {check['acknowledged']} votes acknowledged on {check['keys']} "
        f"(voter, statement) pairs; {check['events']} in the history | lost {check['lost']} | "
        f"wrong value {check['wrong']} | duplicated {check['duplicated']} | "
        f"unacknowledged rows {check['extra_rows']} | | | |"
    )
    return rows


def section(quick: bool = False) -> str:
    seconds = 5.0 if quick else 30.0
    rows: list[str] = []
    notes: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="cityforum-bench-votes-"))
    try:
        rows += _run_database("SQLite", f"sqlite:///{workdir / 'bench.sqlite3'}", seconds, workdir)
        try:
            from cityforum.testing.postgres import PostgresServer, PostgresUnavailable
        except ImportError:  # pragma: no cover
            sys.path.insert(0, str(REPO / "src"))
            from cityforum.testing.postgres import PostgresServer, PostgresUnavailable
        try:
            postgres = PostgresServer().start()
        except PostgresUnavailable as error:
            notes.append(f"PostgreSQL not measured: {error}")
        else:
            try:
                pg_dir = workdir / "pg"
                pg_dir.mkdir()
                rows += _run_database("PostgreSQL", postgres.url, seconds, pg_dir)
            finally:
                postgres.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    header = (
        "## Vote writes\n\n"
        f"`POST /api/v1/consultations/{{id}}/votes` through `cityforum serve` (gunicorn, "
        f"{os.environ.get('WEB_CONCURRENCY', '2')} workers × 4 threads), {N_PARTICIPANTS} "
        f"voters with API tokens, {N_STATEMENTS} statements, random votes, keep-alive clients "
        f"for {seconds:.0f} s each; baseline `GET /api/v1/health` measured the same way just "
        f"before. Ratio = vote throughput / health throughput. Targets: ratio ≥ "
        f"{TARGET_RATIO}, p99 < {TARGET_P99_MS:.0f} ms, zero lost or duplicated votes. The "
        "clients run on the same machine as the server, as lean HTTP/1.1 clients (raw "
        "sockets, no header parsing beyond the status and length, no garbage-collector "
        "pauses) so that the load generator takes as little as it can of the cores it "
        f"shares with the server. Each timed run follows {WARMUP_S:.0f} s of untimed "
        "voting at the same concurrency, whose votes are checked with the others. Each "
        "voter's first vote in the consultation goes through Django (it creates the "
        "voter); later ones are answered "
        "by the vote's own WSGI route in front of Django (`statements/fastvote.py`, "
        "[docs/votes.md](votes.md)); write limits count every vote but are set high enough "
        "never to refuse one (64 simulated people on one address vote far faster than "
        "people do).\n\n"
        "| database | clients | health req/s | health p50 ms | health p99 ms | votes req/s | "
        "votes p50 ms | votes p99 ms | ratio | other answers |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    return header + "\n".join(rows) + ("\n\n" + "\n".join(notes) if notes else "") + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    print(section(quick="--quick" in sys.argv))
