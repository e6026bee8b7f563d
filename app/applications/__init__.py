"""Progress in the browser: employers move applications, advisors keep residents' timelines,
and both see the sustainment checks that are due.

The routes live in ``views`` (applications), ``timeline`` and ``due``; each declares its roles.
"""

from zoneinfo import ZoneInfo

from flask import Blueprint

bp = Blueprint("applications", __name__)
UK_TIME = ZoneInfo("Europe/London")


@bp.app_template_filter("uk_time")
def uk_time(moment) -> str:
    """A stored UTC time as the time in the UK, where interviews happen."""
    return moment.astimezone(UK_TIME).strftime("%-d %B %Y at %H:%M") if moment else ""


from app.applications import due, timeline, views  # noqa: E402, F401  (they add routes to bp)
