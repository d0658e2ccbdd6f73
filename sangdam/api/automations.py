"""Triggers and time rules over the API, with the console's checks: conditions and actions
are given as an admin types them in the console (a team or agent by name, a topic by slug,
a macro by name, tags comma-separated) and stored with ids, as there. Reading needs any
token; changing needs an admin's."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sangdam.api.auth import api_user
from sangdam.api.errors import ApiError, not_found, validation_error
from sangdam.api.schemas import ERRORS
from sangdam.automations.models import Since, TimeRule, Trigger, When
from sangdam.automations.rules import RuleError, clean_action, clean_condition, shown_value
from sangdam.tickets.models import Status as TicketStatus

router = Router(tags=["automations"])


class ConditionIO(Schema):
    field: str = Field(description="channel, topic, priority, status, team, assignee, …")
    op: str = Field("is", description="is, is_not, contains, …")
    value: str = ""


class ActionIO(Schema):
    type: str = Field(description="set_team, set_priority, add_tags, auto_reply, notify, …")
    value: str = ""


class TriggerIn(Schema):
    name: str = Field(max_length=120)
    position: int = Field(0, ge=0)
    active: bool = True
    when: str = Field(description="ticket_created, ticket_updated or message_received")
    conditions: list[ConditionIO] = Field(default_factory=list, description="all must hold")
    actions: list[ActionIO] = Field(min_length=1, description="run in order")


class TriggerOut(TriggerIn):
    id: int


class TimeRuleIn(Schema):
    name: str = Field(max_length=120)
    position: int = Field(0, ge=0)
    active: bool = True
    since: str = Field(description="status (with `status`) or unassigned")
    status: str = ""
    minutes: int = Field(ge=1)
    conditions: list[ConditionIO] = Field(default_factory=list)
    actions: list[ActionIO] = Field(min_length=1)


class TimeRuleOut(TimeRuleIn):
    id: int


def _admin(request: HttpRequest) -> None:
    if not api_user(request).is_admin:
        raise ApiError(403, "permission_denied", _("Only an admin can change automations."))


def _cleaned(payload: TriggerIn | TimeRuleIn) -> dict[str, Any]:
    fields = payload.dict()
    conditions, actions = [], []
    for n, item in enumerate(payload.conditions):
        try:
            conditions.append(clean_condition(item.field, item.op, item.value))
        except RuleError as exc:
            raise validation_error(f"conditions.{n}", str(exc)) from exc
    for n, action in enumerate(payload.actions):
        try:
            actions.append(clean_action(action.type, action.value))
        except RuleError as exc:
            raise validation_error(f"actions.{n}", str(exc)) from exc
    fields.update(conditions=conditions, actions=actions)
    return fields


def _shown(item: Trigger | TimeRule) -> dict[str, Any]:
    out = {f: getattr(item, f) for f in ("id", "name", "position", "active")}
    if isinstance(item, Trigger):
        out["when"] = item.when
    else:
        out.update(since=item.since, status=item.status, minutes=item.minutes)
    out["conditions"] = [
        {"field": c["field"], "op": c["op"], "value": shown_value(c)} for c in item.conditions
    ]
    out["actions"] = [{"type": a["type"], "value": shown_value(a)} for a in item.actions]
    return out


def _one(model: type[Model], item_id: int) -> Any:
    item = model._default_manager.filter(pk=item_id).first()
    if item is None:
        raise not_found(_("Automation"))
    return item


def _trigger_fields(payload: TriggerIn) -> dict[str, Any]:
    if payload.when not in When.values:
        raise validation_error("when", _("Unknown event."))
    return _cleaned(payload)


def _rule_fields(payload: TimeRuleIn) -> dict[str, Any]:
    if payload.since not in Since.values:
        raise validation_error("since", _("Unknown condition."))
    if payload.since == Since.STATUS and payload.status not in TicketStatus.values:
        raise validation_error("status", _("Name the status the ticket has been in."))
    return _cleaned(payload)


def _save(item: Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()


@router.get("/triggers", response={200: list[TriggerOut], **ERRORS})
def list_triggers(request: HttpRequest) -> list[dict[str, Any]]:
    """Triggers in the order they run, values shown as an admin typed them."""
    return [_shown(t) for t in Trigger.objects.order_by("position", "id")]


@router.post("/triggers", response={201: TriggerOut, **ERRORS})
def create_trigger(request: HttpRequest, payload: TriggerIn) -> Status[dict[str, Any]]:
    _admin(request)
    trigger = Trigger()
    _save(trigger, _trigger_fields(payload))
    return Status(201, _shown(trigger))


@router.put("/triggers/{trigger_id}", response={200: TriggerOut, **ERRORS})
def replace_trigger(request: HttpRequest, trigger_id: int, payload: TriggerIn) -> dict[str, Any]:
    """Replace a trigger whole (name, event, conditions, actions)."""
    _admin(request)
    trigger = _one(Trigger, trigger_id)
    _save(trigger, _trigger_fields(payload))
    return _shown(trigger)


@router.delete("/triggers/{trigger_id}", response={204: None, **ERRORS})
def delete_trigger(request: HttpRequest, trigger_id: int) -> HttpResponse:
    _admin(request)
    _one(Trigger, trigger_id).delete()
    return HttpResponse(status=204)


@router.get("/time-rules", response={200: list[TimeRuleOut], **ERRORS})
def list_time_rules(request: HttpRequest) -> list[dict[str, Any]]:
    """Time rules ("pending 3 days → remind") the scheduler runs, in order."""
    return [_shown(r) for r in TimeRule.objects.order_by("position", "id")]


@router.post("/time-rules", response={201: TimeRuleOut, **ERRORS})
def create_time_rule(request: HttpRequest, payload: TimeRuleIn) -> Status[dict[str, Any]]:
    _admin(request)
    rule = TimeRule()
    _save(rule, _rule_fields(payload))
    return Status(201, _shown(rule))


@router.put("/time-rules/{rule_id}", response={200: TimeRuleOut, **ERRORS})
def replace_time_rule(request: HttpRequest, rule_id: int, payload: TimeRuleIn) -> dict[str, Any]:
    _admin(request)
    rule = _one(TimeRule, rule_id)
    _save(rule, _rule_fields(payload))
    return _shown(rule)


@router.delete("/time-rules/{rule_id}", response={204: None, **ERRORS})
def delete_time_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    _admin(request)
    _one(TimeRule, rule_id).delete()
    return HttpResponse(status=204)
