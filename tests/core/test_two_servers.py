"""Two servers, one forum: two ``cityforum serve`` processes on two ports, sharing one
PostgreSQL and one Redis, as a site behind a load balancer runs on several hosts.

A person's limits hold across both (whichever server takes the request over the limit
answers 429), concurrent votes on both never pass it, a session started on one server is
valid on the other; and when Redis goes away while both serve, pages and writes go on
(limits counted per process, the rule of docs/deploy.md) and come back to Redis without a
restart. A job is run once by a separate worker; a worker SIGKILLed mid-job leaves its run to
the next, which completes it once; a job Redis refuses leaves no "queued" run. Real
processes, real servers (:mod:`cityforum.testing.served`); in the PostgreSQL
pass of ``make test``.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import psycopg
import pytest
import redis as redis_client

from cityforum.testing import load
from cityforum.testing.postgres import PostgresServer
from cityforum.testing.redis import RedisServer
from cityforum.testing.served import MARKER, ServedSite, kill_group

pytestmark = pytest.mark.postgres_only

SLUGS = ("regional-africa",)
#: Votes per person: low enough to reach, in a window of a week (real processes keep the
#: real clock; a week's window cannot end during a test of seconds, except at its edge).
VOTE_RATE = "6/7d"
LIMIT = 6
PERSON = ("two-servers@example.org", "a long enough password 42")

SIGN_IN_USER = """
import json
from django.utils import timezone
from cityforum.people.models import User
user = User.objects.create_user({email!r}, {password!r})
user.email_verified_at = timezone.now()
user.save()
print({marker!r} + json.dumps(user.pk))
"""


@dataclass
class Forum:
    one: ServedSite
    two: ServedSite
    redis: RedisServer
    setup: dict[str, Any]


@pytest.fixture(scope="module")
def forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forum]:
    workdir = tmp_path_factory.mktemp("two-servers")
    postgres = PostgresServer().start()
    redis = RedisServer().start()
    env = {"REDIS_URL": redis.url, "CITYFORUM_VOTE_RATE": VOTE_RATE}
    sites = [
        ServedSite(postgres.url, workdir / name, workers=1, plain_static=True, extra_env=env)
        for name in ("one", "two")
    ]
    try:
        sites[0].init()
        setup = sites[0].shell(load.setup_code(SLUGS, 4, 6, MARKER))
        sites[0].shell(SIGN_IN_USER.format(email=PERSON[0], password=PERSON[1], marker=MARKER))
        for site in sites:
            site.start()
        yield Forum(sites[0], sites[1], redis, setup)
    finally:
        for site in sites:
            site.kill()
        redis.stop()
        postgres.stop()


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def vote(site: ServedSite, forum: Forum, token: str, value: int) -> int:
    consultation = forum.setup["consultations"][SLUGS[0]]
    body = json.dumps({"statement": forum.setup["statements"][0], "value": value}).encode()
    status, _headers, _body = request(
        site.port,
        "POST",
        f"/api/v1/consultations/{consultation}/votes",
        body,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return status


def events_of(forum: Forum, token_index: int) -> int:
    code = (
        "import json\nfrom cityforum.statements.models import VoteEvent\n"
        f"n = VoteEvent.objects.filter(voter__user__email='load-{token_index}@example.org')"
        f".count()\nprint({MARKER!r} + json.dumps(n))"
    )
    return int(forum.one.shell(code))


def test_a_persons_vote_limit_holds_across_both_servers(forum: Forum) -> None:
    token = forum.setup["tokens"][0]
    answers = [
        (site, vote(site, forum, token, value))
        for site, value in zip([forum.one, forum.two] * 5, [1, -1, 0] * 4, strict=False)
    ]
    statuses = [status for _site, status in answers]
    assert statuses[:LIMIT] == [201] + [200] * (LIMIT - 1)
    assert statuses[LIMIT:] == [429] * (10 - LIMIT)
    assert {site.port for site, status in answers if status == 429} == {
        forum.one.port,
        forum.two.port,
    }, "both servers refuse, whichever takes the request over the limit"
    assert events_of(forum, 0) == LIMIT


def test_votes_sent_together_to_both_servers_never_pass_the_limit(forum: Forum) -> None:
    """16 votes at once, 8 on each server: exactly the limit is written (the limiter counts
    before the write, atomically in Redis; before, two processes each let 6 through)."""
    token = forum.setup["tokens"][1]
    vote(forum.one, forum, token, 1)  # the voter exists: the rest may take the fast route
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def send(site: ServedSite, value: int) -> None:
        barrier.wait()
        statuses.append(vote(site, forum, token, value))

    threads = [
        threading.Thread(target=send, args=(site, n % 3 - 1))
        for n, site in enumerate([forum.one, forum.two] * 8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * (LIMIT - 1) + [429] * (17 - LIMIT)
    assert events_of(forum, 1) == LIMIT


def _cookies(headers: list[tuple[str, str]] | dict[str, str], jar: dict[str, str]) -> None:
    items = headers.items() if isinstance(headers, dict) else headers
    for name, value in items:
        if name.lower() == "set-cookie":
            for morsel in SimpleCookie(value).values():
                jar[morsel.key] = morsel.value


def _get_all_headers(port: int, path: str, jar: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        _cookies(response.getheaders(), jar)
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_a_session_started_on_one_server_is_valid_on_the_other(forum: Forum) -> None:
    jar: dict[str, str] = {}
    status, page = _get_all_headers(forum.one.port, "/en/accounts/login/", jar)
    assert status == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    body = (
        f"csrfmiddlewaretoken={csrf[1]}&username={PERSON[0].replace('@', '%40')}"
        f"&password={PERSON[1].replace(' ', '+')}"
    ).encode()
    conn = http.client.HTTPConnection("127.0.0.1", forum.one.port, timeout=30)
    try:
        conn.request(
            "POST",
            "/en/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                "Referer": f"http://127.0.0.1:{forum.one.port}/en/accounts/login/",
            },
        )
        response = conn.getresponse()
        response.read()
        _cookies(response.getheaders(), jar)
        assert response.status == 302, "signed in on the first server"
    finally:
        conn.close()
    assert "sessionid" in jar
    status, page = _get_all_headers(forum.two.port, "/en/accounts/profile/", jar)
    assert status == 200 and PERSON[0] in page, "the second server knows the session"


def test_redis_stopped_while_serving_pages_and_writes_go_on_and_come_back_to_redis(
    forum: Forum,
) -> None:
    """The rule of docs/deploy.md: limits count per process while Redis is away (no 500,
    no refused write because of it); each acknowledged vote is in the database; once Redis
    is back, counts are shared there again, without a restart."""
    token = forum.setup["tokens"][2]
    client = redis_client.Redis.from_url(forum.redis.url)
    forum.redis.pause()
    try:
        statuses = [
            vote(site, forum, token, n % 3 - 1) for n, site in enumerate([forum.one, forum.two] * 2)
        ]
        pages = [
            request(site.port, "GET", path)[0]
            for site in (forum.one, forum.two)
            for path in ("/en/", "/en/accounts/login/", "/api/v1/health")
        ]
    finally:
        forum.redis.resume()
    assert statuses == [201, 200, 200, 200]
    assert pages == [200] * 6
    assert events_of(forum, 2) == 4, "every acknowledged vote was written"
    time.sleep(2.5)  # the processes try Redis again after 2 s
    assert [vote(site, forum, token, 1) for site in (forum.one, forum.two)] == [200, 200]
    keys = [key for key in client.scan_iter(match="cityforum:limit:vote:*")]
    assert keys and int(client.get(keys[0]) or 0) == 2, "counted in Redis again"


VOTES_AND_QUEUE = """
import json, random
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.statements import services
c = Consultation.objects.get(slug={slug!r})
rng = random.Random(7)
for user in User.objects.filter(email__startswith="load-").exclude(email__contains="organiser"):
    for statement in c.statements.all():
        services.cast_vote(c, statement.pk, rng.choice([-1, 0, 1]), user=user)
