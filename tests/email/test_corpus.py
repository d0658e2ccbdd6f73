"""Every mail in the corpus parses to what a person reading it would expect.

The corpus (tests/email/corpus/*.eml, written by tests/email/corpus_make) covers charsets,
clients, quoting styles, auto-replies, bounces and broken mail; expected.json says,
per file, what the agent must see. Parsing needs no database.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from sangdam.connectors.email.parse import ParsedEmail, parse_email

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (CORPUS / "expected.json").read_text(encoding="utf-8")
)


def parsed(name: str) -> ParsedEmail:
    return parse_email((CORPUS / name).read_bytes(), channel_id=1)


def cases(key: str) -> list[Any]:
    return [pytest.param(name, spec, id=name) for name, spec in EXPECTED.items() if key in spec]


def test_the_corpus_holds_at_least_forty_real_format_mails() -> None:
    files = sorted(CORPUS.glob("*.eml"))
    assert len(files) >= 40
    assert {f.name for f in files} == set(EXPECTED)


@pytest.mark.parametrize(("name", "spec"), cases("kind"))
def test_each_mail_is_classified_as_expected(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.kind == spec["kind"]
    if spec["kind"] in ("bounce", "ignored"):
        assert result.inbound is None
    else:
        assert result.inbound is not None


@pytest.mark.parametrize(("name", "spec"), cases("subject"))
def test_agent_sees_the_subject_decoded(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.subject == spec["subject"]


@pytest.mark.parametrize(("name", "spec"), cases("sender"))
def test_the_customer_is_the_person_who_wrote(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.identities[0].value == spec["sender"]


@pytest.mark.parametrize(("name", "spec"), cases("sender_name"))
def test_agent_sees_the_sender_name_decoded(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.sender_name == spec["sender_name"]


@pytest.mark.parametrize(("name", "spec"), cases("text_contains"))
def test_agent_sees_the_text_in_its_real_characters(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    for piece in spec["text_contains"]:
        assert piece in result.inbound.text
    assert "\ufffd" not in result.inbound.text
    assert "\r" not in result.inbound.text


@pytest.mark.parametrize(("name", "spec"), cases("text"))
def test_agent_sees_only_the_newest_reply_first(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.text == spec["text"]


@pytest.mark.parametrize(("name", "spec"), cases("full_text_contains"))
def test_the_full_mail_with_its_history_is_kept(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    full = result.inbound.message_metadata["email"]["full_text"]
    for piece in spec["full_text_contains"]:
        assert piece in full


@pytest.mark.parametrize(("name", "spec"), cases("full_html_contains"))
def test_an_html_reply_shows_its_newest_part_and_keeps_the_whole_html(
    name: str, spec: dict[str, Any]
) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.html == ""
    for piece in spec["full_html_contains"]:
        assert piece in result.inbound.message_metadata["email"]["full_html"]


@pytest.mark.parametrize(("name", "spec"), cases("html_contains"))
def test_agent_sees_the_html_version(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    for piece in spec["html_contains"]:
        assert piece in result.inbound.html


@pytest.mark.parametrize(("name", "spec"), cases("html_excludes"))
def test_hostile_html_and_remote_images_are_removed(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    for piece in spec["html_excludes"]:
        assert piece not in result.inbound.html


@pytest.mark.parametrize(("name", "spec"), cases("remote_images"))
def test_blocked_remote_images_are_noted_for_the_agent(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.message_metadata["email"]["remote_images"] == spec["remote_images"]


@pytest.mark.parametrize(("name", "spec"), cases("attachments"))
def test_attachments_arrive_with_their_decoded_names(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert [a.filename for a in result.inbound.attachments] == spec["attachments"]
    assert all(a.content for a in result.inbound.attachments)


@pytest.mark.parametrize(("name", "spec"), cases("inline_images"))
def test_inline_images_are_kept_and_mapped_to_their_cid(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.message_metadata["email"]["inline_images"] == spec["inline_images"]


@pytest.mark.parametrize(("name", "spec"), cases("reference"))
def test_the_ticket_reference_is_found(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.ticket_reference == spec["reference"]


@pytest.mark.parametrize(("name", "spec"), cases("in_reply_to"))
def test_reply_ids_come_parent_first(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert list(result.inbound.in_reply_to) == spec["in_reply_to"]


@pytest.mark.parametrize(("name", "spec"), cases("thread_key"))
def test_the_thread_is_keyed_by_its_first_mail(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.inbound is not None
    assert result.inbound.thread_key == spec["thread_key"]


@pytest.mark.parametrize(("name", "spec"), cases("auto_submitted"))
def test_machine_written_mail_is_never_answered_automatically(
    name: str, spec: dict[str, Any]
) -> None:
    assert parsed(name).auto_submitted is spec["auto_submitted"]


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        pytest.param(n, s, id=n)
        for n, s in EXPECTED.items()
        if s["kind"] == "message" and "auto_submitted" not in s
    ],
)
def test_a_person_s_mail_may_be_answered_automatically(name: str, spec: dict[str, Any]) -> None:
    assert parsed(name).auto_submitted is False


@pytest.mark.parametrize(("name", "spec"), cases("bounce_ids"))
def test_a_bounce_names_the_mail_it_bounces_and_why(name: str, spec: dict[str, Any]) -> None:
    result = parsed(name)
    assert result.bounce is not None
    assert list(result.bounce.original_message_ids)[: len(spec["bounce_ids"])] == spec["bounce_ids"]
    assert result.bounce.permanent is spec["permanent"]
    if "reason_contains" in spec:
        assert spec["reason_contains"] in result.bounce.reason


@pytest.mark.parametrize(("name", "spec"), cases("synthetic_id"))
def test_a_mail_without_message_id_gets_a_stable_one(name: str, spec: dict[str, Any]) -> None:
    first, second = parsed(name), parsed(name)
    assert first.message_id == second.message_id
    assert first.message_id.endswith("@sangdam.invalid>")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_mail_cut_short_is_still_read_without_an_internal_error(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    for cut in (len(raw) // 3, len(raw) // 2, len(raw) - 7):
        # parse_email never raises; "unreadable" is its last resort when our code failed.
        assert not parse_email(raw[:cut], channel_id=1).reason.startswith("unreadable")


def test_corrupted_bytes_anywhere_never_reach_the_last_resort() -> None:
    corpus = [(CORPUS / name).read_bytes() for name in sorted(EXPECTED)]
    rng = random.Random(20261124)
    for _ in range(600):
        raw = bytearray(rng.choice(corpus))
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        result = parse_email(bytes(raw), channel_id=1)
        assert not result.reason.startswith("unreadable"), bytes(raw)[:200]
