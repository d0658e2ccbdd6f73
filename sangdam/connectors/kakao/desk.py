"""The chatbot desk: a customer writes an inquiry to the company's KakaoTalk chatbot.

Each call of the skill is one turn: the desk reads the user's conversation (one row per
user and channel), moves it one step (topic → description → optional photos → confirm)
and answers at once with a skill response (Kakao waits at most 5 seconds). On "접수하기"
the inquiry enters through the one intake and the answer carries its reference and status
link; with photos and callback mode on, a task fetches the photos, opens the ticket and
posts the answer to Kakao's callback URL instead (within Kakao's one minute).

The chatbot cannot write to the user first: agents' replies are shown on the status page
and under "내 문의" (or sent through 상담톡 where the company has it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangdam.connectors import intake
from sangdam.connectors.base import InboundAttachment, InboundMessage, SenderIdentity
from sangdam.connectors.kakao import skill
from sangdam.connectors.kakao.config import skill_config
from sangdam.connectors.kakao.models import SkillConversation, Step
from sangdam.connectors.kakao.request import SkillRequest
from sangdam.connectors.models import Channel
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.updates import update
from sangdam.customers.models import Identity
from sangdam.portal.links import status_url
from sangdam.service.hours import is_open, next_opening
from sangdam.service.promise import one_period
from sangdam.service.selectors import schedules_by_channel
from sangdam.tickets import selectors
from sangdam.tickets.models import Direction, Message, MessageKind, Ticket

# A conversation left alone this long starts over (the user has moved on).
FORGET_AFTER = dt.timedelta(hours=1)
MAX_PHOTOS = 5
MIN_DESCRIPTION = 2
MY_INQUIRIES_SHOWN = 5

# Quick replies; a tap sends the label as the utterance, in either language.
MY_INQUIRIES = gettext_lazy("My inquiries")
NEW_INQUIRY = gettext_lazy("New inquiry")
START_OVER = gettext_lazy("Start over")
SKIP = gettext_lazy("Skip")
NEXT = gettext_lazy("Next")
SUBMIT = gettext_lazy("Submit")
TALK_TO_AGENT = gettext_lazy("Talk to an agent")


def _words(*labels: Promise | str) -> set[str]:
    """Every spelling of these labels a user may send: each language, spaces ignored."""
    found: set[str] = set()
    for label in labels:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                found.add(_norm(str(label)))
    return found


def _norm(text: str) -> str:
    return "".join(text.split()).lower()


def _is(utterance: str, *labels: Promise | str) -> bool:
    return _norm(utterance) in _words(*labels)


# --- opening hours ----------------------------------------------------------------------


def closed_notice(channel: Channel, now: dt.datetime) -> str:
    """ "" when the channel's schedule is open now; else when it opens again."""
    own, default = schedules_by_channel()
    schedule = own.get(channel.pk) or default
    if schedule is None:
        return ""
    hours = schedule.hours()
    if is_open(hours, now):
        return ""
    opening = next_opening(hours, now)
    if opening is None:
        return _("We are closed at the moment. Leave your inquiry; we answer it as soon as we can.")
    when = formats.date_format(opening.astimezone(hours.zone), "DATETIME_FORMAT")
    return one_period(
        _("We are closed now and open again on %(when)s. Leave your inquiry; we answer it then.")
        % {"when": when}
    )


# --- the turn ---------------------------------------------------------------------------


def answer(channel: Channel, request: SkillRequest, *, now: dt.datetime | None = None) -> Any:
    """Move the user's conversation one step and return the skill answer (a JSON dict)."""
    now = now or timezone.now()
    with translation.override(request.language), transaction.atomic():
        conversation = _conversation(channel, request, now)
        return _turn(channel, conversation, request, now)


