"""In-process profile of the KakaoTalk chatbot desk: CPU and statements per skill turn.

No server, no clients: the Django test client plays Kakao's chatbot (documented
SkillPayload JSON) for ``--users`` users, each going through the whole desk (greeting →
topic → description → skip photos → submit → "내 문의"), into a throw-away SQLite database.
``time.process_time()`` gives the CPU per turn; one more user's turns are captured
statement by statement (per kind of turn). ``--profile DIR`` writes turns.prof for
``python -m pstats``. Compare two checkouts by running it from each, alternating (the
figures move with the machine's load).

    .venv/bin/python bench/profile_kakao.py --users 100
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["SANGDAM_VAR_DIR"] = tempfile.mkdtemp(prefix="sangdam-profile-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sangdam.connectors.kakao.fake import skill_payload  # noqa: E402
from sangdam.connectors.models import Channel  # noqa: E402
from sangdam.core import live  # noqa: E402
from sangdam.tickets.models import Topic  # noqa: E402

BOT = "5f2a9c0e3b1d7a0001c0ffee"
TURNS = ["안녕하세요", "결제", "카드 결제가 두 번 되었습니다. 한 건 환불 부탁드립니다.", "건너뛰기", "접수하기", "내 문의"]  # fmt: skip
NAMES = ["greet", "topic", "describe", "photos", "submit", "mine"]


def serve_live_pushes() -> None:
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    live.MAIN_LOOP = loop


def turn(client: Client, url: str, user: str, utterance: str) -> None:
    payload = skill_payload(
        bot_id=BOT, utterance=utterance, user=f"bot-{user}", plusfriend_user_key=user
    )
    answer = client.post(
        url, json.dumps(payload, ensure_ascii=False), content_type="application/json"
    )
    if answer.status_code != 200:
        raise SystemExit(f"the skill answered {answer.status_code}: {answer.content[:200]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--profile", type=Path, help="write cProfile files here")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    serve_live_pushes()
    Topic.objects.create(slug="payment", names={"ko": "결제", "en": "Payment"})
    Topic.objects.create(slug="account", names={"ko": "계정", "en": "Account"})
    channel = Channel.objects.create(kind="kakao", name="Bench bot", config={"bot_ids": BOT})
    url = f"/hooks/kakao/{channel.key}"
    client = Client()
    for i in range(10):  # warm: imports, memos
        for text in TURNS:
            turn(client, url, f"warm{i}", text)
    profiler = cProfile.Profile()
    start = time.process_time()
    if args.profile:
        profiler.enable()
    for i in range(args.users):
        for text in TURNS:
            turn(client, url, f"user{i}", text)
    if args.profile:
        profiler.disable()
        args.profile.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(args.profile / "turns.prof")
    cpu = (time.process_time() - start) * 1000 / (args.users * len(TURNS))
    counts = []
    for name, text in zip(NAMES, TURNS, strict=True):
        with CaptureQueriesContext(connection) as captured:
            turn(client, url, "measured", text)
        counts.append((name, len(captured)))
        if os.environ.get("SHOW_SQL"):
            for q in captured.captured_queries:
                print(name, q["sql"][:160])
    total = sum(n for _, n in counts)
    print(f"{cpu:6.2f} ms CPU per turn ({args.users} users x {len(TURNS)} turns)")
    print(
        f"statements per turn: {total / len(TURNS):.1f} average; "
        + ", ".join(f"{name} {n}" for name, n in counts)
    )


if __name__ == "__main__":
    main()
