"""Queries compiled once (core/compiled.py) answer each run with that run's values."""

from __future__ import annotations

import pytest
from django.db.models import QuerySet

from sangdam.accounts.models import User
from sangdam.core.compiled import CompiledQuery
from tests import factories

pytestmark = pytest.mark.django_db


def _named(user_id: int) -> QuerySet[User]:
    return User.objects.filter(pk=user_id, is_active=True)


def test_each_run_finds_the_row_of_its_own_value() -> None:
    minji, minho = factories.make_agent("Minji"), factories.make_agent("Minho")
    query = CompiledQuery(User, _named, -1)
    assert [u.display_name for u in query.run(minji.pk)] == ["Minji"]
    assert [u.display_name for u in query.run(minho.pk)] == ["Minho"]
    assert query.run(10**9) == []


def test_a_marker_the_sql_does_not_hold_once_is_refused() -> None:
    def twice(user_id: int) -> QuerySet[User]:
        return User.objects.filter(pk=user_id) | User.objects.filter(pk=user_id)

    with pytest.raises(ValueError, match="appears 2 times"):
        CompiledQuery(User, twice, -1).run(1)
