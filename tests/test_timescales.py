"""Working days for the statutory clocks, checked against a hand-kept calendar."""

from datetime import date

import pytest

from portal.config import ConfigError, check_environment, from_environment
from portal.timescales import (
    ReceiptRule,
    add_working_days,
    deadline_from_receipt,
    is_working_day,
    subtract_working_days,
    working_days_between,
    working_days_until,
)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(date(2025, 12, 19), 10, date(2026, 1, 7), id="christmas_2025_example"),
        pytest.param(date(2025, 12, 20), 1, date(2025, 12, 22), id="from_a_saturday"),
        pytest.param(date(2025, 12, 24), 1, date(2025, 12, 29), id="over_christmas_and_boxing"),
        pytest.param(date(2025, 12, 31), 1, date(2026, 1, 2), id="over_new_year"),
        pytest.param(date(2026, 4, 2), 1, date(2026, 4, 7), id="over_easter_2026"),
        pytest.param(date(2026, 3, 27), 10, date(2026, 4, 14), id="ten_days_across_easter"),
        pytest.param(date(2026, 12, 24), 1, date(2026, 12, 29), id="boxing_day_substitute_2026"),
        pytest.param(date(2026, 12, 23), 5, date(2027, 1, 4), id="christmas_2026_to_new_year"),
        pytest.param(date(2026, 5, 1), 1, date(2026, 5, 5), id="early_may_bank_holiday"),
        pytest.param(date(2026, 8, 28), 1, date(2026, 9, 1), id="summer_bank_holiday"),
        pytest.param(date(2026, 6, 1), 0, date(2026, 6, 1), id="zero_days"),
        pytest.param(date(2026, 6, 1), 20, date(2026, 6, 29), id="stage_1_extended"),
        pytest.param(date(2027, 3, 25), 1, date(2027, 3, 30), id="over_easter_2027"),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        pytest.param(date(2025, 12, 19), date(2026, 1, 7), id="friday_before_christmas"),
        pytest.param(date(2025, 12, 20), date(2026, 1, 8), id="saturday_counts_from_monday"),
        pytest.param(date(2026, 4, 3), date(2026, 4, 21), id="good_friday_counts_from_tuesday"),
        pytest.param(date(2026, 12, 25), date(2027, 1, 13), id="christmas_day_received"),
    ],
)
def test_stage_1_deadline_from_receipt(received, expected):
    assert deadline_from_receipt(received, 10) == expected


@pytest.mark.parametrize(
    ("received", "rule", "expected"),
    [
        pytest.param(
            date(2025, 12, 20),
            ReceiptRule.NEXT_WORKING_DAY,
            date(2026, 1, 8),
            id="saturday_received_on_monday_by_default",
        ),
        pytest.param(
            date(2025, 12, 20),
            ReceiptRule.AS_RECEIVED,
            date(2026, 1, 7),
            id="saturday_counted_from_sunday_when_the_council_says_so",
        ),
        pytest.param(
            date(2026, 4, 3),
            ReceiptRule.AS_RECEIVED,
            date(2026, 4, 20),
            id="good_friday_counted_as_received",
        ),
        pytest.param(
            date(2025, 12, 19),
            ReceiptRule.AS_RECEIVED,
            date(2026, 1, 7),
            id="a_working_day_is_the_same_either_way",
        ),
    ],
)
def test_receipt_on_a_non_working_day_follows_the_council_setting(received, rule, expected):
    assert deadline_from_receipt(received, 10, rule) == expected
    assert deadline_from_receipt(received, 10, str(rule)) == expected, "as read from a setting"


def test_receipt_on_a_non_working_day_counts_from_the_next_working_day_by_default(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("RECEIVED_ON_A_NON_WORKING_DAY", raising=False)
    settings = from_environment(str(tmp_path))
    assert settings["RECEIVED_ON_A_NON_WORKING_DAY"] == ReceiptRule.NEXT_WORKING_DAY
    check_environment(settings)
    saturday = date(2025, 12, 20)
    assert deadline_from_receipt(saturday, 10) == deadline_from_receipt(
        saturday, 10, settings["RECEIVED_ON_A_NON_WORKING_DAY"]
    )
    monkeypatch.setenv("RECEIVED_ON_A_NON_WORKING_DAY", "as_received")
    check_environment(from_environment(str(tmp_path)))


def test_an_unknown_receipt_setting_is_refused_at_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("RECEIVED_ON_A_NON_WORKING_DAY", "next_workday")
    with pytest.raises(ConfigError, match="RECEIVED_ON_A_NON_WORKING_DAY"):
        check_environment(from_environment(str(tmp_path)))


def test_working_days():
    assert is_working_day(date(2026, 11, 23))
    assert not is_working_day(date(2026, 11, 22))  # Sunday
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 12, 28))  # substitute for Boxing Day


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


@pytest.mark.parametrize(
    ("today", "deadline", "expected"),
    [
        pytest.param(date(2026, 6, 1), date(2026, 6, 1), 0, id="due_today"),
        pytest.param(date(2026, 6, 1), date(2026, 6, 4), 3, id="three_days_left"),
        pytest.param(date(2026, 6, 5), date(2026, 6, 8), 1, id="over_a_weekend"),
        pytest.param(date(2026, 12, 23), date(2027, 1, 4), 5, id="over_christmas"),
        pytest.param(date(2026, 6, 2), date(2026, 6, 1), -1, id="one_day_late"),
        pytest.param(date(2026, 6, 6), date(2026, 6, 5), -1, id="late_on_a_saturday"),
        pytest.param(date(2026, 6, 15), date(2026, 6, 5), -6, id="a_week_and_a_day_late"),
    ],
)
def test_working_days_until(today, deadline, expected):
    assert working_days_until(today, deadline) == expected


def test_working_days_between_agrees_with_adding_days():
    start = date(2025, 1, 1)
    for n in range(0, 600, 7):
        assert working_days_between(start, add_working_days(start, n)) == n


@pytest.mark.parametrize(
    ("end", "n", "expected"),
    [
        pytest.param(date(2026, 6, 15), 10, date(2026, 6, 1), id="two_weeks_before"),
        pytest.param(date(2027, 1, 4), 5, date(2026, 12, 23), id="back_over_christmas"),
    ],
)
def test_subtract_working_days(end, n, expected):
    assert subtract_working_days(end, n) == expected
