"""A local S3-compatible server for tests: moto in server mode, spoken to over real HTTP.

The same boto3/django-storages code that talks to AWS S3 or MinIO in production talks to it;
only the endpoint URL differs. Used by tests/storage (one process) and tests/cluster (the
web and worker processes of the cluster share its buckets, as machines share a store).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

REGION = "us-east-1"
ACCESS_KEY = "sangdam-test"
SECRET_KEY = "sangdam-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        name = f"sangdam-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    def env(self, bucket: str) -> dict[str, str]:
        """The environment a Sangdam process needs to keep its attachments in ``bucket``."""
        return {
            "SANGDAM_S3_BUCKET": bucket,
            "SANGDAM_S3_ENDPOINT_URL": self.endpoint_url,
            "SANGDAM_S3_REGION": REGION,
            "SANGDAM_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "SANGDAM_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }


@contextmanager
def s3_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()
