"""The customer card's language and local time.

Customers do not tell us their time zone; a phone number does, when its number range lies
in one zone (every Korean number; not a US number of a multi-zone area code). Without one
the card shows no local time rather than a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from django.utils import timezone
from django.utils.translation import get_language_info
from phonenumbers import timezone as number_zones

from sangdam.customers.models import Identity


@dataclass(frozen=True)
class LocalTime:
    zone: str
    now: dt.datetime


def local_time(identities: list[Identity]) -> LocalTime | None:
    for identity in identities:
        if identity.kind != "phone":
            continue
        try:
            number = phonenumbers.parse(identity.value, "KR")
        except phonenumbers.NumberParseException:
            continue
        zones = [z for z in number_zones.time_zones_for_number(number) if z != "Etc/Unknown"]
        if len(zones) != 1:
            continue
        try:
            return LocalTime(zone=zones[0], now=timezone.now().astimezone(ZoneInfo(zones[0])))
        except ZoneInfoNotFoundError:
            continue
    return None


def language_name(code: str) -> str:
    if not code:
        return ""
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code
