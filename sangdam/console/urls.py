from django.contrib.auth import views as auth_views
from django.urls import path

from sangdam.connectors.app import views as app_admin
from sangdam.connectors.email import views as mailboxes
from sangdam.connectors.email import views_held as held
from sangdam.connectors.phone import views as phone
from sangdam.connectors.webhooks import admin as messengers
from sangdam.console.views import (
    account,
    admin,
    automations,
    inbox,
    properties,
    routing,
    search,
    service_levels,
    ticket,
    twofactor,
)

app_name = "console"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="console/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", twofactor.verify, name="two_factor_verify"),
    path("account/two-factor/", twofactor.enrol, name="two_factor_enrol"),
    path("language/", account.set_language, name="set_language"),
    path("presence/", routing.set_presence, name="set_presence"),
    path("", inbox.inbox, name="inbox"),
    path("inbox/list/", inbox.inbox_list, name="inbox_list"),
    path("search/", search.search, name="search"),
    path("tickets/<int:ticket_id>/", ticket.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/thread/", ticket.thread, name="thread"),
    path("tickets/<int:ticket_id>/reply/", ticket.reply, name="reply"),
    path("tickets/<int:ticket_id>/assign/", ticket.assign, name="assign"),
    path("tickets/<int:ticket_id>/status/", ticket.change_status, name="status"),
    path("tickets/<int:ticket_id>/fields/", ticket.update_fields, name="fields"),
    path("tickets/<int:ticket_id>/property/", properties.change, name="property"),
    path("tickets/<int:ticket_id>/properties/", properties.properties, name="properties"),
    path("tickets/<int:ticket_id>/offer/", routing.answer_offer, name="answer_offer"),
    path("tickets/<int:ticket_id>/merge/", ticket.merge, name="merge"),
    path("tickets/<int:ticket_id>/held/", ticket.resolve_held, name="resolve_held"),
    path("attachments/<int:attachment_id>/", ticket.attachment, name="attachment"),
    path("calls/", phone.calls, name="calls"),
    path("calls/pop/", phone.call_pop, name="call_pop"),
    path("calls/log/", phone.log_call, name="call_log"),
    path("calls/back/", phone.call_back, name="call_back"),
    path("held/", held.held_folder, name="held"),
    path("held/<int:held_id>/", held.held_detail, name="held_detail"),
    path("held/<int:held_id>/release/", held.held_release, name="held_release"),
    path("admin/bounces/", held.bounce_log, name="admin_bounces"),
    path("admin/", admin.home, name="admin"),
    path("admin/agents/", admin.agents, name="admin_agents"),
    path("admin/agents/new/", admin.agent_create, name="admin_agent_create"),
    path("admin/agents/<int:user_id>/", admin.agent_edit, name="admin_agent_edit"),
    path("admin/agents/<int:user_id>/unlock/", admin.agent_unlock, name="admin_agent_unlock"),
    path(
        "admin/agents/<int:user_id>/two-factor/reset/",
        admin.agent_reset_two_factor,
        name="admin_agent_reset_two_factor",
    ),
    path("admin/teams/", admin.teams, name="admin_teams"),
    path("admin/teams/new/", admin.team_create, name="admin_team_create"),
    path("admin/teams/<int:team_id>/", admin.team_edit, name="admin_team_edit"),
    path("admin/topics/", admin.topics, name="admin_topics"),
    path("admin/topics/new/", admin.topic_create, name="admin_topic_create"),
    path("admin/topics/<int:topic_id>/", admin.topic_edit, name="admin_topic_edit"),
    path("admin/schedules/", service_levels.schedules, name="admin_schedules"),
    path("admin/schedules/new/", service_levels.schedule_create, name="admin_schedule_create"),
    path(
        "admin/schedules/<int:schedule_id>/",
        service_levels.schedule_edit,
        name="admin_schedule_edit",
    ),
    path("admin/routing/", routing.rules, name="admin_routing"),
    path("admin/routing/new/", routing.rule_create, name="admin_routing_create"),
    path("admin/routing/<int:rule_id>/", routing.rule_edit, name="admin_routing_edit"),
    path("admin/routing/<int:rule_id>/delete/", routing.rule_delete, name="admin_routing_delete"),
    path("admin/sla/", service_levels.policies, name="admin_sla_policies"),
    path("admin/sla/new/", service_levels.policy_create, name="admin_sla_policy_create"),
    path("admin/sla/<int:policy_id>/", service_levels.policy_edit, name="admin_sla_policy_edit"),
    path("admin/automations/", automations.triggers, name="admin_triggers"),
    path("admin/automations/time-rules/", automations.time_rules, name="admin_time_rules"),
    path("admin/automations/macros/", automations.macros, name="admin_macros"),
    path(
        "admin/automations/<slug:kind>/new/",
        automations.edit,
        name="admin_automation_create",
    ),
    path(
        "admin/automations/<slug:kind>/<int:item_id>/",
        automations.edit,
        name="admin_automation_edit",
    ),
    path(
        "admin/automations/<slug:kind>/<int:item_id>/delete/",
        automations.delete,
        name="admin_automation_delete",
    ),
    path(
        "admin/automations/<slug:kind>/<int:item_id>/move/",
        automations.move,
        name="admin_automation_move",
    ),
    path("admin/mailboxes/", mailboxes.mailboxes, name="admin_mailboxes"),
    path("admin/mailboxes/new/", mailboxes.mailbox_create, name="admin_mailbox_create"),
    path("admin/mailboxes/<int:mailbox_id>/", mailboxes.mailbox_edit, name="admin_mailbox_edit"),
    path(
        "admin/mailboxes/<int:mailbox_id>/test/", mailboxes.mailbox_test, name="admin_mailbox_test"
    ),
    path("admin/channels/", messengers.channels, name="admin_channels"),
    path(
        "admin/channels/new/<slug:kind>/",
        messengers.channel_create,
        name="admin_channel_create",
    ),
    path("admin/channels/<int:channel_id>/", messengers.channel_page, name="admin_channel"),
    path(
        "admin/channels/<int:channel_id>/test/",
        messengers.channel_test,
        name="admin_channel_test",
    ),
    path(
        "admin/channels/<int:channel_id>/register/",
        messengers.channel_register,
        name="admin_channel_register",
    ),
    path(
        "admin/channels/<int:channel_id>/replay/",
        messengers.channel_replay,
        name="admin_channel_replay",
    ),
    path("admin/apps/", app_admin.apps, name="admin_apps"),
    path("admin/apps/new/", app_admin.app_create, name="admin_app_create"),
    path("admin/apps/<int:app_id>/", app_admin.app_edit, name="admin_app_edit"),
    path("admin/apps/<int:app_id>/rotate/", app_admin.app_rotate, name="admin_app_rotate"),
]
