"""Routing over the API: each team's assignment strategy, and the ordered rules that pick a
new ticket's team (topic / channel / language). Reading needs any token; changing needs an
admin's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sangdam.accounts.models import Team
from sangdam.api.auth import api_user
from sangdam.api.errors import ApiError, not_found, validation_error
from sangdam.api.schemas import ERRORS
from sangdam.connectors.models import Channel
from sangdam.routing.models import RoutingRule, Strategy, TeamRouting
from sangdam.tickets.models import Topic

router = Router(tags=["routing"])


class TeamRoutingIO(Schema):
    strategy: str = Field(description="manual, round_robin or least_loaded")
    match_language: bool = Field(description="prefer agents who speak the inquiry's language")
    offer_timeout_minutes: int = Field(
        ge=0, le=1440, description="0: an assignment is final; else minutes to accept it"
    )


class TeamRoutingOut(TeamRoutingIO):
    team_id: int
    team: str


class RuleIn(Schema):
    name: str = Field(max_length=120)
    position: int = Field(0, ge=0)
    active: bool = True
    topic_id: int | None = None
    channel_id: int | None = None
    language: str = Field("", max_length=8)
    team_id: int


class RuleOut(RuleIn):
    id: int


def _admin(request: HttpRequest) -> None:
    if not api_user(request).is_admin:
        raise ApiError(403, "permission_denied", _("Only an admin can change routing."))


def _team_out(team: Team, routing: TeamRouting) -> dict[str, Any]:
    return {
        "team_id": team.pk,
        "team": team.name,
        "strategy": routing.strategy,
        "match_language": routing.match_language,
        "offer_timeout_minutes": routing.offer_timeout_minutes,
    }


def _routing(team: Team) -> TeamRouting:
    return TeamRouting.objects.filter(team=team).first() or TeamRouting(team=team)


@router.get("/teams/routing", response={200: list[TeamRoutingOut], **ERRORS})
def list_team_routing(request: HttpRequest) -> list[dict[str, Any]]:
    """Every team's assignment strategy (teams never configured are manual)."""
    return [_team_out(team, _routing(team)) for team in Team.objects.order_by("name")]


@router.put("/teams/{team_id}/routing", response={200: TeamRoutingOut, **ERRORS})
def set_team_routing(request: HttpRequest, team_id: int, payload: TeamRoutingIO) -> dict[str, Any]:
    _admin(request)
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise not_found(_("Team"))
    if payload.strategy not in Strategy.values:
        raise validation_error("strategy", _("Unknown assignment strategy."))
    routing = _routing(team)
    for name, value in payload.dict().items():
        setattr(routing, name, value)
    routing.save()
    return _team_out(team, routing)


def _rule_out(rule: RoutingRule) -> dict[str, Any]:
    fields = ("id", "name", "position", "active", "topic_id", "channel_id", "language", "team_id")
    return {name: getattr(rule, name) for name in fields}


def _save_rule(rule: RoutingRule, payload: RuleIn) -> RoutingRule:
    checks = (("team_id", Team), ("topic_id", Topic), ("channel_id", Channel))
    for name, model in checks:
        value = getattr(payload, name)
        if value is not None and not model._default_manager.filter(pk=value).exists():
            raise validation_error(name, _("No such id."))
    for name, value in payload.dict().items():
        setattr(rule, name, value)
    try:
        rule.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise validation_error(field, str(messages[0])) from exc
    rule.save()
    return rule


def _rule(rule_id: int) -> RoutingRule:
    rule = RoutingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise not_found(_("Routing rule"))
    return rule


@router.get("/routing-rules", response={200: list[RuleOut], **ERRORS})
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    """Rules in the order they are tried; the first whose conditions all match picks the
    team (a topic's default team applies when none does)."""
    return [_rule_out(r) for r in RoutingRule.objects.order_by("position", "id")]


@router.post("/routing-rules", response={201: RuleOut, **ERRORS})
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[dict[str, Any]]:
    _admin(request)
    return Status(201, _rule_out(_save_rule(RoutingRule(), payload)))


@router.put("/routing-rules/{rule_id}", response={200: RuleOut, **ERRORS})
def replace_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> dict[str, Any]:
    _admin(request)
    return _rule_out(_save_rule(_rule(rule_id), payload))


@router.delete("/routing-rules/{rule_id}", response={204: None, **ERRORS})
def delete_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    _admin(request)
    _rule(rule_id).delete()
    return HttpResponse(status=204)
