"""Benchmark: one app server or two, on the same PostgreSQL and Redis (issue 17).

``section(quick)`` prepares one PostgreSQL database as ``bench_votes`` does (one open
consultation, 200 statements, 64 voters with API tokens), starts a Redis server
(:mod:`cityforum.testing.redis`) and measures, in the same run, 64 keep-alive clients
casting random votes (``bench_votes``' lean clients) for 20 s each (5 s with ``quick``):

1. one ``cityforum serve`` (2 workers) with its limits in Redis (``REDIS_URL`` set);
2. two ``cityforum serve`` (2 workers each) on two ports, the clients spread over both —
   what a load balancer does — limits in Redis;
3. one ``cityforum serve`` with in-process limits (no ``REDIS_URL``): the cost of shared
   limits is the difference between 1 and 3.

After all runs, the database is checked against every acknowledged vote (lost, wrong value,
duplicated must all be 0). Limits count every vote but are set too high to refuse one.

Run alone: ``.venv/bin/python bench/bench_scaleout.py [--quick]``.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "src"))

import bench_votes  # noqa: E402  (the vote clients, setup and check are shared)

CLIENTS = 64


def _env(database_url: str, workdir: Path, redis_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-not-a-secret",
        "CITYFORUM_VAR_DIR": str(workdir / "var"),
        "DJANGO_SETTINGS_MODULE": "cityforum.settings.prod",
        "CITYFORUM_WRITE_RATE_PER_PERSON": "100000000/m",
        "CITYFORUM_WRITE_RATE_PER_ADDRESS": "100000000/m",
        "CITYFORUM_VOTE_RATE": "100000000/m",
        "LOG_LEVEL": "ERROR",
        "LANG": "en_GB.UTF-8",
    }
    env.pop("REDIS_URL", None)
    env.pop("HUEY_REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    (workdir / "var").mkdir(parents=True, exist_ok=True)
    return env


def _serve(env: dict[str, str]) -> tuple[int, subprocess.Popen]:
    port = bench_votes._free_port()
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [str(bench_votes.CITYFORUM), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bench_votes._wait(port, server)
    return port, server


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _votes(ports: list[int], seconds: float, setup: dict) -> dict:
    """64 clients over ``ports`` (in turn), as bench_votes._load does for one port."""
    processes = min(8, max(2, os.cpu_count() or 2))
    processes -= processes % len(ports)
    per = [CLIENTS // processes + (1 if i < CLIENTS % processes else 0) for i in range(processes)]
    jobs = [
        (
            ports[i % len(ports)],
            "votes",
            n,
            seconds,
            setup["consultation"],
            setup["statements"],
            setup["tokens"],
            i + int(seconds * 1000),
        )
        for i, n in enumerate(per)
    ]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        logs = pool.map(bench_votes._client, jobs)
    log = [entry for part in logs for entry in part]
    ok = sorted(entry[0] for entry in log if entry[1] in (200, 201)) or [float("nan")]
    return {
        "log": log,
        "throughput": sum(1 for e in log if e[1] in (200, 201)) / seconds,
        "p50": statistics.median(ok) * 1000,
        "p99": ok[min(len(ok) - 1, int(0.99 * len(ok)))] * 1000,
        "others": Counter(e[1] for e in log if e[1] not in (200, 201)),
    }


def section(quick: bool = False) -> str:
    from cityforum.testing.postgres import PostgresServer
    from cityforum.testing.redis import RedisServer

    seconds = 5.0 if quick else 20.0
    workdir = Path(tempfile.mkdtemp(prefix="cityforum-bench-scaleout-"))
    postgres = PostgresServer().start()
    redis = RedisServer().start()
    rows: list[str] = []
    logs: list[list[tuple]] = []
    results: dict[str, dict] = {}
    try:
        shared = _env(postgres.url, workdir / "shared", redis.url)
        bench_votes._run(["init", "--skip-cities"], shared)
        setup = bench_votes._shell(
            bench_votes.SETUP.format(
                statements=bench_votes.N_STATEMENTS, participants=bench_votes.N_PARTICIPANTS
            ),
            shared,
        )
        runs = [
            ("one server, limits in Redis", [shared]),
            (
                "two servers, limits in Redis",
                [shared, _env(postgres.url, workdir / "shared", redis.url)],
            ),
            ("one server, limits in each process", [_env(postgres.url, workdir / "shared", None)]),
        ]
        for label, envs in runs:
            servers = [_serve(env) for env in envs]
            ports = [port for port, _server in servers]
            try:
                logs.append(_votes(ports, bench_votes.WARMUP_S, setup)["log"])  # untimed
                result = _votes(ports, seconds, setup)
            finally:
                for _port, server in servers:
                    _stop(server)
            logs.append(result["log"])
            results[label] = result
            others = ", ".join(f"{n}× {s}" for s, n in sorted(result["others"].items())) or "none"
            rows.append(
                f"| {label} | {len(envs)} × 2 | {result['throughput']:.0f} | "
                f"{result['p50']:.1f} | {result['p99']:.1f} | {others} |"
            )
        check = bench_votes._verify(logs, setup, shared)
    finally:
        redis.stop()
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    one, two = results["one server, limits in Redis"], results["two servers, limits in Redis"]
    local = results["one server, limits in each process"]
    return (
        "## Several app servers: one vs two, shared limits\n\n"
        f"Vote writes (`POST /api/v1/consultations/{{id}}/votes`) by {CLIENTS} keep-alive "
        f"clients (`bench_votes`' lean clients, random voter, statement and value) for "
        f"{seconds:.0f} s per row, each after {bench_votes.WARMUP_S:.0f} s of untimed voting, "
        "against one PostgreSQL and one Redis started for the run (`bench/bench_scaleout.py`). "
        "With two servers the clients alternate between their ports, as a load balancer "
        "would. **The machine was shared** with other work while this ran (2 cores for "
        "everything: PostgreSQL, Redis, the servers and the clients), so the figures are a "
        "floor and the ratio between rows is what they show.\n\n"
        "| run | processes | votes/s | p50 ms | p99 ms | other answers |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Two servers / one server: **{two['throughput'] / one['throughput']:.2f}×** the votes "
        "per second. On one 2-core machine a second server cannot add cores: both servers, "
        "PostgreSQL, Redis and the clients share the same two, so the ratio measures the cost "
        "of the extra processes, not what a second host adds (on separate hosts, each server "
        "brings its own cores and the shared PostgreSQL becomes the limit).\n\n"
        f"Cost of shared limits: vote p99 {one['p99']:.1f} ms with limits in Redis vs "
        f"{local['p99']:.1f} ms in-process (p50 {one['p50']:.1f} vs {local['p50']:.1f} ms); "
        "each vote asks Redis once (one script counts its three limits).\n\n"
        f"Check of the database after all runs: {check['acknowledged']} votes acknowledged on "
        f"{check['keys']} (voter, statement) pairs; lost {check['lost']}, wrong value "
        f"{check['wrong']}, duplicated {check['duplicated']}, unacknowledged rows "
        f"{check['extra_rows']}.\n"
    )


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
