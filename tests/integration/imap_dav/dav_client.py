"""The user's own calendar/contacts app: raw HTTP PUT/GET/DELETE, no adapter code involved."""
from __future__ import annotations

from icalendar import Calendar

from tests.realservers.dav import DavAccount


def put_raw(account: DavAccount, collection: str, name: str, text: str, content_type: str = "text/calendar") -> str:
    """PUT a resource; returns its path (the provider's item id)."""
    path = account.collection_path(collection) + name
    response = account.session().put(account.base_url + path, data=text.replace("\n", "\r\n").encode("utf-8"),
                                     headers={"Content-Type": f"{content_type}; charset=utf-8"})
    assert response.status_code in (201, 204), response.text
    return path


def get_raw(account: DavAccount, path: str, accept: str = "text/calendar") -> str | None:
    response = account.session().get(account.base_url + path, headers={"Accept": accept})
    return None if response.status_code == 404 else response.content.decode("utf-8")


def delete_raw(account: DavAccount, path: str) -> None:
    assert account.session().delete(account.base_url + path).status_code in (200, 204)


def vevents(text: str) -> list:
    return Calendar.from_ical(text).walk("VEVENT")
