"""Reads a calendar or a feed with the parsers readers use and prints what they understood.

Usage: check.py ics FILE | check.py feed FILE
"""
import json
import sys

import feedparser
import icalendar

kind, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if kind == "ics":
    calendar = icalendar.Calendar.from_ical(data)
    events = []
    for event in calendar.walk("VEVENT"):
        events.append({
            "summary": str(event.get("summary")),
            "start": event.decoded("dtstart").isoformat(),
            "end": event.decoded("dtend").isoformat(),
            "uid": str(event.get("uid")),
            "location": str(event.get("location", "")),
        })
    print(json.dumps({"version": str(calendar.get("version")), "events": events}))
else:
    feed = feedparser.parse(data)
    print(json.dumps({
        "bozo": bool(feed.bozo),
        "problem": str(feed.get("bozo_exception", "")),
        "version": feed.version,
        "title": feed.feed.get("title"),
        "entries": [{"title": e.title, "link": e.link} for e in feed.entries],
    }))