print({marker!r} + json.dumps(c.pk))
"""

RUNS = """
import json
from cityforum.synthesis.models import OpinionMapRun
print({marker!r} + json.dumps([[r.status, r.error] for r in OpinionMapRun.objects.all()]))
"""


def test_a_job_queued_by_one_process_is_run_once_by_a_separate_worker(forum: Forum) -> None:
    """The queue is Redis (RedisHuey, from REDIS_URL): a job queued by any process of any
    host is taken by the worker, once."""
    forum.one.shell(VOTES_AND_QUEUE.format(slug=SLUGS[0], marker=MARKER))
    forum.two.run("synthesize", "opinion", SLUGS[0], "--background")
    assert forum.one.shell(RUNS.format(marker=MARKER)) == [["queued", ""]]
    client = redis_client.Redis.from_url(forum.redis.url)
    queues = [key for key in client.scan_iter(match="huey.redis.*") if client.type(key) == b"list"]
    assert [client.llen(key) for key in queues] == [1], "the job waits in Redis"
    worker = forum.one.popen("manage", "run_huey", "--workers", "1")
    try:
        deadline = time.monotonic() + 120
        runs = []
        while time.monotonic() < deadline:
            runs = forum.one.shell(RUNS.format(marker=MARKER))
            if runs and runs[0][0] not in ("queued", "running"):
                break
            time.sleep(1)
    finally:
        kill_group(worker)
    assert runs == [["done", ""]]
    assert [client.llen(key) for key in queues] == [0]


#: The worker's lease in the tests below: a killed worker's run is computed again seconds
#: after, not the 15 minutes of the default.
LEASE_SECONDS = "3"


def _run_rows(forum: Forum, seed: int) -> list[tuple[int, str, str, int, int, bool]]:
    """(id, status, stage, attempt, progress, has a result) of the opinion-map runs of
    ``seed``, straight from PostgreSQL."""
    with psycopg.connect(forum.one.database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT id, status, stage, attempt, progress, result IS NOT NULL"
            " FROM synthesis_opinionmaprun WHERE seed = %s ORDER BY id",
            (seed,),
        ).fetchall()


def _verbs(forum: Forum, run_id: int) -> list[str]:
    with psycopg.connect(forum.one.database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT verb FROM core_auditevent WHERE target_id = %s AND verb LIKE 'opinion_map.%%'"
            " ORDER BY id",
            (str(run_id),),
        ).fetchall()
    return [verb for (verb,) in rows]


def _with_votes(forum: Forum) -> None:
    """The consultation's votes, cast once for the module (the queue test casts them too)."""
    with psycopg.connect(forum.one.database_url, autocommit=True) as conn:
        [(n,)] = conn.execute("SELECT count(*) FROM statements_vote").fetchall()
    if not n:
        forum.one.shell(VOTES_AND_QUEUE.format(slug=SLUGS[0], marker=MARKER))


