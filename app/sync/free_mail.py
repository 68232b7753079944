"""Mail domains anyone can sign up to: an address there says nothing about the writer's company,
so the ladder never links an Account by them."""
from __future__ import annotations

FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "gmx.de", "gmx.net", "gmx.com", "web.de", "t-online.de", "orange.fr", "free.fr", "laposte.net",
    "libero.it", "mail.ru", "yandex.ru", "yandex.com", "proton.me", "protonmail.com", "pm.me",
    "zoho.com", "qq.com", "163.com", "126.com", "naver.com", "fastmail.com", "hey.com", "tutanota.com",
})
