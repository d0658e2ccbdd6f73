"""The public contact page: every enabled channel, how to use it, and whether it is open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import phonenumbers
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sangdam.connectors.models import Channel, ChannelKind
from sangdam.connectors.registry import get_connector
from sangdam.portal.common import page, use_language
from sangdam.routing.waits import ChannelWait, channel_waits
from sangdam.service.hours import WeeklyHours, closes_at, is_open, next_opening
from sangdam.service.models import Schedule
from sangdam.service.selectors import schedule_book

WEEKDAYS = range(7)
LIVE_KINDS = {ChannelKind.PHONE, ChannelKind.LIVECHAT}
MESSENGER_KINDS = {
    ChannelKind.KAKAO,
    ChannelKind.FACEBOOK,
    ChannelKind.INSTAGRAM,
    ChannelKind.TELEGRAM,
    ChannelKind.LINE,
}
MESSENGER_URLS = {
    ChannelKind.KAKAO: "https://pf.kakao.com/{}",
    ChannelKind.FACEBOOK: "https://m.me/{}",
    ChannelKind.INSTAGRAM: "https://ig.me/m/{}",
    ChannelKind.TELEGRAM: "https://t.me/{}",
    ChannelKind.LINE: "https://line.me/R/ti/p/{}",
}


@dataclass
class ChannelCard:
    channel: Channel
    link: str
    display: str
    schedule: Schedule | None
    open_now: bool | None  # None: no hours published
    next_open: dt.datetime | None
    closes: dt.datetime | None
    week: list[tuple[int, str]]
    holiday_country: str
    live: bool  # someone answers at once (phone, chat) rather than later (mail, messages)
    closed_for: str  # today's holiday or closure, when that is why it is closed
    app_links: list[tuple[str, str]]  # (label, url) for the app card
    qr_svg: str = ""  # a QR code of a messenger's chat link, for customers on a desktop
    wait: ChannelWait | None = None  # the honest wait estimate (sangdam.routing.waits)


def _phone(address: str) -> tuple[str, str]:
    try:
        number = phonenumbers.parse(address, "KR")
    except phonenumbers.NumberParseException:
        return address, ""
    if not phonenumbers.is_possible_number(number):
        return address, ""
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return national, f"tel:{e164}"


def _how(channel: Channel, lang: str) -> tuple[str, str]:
    """(what to show, where it links) for one channel."""
    address = channel.address.strip()
    if channel.kind == ChannelKind.PHONE and address:
        return _phone(address)
    if channel.kind == ChannelKind.EMAIL and address:
        return address, f"mailto:{address}"
    if channel.kind == ChannelKind.WEBFORM:
        from django.urls import reverse

        suffix = f"?lang={lang}" if lang else ""
        return "", reverse("portal:new") + suffix
    if channel.kind == ChannelKind.LIVECHAT:
        from django.urls import reverse

        suffix = f"?lang={lang}" if lang else ""
        return "", reverse("livechat:chat", args=[channel.key]) + suffix
    connector = get_connector(channel.kind)
    chat_link = connector.chat_link(channel) if connector is not None else ""
    if chat_link:
        return address or chat_link, chat_link
    if channel.kind in MESSENGER_URLS and address:
        if address.startswith("https://"):
            return address, address
        return address, MESSENGER_URLS[ChannelKind(channel.kind)].format(address.lstrip("@"))
    if address.startswith("https://"):
        return address, address
    return address, ""


def _qr_svg(link: str) -> str:
    """An inline SVG QR code of ``link``, made here (no outside service sees the link)."""
    import segno  # loaded by the first page that shows a QR code, not by every process

    return str(segno.make(link, error="m").svg_inline(scale=4, border=2, dark="#111"))


def _week(hours: WeeklyHours) -> list[tuple[int, str]]:
    rows = []
    for day in WEEKDAYS:
        spans = hours.week.get(day, [])
        text = ", ".join(
            f"{a:%H:%M}–{'24:00' if b == dt.time(0) else f'{b:%H:%M}'}" for a, b in spans
        )
        rows.append((day, text))
    return rows


def _closed_for(hours: WeeklyHours, now: dt.datetime, lang: str) -> str:
    today = now.astimezone(hours.zone).date()
    if not hours.is_closed_day(today):
        return ""
    return hours.holiday_name(today, (lang or get_language() or "ko")[:2])


def _app_links(channel: Channel) -> list[tuple[str, str]]:
    """Store and deep links an admin put in the app channel's config."""
    if channel.kind != ChannelKind.APP:
        return []
    config = channel.config or {}
    links = []
    for key, label in (
        ("app_store_url", "App Store"),
        ("play_store_url", "Google Play"),
        ("deep_link", str(_("Open the app"))),
    ):
        url = str(config.get(key) or "").strip()
        scheme = url.partition(":")[0].lower()
        # A deep link has the app's own scheme; script-running schemes are never links.
        if url and "://" in url and scheme not in ("javascript", "data", "vbscript"):
            links.append((label, url))
    return links


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    lang = use_language(request)
    now = timezone.now()
    book = schedule_book()
    waits = {item.channel.pk: item for item in channel_waits(now)}
    cards = []
    for channel in (
        Channel.objects.filter(enabled=True).exclude(kind=ChannelKind.API).defer("secrets")
    ):
        display, link = _how(channel, lang)
        schedule = book.schedule_for(channel_id=channel.pk, team_id=None)
        hours = book.hours_of(schedule)
        opened = is_open(hours, now) if hours else None
        cards.append(
            ChannelCard(
                channel=channel,
                link=link,
                display=display,
                schedule=schedule,
                open_now=opened,
                next_open=next_opening(hours, now) if hours and not opened else None,
                closes=closes_at(hours, now) if hours and opened else None,
                week=_week(hours) if hours else [],
                holiday_country=hours.holiday_country if hours else "",
                live=channel.kind in LIVE_KINDS,
                closed_for=_closed_for(hours, now, lang) if hours and not opened else "",
                app_links=_app_links(channel),
                qr_svg=_qr_svg(link) if channel.kind in MESSENGER_KINDS and link else "",
                wait=waits.get(channel.pk),
            )
        )
    order = [k.value for k in ChannelKind]
    cards.sort(key=lambda c: (order.index(c.channel.kind), c.channel.name))
    from sangdam.connectors.phone.views_public import CallbackRequestForm

    context = {"cards": cards, "lang": lang, "now": now, "callback_form": CallbackRequestForm()}
    return page(request, "portal/contact.html", context)


@require_GET
def wait_times(request: HttpRequest) -> JsonResponse:
    """Public: the current wait to a first answer on each channel (docs/service-levels.md)."""
    now = timezone.now()
    response = JsonResponse(
        {
            "generated_at": now.isoformat(),
            "channels": [item.as_json() for item in channel_waits(now)],
        }
    )
    response["Cache-Control"] = "public, max-age=30"
    response["Access-Control-Allow-Origin"] = "*"  # the company's site and app read it
    return response
