"""The live opinion map (issue 16): updates that follow the votes, coalesced and warm-started;
what participants see, and what they never see; the API with ETags; faults.

These tests use ``transactional_db``: an update is enqueued when the vote's transaction
commits, which a test wrapped in one transaction never does. The job queue runs jobs at once
(huey's immediate mode in the test settings), so a vote's update has finished when the vote's
request returns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from cityforum.core.models import AuditEvent
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.statements import services
from cityforum.statements.models import Vote, VoteEvent, Voter, VotingSettings
from cityforum.synthesis.opinion import live
from cityforum.synthesis.opinion.input import read_opinion_input
from cityforum.synthesis.opinion.live_models import LiveMap, LiveMapUpdate, PolisImportInfo

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-pass-phrase"
N_STATEMENTS = 10


@pytest.fixture(autouse=True)
def _fresh_process(settings: Any) -> Iterator[None]:
    from cityforum.synthesis.jobs import update_live_opinion_map

    settings.CITYFORUM_LIVE_MAP_MIN_INTERVAL = 0
    settings.CITYFORUM_LIVE_MAP_MAX_SHARE = 1  # no rest after an update: each vote updates
    live.reset_process_state()
    update_live_opinion_map.huey.flush()  # jobs scheduled by an earlier test
    yield
    live.reset_process_state()


@pytest.fixture
def consultation(programme: None) -> Consultation:
    consultation = Consultation.objects.get(slug="regional-africa")
    consultation.status = "open"
    consultation.save()
    VotingSettings.objects.create(consultation=consultation, allow_anonymous=True)
    return consultation


@pytest.fixture
def organiser(programme: None) -> User:
    return User.objects.create_user("organiser@example.org", PASSWORD, role="organiser")


@pytest.fixture
def statements(consultation: Consultation, organiser: User) -> list[int]:
    return [
        services.add_statement(consultation, f"Statement number {i}.", by=organiser).pk
        for i in range(N_STATEMENTS)
    ]


def camp_vote(consultation: Consultation, statements: list[int], who: str, camp: int) -> None:
    """Camp 0 agrees with the first half and disagrees with the second; camp 1 the reverse."""
    for i, sid in enumerate(statements):
        value = 1 if (i < len(statements) // 2) == (camp == 0) else -1
        services.cast_vote(consultation, sid, value, session_key=who)


def two_camps(consultation: Consultation, statements: list[int], n: int = 12) -> None:
    for i in range(n):
        camp_vote(consultation, statements, f"camp0-{i}", 0)
        camp_vote(consultation, statements, f"camp1-{i}", 1)


def organiser_client(organiser: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(organiser)
    return client


def participant_client(consultation: Consultation, statements: list[int], camp: int) -> Client:
    """A signed-in participant who votes with ``camp`` through the voting page."""
    n = User.objects.count()
    user = User.objects.create_user(f"p{n}@example.org", PASSWORD, role="participant")
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    for i, sid in enumerate(statements):
        value = 1 if (i < len(statements) // 2) == (camp == 0) else -1
        response = client.post(f"/en/vote/{consultation.slug}/", {"statement": sid, "value": value})
        assert response.status_code == 302
    return client


@contextlib.contextmanager
def held_elsewhere(consultation_id: int) -> Iterator[None]:
    """The update lock held by another worker: another database session on PostgreSQL (an
    advisory lock is re-entrant within one session), another open file on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        with live._update_lock(consultation_id) as held:
            assert held
            yield
        return
    import psycopg

    params = connection.get_connection_params()
    keep = ("host", "port", "dbname", "user", "password")
    with psycopg.connect(**{k: params[k] for k in keep if params.get(k)}) as other:
        key = [live.ADVISORY_CLASS, consultation_id]
        other.execute("SELECT pg_advisory_lock(%s, %s)", key)
        yield
        other.execute("SELECT pg_advisory_unlock(%s, %s)", key)  # its update finished


