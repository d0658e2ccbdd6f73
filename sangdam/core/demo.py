"""Demo data: a small company with teams, agents, topics, channels and ~60 tickets.

Everything is created through the same actions and intake pipeline as real traffic, so the
demo shows the product as it behaves. Loaded only in demo mode (SANGDAM_DEMO=1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import secrets
from dataclasses import dataclass

from django.utils import timezone

from sangdam.accounts.models import Role, Team, User
from sangdam.center.models import Company
from sangdam.center.topics import DEFAULT_TOPICS
from sangdam.connectors.base import InboundMessage, SenderIdentity
from sangdam.connectors.intake import receive
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Priority, Status, Ticket, Topic

DEMO_PASSWORD = "sangdam-demo"  # noqa: S105 (demo mode only; documented)
ADMIN_EMAIL = "admin@example.com"
# The demo phone channel's made-up Twilio auth token: tests and `sangdam phone-call` sign
# calls with it (demo mode only, like the password).
DEMO_TWILIO_TOKEN = "demo-twilio-auth-token"  # noqa: S105


CHANNELS = [
    (ChannelKind.EMAIL, "고객지원 메일", "support@example.com"),
    (ChannelKind.WEBFORM, "홈페이지 문의", "https://example.com/contact"),
    (ChannelKind.APP, "모바일 앱", ""),
    (ChannelKind.LIVECHAT, "실시간 채팅", ""),
    (ChannelKind.PHONE, "고객센터 전화", "+82 1588-0000"),
    (ChannelKind.KAKAO, "카카오톡 채널", "@example"),
    (ChannelKind.FACEBOOK, "Facebook Messenger", "example"),
    (ChannelKind.TELEGRAM, "Telegram", "@example_bot"),
    (ChannelKind.LINE, "LINE", "@example"),
]

IDENTITY_FOR = {
    ChannelKind.EMAIL: "email",
    ChannelKind.WEBFORM: "email",
    ChannelKind.APP: "app_user",
    ChannelKind.LIVECHAT: "livechat",
    ChannelKind.PHONE: "phone",
    ChannelKind.KAKAO: "kakao",
    ChannelKind.FACEBOOK: "facebook",
    ChannelKind.TELEGRAM: "telegram",
    ChannelKind.LINE: "line",
}


@dataclass(frozen=True)
class Scenario:
    topic: str
    subject: str
    text: str
    reply: str = ""  # an agent's answer, sent on email tickets


KOREAN = [
    Scenario(
        "payment-refund",
        "결제가 두 번 되었어요",
        "어제 프리미엄 요금제를 결제했는데 카드에서 두 번 빠져나갔습니다. 한 건 환불 부탁드립니다.",
        "불편을 드려 죄송합니다. 중복 결제 한 건은 환불 처리했으며 3~5영업일 내 카드사에 반영됩니다.",
    ),
    Scenario(
        "account",
        "비밀번호 재설정 메일이 오지 않아요",
        "비밀번호를 잊어버려서 재설정을 눌렀는데 메일이 한 시간째 오지 않습니다. 스팸함도 확인했어요.",
    ),
    Scenario(
        "subscription",
        "구독 해지 방법 문의",
        "다음 달부터 구독을 해지하고 싶은데 앱에서 해지 메뉴를 찾을 수 없습니다.",
        "앱의 [설정 > 구독 관리]에서 해지하실 수 있습니다. 남은 기간까지는 계속 이용 가능합니다.",
    ),
    Scenario(
        "bug-report",
        "앱이 실행하자마자 종료됩니다",
        "어제 업데이트 이후로 앱을 켜면 바로 꺼집니다. 갤럭시 S24, 안드로이드 15 사용 중입니다.",
    ),
    Scenario(
        "abuse-report",
        "사기 의심 계정 신고",
        "채팅으로 외부 결제를 유도하는 계정이 있습니다. 프로필 이름은 '무료이벤트'입니다.",
    ),
    Scenario(
        "other",
        "영수증 발급 요청",
        "회사 경비 처리를 위해 지난 3개월 결제 영수증을 받을 수 있을까요?",
        "요청하신 영수증을 메일로 보내드렸습니다. 추가로 필요하신 자료가 있으면 말씀해 주세요.",
    ),
    Scenario(
        "payment-refund",
        "환불 진행 상황이 궁금합니다",
        "지난주에 환불 요청을 했는데 아직 입금이 되지 않았습니다. 진행 상황 확인 부탁드립니다.",
    ),
    Scenario(
        "account",
        "휴대폰 번호 변경",
        "번호를 바꿔서 인증 문자를 받을 수 없습니다. 계정 휴대폰 번호를 변경하고 싶어요.",
    ),
    Scenario(
        "bug-report",
        "결제 화면에서 버튼이 눌리지 않아요",
        "아이폰 15에서 결제하기 버튼을 눌러도 반응이 없습니다. 스크린샷 첨부합니다.",
    ),
    Scenario(
        "subscription",
        "연간 구독으로 변경하고 싶어요",
        "월간 구독 중인데 연간으로 바꾸면 남은 금액은 어떻게 되나요?",
    ),
]

ENGLISH = [
    Scenario(
        "payment-refund",
        "Charged twice for my order",
        "Hi, I was charged twice for order #48213. Could you refund the duplicate charge?",
        "Sorry about that! We refunded the duplicate charge; it should show within 3-5 business days.",
    ),
    Scenario(
        "account",
        "Can't log in after changing my email",
        "I changed my email address yesterday and now I can't log in with either address.",
    ),
    Scenario(
        "subscription",
        "How do I pause my subscription?",
        "I'm traveling for two months. Is there a way to pause my subscription instead of cancelling?",
        "Yes: go to Settings > Subscription > Pause. You can pause for up to three months.",
    ),
    Scenario(
        "bug-report",
        "Notifications stopped working",
        "Since the last update I no longer receive any push notifications on my Pixel 8.",
    ),
    Scenario(
        "abuse-report",
        "Spam messages from another user",
        "A user keeps sending me links to a phishing site. Please take a look.",
    ),
    Scenario(
        "other",
        "Partnership inquiry",
        "We are a Seoul-based agency and would like to discuss a partnership. Who should we contact?",
    ),
    Scenario(
        "payment-refund",
        "Refund for an accidental purchase",
        "My child bought a yearly plan by accident this morning. Can I get a refund?",
    ),
    Scenario(
        "account", "Delete my account", "Please delete my account and all my data. Thank you."
    ),
    Scenario(
        "bug-report",
        "Dark mode text is unreadable",
        "In dark mode the text on the invoice screen is black on dark grey and hard to read.",
    ),
    Scenario(
        "subscription", "Student discount?", "Do you offer a student discount for the premium plan?"
    ),
]

KOREAN_NAMES = ["김민지", "이준호", "박서연", "최지훈", "정하은", "강도윤", "윤서준", "임수아"]
ENGLISH_NAMES = [
    "John Park",
    "Emily Clark",
    "Daniel Lee",
    "Sophia Kim",
    "Michael Brown",
    "Olivia Chen",
]


def demo_loaded() -> bool:
    return User.objects.filter(email=ADMIN_EMAIL).exists()


def load_demo() -> int:
    """Create the demo company; return the number of tickets made."""
    teams = {
        "care": Team.objects.create(name="고객지원팀 Customer Care"),
        "billing": Team.objects.create(name="결제팀 Billing"),
    }
    admin = User.objects.create_superuser(
        ADMIN_EMAIL,
        DEMO_PASSWORD,
        display_name="관리자 Admin",
        languages=["ko", "en"],
        language="ko",
    )
    agents = [
        admin,
        User.objects.create_user(
            "seoyeon@example.com",
            DEMO_PASSWORD,
            display_name="김서연",
            role=Role.AGENT,
            languages=["ko", "en"],
            language="ko",
        ),
        User.objects.create_user(
            "minho@example.com",
            DEMO_PASSWORD,
            display_name="이민호",
            role=Role.AGENT,
            languages=["ko", "ja"],
            language="ko",
        ),
        User.objects.create_user(
            "emma@example.com",
            DEMO_PASSWORD,
            display_name="Emma Wilson",
            role=Role.AGENT,
            languages=["en", "ja"],
            language="en",
        ),
    ]
    teams["care"].members.add(admin, agents[1], agents[3])
    teams["billing"].members.add(agents[2], agents[1])
    for position, (slug, ko, en) in enumerate(DEFAULT_TOPICS):
        Topic.objects.create(
            slug=slug,
            names={"ko": ko, "en": en},
            position=position,
            default_team=teams["billing"]
            if slug in ("payment-refund", "subscription")
            else teams["care"],
        )
    channels = [Channel.objects.create(kind=k, name=n, address=a) for k, n, a in CHANNELS]
    _load_messenger_setup(channels)
    _load_portal_setup(channels)
    count = _load_tickets(channels, agents)
    _load_meta_channels()
    _load_service_setup(teams)
    # The demo company is set up: its admin logs in to the inbox, not the first-run page.
    Company.objects.create(
        pk=1,
        name="예시 주식회사 Example Inc.",
        support_email=CHANNELS[0][2],
        setup_done_at=timezone.now(),
    )
    return count


def _load_service_setup(teams: dict[str, Team]) -> None:
    """Routing, macros, a trigger, time rules and SLA policies, so the admin pages show
    working examples and the inbox its due times."""
    from sangdam.automations.models import Macro, Since, TimeRule, Trigger, When
    from sangdam.routing.models import RoutingRule, Strategy, TeamRouting
    from sangdam.service.clocks import recompute_open_tickets
    from sangdam.service.models import SlaPolicy

    SlaPolicy.objects.create(
        name="긴급 Urgent and high",
        position=10,
        priorities=["urgent", "high"],
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=8 * 60,
    )
    SlaPolicy.objects.create(
        name="기본 Standard",
        position=90,
        first_response_minutes=4 * 60,
        next_response_minutes=8 * 60,
        resolution_minutes=3 * 9 * 60,
    )
    recompute_open_tickets()

    TeamRouting.objects.create(team=teams["care"], strategy=Strategy.LEAST_LOADED)
    TeamRouting.objects.create(
        team=teams["billing"], strategy=Strategy.ROUND_ROBIN, offer_timeout_minutes=10
    )
    RoutingRule.objects.create(
        position=10, name="English → Customer Care", language="en", team=teams["care"]
    )
    Macro.objects.create(
        name="인사 Greeting",
        position=10,
        texts={
            "ko": "{{ customer_name }}님, 안녕하세요. 상담원 {{ agent_name }}입니다. "
            "문의({{ reference }}) 확인했습니다.",
            "en": "Hello {{ customer_name }}, this is {{ agent_name }}. "
            "We have your inquiry {{ reference }}.",
        },
    )
    reminder = Macro.objects.create(
        name="답변 요청 Reminder",
        position=20,
        texts={
            "ko": "{{ customer_name }}님, 문의 {{ reference }}에 대한 답변을 기다리고 있습니다.",
            "en": "Dear {{ customer_name }}, we are waiting for your answer on {{ reference }}.",
        },
    )
    Macro.objects.create(
        name="운영 시간 Opening hours",
        position=30,
        texts={
            "ko": "지금은 운영 시간이 아닙니다. {{ next_opening }}부터 답변드리겠습니다.",
            "en": "We are closed now and will answer from {{ next_opening }}.",
        },
    )
    Trigger.objects.create(
        name="환불 요청 Refund requests",
        position=10,
        when=When.CREATED,
        conditions=[{"field": "text", "op": "contains", "value": "환불"}],
        actions=[
            {"type": "add_tags", "value": ["refund"]},
            {"type": "set_priority", "value": "high"},
        ],
    )
    TimeRule.objects.create(
        name="대기 3일 알림 Pending 3 days: reminder",
        position=10,
        since=Since.STATUS,
        status="pending",
        minutes=3 * 24 * 60,
        actions=[{"type": "auto_reply", "value": reminder.pk}],
    )
    TimeRule.objects.create(
        name="대기 7일 해결 Pending 7 days: solved",
        position=20,
        since=Since.STATUS,
        status="pending",
        minutes=7 * 24 * 60,
        actions=[{"type": "set_status", "value": "solved"}],
    )
    TimeRule.objects.create(
        name="미배정 30분 Unassigned 30 minutes: escalate",
        position=30,
        since=Since.UNASSIGNED,
        minutes=30,
        actions=[
            {"type": "set_priority", "value": "urgent"},
            {"type": "add_tags", "value": ["escalated"]},
        ],
    )


# Demo credentials for Messenger and Instagram: `sangdam fake-providers` starts a local
# Graph API that accepts them (it reads them from the channel), so replies go out and
# delivery/read receipts come back without Meta. Replace them with real ones to go live.
META_DEMO_SECRETS = {"page_access_token": "demo-page-access-token", "app_secret": "demo-app-secret"}


def _load_meta_channels() -> None:
    """Give the demo's Messenger channel credentials and add an Instagram channel."""
    for channel in Channel.objects.filter(kind=ChannelKind.FACEBOOK):
        # Human agent tag on: the demo's conversations are spread over the past week.
        channel.config = {
            "page_id": "105730128867233",
            "username": "example",
            "verify_token": "demo-verify-token",
            "human_agent": True,
        }
        channel.secrets = META_DEMO_SECRETS
        channel.save(update_fields=["config", "secrets"])
    instagram = Channel(
        kind=ChannelKind.INSTAGRAM,
        name="Instagram",
        address="example.shop",
        config={
            "page_id": "17841405822304914",
            "username": "example.shop",
            "verify_token": "demo-verify-token",
            "human_agent": True,
        },
    )
    instagram.secrets = META_DEMO_SECRETS
    instagram.save()


