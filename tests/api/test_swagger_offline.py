"""/api/docs works offline: the page references no other host and every file it loads is served by the app."""
from __future__ import annotations

import re

ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_the_docs_page_loads_swagger_ui_from_the_app_itself(app):
    client = app.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), "an external host is referenced"
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call its online validator
    assets = ATTRIBUTE.findall(html)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui.css", "swagger-ui-bundle.js",
                                                      "swagger-ui-standalone-preset.js"}
    for url in assets:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.mimetype == ("text/css" if url.endswith(".css") else "text/javascript"), url
        assert len(asset.get_data()) > 10_000, url
    assert b"SwaggerUIBundle" in client.get(next(a for a in assets if a.endswith("swagger-ui-bundle.js"))).get_data()
    assert client.get("/api/openapi.json").status_code == 200   # what the page then fetches


def test_only_swagger_ui_files_are_served_from_the_assets_folder(app):
    client = app.test_client()
    assert client.get("/api/docs/assets/index.html").status_code == 404
    assert client.get("/api/docs/assets/../__init__.py").status_code == 404
