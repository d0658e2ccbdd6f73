"""What one chatbot turn costs the database (no timings: statements, which do not move
with the machine's load)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sangdam.connectors.kakao.models import SkillConversation
from tests.kakao.conftest import Talk

pytestmark = pytest.mark.django_db


def _conversation_statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "skillconversation" in q["sql"]]


def test_a_returning_users_turn_reads_and_writes_its_conversation_once(talk: Talk):
    talk("안녕하세요")

    with CaptureQueriesContext(connection) as captured:
        talk("결제")

    statements = _conversation_statements(captured)
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE"]
    assert '"user_key" =' not in statements[1].split("WHERE")[0]  # only the state is written


def test_a_new_users_first_turn_creates_the_conversation_without_reading_it_twice(talk: Talk):
    with CaptureQueriesContext(connection) as captured:
        talk("안녕하세요")

    kinds = [s.split()[0] for s in _conversation_statements(captured)]
    assert kinds.count("SELECT") == 1 and kinds.count("INSERT") == 1
    assert SkillConversation.objects.count() == 1