# Read for every turn: compiled once (core/compiled.py).
_LOCKED_CONVERSATION = CompiledQuery(
    SkillConversation,
    lambda channel_id, user_key: (
        SkillConversation.objects.select_for_update()
        .filter(channel_id=channel_id, user_key=user_key)
        .order_by("pk")[:1]
    ),
    MARKER,
    "\x00user",
)


def _conversation(channel: Channel, request: SkillRequest, now: dt.datetime) -> SkillConversation:
    # Two turns of one user at once (a double tap) take turns on the row: one locking
    # read for a user the desk knows (every turn after the first), not a read and a
    # second read to lock.
    rows = SkillConversation.objects.select_for_update()
    conversation = next(iter(_LOCKED_CONVERSATION.objects(channel.pk, request.user_key)), None)
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = SkillConversation.objects.create(
                    channel=channel, user_key=request.user_key, language=request.language
                )
        except IntegrityError:
            # The same user's first two turns raced: the other one created the row.
            conversation = rows.get(channel=channel, user_key=request.user_key)
    if conversation.step != Step.IDLE and now - conversation.updated_at > FORGET_AFTER:
        _reset(conversation)
    conversation.language = request.language
    return conversation


def _reset(conversation: SkillConversation, step: str = Step.IDLE) -> None:
    conversation.step = step
    conversation.topic_slug = ""
    conversation.description = ""
    conversation.photo_urls = []


# What a turn changes (never the channel or the user): a narrower UPDATE per turn.
_STATE_FIELDS = [
    "step", "inquiry_id", "topic_slug", "description", "photo_urls", "language", "updated_at"
]  # fmt: skip


def _save(conversation: SkillConversation) -> None:
    update(conversation, _STATE_FIELDS)


def _turn(
    channel: Channel, conversation: SkillConversation, request: SkillRequest, now: dt.datetime
) -> Any:
    utterance = request.utterance
    if _is(utterance, MY_INQUIRIES):
        return my_inquiries(channel, request.user_key)
    if conversation.step == Step.SUBMITTING:
        return skill.response(
            [
                skill.simple_text(
                    _("Your inquiry is being sent; its reference follows in a moment.")
                )
            ],
            quick_replies=[str(MY_INQUIRIES)],
        )
    if _is(utterance, START_OVER, NEW_INQUIRY) or conversation.step == Step.IDLE:
        _reset(conversation, Step.TOPIC)
        _save(conversation)
        return _greeting(channel, now)
    if conversation.step == Step.TOPIC:
        topic = _topic_named(utterance)
        if topic is None:
            return _greeting(channel, now, again=True)
        conversation.topic_slug = topic.slug
        conversation.step = Step.DESCRIBE
        _save(conversation)
        return skill.response(
            [
                skill.simple_text(
                    _("%(topic)s: please describe your inquiry in one message.")
                    % {"topic": topic.name(request.language)}
                )
            ],
            quick_replies=[str(START_OVER)],
        )
    if conversation.step == Step.DESCRIBE:
        if request.photo_urls:
            conversation.photo_urls = list(request.photo_urls)[:MAX_PHOTOS]
            _save(conversation)
            return skill.response(
                [skill.simple_text(_("Photo received. Now please describe your inquiry."))],
                quick_replies=[str(START_OVER)],
            )
        if len(utterance) < MIN_DESCRIPTION:
            return skill.response(
                [skill.simple_text(_("Please write a little more so that we can help you."))],
                quick_replies=[str(START_OVER)],
            )
        conversation.description = utterance
        conversation.step = Step.PHOTO
        _save(conversation)
        return skill.response(
            [
                skill.simple_text(
                    _("If a photo helps, send it now (up to %(count)d). Otherwise tap “%(skip)s”.")
                    % {"count": MAX_PHOTOS, "skip": SKIP}
                )
            ],
            quick_replies=[str(SKIP), str(START_OVER)],
        )
    if conversation.step == Step.PHOTO:
        if request.photo_urls:
            conversation.photo_urls = [*conversation.photo_urls, *request.photo_urls][:MAX_PHOTOS]
            _save(conversation)
            if len(conversation.photo_urls) < MAX_PHOTOS:
                return skill.response(
                    [
                        skill.simple_text(
                            _("Photo received (%(count)d). Send another, or tap “%(next)s”.")
                            % {"count": len(conversation.photo_urls), "next": NEXT}
                        )
                    ],
                    quick_replies=[str(NEXT), str(START_OVER)],
                )
        elif not _is(utterance, SKIP, NEXT):
            # More words: they belong to the description.
            conversation.description = f"{conversation.description}\n{utterance}".strip()
        conversation.step = Step.CONFIRM
        _save(conversation)
        return _summary(channel, conversation)
    if conversation.step == Step.CONFIRM:
        if _is(utterance, SUBMIT):
            return _submit(channel, conversation, request, now)
        return _summary(channel, conversation)
    _reset(conversation, Step.TOPIC)
    _save(conversation)
    return _greeting(channel, now)


