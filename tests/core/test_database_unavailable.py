"""While the database is away the site answers 503 with Retry-After, and it recovers by
itself when the database is back.

The real thing: ``cityforum serve`` (gunicorn) on a PostgreSQL server of the test's own,
which is shut down the way an administrator's restart does it (``pg_ctl stop -m fast``)
and started again, the site left running. Meant for the ``--postgres`` pass.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from django.utils import translation
from django.utils.translation import gettext

from cityforum.core import unavailable
from cityforum.testing import load
from cityforum.testing.postgres import PostgresServer
from cityforum.testing.served import MARKER, ServedSite


@dataclass
class Site:
    served: ServedSite
    postgres: PostgresServer
    setup: dict[str, Any]

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, language: str = "en"
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Accept-Language": language,
            "Authorization": f"Bearer {self.setup['tokens'][0]}",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection("127.0.0.1", self.served.port, timeout=30)
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        answer = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        conn.close()
        return answer

    def vote(self, value: int) -> tuple[int, dict[str, str], bytes]:
        consultation = self.setup["consultations"]["regional-africa"]
        statement = self.setup["statements"][0]
        return self.request(
            "POST",
            f"/api/v1/consultations/{consultation}/votes",
            {"statement": statement, "value": value},
        )

    def contribute(self) -> tuple[int, dict[str, str], bytes]:
        consultation = self.setup["consultations"]["regional-africa"]
        body = {
            "type": "proposal",
            "title": "Trains before roads",
            "body": "Fund the regional railway first.",
            "language": "en",
            "capitals": ["social"],
        }
        return self.request("POST", f"/api/v1/consultations/{consultation}/contributions", body)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    postgres = PostgresServer().start()
    served = ServedSite(
        postgres.url, tmp_path_factory.mktemp("unavailable"), workers=1, plain_static=True
    )
    try:
        served.init()
        setup = served.shell(load.setup_code(["regional-africa"], 3, 2, MARKER))
        served.start()
        yield Site(served, postgres, setup)
    finally:
        served.kill()  # a throw-away database: no need to wait for a graceful stop
        postgres.stop()


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.mark.postgres_only
def test_while_postgresql_is_down_every_request_gets_a_503_and_the_site_recovers_alone(
    site: Site,
) -> None:
    # Before: the site works, and its worker threads hold persistent connections.
    assert site.vote(1)[0] == 201  # the first vote goes through Django (it makes the voter)
    assert site.vote(-1)[0] == 200  # the next ones through the vote's own route
    assert site.request("GET", "/fr/")[0] == 200
    pid = site.served.process.pid if site.served.process else None

    site.postgres.pause("fast")
    try:
        answers = [site.request("GET", "/api/v1/consultations"), site.vote(0), site.contribute()]
        for status, headers, body in answers:
            assert status == 503
            assert headers["retry-after"] == str(unavailable.RETRY_AFTER_SECONDS)
            assert headers["content-type"] == "application/problem+json"
            problem = json.loads(body)
            assert problem["status"] == 503
            assert problem["type"].endswith("/unavailable")
        assert problem["detail"] == _in(
            "en", "The database cannot be reached just now; try again in a few seconds."
        )
        status, headers, body = site.request("GET", "/api/v1/consultations", language="es")
        assert json.loads(body)["title"] == _in("es", "Service unavailable.")

        status, headers, body = site.request("GET", "/fr/")
        assert status == 503
        assert headers["retry-after"] == str(unavailable.RETRY_AFTER_SECONDS)
        assert headers["content-type"].startswith("text/html")
        page = body.decode()
        assert '<html lang="fr">' in page
        assert _in("fr", "Temporarily unavailable") in page
        assert "Traceback" not in page
    finally:
        site.postgres.resume()

    # After: the same server process, no restart; every request succeeds, on every thread
    # (the connections the restart broke are noticed and replaced).
    answers = [site.vote(1)[0] for _ in range(8)]
    answers += [site.request("GET", "/fr/")[0] for _ in range(8)]
    answers += [site.contribute()[0]]
    assert answers == [200] * 8 + [200] * 8 + [201]
    assert site.served.process is not None and site.served.process.pid == pid
    assert site.served.process.poll() is None


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection"), InterfaceError("connection already closed")],
)
def test_errors_of_an_unreachable_database_are_unavailability(error: Exception) -> None:
    assert unavailable.caused_by_database(error)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("duplicate key"),
        ProgrammingError("syntax error"),
        DataError("too long"),
        ValueError("not a database error"),
        None,
    ],
)
def test_other_errors_are_not(error: Exception | None) -> None:
    assert not unavailable.caused_by_database(error)


def test_an_error_raised_from_an_unreachable_database_is_unavailability() -> None:
    try:
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError as cause:
            raise RuntimeError("could not load the page") from cause
    except RuntimeError as error:
        assert unavailable.caused_by_database(error)
