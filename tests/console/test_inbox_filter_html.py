"""The inbox's filter selects, written in Python, are the markup Django's widgets write."""

from __future__ import annotations

import pytest
from django.utils import translation

from sangdam.console.forms import InboxFilterForm
from tests import factories

pytestmark = pytest.mark.django_db


def django_markup(data: dict[str, str] | None) -> str:
    form = InboxFilterForm(data)
    return "\n".join(f'<p class="field">{b.label_tag()} {b}</p>' for b in form.visible_fields())


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"view": "open"},
        {"channel": "email", "priority": "high", "sort": "due", "topic": "payment"},
        {"channel": "bogus", "team": "999", "language": '<b>"x"</b>'},
    ],
)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_filter_selects_match_djangos_widgets(
    data: dict[str, str] | None, language: str
) -> None:
    factories.make_agent("Minho & <Co>")
    factories.make_team("Billing")
    factories.make_topic("payment", ko="결제", en="Payment")
    with translation.override(language):
        assert str(InboxFilterForm(data).fields_html()) == django_markup(data)


def test_the_chosen_agent_stays_selected() -> None:
    agent = factories.make_agent("Minho")
    html = str(InboxFilterForm({"assignee": str(agent.pk)}).fields_html())
    assert f'<option value="{agent.pk}" selected>Minho</option>' in html