DEMO_KAKAO_BOT_ID = "5f2a9c0e3b1d7a0001c0ffee"


def _load_messenger_setup(channels: list[Channel]) -> None:
    """Made-up credentials: `sangdam fake-providers` plays Telegram and LINE for them, and
    `sangdam kakao-chat` plays KakaoTalk's chatbot."""
    for channel in channels:
        if channel.kind == ChannelKind.LINE:
            channel.config = {
                "basic_id": channel.address,
                "welcome_text": "안녕하세요! 예시 주식회사 고객센터입니다. 문의를 남겨 주세요.",
            }
            channel.secrets = {
                "channel_secret": secrets.token_hex(16),
                "channel_access_token": secrets.token_urlsafe(32),
            }
            channel.save(update_fields=["config", "secrets"])
        if channel.kind == ChannelKind.TELEGRAM:
            channel.config = {
                "bot_username": "example_bot",
                "welcome_text": "안녕하세요! 예시 주식회사 고객센터입니다. 문의를 남겨 주세요.",
            }
            channel.secrets = {
                "bot_token": "100000:demo-token-for-the-fake-bot-api",
                "webhook_secret": secrets.token_urlsafe(32),
            }
            channel.save(update_fields=["config", "secrets"])
        if channel.kind == ChannelKind.KAKAO:
            # The chatbot desk: `sangdam kakao-chat` plays Kakao's chatbot against it.
            # 상담톡 through a made-up Happytalk account: `sangdam fake-providers` plays it.
            channel.config = {
                "bot_ids": DEMO_KAKAO_BOT_ID,
                "channel_public_id": "_example",
                "welcome_text": "안녕하세요! 예시 주식회사 고객센터 챗봇입니다. 어떤 문의인가요?",
                "dealer": "happytalk",
                "sender_key": "4c9591f37822ae1ed5b781582af08b1e2d922cea",
            }
            channel.secrets = {
                "dealer_client_id": "ht-client-id",
                "dealer_client_secret": "ht-client-secret",
            }
            channel.save(update_fields=["config", "secrets"])

        if channel.kind == ChannelKind.PHONE:
            # `sangdam phone-call` plays Twilio calling; `sangdam fake-providers` serves
            # the recordings and takes the call backs.
            channel.config = {
                "number": "+8215880000",
                "language": "ko",
                "menu": [
                    {
                        "digit": "1",
                        "topic": "payment-refund",
                        "label_ko": "결제 및 환불",
                        "label_en": "payment and refunds",
                    },
                    {
                        "digit": "2",
                        "topic": "account",
                        "label_ko": "계정",
                        "label_en": "your account",
                    },
                    {
                        "digit": "3",
                        "topic": "other",
                        "label_ko": "기타 문의",
                        "label_en": "anything else",
                    },
                ],
                "max_wait_seconds": 120,
                "language_key": "9",
                # Answered calls are recorded (the fake Twilio serves a short silence).
                "record_calls": True,
                # Queued calls pop up for this team's online agents.
                "team": "고객지원팀 Customer Care",
                # The agents' (made-up) phones: `sangdam phone-call --then answered` takes
                # the call from the queue on the admin's, so the call log names the admin.
                "agent_lines": {
                    "+821020000001": ADMIN_EMAIL,
                    "+821020000002": "seoyeon@example.com",
                    "client:emma": "emma@example.com",
                },
            }
            channel.secrets = {"account_sid": "AC" + "0" * 32, "auth_token": DEMO_TWILIO_TOKEN}
            channel.save(update_fields=["config", "secrets"])


