"""Killed at random moments, the center loses and doubles nothing it acknowledged.

One run per database (the suite's pass decides which): clients on every intake path at
once while ``sangdam run`` (and, one time in three, the IMAP poller) is SIGKILLed and
started again ``SANGDAM_CRASH_CYCLES`` times at moments drawn from ``SANGDAM_CRASH_SEED``;
then every acknowledgement is compared with the database. ``bench/crash.py`` runs the
same thing for many more cycles and prints the figures.
"""

from __future__ import annotations

import os

import pytest

from tests.crash.rig import dovecot_answers
from tests.crash.run import PATHS, Report, crash_run

CYCLES = int(os.environ.get("SANGDAM_CRASH_CYCLES", "5"))
SEED = int(os.environ.get("SANGDAM_CRASH_SEED", "20261125"))
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Report:
    if not dovecot_answers():
        message = "the crash run needs Dovecot (start it with `bash .ci/dovecot.sh`)"
        if os.environ.get("SANGDAM_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    url = os.environ.get("DATABASE_URL", "")
    backend = "postgres" if url.startswith("postgres") else "sqlite"
    # On SQLite, a copy of the run's migrated database (tests/conftest.py) is the same.
    template = (
        request.getfixturevalue("migrated_var") / "sangdam.sqlite3" if backend == "sqlite" else None
    )
    return crash_run(
        backend,
        cycles=CYCLES,
        seed=SEED,
        postgres_url=url or POSTGRES,
        pace=0.1,
        sqlite_template=template,
    )


def test_the_server_was_killed_as_often_as_asked(report: Report) -> None:
    assert report.cycles == CYCLES


@pytest.mark.parametrize("path", [p for p in PATHS if p != "reply"])
def test_no_acknowledged_inquiry_is_lost_or_doubled(report: Report, path: str) -> None:
    figures = report.paths[path]
    assert figures.acknowledged > 0, f"no {path} inquiry was acknowledged at all"
    assert figures.lost == [], "\n".join(figures.lost[:20])
    assert figures.doubled == [], "\n".join(figures.doubled[:20])
    # The last server ran undisturbed: every retried inquiry got its answer in the end.
    assert figures.unacknowledged == [], "\n".join(figures.unacknowledged[:20])


def test_every_reply_is_sent_at_least_once_and_shown_as_sent_once(report: Report) -> None:
    figures = report.paths["reply"]
    assert figures.acknowledged > 0, "no reply was acknowledged at all"
    problems = figures.lost + figures.doubled + figures.unacknowledged + figures.other
    assert problems == [], "\n".join(problems[:20])
