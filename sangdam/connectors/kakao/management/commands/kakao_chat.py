"""``sangdam kakao-chat``: talk to a KakaoTalk chatbot desk as Kakao's chatbot would.

Each line you type is sent to the channel's skill URL as a documented SkillPayload (the
first allowed bot id, a made-up user); the answer is printed as KakaoTalk would show it,
with its quick replies and links, and checked against Kakao's limits. Needs the server
running (``sangdam run``); ``--say`` sends one line and exits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from sangdam.connectors.kakao.config import skill_config
from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.kakao.skill import problems
from sangdam.connectors.models import Channel


class Command(BaseCommand):
    help = "Talk to the KakaoTalk chatbot desk as Kakao's chatbot would."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", type=int, help="channel id (default: the first)")
        parser.add_argument("--user", default="DemoUser0001", help="plusfriendUserKey")
        parser.add_argument("--lang", default="ko")
        parser.add_argument("--url", default="", help="server root (default: SITE_URL)")
        parser.add_argument("--say", action="append", default=[], help="send this and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        channels = Channel.objects.filter(kind="kakao", enabled=True).order_by("pk")
        if options["channel"]:
            channels = channels.filter(pk=options["channel"])
        channel = channels.first()
        if channel is None:
            raise CommandError("no enabled KakaoTalk channel (add one under Admin > Messengers)")
        bots = sorted(skill_config(channel).allowed_bots())
        if not bots:
            raise CommandError("the channel allows no bot id yet")
        root = (options["url"] or settings.SITE_URL).rstrip("/")
        url = root + reverse("hooks:hook", kwargs={"kind": "kakao", "key": channel.key})
        kakao = FakeKakao()  # only its request builder: no server is started
        self.stdout.write(f"{channel.name}: {url}\n(empty line or Ctrl-D ends)")
        scripted: list[str] = list(options["say"])

        def next_line() -> str:
            if options["say"]:
                return scripted.pop(0) if scripted else ""
            try:
                return input("> ")
            except EOFError:
                return ""

        while utterance := next_line():
            reply = kakao.say(
                url,
                utterance,
                user=f"bot-{options['user']}",
                plusfriend_user_key=options["user"],
                bot_id=bots[0],
                lang=options["lang"],
                check=False,
            )
            if reply.status != 200:
                self.stdout.write(f"HTTP {reply.status}")
                continue
            self.stdout.write(reply.text)
            for link in reply.links:
                self.stdout.write(f"  🔗 {link}")
            if reply.quick_replies:
                self.stdout.write("  [" + "] [".join(reply.quick_replies) + "]")
            for problem in problems(reply.data):
                self.stdout.write(self.style.WARNING(f"  ! {problem}"))
            self.stdout.write(f"  ({reply.seconds * 1000:.0f} ms)")
        kakao.server.server_close()