def _topic_named(utterance: str) -> Any:
    wanted = _norm(utterance)
    for topic in selectors.topic_list():
        if wanted in {_norm(str(name)) for name in (topic.names or {}).values()} | {
            _norm(topic.slug)
        }:
            return topic
    return None


def _topic_replies(language: str) -> list[str]:
    # Room is left for "My inquiries" (10 quick replies at most).
    return [t.name(language) for t in selectors.topic_list()][: skill.MAX_QUICK_REPLIES - 1]


def _greeting(channel: Channel, now: dt.datetime, *, again: bool = False) -> Any:
    language = translation.get_language() or settings.LANGUAGE_CODE
    config = skill_config(channel)
    if again:
        text = _("Please choose one of the topics below.")
    else:
        text = config.welcome_text or _(
            "Hello! What is your inquiry about? Choose a topic below, "
            "or tap “%(mine)s” to see the ones you sent."
        ) % {"mine": MY_INQUIRIES}
    notice = closed_notice(channel, now)
    if notice:
        text = f"{text}\n\n{notice}"
    return skill.response(
        [skill.simple_text(text)],
        quick_replies=[*_topic_replies(language), str(MY_INQUIRIES)],
    )


def _summary(channel: Channel, conversation: SkillConversation) -> Any:
    topic = selectors.topic_by_slug(slug=conversation.topic_slug)
    name = topic.name(conversation.language) if topic else conversation.topic_slug
    description = f"[{name}] {conversation.description}"
    if conversation.photo_urls:
        description += "\n" + _("Photos: %(count)d") % {"count": len(conversation.photo_urls)}
    return skill.response(
        [
            skill.card(
                title=_("Send this inquiry?"),
                description=description,
                image_url=skill_config(channel).card_image_url,
            )
        ],
        quick_replies=[str(SUBMIT), str(START_OVER)],
    )


# --- opening the ticket -----------------------------------------------------------------


def _submit(
    channel: Channel, conversation: SkillConversation, request: SkillRequest, now: dt.datetime
) -> Any:
    if conversation.photo_urls and request.callback_url:
        # Fetching photos may outlast Kakao's 5 seconds: answer "wait", finish in a task.
        from sangdam.connectors.kakao.tasks import submit_inquiry

        conversation.step = Step.SUBMITTING
        _save(conversation)
        submit_inquiry.enqueue(
            conversation.pk, str(conversation.inquiry_id), request.callback_url, now.isoformat()
        )
        return skill.callback_pending(_("Sending your inquiry with its photos…"))
    result = open_inquiry(channel, conversation, request)
    finish(conversation)
    return submitted_answer(channel, result.ticket, now)