def latest(consultation: Consultation) -> LiveMapUpdate | None:
    live_map = LiveMap.objects.filter(consultation=consultation).select_related("latest").first()
    return live_map.latest if live_map else None


# --- the switch -------------------------------------------------------------------------------


def test_the_live_map_is_off_by_default_and_votes_make_no_update(
    consultation: Consultation, statements: list[int]
) -> None:
    two_camps(consultation, statements, n=4)
    assert not LiveMapUpdate.objects.exists()
    assert not live.is_live(consultation.pk)


def test_only_organisers_turn_it_on_and_the_switch_is_logged(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    participant = User.objects.create_user("p@example.org", PASSWORD, role="participant")
    with pytest.raises(Exception, match="Only organisers"):
        live.set_live_map(consultation, True, by=participant)
    live.set_live_map(consultation, True, by=organiser)
    live.set_live_map(consultation, False, by=organiser)
    events = AuditEvent.objects.filter(verb="opinion_map.live").order_by("pk")
    assert [(e.actor, e.data["enabled"]) for e in events] == [(organiser, True), (organiser, False)]


# --- updates ------------------------------------------------------------------------------------


def test_votes_update_the_map_with_every_vote_and_the_checksum_of_an_explicit_run(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    first = latest(consultation)
    assert first is not None and first.n_votes == 240
    camp_vote(consultation, statements, "late-comer", 1)
    update = latest(consultation)
    assert update.pk != first.pk
    assert update.n_votes == Vote.objects.count() == 250
    assert update.n_participants == Voter.objects.count() == 25
    assert update.max_event_id == VoteEvent.objects.order_by("-pk").first().pk
    # The same votes give the same checksum as the organiser's explicit computation.
    assert update.input_sha256 == read_opinion_input(consultation).sha256
    assert update.parameters["min_votes"] == 7 and update.engine_version.startswith("cityforum")
    sizes = sorted(g["size"] for g in update.document["groups"])
    assert sizes == [12, 13]
    assert update.timings["warm"] is True  # started from the previous update


def test_a_changed_vote_counts_once_with_its_last_value(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    services.cast_vote(consultation, statements[0], -1, session_key="camp0-0")
    services.cast_vote(consultation, statements[0], 0, session_key="camp0-0")
    update = latest(consultation)
    assert update.n_votes == 240
    assert update.input_sha256 == read_opinion_input(consultation).sha256


def test_a_warm_update_keeps_the_groups_of_the_previous_one(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    before = latest(consultation)
    services.cast_vote(consultation, statements[0], 0, session_key="camp0-3")
    after = latest(consultation)
    shares = live.public_view(after)["groups"]
    passes = sum(g["shares"][str(statements[0])]["pass"] for g in shares)
    assert passes == 1  # the changed vote, counted as what it is now
    for pid in Voter.objects.values_list("public_id", flat=True):
        assert live.position_of(before, pid)[2] == live.position_of(after, pid)[2]


def test_an_update_while_another_runs_is_coalesced_into_the_next(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    first = latest(consultation)
    with held_elsewhere(consultation.pk):  # another worker's update, in flight
        services.cast_vote(consultation, statements[1], 0, session_key="camp1-2")
        assert latest(consultation).pk == first.pk
        assert LiveMap.objects.get(consultation=consultation).pending
    # Once the lock is free, the next update takes the vote that waited.
    assert live.update_live_map(consultation.pk) is not None
    assert latest(consultation).input_sha256 == read_opinion_input(consultation).sha256
    assert not LiveMap.objects.get(consultation=consultation).pending


def test_nothing_new_means_no_new_update(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    n = LiveMapUpdate.objects.count()
    assert live.update_live_map(consultation.pk) is None
    assert LiveMapUpdate.objects.count() == n


def test_the_vote_path_enqueues_at_most_one_job_per_interval(
    consultation: Consultation, organiser: User, statements: list[int], settings: Any
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    settings.CITYFORUM_LIVE_MAP_MIN_INTERVAL = 60
    live.reset_process_state()
    LiveMap.objects.update(last_started_at=None)
    n = LiveMapUpdate.objects.count()
    services.cast_vote(consultation, statements[0], 0, session_key="camp0-1")  # runs at once
    services.cast_vote(consultation, statements[1], 0, session_key="camp0-1")  # due in 60 s
    services.cast_vote(consultation, statements[2], 0, session_key="camp0-1")  # covered
    assert LiveMapUpdate.objects.count() == n + 1
    from cityforum.synthesis.jobs import update_live_opinion_map

    scheduled = update_live_opinion_map.huey.scheduled()
    assert len([t for t in scheduled if t.args[0] == consultation.pk]) == 1


def test_a_slow_update_is_followed_by_a_rest_that_bounds_the_workers_share(
    consultation: Consultation, organiser: User, statements: list[int], settings: Any
) -> None:
    from cityforum.synthesis.jobs import update_live_opinion_map

    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    first = latest(consultation)
    assert first.timings["cpu"] > 0 and first.timings["wall"] > 0  # each update's own cost
    # An update that took 2 s of CPU, at most a quarter of a core: 6 s of rest before the next.
    settings.CITYFORUM_LIVE_MAP_MAX_SHARE = 0.25
    LiveMapUpdate.objects.filter(pk=first.pk).update(
        timings={**first.timings, "cpu": 2.0}, finished_at=timezone.now()
    )
    LiveMap.objects.update(last_started_at=None)
    update_live_opinion_map.huey.flush()
    services.cast_vote(consultation, statements[0], 0, session_key="camp0-1")
    assert latest(consultation).pk == first.pk  # the job came too soon: it rests
    [task] = [t for t in update_live_opinion_map.huey.scheduled() if t.args[0] == consultation.pk]
    wait = (task.eta - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds()
    assert 4.5 < wait <= 6.0
    # Once the rest is over, the vote that waited is in the next update.
    LiveMapUpdate.objects.filter(pk=first.pk).update(
        finished_at=timezone.now() - dt.timedelta(seconds=6)
    )
    assert live.update_live_map(consultation.pk) is not None
    assert latest(consultation).input_sha256 == read_opinion_input(consultation).sha256


def test_a_job_whose_votes_a_later_update_read_does_nothing(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    first = latest(consultation)
    with held_elsewhere(consultation.pk):  # its job finds the lock taken: the vote waits
        services.cast_vote(consultation, statements[0], 0, session_key="camp0-1")
    # An update started after this job was due (beyond the clocks' margin): it read every vote
    # the job stands for, so the job does nothing, and jobs queued up behind a long one cost
    # nothing.
    LiveMap.objects.update(last_started_at=timezone.now())
    assert live.update_live_map(consultation.pk, due_at=time.time() - 1) is None
    assert latest(consultation).pk == first.pk
    # A job due after that start still updates.
    assert live.update_live_map(consultation.pk, due_at=time.time()) is not None
    assert latest(consultation).input_sha256 == read_opinion_input(consultation).sha256


def test_a_worker_keeps_the_map_current_while_votes_arrive_then_leaves(
    consultation: Consultation, organiser: User, statements: list[int], settings: Any
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    settings.CITYFORUM_LIVE_MAP_MIN_INTERVAL = 0.2
    n = LiveMapUpdate.objects.count()
    services.cast_vote(consultation, statements[0], 0, session_key="camp0-1")
    rests: list[float] = []

    real_sleep = live.time.sleep

    def rest(seconds: float) -> None:  # a vote arrives during the first rest only
        rests.append(seconds)
        if len(rests) == 1:
            # Its own job finds the lock held by this one: the vote waits for our next update.
            services.cast_vote(consultation, statements[1], 0, session_key="camp1-1")
        real_sleep(seconds)

    LiveMap.objects.update(last_started_at=None)
    live.time.sleep = rest
    try:
        started = time.monotonic()
        last = live.update_live_map(consultation.pk, keep_going=30)
    finally:
        live.time.sleep = real_sleep
    # Two updates (the waiting vote, then the one cast during the rest), a rest of the
    # minimum interval after each, and it left once a rest brought nothing new.
    assert LiveMapUpdate.objects.count() == n + 2
    assert rests == [0.2, 0.2]
    assert last.input_sha256 == read_opinion_input(consultation).sha256
    assert time.monotonic() - started < 30


def test_only_the_latest_few_are_kept_unless_pinned(
    consultation: Consultation, organiser: User, statements: list[int], settings: Any
) -> None:
    settings.CITYFORUM_LIVE_MAP_KEEP = 3
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    pinned = live.pin_update(latest(consultation), True, by=organiser)
    for i in range(5):
        services.cast_vote(consultation, statements[i], 0, session_key="camp1-5")
    kept = list(LiveMapUpdate.objects.order_by("pk").values_list("pk", flat=True))
    assert len(kept) == 4 and kept[0] == pinned.pk
    assert latest(consultation).pk == kept[-1]
    assert AuditEvent.objects.filter(verb="opinion_map.live_pin").count() == 1


# --- faults -------------------------------------------------------------------------------------


def test_an_update_that_dies_before_commit_leaves_the_previous_one_served(
    consultation: Consultation, organiser: User, statements: list[int], monkeypatch: Any
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    before = latest(consultation)

    def killed(*_args: Any) -> None:
        raise SystemExit("worker killed")

    monkeypatch.setattr(live, "_prune", killed)  # after the new row is written, before commit
    with pytest.raises(SystemExit):
        services.cast_vote(consultation, statements[0], 0, session_key="camp0-0")
    assert latest(consultation).pk == before.pk
    assert list(LiveMapUpdate.objects.values_list("pk", flat=True)) == [before.pk]
    monkeypatch.undo()
    live.reset_process_state()  # a new worker
    update = live.update_live_map(consultation.pk)
    assert update is not None and latest(consultation).pk == update.pk
    assert update.input_sha256 == read_opinion_input(consultation).sha256


HOLDER = """
import fcntl, os, sys, time
if sys.argv[1] == "postgresql":
    import psycopg
    connection = psycopg.connect(sys.argv[2])
    connection.execute("SELECT pg_advisory_lock(%s, %s)", [int(sys.argv[3]), int(sys.argv[4])])
else:
    fd = os.open(sys.argv[2], os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_the_lock_of_a_killed_worker_is_free_at_once(consultation: Consultation) -> None:
    """A worker killed with SIGKILL in the middle of an update: its lock goes with it (the
    database session on PostgreSQL, the open file on SQLite), so the next update runs."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from psycopg.conninfo import make_conninfo

        params = connection.get_connection_params()
        keep = ("host", "port", "dbname", "user", "password")
        where = make_conninfo(**{k: str(params[k]) for k in keep if params.get(k)})
    else:
        with live._update_lock(consultation.pk) as held:  # creates the lock file
            assert held
        where = _lock_files(consultation.pk)[0]
    args = [connection.vendor, where, str(live.ADVISORY_CLASS), str(consultation.pk)]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, *args], stdout=subprocess.PIPE)  # noqa: S603
    try:
        assert holder.stdout.readline().strip() == b"held"
        with live._update_lock(consultation.pk) as held:
            assert not held
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 5  # PostgreSQL ends the session once it sees the socket close
        while True:
            with live._update_lock(consultation.pk) as held:
                if held or time.monotonic() > deadline:
                    break
            time.sleep(0.05)
        assert held
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def _lock_files(consultation_id: int) -> list[str]:
    from django.conf import settings
    from django.db import connection

    name = str(connection.settings_dict.get("NAME") or "")
    folders = [str(settings.VAR_DIR), str(Path(name).resolve().parent)]
    return [
        str(p) for folder in folders for p in Path(folder).glob(f".*.live-{consultation_id}.lock")
    ]


def test_with_the_worker_down_votes_are_accepted_and_the_page_says_since_when(
    consultation: Consultation, organiser: User, statements: list[int], settings: Any
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    from cityforum.synthesis.jobs import update_live_opinion_map

    huey = update_live_opinion_map.huey
    huey.immediate = False  # nobody consumes the queue any more
    try:
        client = participant_client(consultation, statements, camp=0)
        assert Vote.objects.count() == 250  # every vote accepted
        late = timezone.now() - dt.timedelta(minutes=3)
        VoteEvent.objects.filter(pk__gt=latest(consultation).max_event_id).update(cast_at=late)
        page = client.get(f"/en/vote/{consultation.slug}/").content.decode()
        assert "The map is not current" in page
        body = client.get(f"/api/v1/consultations/{consultation.pk}/opinion/live").json()
        assert body["not_current_since"] == late.isoformat()
    finally:
        huey.immediate = True
        huey.flush()


def test_with_the_job_queue_out_of_reach_votes_are_still_acknowledged(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    """Redis away: scheduling an update raises, after the vote committed. The vote is answered
    as written (no 503 for a vote that is in the database), and the next vote asks again."""
    from cityforum.synthesis import queue
    from cityforum.synthesis.jobs import _schedule_live_update

    live.set_live_map(consultation, True, by=organiser)
    asked: list[int] = []

    def refused(consultation_id: int, delay: float) -> None:
        asked.append(consultation_id)
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    queue.register_scheduled(queue.LIVE_MAP, refused)
    try:
        services.cast_vote(consultation, statements[0], 1, session_key="a")
        services.cast_vote(consultation, statements[1], -1, session_key="a")
    finally:
        queue.register_scheduled(queue.LIVE_MAP, _schedule_live_update)
    assert Vote.objects.filter(voter__consultation=consultation).count() == 2
    assert asked == [consultation.pk, consultation.pk]  # each vote asked again


def test_a_live_map_that_is_off_is_not_found_for_participants_and_explained_to_organisers(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    client = participant_client(consultation, statements, camp=0)
    assert client.get(f"/en/synthesis/{consultation.slug}/live/").status_code == 404
    assert client.get(f"/en/synthesis/{consultation.slug}/live/map/").status_code == 404
    api = client.get(f"/api/v1/consultations/{consultation.pk}/opinion/live")
    assert api.status_code == 404
    assert api.json()["detail"] == "The live opinion map is off for this consultation."
    page = organiser_client(organiser).get(f"/en/synthesis/{consultation.slug}/live/")
    assert page.status_code == 200
    assert "The live map is off for this consultation" in page.content.decode()
    assert "live-map" not in client.get(f"/en/vote/{consultation.slug}/").content.decode()


# --- what participants see ----------------------------------------------------------------------


def test_the_voting_page_shows_the_groups_and_your_place_once_you_voted_enough(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    user = User.objects.create_user("late@example.org", PASSWORD, role="participant")
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    for sid in statements[:3]:
        client.post(f"/en/vote/{consultation.slug}/", {"statement": sid, "value": 1})
    page = client.get(f"/en/vote/{consultation.slug}/").content.decode()
    assert "Vote on 4 more statements to see the opinion groups" in page
    for sid in statements[3:]:
        value = 1 if statements.index(sid) < 5 else -1
        client.post(f"/en/vote/{consultation.slug}/", {"statement": sid, "value": value})
    page = client.get(f"/en/vote/{consultation.slug}/").content.decode()
    assert 'hx-get="/en/synthesis/regional-africa/live/map/"' in page
    assert "25 participants, in 2 groups" in page
    assert "You are in group 1." in page or "You are in group 2." in page
    assert 'role="img"' in page and "<desc" in page  # the picture's text alternative
    assert "Your votes beside your group" in page and "100 %" in page


def test_the_fragment_answers_304_while_nothing_changed(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    client = participant_client(consultation, statements, camp=1)
    url = f"/en/synthesis/{consultation.slug}/live/map/"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    services.cast_vote(consultation, statements[0], 0, session_key="camp0-7")
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 200


def test_the_api_serves_the_latest_update_with_an_etag_and_your_place(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    client = participant_client(consultation, statements, camp=0)
    url = f"/api/v1/consultations/{consultation.pk}/opinion/live"
    response = client.get(url)
    body = response.json()
    assert body["update"] == latest(consultation).pk and body["n_participants"] == 25
    assert sorted(g["size"] for g in body["groups"]) == [12, 13]
    assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304
    me = client.get(url + "/me")
    mine = me.json()
    assert mine["included"] and mine["group"] in {"1", "2"}
    assert [row["you"] for row in mine["comparison"]] == ["agree"] * 5 + ["disagree"] * 5
    group = next(g for g in body["groups"] if g["label"] == mine["group"])
    assert group["size"] == 13  # the camp of twelve, and this participant
    first, last = str(statements[0]), str(statements[-1])
    assert group["shares"][first] == {"agree": 13, "disagree": 0, "pass": 0}
    assert group["shares"][last] == {"agree": 0, "disagree": 13, "pass": 0}
    assert client.get(url + "/me", headers={"if-none-match": me["ETag"]}).status_code == 304
    assert Client().get(url + "/me").status_code == 401


def test_polling_reads_an_update_and_its_positions_once_and_an_unchanged_map_neither(
    consultation: Consultation, organiser: User, statements: list[int]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    client = participant_client(consultation, statements, camp=0)
    url = f"/api/v1/consultations/{consultation.pk}/opinion/live/me"
    live.reset_process_state()  # as a web process that never read this update

    def reads(response_etag: str = "") -> tuple[int, list[str]]:
        headers = {"if-none-match": response_etag} if response_etag else {}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        table = LiveMapUpdate._meta.db_table
        return response.status_code, [
            q["sql"] for q in queries.captured_queries if f'"{table}"."document"' in q["sql"]
            or f'"{table}"."positions"' in q["sql"]
        ]

    status, first = reads()
    assert status == 200 and len(first) == 2  # the document once, the positions once
    status, again = reads()
    assert status == 200 and again == []  # both from this process's memory
    etag = client.get(url)["ETag"]
    live.reset_process_state()
    status, unchanged = reads(etag)
    assert status == 304 and unchanged == []  # a 304 reads neither


def test_an_update_pruned_between_two_reads_asks_the_poller_to_ask_again(
    consultation: Consultation, organiser: User, statements: list[int], monkeypatch: Any
) -> None:
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    gone = latest(consultation).pk + 1000
    # The latest-update row read first names an update a newer one has pruned since.
    monkeypatch.setattr(live, "latest_state", lambda _id: live.LatestState(True, gone, 0))
    url = f"/api/v1/consultations/{consultation.pk}/opinion/live"
    for language, words in (("en", "ask again"), ("fr", "redemandez"), ("es", "vuelva a pedir")):
        response = Client(headers={"accept-language": language}).get(url)
        assert response.status_code == 404
        assert words in response.json()["detail"]


# --- privacy ------------------------------------------------------------------------------------


def test_no_participant_facing_answer_carries_another_participants_position_or_votes(
    consultation: Consultation, organiser: User, statements: list[int], settings: Any
) -> None:
    """Every participant-facing answer, fetched by one participant while another sits alone
    in a group below the minimum size: none holds the other's public id, position or votes."""
    two_camps(consultation, statements)
    live.set_live_map(consultation, True, by=organiser)
    me = participant_client(consultation, statements, camp=0)
    settings.CITYFORUM_LIVE_MAP_MIN_GROUP = 14  # both camps are below it: "other" only
    update = latest(consultation)
    my_id = Voter.objects.get(user__email__startswith="p").public_id
    others = Voter.objects.exclude(public_id=my_id)
    mine = live.position_of(update, my_id)[:2]
    secrets = set()
    for voter in others:
        x, y, _group = live.position_of(update, voter.public_id)
        secrets.add(str(voter.public_id))
        # Coordinates in full and as a page would round them; 0 says nothing about anyone, and
        # someone who voted exactly as I did stands where I stand (mine is mine to see).
        secrets |= {
            form
            for c in (x, y)
            if abs(c) > 0.01 and c not in mine
            for form in (repr(c), f"{c:.3f}")
        }
    assert len(secrets) > 12  # the others' ids, and the positions of the other camp at least
    urls = [
        f"/en/vote/{consultation.slug}/",
        f"/en/synthesis/{consultation.slug}/live/",
        f"/en/synthesis/{consultation.slug}/live/map/",
        f"/api/v1/consultations/{consultation.pk}/opinion/live",
        f"/api/v1/consultations/{consultation.pk}/opinion/live/me",
    ]
    for url in urls:
        response = me.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        leaked = {s for s in secrets if s in text}
        assert not leaked, (url, leaked)
    body = me.get(urls[3]).json()
    assert [g["label"] for g in body["groups"]] == ["other"]
    assert body["groups"][0]["size"] == 25 and body["groups"][0]["shares"]
    settings.CITYFORUM_LIVE_MAP_MIN_GROUP = 26  # even "other" is too small: its size only
    body = me.get(urls[3]).json()
    assert body["groups"] == [
        {"label": "other", "size": 25, "centre": None, "representative": [], "shares": {}}
    ]
    mine = me.get(urls[4]).json()
    assert mine["group"] == "other" and all(row["group"] is None for row in mine["comparison"])
    votes = {str(v.statement_id): v.value for v in Vote.objects.filter(voter__public_id=my_id)}
    assert {str(row["statement"]) for row in mine["comparison"]} == set(votes)


# --- imported Pol.is conversations --------------------------------------------------------------


def test_a_polis_import_keeps_its_vote_times_and_version_and_replays_as_polis_computed_it(
    consultation: Consultation, organiser: User, shared_data: Path
) -> None:
    from cityforum.analysis.opinion_replay import replay_export
    from cityforum.analysis.polis_export import read_polis_export

    folder = shared_data / "polis" / "london.youth.policing"
    services.import_polis(consultation, folder, by=None, operator=True)
    export = read_polis_export(folder)
    info = PolisImportInfo.objects.get(consultation=consultation)
    assert info.missing_votes == export.missing_votes and info.has_vote_log
    assert info.n_events == export.values.size
    stamps = sorted(
        int(t.timestamp() * 1000)
        for t in VoteEvent.objects.filter(statement__consultation=consultation).values_list(
            "cast_at", flat=True
        )
    )
    assert stamps == sorted(export.timestamps.astype(np.int64).tolist())
    update = live.replay_polis_import(consultation, by=organiser)
    assert update.kind == "polis_replay" and update.pinned
    expected = replay_export(export)
    assert update.document["n_clustered"] == int((expected.groups_ >= 0).sum())
    assert sorted(g["size"] for g in update.document["groups"]) == sorted(
        np.bincount(expected.groups_[expected.groups_ >= 0]).tolist()
    )
    for pid, group in zip(expected.participants_.tolist(), expected.groups_.tolist(), strict=True):
        assert live.position_of(update, pid)[2] == group
    page = organiser_client(organiser).get(f"/en/synthesis/live/updates/{update.pk}/")
    assert page.status_code == 200 and "as Polis computed it" in page.content.decode()


def test_replaying_a_consultation_that_imported_nothing_says_so(
    consultation: Consultation, organiser: User
) -> None:
    response = organiser_client(organiser).post(
        f"/en/synthesis/{consultation.slug}/live/polis/", follow=True
    )
    assert "This consultation holds no imported Pol.is conversation." in response.content.decode()
    assert not LiveMapUpdate.objects.exists()


def test_the_switch_page_turns_it_on(consultation: Consultation, organiser: User) -> None:
    client = organiser_client(organiser)
    response = client.post(
        f"/en/synthesis/{consultation.slug}/live/switch/", {"enabled": "on"}, follow=True
    )
    assert "The live opinion map is on." in response.content.decode()
    assert LiveMap.objects.get(consultation=consultation).enabled
