"""Kakao i Open Builder skill responses (version "2.0"), kept inside Kakao's limits.

Pure functions, no database: the desk builds its answers with them and the fake skill
caller checks every answer with :func:`problems`.

Limits followed (Kakao's "응답 타입별 JSON 포맷", https://i.kakao.com/docs/skill-response-format
and https://kakaobusiness.gitbook.io/main/tool/chatbot/skill_guide/answer_json_format):
1 to 3 outputs per answer; simpleText up to 1000 characters (Kakao folds text over 500
behind "전체보기"); up to 10 quick replies; quick-reply and button labels up to 14
characters; up to 3 buttons per card; basicCard description up to 230 characters, textCard
title up to 50 and description up to 400. Kakao's own help says the visible limits vary by
bubble and device, so these are the documented ceilings, not a promise of what shows
unabridged on every phone. Longer text is split over bubbles, and what still does not fit
ends with "…" and a "more" button to the status page instead of being refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERSION = "2.0"
MAX_OUTPUTS = 3
MAX_TEXT = 1000
MAX_QUICK_REPLIES = 10
MAX_LABEL = 14
MAX_BUTTONS = 3
MAX_CARD_TITLE = 50
MAX_BASIC_DESCRIPTION = 230
MAX_TEXT_CARD_DESCRIPTION = 400
MAX_CAROUSEL_ITEMS = 10
ELLIPSIS = "…"

Output = dict[str, Any]


@dataclass(frozen=True)
class Button:
    """A card button: a web link (``url``), a message the user "sends" (``message``), or
    ``operator`` (상담원 연결: hands the chat to 상담톡)."""

    label: str
    url: str = ""
    message: str = ""
    operator: bool = False

    def render(self) -> dict[str, Any]:
        label = clip(self.label, MAX_LABEL)
        if self.operator:
            return {"label": label, "action": "operator"}
        if self.url:
            return {"label": label, "action": "webLink", "webLinkUrl": self.url}
        return {"label": label, "action": "message", "messageText": self.message or self.label}


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible,
    else at a space, else anywhere."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def simple_text(text: str) -> Output:
    return {"simpleText": {"text": clip(text, MAX_TEXT)}}


def card(
    *,
    title: str = "",
    description: str = "",
    buttons: list[Button] | tuple[Button, ...] = (),
    image_url: str = "",
) -> Output:
    """A basicCard when there is an image for its thumbnail (Kakao requires one), else a
    textCard; both hold up to 3 buttons."""
    rendered = [b.render() for b in list(buttons)[:MAX_BUTTONS]]
    if image_url:
        body: dict[str, Any] = {
            "title": clip(title, MAX_CARD_TITLE),
            "description": clip(description, MAX_BASIC_DESCRIPTION),
            "thumbnail": {"imageUrl": image_url},
        }
        kind = "basicCard"
    else:
        body = {
            "title": clip(title, MAX_CARD_TITLE),
            "description": clip(description, MAX_TEXT_CARD_DESCRIPTION),
        }
        kind = "textCard"
    body = {k: v for k, v in body.items() if v}
    if rendered:
        body["buttons"] = rendered
    return {kind: body}


def carousel(cards: list[Output]) -> Output:
    """Cards of one kind side by side (up to 10)."""
    cards = cards[:MAX_CAROUSEL_ITEMS]
    kind = next(iter(cards[0])) if cards else "textCard"
    return {"carousel": {"type": kind, "items": [c[kind] for c in cards if kind in c]}}


def long_text(text: str, *, more_url: str = "", more_label: str = "") -> list[Output]:
    """Outputs that show ``text`` within the limits: up to three bubbles; beyond that the
    third is a card whose description ends with "…" and a "more" button (``more_url``)."""
    pieces = split_text(text)
    if len(pieces) <= MAX_OUTPUTS:
        return [simple_text(p) for p in pieces]
    outputs = [simple_text(p) for p in pieces[: MAX_OUTPUTS - 1]]
    rest = " ".join(pieces[MAX_OUTPUTS - 1 :])
    buttons = [Button(more_label or "More", url=more_url)] if more_url else []
    outputs.append(card(description=clip(rest, MAX_TEXT_CARD_DESCRIPTION), buttons=buttons))
    return outputs


def response(
    outputs: list[Output], *, quick_replies: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    """A skill answer: at most 3 outputs and 10 quick replies (each a message the user
    sends by tapping it)."""
    template: dict[str, Any] = {"outputs": outputs[:MAX_OUTPUTS]}
    if quick_replies:
        template["quickReplies"] = [
            {"label": clip(label, MAX_LABEL), "action": "message", "messageText": label}
            for label in list(quick_replies)[:MAX_QUICK_REPLIES]
        ]
    return {"version": VERSION, "template": template}


def callback_pending(text: str) -> dict[str, Any]:
    """The immediate answer of a callback-mode step: Kakao shows ``text`` and waits up to a
    minute for the real answer at ``userRequest.callbackUrl``."""
    return {"version": VERSION, "useCallback": True, "data": {"text": clip(text, MAX_TEXT)}}


# --- checking an answer (the fake skill caller, tests) ---------------------------------


def _check_buttons(where: str, buttons: Any, problems: list[str]) -> None:
    if buttons is None:
        return
    if not isinstance(buttons, list) or len(buttons) > MAX_BUTTONS:
        problems.append(f"{where}: more than {MAX_BUTTONS} buttons")
        return
    for button in buttons:
        label = button.get("label", "") if isinstance(button, dict) else ""
        if not label or len(label) > MAX_LABEL:
            problems.append(f"{where}: button label {label!r} empty or over {MAX_LABEL}")
        action = button.get("action") if isinstance(button, dict) else None
        if action not in ("webLink", "message", "block", "phone", "share", "operator"):
            problems.append(f"{where}: unknown button action {action!r}")
        if action == "webLink" and not str(button.get("webLinkUrl", "")).startswith("http"):
            problems.append(f"{where}: webLink without an http(s) URL")


def _check_card(where: str, kind: str, body: Any, problems: list[str]) -> None:
    if not isinstance(body, dict):
        problems.append(f"{where}: {kind} is not an object")
        return
    if len(str(body.get("title", ""))) > MAX_CARD_TITLE:
        problems.append(f"{where}: {kind} title over {MAX_CARD_TITLE}")
    limit = MAX_BASIC_DESCRIPTION if kind == "basicCard" else MAX_TEXT_CARD_DESCRIPTION
    if len(str(body.get("description", ""))) > limit:
        problems.append(f"{where}: {kind} description over {limit}")
    if kind == "basicCard" and not (body.get("thumbnail") or {}).get("imageUrl"):
        problems.append(f"{where}: basicCard without a thumbnail")
    _check_buttons(where, body.get("buttons"), problems)


def problems(answer: Any) -> list[str]:
    """What in a skill answer Kakao would refuse or cut (empty: a valid answer)."""
    found: list[str] = []
    if not isinstance(answer, dict) or answer.get("version") != VERSION:
        return ['not a version "2.0" skill answer']
    if answer.get("useCallback") is True:
        return found
    template = answer.get("template")
    if not isinstance(template, dict):
        return ["no template"]
    outputs = template.get("outputs")
    if not isinstance(outputs, list) or not 1 <= len(outputs) <= MAX_OUTPUTS:
        found.append(f"outputs: need 1 to {MAX_OUTPUTS}")
        outputs = outputs if isinstance(outputs, list) else []
    for n, output in enumerate(outputs):
        where = f"outputs[{n}]"
        if not isinstance(output, dict) or len(output) != 1:
            found.append(f"{where}: one component per output")
            continue
        kind, body = next(iter(output.items()))
        if kind == "simpleText":
            text = body.get("text", "") if isinstance(body, dict) else ""
            if not text or len(text) > MAX_TEXT:
                found.append(f"{where}: simpleText empty or over {MAX_TEXT}")
        elif kind in ("basicCard", "textCard"):
            _check_card(where, kind, body, found)
        elif kind == "carousel":
            items = body.get("items") if isinstance(body, dict) else None
            ctype = body.get("type") if isinstance(body, dict) else None
            if not isinstance(items, list) or not 1 <= len(items) <= MAX_CAROUSEL_ITEMS:
                found.append(f"{where}: carousel needs 1 to {MAX_CAROUSEL_ITEMS} items")
                continue
            for m, item in enumerate(items):
                _check_card(f"{where}.items[{m}]", str(ctype), item, found)
        elif kind not in ("simpleImage", "listCard", "itemCard", "commerceCard"):
            found.append(f"{where}: unknown component {kind!r}")
    replies = template.get("quickReplies")
    if replies is not None:
        if not isinstance(replies, list) or len(replies) > MAX_QUICK_REPLIES:
            found.append(f"quickReplies: more than {MAX_QUICK_REPLIES}")
        else:
            for reply in replies:
                label = reply.get("label", "") if isinstance(reply, dict) else ""
                if not label or len(label) > MAX_LABEL:
                    found.append(f"quickReplies: label {label!r} empty or over {MAX_LABEL}")
                if (
                    isinstance(reply, dict)
                    and reply.get("action") == "message"
                    and not reply.get("messageText")
                ):
                    found.append("quickReplies: message action without messageText")
    return found
