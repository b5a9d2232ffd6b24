"""The tracker's pages over many cases (issue 16): every page in the documented order, the last
pages read backwards without changing what they show, and the listing read from its index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, update

from portal.clock import now_utc
from portal.extensions import db
from portal.models import Complaint
from portal.services import staff as accounts
from portal.services import tracker


def _expected(rows) -> list[str]:
    """The order the tracker promises, worked out here in Python (not by the database)."""
    early = datetime.min.replace(tzinfo=UTC)

    def key(c):
        since = c.urgent_since_utc
        since = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
        return (
            (0 if c.urgent_seen_utc is None else 1) if c.urgent else 2,
            0 if c.urgent and since is None else 1,
            since if c.urgent and since else early,
            not c.withdrawal_to_check,
            0 if c.stage == "triage" else 1,
            c.next_deadline_on is None,
            c.next_deadline_on or datetime.min.date(),
            c.id,
        )

    listed = [c for c in rows if c.stage != "closed" or c.withdrawal_to_check]
    return [c.reference for c in sorted(listed, key=key)]


@pytest.fixture
def many(app):
    """Made-up cases, mostly closed; of the open ones some urgent (seen or not, some with no
    start on record), some with no deadline; a few closed ones withdrawn, to check."""
    with app.app_context():
        tracker.seed(700, seed_value=16)
        closed = db.session.scalars(
            select(Complaint.id).where(Complaint.stage == "closed").order_by(Complaint.id)
        ).all()
        db.session.execute(
            update(Complaint).where(Complaint.id.in_(closed[:5])).values(withdrawal_to_check=True)
        )
        still_open = db.session.scalars(
            select(Complaint.id).where(Complaint.stage != "closed").order_by(Complaint.id)
        ).all()
        now = now_utc()
        for n, complaint_id in enumerate(still_open[1::5]):  # urgent: some seen, some not
            db.session.execute(
                update(Complaint)
                .where(Complaint.id == complaint_id)
                .values(
                    urgent=True,
                    urgent_since_utc=now - timedelta(hours=n % 7),
                    urgent_seen_utc=now if n % 2 else None,
                )
            )
        db.session.execute(
            update(Complaint)
            .where(Complaint.id.in_(still_open[::9]))
            .values(next_deadline_on=None, urgent_since_utc=None)
        )
        db.session.commit()
        accounts.create("pages@council.example", "Pages", "manager", "a long test password")
    return app


def test_every_page_forwards_and_backwards_keeps_the_order(many, monkeypatch):
    monkeypatch.setattr(tracker, "PER_PAGE", 7)
    with many.app_context():
        viewer = accounts.by_email("pages@council.example")
        expected = _expected(db.session.scalars(select(Complaint)).all())
        assert expected
        first = tracker.list_cases(tracker.Filters(), viewer, 1)
        assert first.total == len(expected)
        assert first.pages == -(-len(expected) // 7) > 4
        shown = []
        for number in range(1, first.pages + 1):
            page = tracker.list_cases(tracker.Filters(), viewer, number)
            assert (page.page, page.total, page.pages) == (number, first.total, first.pages)
            assert len(page.rows) == min(7, len(expected) - (number - 1) * 7)
            shown += [row.reference for row in page.rows]
        assert shown == expected
        beyond = tracker.list_cases(tracker.Filters(), viewer, 10_000)  # the last page
        assert [r.reference for r in beyond.rows] == expected[(first.pages - 1) * 7 :]
        overdue = tracker.list_cases(tracker.Filters(overdue=True), viewer, 2)
        assert overdue.total > 7 and [r.days_left < 0 for r in overdue.rows] == [True] * 7


@pytest.mark.parametrize("number", [1, 5, 10_000])
def test_the_listing_is_read_from_its_index_in_order(many, number):
    """The page's ids come from ix_complaint_tracker in order (migration 0015): the only sort
    is of the page's own rows. A change to the tracker's order needs a migration changing the
    index with it."""
    with many.app_context():
        viewer = accounts.by_email("pages@council.example")
        seen = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            if "JOIN (SELECT complaint.id" in statement:
                seen.append((statement, parameters))

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", keep)
        try:
            tracker.list_cases(tracker.Filters(), viewer, number)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert len(seen) == 1
        statement, parameters = seen[0]
        connection = db.session.connection()
        if engine.dialect.name == "postgresql":
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                connection.exec_driver_sql(f"SET LOCAL {setting} = off")
            plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
            sorts = [line for line in plan if line.strip(" ->").startswith("Sort  (")]
            text = "\n".join(plan)
            way = "Index Only Scan using" if number == 1 else "Index Only Scan Backward using"
            assert f"{way} ix_complaint_tracker" in text, text
        else:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            text = "\n".join(row[-1] for row in plan)
            sorts = [row for row in plan if "TEMP B-TREE" in row[-1]]
            assert "SCAN complaint USING INDEX ix_complaint_tracker" in text, text
        assert len(sorts) == 1, text  # the page's own rows
        db.session.rollback()
