"""A local cluster in scaled mode: PostgreSQL + Redis + an S3-compatible store (moto), separate
web, worker, scheduler and SMTP receiver processes. The processes share no folder: attachments live in the
store, as they must when the web processes run on different machines.

Collected only in the PostgreSQL pass of the suite (DATABASE_URL=postgres://…); it makes its
own fresh database next to the test database and drops it afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ROOT, SANGDAM, _drop_postgres, _free_port, _fresh_postgres
from tests.s3 import S3Server, s3_server

REDIS_URL = os.environ.get("SANGDAM_TEST_REDIS", "redis://127.0.0.1:6379")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    selected = [i for i in items if "tests/cluster" not in str(i.fspath)]
    deselected = [i for i in items if "tests/cluster" in str(i.fspath)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _empty_redis_db() -> tuple[int, bool]:
    """A Redis database number holding no keys, so that counters left by other runs (the
    form's per-address limits, say) cannot refuse this cluster's requests; a random one
    when none is empty. Second: whether it was empty, so that the cluster empties it again
    when it stops (never a database that held someone else's keys).
    ``SANGDAM_TEST_REDIS_DB`` pins one on a shared machine (then nothing is emptied)."""
    import redis

    pinned = os.environ.get("SANGDAM_TEST_REDIS_DB")
    if pinned:
        return int(pinned), False
    numbers = [1 + (uuid.uuid4().int + i) % 14 for i in range(14)]
    for number in numbers:
        if not redis.Redis.from_url(f"{REDIS_URL}/{number}", socket_timeout=2).dbsize():
            return number, True
    return numbers[0], False


@dataclass
class Cluster:
    webs: list[str]
    smtp_port: int
    env: dict[str, str]
    var: Path
    s3: S3Server
    bucket: str
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        return (self.var / f"{name}.log").read_text(errors="replace")


def _start(cluster: Cluster, name: str, *args: str) -> None:
    log = (cluster.var / f"{name}.log").open("wb")
    # A media folder of its own, as on a machine of its own: a file one process stored is
    # found by another only through the object store.
    env = {**cluster.env, "MEDIA_ROOT": str(cluster.var / name / "media")}
    cluster.procs[name] = subprocess.Popen(
        [SANGDAM, *args], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )


def _wait_http(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up")
        time.sleep(0.2)


def _wait_port(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on port {port}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory, s3: S3Server) -> Iterator[Cluster]:
    if not _redis_available():
        if os.environ.get("SANGDAM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"the scaled-mode tests need Redis at {REDIS_URL}")
        pytest.skip(f"the scaled-mode tests need Redis at {REDIS_URL}")
    var = tmp_path_factory.mktemp("cluster")
    bucket = s3.new_bucket()
    db_url, db_name = _fresh_postgres(os.environ["DATABASE_URL"])
    redis_db, ours = _empty_redis_db()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=f"{REDIS_URL}/{redis_db}",
        SANGDAM_VAR_DIR=str(var),
        SANGDAM_DEMO="1",
        SECRET_KEY="cluster-test-secret-key-" + uuid.uuid4().hex,
        PYTHONUNBUFFERED="1",
        **s3.env(bucket),
    )
    subprocess.run([SANGDAM, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([SANGDAM, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    ports = [_free_port(), _free_port()]
    cluster = Cluster(
        webs=[f"http://127.0.0.1:{p}" for p in ports],
        smtp_port=_free_port(),
        env=env,
        var=var,
        s3=s3,
        bucket=bucket,
    )
    try:
        # The first web is two processes under one supervisor (`--workers 2`).
        _start(cluster, "web0", "web", "--port", str(ports[0]), "--workers", "2")
        _start(cluster, "web1", "web", "--port", str(ports[1]))
        _start(cluster, "worker0", "worker")
        _start(cluster, "worker1", "worker")
        _start(cluster, "scheduler0", "scheduler")
        _start(cluster, "scheduler1", "scheduler")
        _start(cluster, "smtpd0", "smtpd", "--port", str(cluster.smtp_port))
        deadline = time.monotonic() + 120  # six processes start at once on a small machine
        for i, base in enumerate(cluster.webs):
            _wait_http(f"{base}/login/", cluster.procs[f"web{i}"], deadline)
        _wait_port(cluster.smtp_port, cluster.procs["smtpd0"], deadline)
        yield cluster
    finally:
        for proc in cluster.procs.values():
            proc.send_signal(signal.SIGINT)
        for proc in cluster.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        _drop_postgres(os.environ["DATABASE_URL"], db_name)
        if ours:
            import redis

            redis.Redis.from_url(env["REDIS_URL"], socket_timeout=2).flushdb()
