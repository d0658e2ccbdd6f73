"""The ``sangdam`` command.

sangdam run         embedded: web + websockets + worker + scheduler in one process
sangdam web         ASGI web server only (scaled mode)
sangdam worker      task worker (scaled mode; run as many as you like)
sangdam scheduler   periodic-job scheduler (lease-protected; one is active)
sangdam smtpd       SMTP receiver for the email channels (scaled mode; `run` embeds one)
sangdam fake-providers  local fake Telegram/LINE/Meta APIs; points the demo channels at them
sangdam kakao-chat  talk to the KakaoTalk chatbot desk as Kakao's chatbot would (demo, testing)
sangdam phone-call  call the phone channel as Twilio would: menu, queue, voicemail (demo, testing)
sangdam <command>   any Django management command (migrate, createsuperuser, ...)
sangdam help        every command, Django's included
"""

from __future__ import annotations

import gc
import os
import sys

from sangdam.core.malloc import limit_malloc_arenas

ALIASES = {
    "run": "serve",
    "web": "serve",
    "worker": "worker",
    "scheduler": "scheduler",
    "fake-providers": "fake_providers",
    "kakao-chat": "kakao_chat",
    "phone-call": "phone_call",
}


def main() -> None:
    if sys.argv[1:] in ([], ["-h"], ["--help"]):
        # Answered without loading Django and every app (~1.5 s): `sangdam help` lists
        # all the Django management commands as well.
        print(__doc__.replace("``", "").strip())
        return
    limit_malloc_arenas()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _set_up_django()
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and argv[1] in ALIASES:
        command = argv[1]
        argv[1] = ALIASES[command]
        if command == "run":
            argv.append("--embedded")
    execute_from_command_line(argv)


def _set_up_django() -> None:
    """Load Django and every app with the garbage collector off, then freeze what they
    loaded: the ~120,000 objects live as long as the process, and the full collections
    that would walk them again and again while they load took ~0.2 s of every command's
    start (issue 15: a command starts in < 1 s). What was garbage among them (~3,000
    objects) stays, frozen: less than a megabyte."""
    import django

    gc.disable()
    try:
        django.setup()
    finally:
        gc.freeze()
        gc.enable()


if __name__ == "__main__":
    main()
