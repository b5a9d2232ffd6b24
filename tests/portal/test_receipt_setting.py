"""A complaint sent on a weekend or bank holiday: by default it counts as received on the next
working day; a council can choose to count from the day after it arrived instead
(`RECEIVED_ON_A_NON_WORKING_DAY`). The dates promised on the confirmation page follow it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.services import complaints
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint

SATURDAY_NOON = datetime(2025, 12, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("setting", "acknowledge_by"),
    [
        pytest.param({}, "Wednesday 31 December 2025", id="default_next_working_day"),
        pytest.param(
            {"RECEIVED_ON_A_NON_WORKING_DAY": "as_received"},
            "Tuesday 30 December 2025",
            id="council_counts_from_the_day_after_it_arrived",
        ),
    ],
)
def test_a_weekend_complaint_is_counted_as_the_council_has_set(
    make_app, monkeypatch, setting, acknowledge_by
):
    monkeypatch.setattr(complaints, "now_utc", lambda: SATURDAY_NOON)
    pages = PageClient(make_app(**setting).test_client())
    done = send_complaint(pages, YOUNG_PERSON)
    assert f"They will get in touch by {acknowledge_by} to say they have it." in done.text
