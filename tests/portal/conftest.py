"""The staff fixtures, for public-side tests that need a member of staff to move a case."""

from tests.staff.conftest import make_staff, manager  # noqa: F401 - fixtures
