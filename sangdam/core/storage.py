"""Where attachments are kept: the local media folder, or an S3-compatible bucket.

Scaled mode needs the bucket: web processes on several machines cannot share a local
folder, and an inquiry taken by one must be downloadable through any other. Downloads are
always streamed through Sangdam after its access checks (``core.downloads``), never handed
out as bucket URLs, so the bucket stays private; see docs/operations.md.

Imported by ``config.settings``: nothing here may import Django models.
"""

from __future__ import annotations

from typing import Any

from sangdam.core.env import env_int, env_str


def default_storage_from_env() -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry the environment asks for (``SANGDAM_S3_*``)."""
    bucket = env_str("SANGDAM_S3_BUCKET")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    endpoint = env_str("SANGDAM_S3_ENDPOINT_URL") or None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": env_str("SANGDAM_S3_REGION") or None,
            # Unset keys leave boto3 its own chain (instance role, ~/.aws, AWS_* variables).
            "access_key": env_str("SANGDAM_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("SANGDAM_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("SANGDAM_S3_PREFIX"),
            # MinIO, Ceph and moto answer on one host name: path-style addressing there.
            "addressing_style": env_str(
                "SANGDAM_S3_ADDRESSING_STYLE", "path" if endpoint else "auto"
            ),
            "signature_version": "s3v4",
            "default_acl": None,  # private objects: the bucket's policy decides, never public
            # Names are the content's SHA-256, so equal names mean equal bytes: writing again
            # is harmless and saves the existence check a unique name would cost.
            "file_overwrite": True,
            # A download is spooled in memory up to this size, then in a temporary file.
            "max_memory_size": env_int("SANGDAM_S3_MAX_MEMORY_BYTES", 1024 * 1024),
        },
    }
