"""What callers hear, as pure TwiML (no server, no database): Korean and English
greetings, weekends and public holidays, menu keys, the queue's maximum wait."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest

from sangdam.connectors.phone import twiml
from sangdam.connectors.phone.config import PhoneConfig
from sangdam.service.hours import WeeklyHours, parse_intervals
from tests.phone.conftest import MENU, parse_twiml

SEOUL = ZoneInfo("Asia/Seoul")
OFFICE = WeeklyHours(
    time_zone="Asia/Seoul",
    week=parse_intervals({str(d): [["09:00", "18:00"]] for d in range(5)}),
    holiday_country="KR",
)
CONFIG = PhoneConfig.model_validate({"menu": MENU})


def url(step: str, language: str = "ko") -> str:
    return f"https://help.example.com/hooks/phone/k/{step}?lang={language}"


def _at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


def _incoming(when: dt.datetime, language: str = "ko", config: PhoneConfig = CONFIG) -> ET.Element:
    return parse_twiml(
        twiml.incoming(config=config, language=language, hours=OFFICE, now=when, url=url)
    )


def _spoken(root: ET.Element) -> str:
    return " ".join(say.text or "" for say in root.iter("Say"))


def test_a_weekday_call_in_hours_gets_the_korean_greeting_and_menu():
    root = _incoming(_at(2026, 12, 2, 10, 0))  # a Wednesday

    text = _spoken(root)
    assert "전화" in text
    assert "결제 및 환불" in text and "계정" in text
    assert root.find("Gather") is not None


def test_an_english_number_greets_in_english():
    root = _incoming(_at(2026, 12, 2, 10, 0), language="en")

    assert "Thank you for calling." in _spoken(root)
    assert "For your account, press 2." in _spoken(root)
    assert {say.get("language") for say in root.iter("Say")} == {"en-US"}


def test_a_saturday_call_hears_the_hours_and_mondays_opening():
    root = _incoming(_at(2026, 12, 5, 11, 0), language="en")  # a Saturday

    text = _spoken(root)
    assert "closed" in text
    assert "Monday to Friday 09:00 to 18:00" in text
    assert "Monday, December 7 at 09:00" in text
    assert "To leave a message, press 1." in text
    assert "To be called back when we open, press 2." in text


def test_a_public_holiday_is_named_in_korean_with_the_next_opening():
    root = _incoming(_at(2026, 10, 9, 10, 0))  # 한글날, a Friday

    text = _spoken(root)
    assert "한글날" in text
    assert "10월 12일" in text  # the Monday after
    assert "09:00" in text


def test_after_hours_without_voicemail_or_callback_the_call_ends_after_the_message():
    config = CONFIG.model_copy(update={"voicemail": False, "callback": False})

    root = _incoming(_at(2026, 12, 2, 20, 0), config=config)

    assert root.find("Gather") is None
    assert root.find("Hangup") is not None


def test_an_unknown_menu_key_repeats_the_menu():
    root = parse_twiml(twiml.menu_choice(config=CONFIG, language="ko", digits="7", url=url))

    gather = root.find("Gather")
    assert gather is not None
    assert "결제 및 환불" in _spoken(gather)


def test_dialing_agents_rings_their_numbers_and_sip_addresses_up_to_the_maximum_wait():
    config = CONFIG.model_copy(
        update={
            "ring": "dial",
            "dial": ["+821011112222", "sip:desk@pbx.example.com"],
            "max_wait_seconds": 45,
        }
    )

    root = parse_twiml(twiml.menu_choice(config=config, language="ko", digits="1", url=url))

    dial = root.find("Dial")
    assert dial is not None and dial.get("timeout") == "45"
    assert [n.text for n in dial.iter("Number")] == ["+821011112222"]
    assert [n.text for n in dial.iter("Sip")] == ["sip:desk@pbx.example.com"]


def test_waiting_callers_hear_their_position_then_leave_the_queue_at_the_maximum_wait():
    waiting = parse_twiml(
        twiml.waiting(config=CONFIG, language="en", position=3, waited_seconds=30)
    )
    too_long = parse_twiml(
        twiml.waiting(config=CONFIG, language="en", position=3, waited_seconds=120)
    )

    assert "You are number 3 in line." in _spoken(waiting)
    assert waiting.find("Play") is not None
    assert too_long.find("Leave") is not None


def test_transcription_is_asked_for_only_when_the_channel_wants_it():
    config = CONFIG.model_copy(update={"transcribe": True})

    root = parse_twiml(twiml.after_ring(config=config, language="ko", answered=False, url=url))

    record = root.find("Record")
    assert record is not None
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == url("transcription")


SWITCHING = CONFIG.model_copy(update={"language_key": "9"})


def test_the_language_key_is_offered_in_the_other_language_and_voice():
    root = _incoming(_at(2026, 12, 2, 10, 0), config=SWITCHING)

    offer = [say for say in root.iter("Say") if say.get("language") == "en-US"]
    assert [say.text for say in offer] == ["To continue in English, press 9."]


def test_the_language_key_switches_the_rest_of_the_call_to_english():
    root = parse_twiml(twiml.menu_choice(config=SWITCHING, language="ko", digits="9", url=url))

    gather = root.find("Gather")
    assert gather is not None and gather.get("action", "").endswith("/menu?lang=en")
    english = " ".join(s.text or "" for s in gather.iter("Say") if s.get("language") == "en-US")
    assert "Thank you for calling." in english and "For payment and refunds, press 1." in english
    korean = [s.text for s in gather.iter("Say") if s.get("language") == "ko-KR"]
    assert korean == ["한국어로 계속하시려면 9번을 눌러 주세요."]
    # The next step in English: "Please hold" and the queue's URLs carry lang=en.
    rung = parse_twiml(twiml.menu_choice(config=SWITCHING, language="en", digits="1", url=url))
    assert "Please hold" in _spoken(rung)
    enqueue = rung.find("Enqueue")
    assert enqueue is not None and enqueue.get("waitUrl", "").endswith("/wait?lang=en")


def test_the_closed_message_switches_language_on_the_key():
    saturday = _at(2026, 12, 5, 11, 0)
    closed = _incoming(saturday, config=SWITCHING)
    assert "To continue in English, press 9." in _spoken(closed)

    root = parse_twiml(
        twiml.closed_choice(
            config=SWITCHING,
            language="ko",
            digits="9",
            opening=None,
            hours=OFFICE,
            now=saturday,
            url=url,
        )
    )

    gather = root.find("Gather")
    assert gather is not None and gather.get("action", "").endswith("/closed?lang=en")
    assert "Monday, December 7 at 09:00" in _spoken(gather)


def test_a_line_without_a_menu_still_offers_the_language_key():
    config = PhoneConfig.model_validate({"language": "en", "language_key": "9"})

    root = parse_twiml(
        twiml.incoming(
            config=config, language="en", hours=None, now=_at(2026, 12, 2, 10, 0), url=url
        )
    )
    switched = parse_twiml(twiml.menu_choice(config=config, language="en", digits="9", url=url))
    rung = parse_twiml(twiml.menu_choice(config=config, language="ko", digits="", url=url))

    assert "계속하시려면 9번" in _spoken(root)
    assert {s.get("language") for s in switched.find("Gather").iter("Say")} >= {"ko-KR"}  # type: ignore[union-attr]
    assert rung.find("Enqueue") is not None


def test_a_language_key_that_is_also_a_menu_key_is_refused():
    with pytest.raises(ValueError, match="language key"):
        PhoneConfig.model_validate({"menu": MENU, "language_key": "1"})
