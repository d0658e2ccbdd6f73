"""First run: what a new center's first admin sets up, written in one transaction.

A production install (migrate, createsuperuser, run) has no company, no hours, no topics and
no channels. The first admin who logs in is sent to the first-run page until it is saved;
its choices are written here through the models the admin pages edit later (the default
``Schedule``, ``Channel`` rows, ``Topic`` rows), so nothing set here is special afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangdam.accounts.models import User
from sangdam.center.models import Company
from sangdam.center.topics import DEFAULT_TOPICS
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.service.models import Schedule
from sangdam.tickets.models import Topic

log = logging.getLogger(__name__)

# Channels that work with nothing but this page; messengers and the app need their
# provider's tokens and are connected later on their admin pages.
FIRST_RUN_CHANNELS = (ChannelKind.WEBFORM, ChannelKind.EMAIL, ChannelKind.LIVECHAT)


@dataclass(frozen=True)
class FirstRun:
    company_name: str
    support_email: str
    time_zone: str
    open_days: frozenset[int]  # 0 is Monday
    opens: dt.time
    closes: dt.time
    channels: frozenset[str]  # kinds out of FIRST_RUN_CHANNELS
    default_topics: bool


def setup_pending() -> bool:
    """True until an admin saved the first-run page (the demo company counts as set up)."""
    return not Company.objects.filter(pk=1, setup_done_at__isnull=False).exists()


def company() -> Company | None:
    return Company.objects.filter(pk=1).first()


def do_complete_setup(*, actor: User, choices: FirstRun) -> Company:
    """Save the company, the default hours, the channels and (optionally) the default topics."""
    with transaction.atomic():
        profile, _created = Company.objects.update_or_create(
            pk=1,
            defaults={
                "name": choices.company_name,
                "support_email": choices.support_email,
                "setup_done_at": timezone.now(),
            },
        )
        _save_default_hours(choices)
        _save_channels(choices)
        if choices.default_topics and not Topic.objects.exists():
            # One save each (a handful, once): their post_save makes this process's topic
            # memo (core/memo.py) forget "no topics", so the form offers them at once;
            # bulk_create sends no signal and the form stayed topic-less for MEMO_SECONDS.
            for position, (slug, ko, en) in enumerate(DEFAULT_TOPICS):
                Topic.objects.create(slug=slug, names={"ko": ko, "en": en}, position=position)
    log.info("first-run setup saved by %s", actor.email)
    return profile


def _save_default_hours(choices: FirstRun) -> None:
    span = [choices.opens.strftime("%H:%M"), choices.closes.strftime("%H:%M")]
    week = {str(day): [span] if day in choices.open_days else [] for day in range(7)}
    schedule = Schedule.objects.filter(channel=None, team=None).order_by("id").first()
    if schedule is None:
        schedule = Schedule(name=_("Opening hours"))
    schedule.week = week
    schedule.time_zone = choices.time_zone
    schedule.full_clean()
    schedule.save()


def _save_channels(choices: FirstRun) -> None:
    names = {
        ChannelKind.WEBFORM: _("Homepage form"),
        ChannelKind.EMAIL: _("Support email"),
        ChannelKind.LIVECHAT: _("Live chat"),
    }
    for kind in FIRST_RUN_CHANNELS:
        wanted = kind in choices.channels
        channel = Channel.objects.filter(kind=kind).order_by("id").first()
        if channel is None:
            # No web-form channel means "on" (the form makes one on first use), so
            # switching it off needs a disabled row; the others are simply not made.
            if not wanted and kind != ChannelKind.WEBFORM:
                continue
            channel = Channel(kind=kind, name=names[kind])
        channel.enabled = wanted
        if kind == ChannelKind.EMAIL and choices.support_email:
            # The first enabled email channel is the sender of confirmations and replies.
            channel.address = choices.support_email
        channel.save()
