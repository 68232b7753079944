"""Model → response-dict shapes shared by several endpoints (no secrets ever included)."""
from __future__ import annotations

from app.models import User
from app.services.settings import auto_sync_effective, org_settings, user_settings
from app.services.users import role_source


def user_view(user: User) -> dict:
    return {
        "id": user.id, "org_id": user.org_id, "sf_user_id": user.sf_user_id, "email": user.email,
        "name": user.name, "role": user.role, "role_source": role_source(user),
        "is_active": user.is_active, "auto_sync_enabled": user.auto_sync_enabled,
        "created_at": user.created_at,
    }


def me_view(user: User) -> dict:
    org = user.org
    return {
        **user_view(user),
        "org": {"id": org.id, "sf_org_id": org.sf_org_id, "name": org.name, "instance_url": org.instance_url},
        "auto_sync_effective": auto_sync_effective(user),
        "salesforce_connection": user.connection.status if user.connection else "none",
        "settings": user_settings(user),
        "settings_locked": not org_settings(org)["allow_user_overrides"],
    }
