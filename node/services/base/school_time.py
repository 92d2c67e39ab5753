"""The school's wall clock: times are stored as naive UTC and shown in the school's zone.

A director in Moscow reading "last active 22:40" must not have to add three hours; month
boundaries of reports are the school's midnights, not Greenwich's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from node.models import School


def school_zone() -> dt.tzinfo:
    """The zone of the school's settings (UTC if unset or unknown to this machine)."""
    school = School.current()
    try:
        return zoneinfo.ZoneInfo(school.timezone if school else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local_time(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A stored (naive UTC) time as the school's wall-clock time, still naive."""
    return moment.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)
