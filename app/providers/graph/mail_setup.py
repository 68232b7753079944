"""The Salesforce mail folder and category, created in the user's mailbox when missing.

Microsoft Learn: "List mailFolders" / "Create mailFolder" (``POST /users/{id}/mailFolders``, 201, or
409 ``ErrorFolderExists`` when another client made it first) and "List Outlook categories" /
"Create Outlook category" (``/users/{id}/outlook/masterCategories``). A category does not need a
master entry to be set on a message; the entry is what makes it show in Outlook's category
picker. Creating it needs MailboxSettings.ReadWrite: without that permission saving still works
(the user can type the category), so a refusal there is not the session's failure.
"""
from __future__ import annotations

from urllib.parse import urlencode

from app.providers.graph.http import GraphHttp
from app.sync.errors import InvalidData, PermissionDenied, SyncError

CATEGORY_COLOR = "preset7"     # blue
MAX_FOLDER_PAGES = 50


def ensure_folder(http: GraphHttp, user_path: str, name: str) -> str:
    """The id of the top-level mail folder called ``name`` (case-insensitive), created when missing."""
    found = _find_folder(http, user_path, name)
    if found:
        return found
    try:
        created = http.send("POST", user_path + "/mailFolders", {"displayName": name, "isHidden": False},
                            "create the Salesforce mail folder") or {}
    except InvalidData as exc:            # 409 ErrorFolderExists: made meanwhile by Outlook or another session
        found = _find_folder(http, user_path, name) if "ErrorFolderExists" in str(exc) or " 409 " in str(exc) else None
        if found:
            return found
        raise
    return str(created["id"])


def ensure_category(http: GraphHttp, user_path: str, name: str) -> bool:
    """Make ``name`` a master category; False when the app may not (the save goes on without it)."""
    try:
        listed = http.get(user_path + "/outlook/masterCategories", "list Outlook categories") or {}
        if any(str(c.get("displayName") or "").lower() == name.lower() for c in listed.get("value") or ()):
            return True
        http.send("POST", user_path + "/outlook/masterCategories", {"displayName": name, "color": CATEGORY_COLOR},
                  "create the Salesforce category")
        return True
    except PermissionDenied:
        return False
    except InvalidData as exc:
        if " 409 " in str(exc):           # created meanwhile
            return True
        raise


def _find_folder(http: GraphHttp, user_path: str, name: str) -> str | None:
    url = user_path + "/mailFolders?" + urlencode({"$select": "id,displayName", "$top": "100"})
    for _ in range(MAX_FOLDER_PAGES):
        page = http.get(url, "list mail folders") or {}
        for folder in page.get("value") or ():
            if str(folder.get("displayName") or "").lower() == name.lower():
                return str(folder["id"])
        if "@odata.nextLink" not in page:
            return None
        url = str(page["@odata.nextLink"])
    raise SyncError(f"more than {MAX_FOLDER_PAGES} pages of mail folders")