def _load_portal_setup(channels: list[Channel]) -> None:
    """Opening hours for the contact page and a per-topic question on the inquiry form."""
    from sangdam.portal.models import TopicField
    from sangdam.service.models import Schedule

    weekdays = {str(d): [["09:00", "18:00"]] for d in range(5)}
    Schedule.objects.create(name="고객센터 기본 Default", week=weekdays, holiday_country="KR")
    by_kind = {c.kind: c for c in channels}
    Schedule.objects.create(
        name="전화 상담 Phone",
        channel=by_kind[ChannelKind.PHONE],
        week={**{str(d): [["09:00", "18:00"]] for d in range(5)}, "5": [["10:00", "14:00"]]},
        holiday_country="KR",
    )
    Schedule.objects.create(
        name="실시간 채팅 Live chat",
        channel=by_kind[ChannelKind.LIVECHAT],
        week={
            **{str(d): [["09:00", "22:00"]] for d in range(5)},
            "5": [["10:00", "18:00"]],
            "6": [["10:00", "18:00"]],
        },
        holiday_country="KR",
    )
    TopicField.objects.create(
        topic=Topic.objects.get(slug="payment-refund"),
        key="order_number",
        label_ko="주문 번호",
        label_en="Order number",
        required=True,
    )


def _load_tickets(channels: list[Channel], agents: list[User]) -> int:
    now = timezone.now()
    count = 0
    plan = itertools.product(range(3), range(len(KOREAN)))
    for round_no, index in plan:
        for language, scenarios, names in (
            ("ko", KOREAN, KOREAN_NAMES),
            ("en", ENGLISH, ENGLISH_NAMES),
        ):
            count += 1
            scenario = scenarios[index]
            channel = channels[(index + round_no * 3 + (language == "en")) % len(channels)]
            person = (index + round_no) % len(names)
            name = names[person]
            # Each demo person writes on several channels; the email they gave ties them
            # together into one customer, as an app login or a web form would.
            email = f"{language}.customer{person + 1}@example.net"
            kind = IDENTITY_FOR[ChannelKind(channel.kind)]
            identities = [SenderIdentity(kind, _identity_value(kind, language, person, email))]
            if kind != "email":
                identities.append(SenderIdentity("email", email))
            received = now - dt.timedelta(hours=count * 3 + round_no)
            result = receive(
                InboundMessage(
                    channel_id=channel.pk,
                    external_id=f"demo-{count}",
                    identities=tuple(identities),
                    sender_name=name,
                    subject=scenario.subject,
                    text=scenario.text,
                    topic_slug=scenario.topic,
                    language=language,
                    received_at=received,
                )
            )
            _work_ticket(result.ticket, scenario, agents[count % len(agents)], count)
    return count


