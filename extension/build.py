"""Package the sidebar for its hosts: the Chrome extension (unpacked folder + zip) and the
Outlook add-in manifest, both pointing at one Syncline API.

    python extension/build.py --api-url https://api.example.com --out dist/

Writes OUT/chrome/ (load it unpacked), OUT/syncline-chrome-VERSION.zip (for the Chrome Web
Store or policy install) and OUT/outlook/manifest.xml (sideload or deploy from the admin
centre). The Outlook task pane is served by the API itself at API_URL/sidebar/.
Standard library only; exits 1 with one sentence on bad input.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "outlook"))
from validate_manifest import validate_manifest  # noqa: E402

LOOPBACK = ("localhost", "127.0.0.1", "::1")
NOT_IN_CHROME = {"outlook.html", "outlook-commands.html", "auth-done.html", "auth-done.js", "office.js"}
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed: the same sources always give the same zip


class BuildError(Exception):
    """Bad input or sources; the message is one sentence for the user."""


def parse_api_url(raw: str) -> tuple[str, str]:
    """→ (api_base without trailing slash, origin). https, or http on loopback for development."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BuildError(f"--api-url must be an absolute https:// URL such as https://api.example.com, not {raw!r}.")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise BuildError(f"--api-url must use https:// (plain http is only allowed for localhost), not {raw!r}.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise BuildError(f"--api-url must not carry a query, fragment or credentials: {raw!r}.")
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin + parts.path.rstrip("/"), origin


def build_chrome(api_base: str, origin: str, version: str, out: Path) -> Path:
    target = out / "chrome"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(HERE / "sidebar", target / "sidebar",
                    ignore=lambda _dir, names: [n for n in names if n in NOT_IN_CHROME])
    for name in ("background.js", "gmail-reader.js"):
        shutil.copy2(HERE / "chrome" / name, target / name)
    manifest = json.loads((HERE / "chrome" / "manifest.json").read_text())
    manifest["version"] = version
    manifest["host_permissions"].append(f"{urlsplit(origin).scheme}://{urlsplit(origin).hostname}/*")
    icons = {size: f"sidebar/icons/icon-{size}.png" for size in ("16", "32", "48", "128")}
    manifest["icons"] = icons
    manifest["action"]["default_icon"] = {k: icons[k] for k in ("16", "32")}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (target / "sidebar" / "config.js").write_text(
        f"// Written by extension/build.py.\nexport const config = {{ apiBase: {json.dumps(api_base)} }};\n")
    index = target / "sidebar" / "index.html"
    html = index.read_text()
    if "connect-src 'self'" not in html:
        raise BuildError("extension/sidebar/index.html has no \"connect-src 'self'\" to extend with the API origin.")
    index.write_text(html.replace("connect-src 'self'", f"connect-src 'self' {origin}", 1))
    archive = out / f"syncline-chrome-{version}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in target.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(target).as_posix(), ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return archive


def build_outlook(api_base: str, origin: str, version: str, out: Path) -> Path:
    values = {
        "ADDIN_ID": str(uuid.uuid5(uuid.NAMESPACE_URL, api_base)),  # stable per deployment
        "VERSION": ".".join((version.split(".") + ["0", "0", "0"])[:4]),
        "SIDEBAR_URL": api_base + "/sidebar/",
        "API_ORIGIN": origin,
    }
    xml = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], (HERE / "outlook" / "manifest.xml").read_text())
    problems = validate_manifest(xml, allow_http_hosts=LOOPBACK)
    if problems:
        raise BuildError(f"the Outlook manifest is invalid: {problems[0]}.")
    target = out / "outlook" / "manifest.xml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(xml)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-url", required=True, help="the Syncline API's public URL, e.g. https://api.example.com")
    parser.add_argument("--out", default="dist", help="output folder (default: dist)")
    parser.add_argument("--version", help="package version, e.g. 1.2.0 (default: extension/chrome/manifest.json's)")
    args = parser.parse_args(argv)
    try:
        api_base, origin = parse_api_url(args.api_url)
        version = args.version or json.loads((HERE / "chrome" / "manifest.json").read_text())["version"]
        if not re.fullmatch(r"\d{1,5}(\.\d{1,5}){0,3}", version):
            raise BuildError(f"--version must be 1 to 4 dot-separated numbers such as 1.2.0, not {version!r}.")
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        archive = build_chrome(api_base, origin, version, out)
        manifest = build_outlook(api_base, origin, version, out)
    except (BuildError, OSError) as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1
    print(f"Chrome extension: {out / 'chrome'} (unpacked), {archive}")
    print(f"Outlook add-in manifest: {manifest} (task pane at {api_base}/sidebar/outlook.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
