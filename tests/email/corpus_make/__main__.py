"""Regenerate the corpus: ``python -m tests.email.corpus_make``."""

from __future__ import annotations

import json
from typing import Any

from tests.email.corpus_make import CORPUS, OUT, bounces, charsets, files, replies, robots


def main() -> None:
    charsets.charsets()
    files.attachments()
    replies.quoting()
    replies.html_quoting()
    replies.threading()
    robots.loops()
    bounces.bounces()
    robots.on_behalf()
    robots.malformed()
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.eml"):
        old.unlink()
    expected: dict[str, dict[str, Any]] = {}
    for name, (raw, expect) in sorted(CORPUS.items()):
        (OUT / name).write_bytes(raw)
        expected[name] = {"kind": "message", **expect}
    (OUT / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(CORPUS)} mails to {OUT}")


if __name__ == "__main__":
    main()