def _identity_value(kind: str, language: str, person: int, email: str) -> str:
    if kind == "email":
        return email
    if kind == "phone":
        return f"+8210{5550000 + person + (100 if language == 'en' else 0):08d}"
    if kind == "line":  # LINE user ids: "U" and 32 hex digits
        return "U" + hashlib.md5(f"{language}-{person}".encode(), usedforsecurity=False).hexdigest()
    return f"{kind}-{language}-{person + 1}"


def _work_ticket(ticket: Ticket, scenario: Scenario, agent: User, n: int) -> None:
    actor = Actor.agent(agent)
    if n % 4 == 0:
        return  # left new and unassigned
    actions.do_assign(ticket=ticket, actor=actor, assignee=agent)
    if n % 7 == 0:
        actions.do_update_fields(ticket=ticket, actor=actor, priority=Priority.HIGH)
    if n % 5 == 0:
        actions.do_reply(
            ticket=ticket,
            actor=actor,
            note=True,
            text="고객 결제 내역 확인 필요"
            if ticket.language == "ko"
            else "Check payment logs first.",
        )
    if scenario.reply and ticket.channel.kind == ChannelKind.EMAIL:
        status = Status.SOLVED if n % 3 == 0 else Status.PENDING
        actions.do_reply(ticket=ticket, actor=actor, text=scenario.reply, status=status)
    else:
        status = [Status.OPEN, Status.PENDING, Status.SOLVED, Status.OPEN, Status.NEW][n % 5]
        actions.do_change_status(ticket=ticket, actor=actor, status=status)