def _wait(condition: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_job_leaves_its_run_to_the_next_worker_which_completes_it_once(
    forum: Forum,
) -> None:
    """huey's Redis queue never acknowledges a job: the SIGKILLed worker took its job with
    it. The run's row says what happened (running, its lease passed); the next worker, when
    it starts, queues the run again and computes it: one result, one completion in the audit
    trail, the lost attempt recorded (docs/deploy.md, "Background jobs").

    Mid-job, for sure: the test holds an exclusive lock on the votes table, so the worker,
    once it has claimed the run and started reading the votes, waits inside its real work
    until it is killed."""
    seed = 11  # parameters of their own: computed, not reused from an earlier test's run
    _with_votes(forum)
    forum.one.extra_env["CITYFORUM_JOB_LEASE_SECONDS"] = LEASE_SECONDS
    lock = psycopg.connect(forum.one.database_url)
    first = second = None
    try:
        lock.execute("LOCK TABLE statements_vote IN ACCESS EXCLUSIVE MODE")
        forum.two.run("synthesize", "opinion", SLUGS[0], "--background", "--seed", str(seed))
        first = forum.one.popen("manage", "run_huey", "--workers", "1")
        [(run_id, *_rest)] = _wait(
            lambda: [row for row in _run_rows(forum, seed) if row[2] == "reading"],
            60,
            "the worker to claim the run and start reading",
        )
        kill_group(first)
        lock.rollback()  # the votes readable again
        killed = _run_rows(forum, seed)
        assert [row[1:4] for row in killed] == [("running", "reading", 1)], "left running"

        time.sleep(float(LEASE_SECONDS) + 0.5)  # the dead worker's lease passes
        second = forum.one.popen("manage", "run_huey", "--workers", "1")
        _wait(
            lambda: _run_rows(forum, seed)[0][1] not in ("queued", "running"),
            120,
            "the run to finish",
        )
    finally:
        forum.one.extra_env.pop("CITYFORUM_JOB_LEASE_SECONDS", None)
        lock.close()
        for worker in (first, second):
            if worker is not None:
                kill_group(worker)
    assert _run_rows(forum, seed) == [(run_id, "done", "done", 2, 100, True)], forum.one.shell(
        RUNS.format(marker=MARKER)
    )
    assert _verbs(forum, run_id) == [
        "opinion_map.queue",
        "opinion_map.requeue",
        "opinion_map.done",
    ], "queued, lost once, completed once"


def test_a_job_refused_while_redis_is_away_leaves_no_queued_run(forum: Forum) -> None:
    """The run is recorded before its job is handed to the queue; when Redis refuses the
    job, the run fails with the reason instead of waiting, "queued", for a job that does not
    exist (the request that asked gets a 503: tests/core/test_shared_state.py)."""
    seed = 12
    forum.redis.pause()
    try:
        with pytest.raises(RuntimeError, match="job queue could not be reached") as refused:
            forum.one.run("synthesize", "opinion", SLUGS[0], "--background", "--seed", str(seed))
    finally:
        forum.redis.resume()
    assert "Traceback" not in str(refused.value), "one line, not a stack trace"
    [(run_id, status, stage, attempt, _progress, has_result)] = _run_rows(forum, seed)
    assert (status, stage, attempt, has_result) == ("failed", "failed", 0, False)
    with psycopg.connect(forum.one.database_url, autocommit=True) as conn:
        [(error,)] = conn.execute(
            "SELECT error FROM synthesis_opinionmaprun WHERE id = %s", (run_id,)
        ).fetchall()
    assert "job queue could not be reached" in error
    assert _verbs(forum, run_id) == ["opinion_map.queue", "opinion_map.fail"]
