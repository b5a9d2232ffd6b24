"""Journeys as data, and the pure engine that walks them."""

from portal.flows.complaint import COMPLAINT
from portal.flows.model import Journey

JOURNEYS: dict[str, Journey] = {COMPLAINT.id: COMPLAINT}
DEFAULT_JOURNEY = COMPLAINT.id