def open_inquiry(
    channel: Channel,
    conversation: SkillConversation,
    request: SkillRequest | None = None,
    *,
    attachments: Iterable[InboundAttachment] = (),
    unfetched: Iterable[str] | None = None,
) -> intake.IntakeResult:
    """Hand the conversation's inquiry to the intake (a repeat opens nothing new)."""
    text = conversation.description
    links = list(conversation.photo_urls if unfetched is None else unfetched)
    if links:
        text += "\n\n" + _("Photos sent in KakaoTalk:") + "\n" + "\n".join(links)
    metadata: dict[str, Any] = {"kakao": {"user_key": conversation.user_key}}
    if request is not None:
        metadata["kakao"]["bot_user_key"] = request.bot_user_key
    return intake.receive(
        InboundMessage(
            channel_id=channel.pk,
            external_id=f"skill:{conversation.inquiry_id}",
            identities=(SenderIdentity("kakao", conversation.user_key),),
            text=text,
            subject=conversation.description.splitlines()[0][:120],
            attachments=tuple(attachments),
            thread_key=f"kakao-skill:{conversation.inquiry_id}",
            topic_slug=conversation.topic_slug,
            language=conversation.language,
            metadata=metadata,
        )
    )


def finish(conversation: SkillConversation) -> None:
    """The inquiry is in: the next one gets a new id."""
    _reset(conversation)
    conversation.inquiry_id = uuid.uuid4()
    _save(conversation)


def submitted_answer(channel: Channel, ticket: Ticket, now: dt.datetime) -> Any:
    buttons = [skill.Button(_("View status"), url=status_url(ticket))]
    if skill_config(channel).dealer:
        # 상담톡 is connected: the agent answers right here, and the user can ask for one
        # now ("상담원 연결" hands the chat to 상담톡; the ticket carries over).
        description = _(
            "We will answer you in this chat as soon as we can. To talk to an agent now, "
            "tap “%(agent)s”."
        ) % {"agent": TALK_TO_AGENT}
        buttons.append(skill.Button(str(TALK_TO_AGENT), operator=True))
    else:
        description = _(
            "We will answer as soon as we can. The chatbot cannot write to you first: "
            "our answer appears on the status page and under “%(mine)s”."
        ) % {"mine": MY_INQUIRIES}
    notice = closed_notice(channel, now)
    if notice:
        description = f"{notice}\n{description}"
    return skill.response(
        [
            skill.card(
                title=_("Inquiry %(reference)s received") % {"reference": ticket.reference},
                description=description,
                buttons=buttons,
                image_url=skill_config(channel).card_image_url,
            )
        ],
        quick_replies=[str(MY_INQUIRIES), str(NEW_INQUIRY)],
    )


# --- "내 문의" ---------------------------------------------------------------------------


def my_inquiries(channel: Channel, user_key: str) -> Any:
    """The user's open inquiries (newest first) with their state and our last answer."""
    customer_ids = list(
        Identity.objects.filter(kind="kakao", value=user_key).values_list("customer_id", flat=True)
    )
    tickets = [
        t
        for customer_id in customer_ids
        for t in selectors.customer_tickets(customer_id=customer_id, limit=20)
        if t.is_open
    ][:MY_INQUIRIES_SHOWN]
    if not tickets:
        return skill.response(
            [skill.simple_text(_("You have no open inquiries."))],
            quick_replies=[str(NEW_INQUIRY)],
        )
    image = skill_config(channel).card_image_url
    cards = []
    for ticket in tickets:
        reply = (
            Message.objects.filter(ticket=ticket, direction=Direction.OUT, kind=MessageKind.PUBLIC)
            .order_by("-created_at", "-id")
            .values_list("text", flat=True)
            .first()
        )
        description = ticket.subject
        if reply:
            description += "\n" + _("Our answer: %(text)s") % {"text": reply}
        cards.append(
            skill.card(
                title=f"{ticket.reference} · {ticket.get_status_display()}",
                description=description,
                buttons=[skill.Button(_("View status"), url=status_url(ticket))],
                image_url=image,
            )
        )
    return skill.response([skill.carousel(cards)], quick_replies=[str(NEW_INQUIRY)])
