"""Fixtures for the messages tests: the staff accounts and complaints of tests/staff."""

from tests.staff.conftest import make_staff, manager, new_complaint, officer  # noqa: F401
