"""Bodies of the identity URL (`/id/{org}/{user}`) and OpenID `userinfo`."""
from __future__ import annotations

from typing import Any

from .store import Record

API_VERSION = "62.0"


def _urls(base: str, org_id: str, user_id: str) -> dict[str, str]:
    data = f"{base}/services/data/v{{version}}"
    return {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{org_id}",
        "metadata": f"{base}/services/Soap/m/{{version}}/{org_id}",
        "partner": f"{base}/services/Soap/u/{{version}}/{org_id}",
        "rest": f"{data}/", "sobjects": f"{data}/sobjects/", "search": f"{data}/search/",
        "query": f"{data}/query/", "recent": f"{data}/recent/",
        "tooling_soap": f"{base}/services/Soap/T/{{version}}/{org_id}",
        "tooling_rest": f"{data}/tooling/", "profile": f"{base}/{user_id}",
        "feeds": f"{data}/chatter/feeds", "groups": f"{data}/chatter/groups",
        "users": f"{data}/chatter/users", "feed_items": f"{data}/chatter/feed-items",
        "custom_domain": base,
    }


def identity_body(base: str, org_id: str, user: Record) -> dict[str, Any]:
    """The identity service response for one user."""
    uid = user["Id"]
    return {
        "id": f"{base}/id/{org_id}/{uid}", "asserted_user": True, "user_id": uid,
        "organization_id": org_id, "username": user["Username"],
        "nick_name": user.get("CommunityNickname") or user["Username"].split("@")[0],
        "display_name": user.get("Name") or user["LastName"], "email": user["Email"],
        "email_verified": True, "first_name": user.get("FirstName"),
        "last_name": user["LastName"], "timezone": user.get("TimeZoneSidKey") or "GMT",
        "photos": {"picture": f"{base}/profilephoto/005/F", "thumbnail": f"{base}/profilephoto/005/T"},
        "addr_street": None, "addr_city": None, "addr_state": None, "addr_country": None,
        "addr_zip": None, "mobile_phone": None, "mobile_phone_verified": False,
        "is_lightning_login_user": False, "status": {"created_date": None, "body": None},
        "urls": _urls(base, org_id, uid), "active": bool(user.get("IsActive", True)),
        "user_type": "STANDARD", "language": "en_US", "locale": "en_US", "utcOffset": 0,
        "last_modified_date": user["LastModifiedDate"], "is_app_installed": True,
    }


def userinfo_body(ident: dict[str, Any]) -> dict[str, Any]:
    """OpenID Connect userinfo, derived from the identity body (Salesforce's key names)."""
    return {
        "sub": ident["id"], "user_id": ident["user_id"],
        "organization_id": ident["organization_id"],
        "preferred_username": ident["username"], "nickname": ident["nick_name"],
        "name": ident["display_name"], "email": ident["email"], "email_verified": True,
        "given_name": ident["first_name"], "family_name": ident["last_name"],
        "zoneinfo": ident["timezone"], "photos": ident["photos"],
        "profile": ident["urls"]["profile"], "picture": ident["photos"]["picture"],
        "address": {}, "urls": ident["urls"], "active": ident["active"],
        "user_type": ident["user_type"], "language": ident["language"],
        "locale": ident["locale"], "utcOffset": ident["utcOffset"],
        "updated_at": ident["last_modified_date"], "is_app_installed": True,
    }
