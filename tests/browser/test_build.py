"""`python extension/build.py`: the packages it writes and its errors."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.browser.conftest import ROOT

BUILD = [sys.executable, str(ROOT / "extension" / "build.py")]


def run(*args):
    return subprocess.run(BUILD + list(args), capture_output=True, text=True)


def test_build_writes_chrome_zip_and_outlook_manifest_for_the_api(tmp_path):
    result = run("--api-url", "https://api.example.com/", "--out", str(tmp_path), "--version", "1.2.0")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "syncline-chrome-1.2.0.zip") as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        config = zf.read("sidebar/config.js").decode()
        index = zf.read("sidebar/index.html").decode()
    assert {"background.js", "gmail-reader.js", "sidebar/index.html", "sidebar/hosts/chrome.js"} <= names
    assert "sidebar/outlook.html" not in names and "sidebar/hosts/office.js" not in names
    assert manifest["version"] == "1.2.0" and "https://api.example.com/*" in manifest["host_permissions"]
    assert '"https://api.example.com"' in config
    assert "connect-src 'self' https://api.example.com;" in index
    outlook = (tmp_path / "outlook" / "manifest.xml").read_text()
    assert "https://api.example.com/sidebar/outlook.html" in outlook and "<Version>1.2.0.0</Version>" in outlook
    assert "{{" not in outlook


def test_build_is_reproducible(tmp_path):
    for out in ("a", "b"):
        assert run("--api-url", "https://api.example.com", "--out", str(tmp_path / out)).returncode == 0
    zips = [(tmp_path / out / "syncline-chrome-0.1.0.zip").read_bytes() for out in ("a", "b")]
    assert zips[0] == zips[1]


def test_bad_api_url_is_one_sentence_and_exit_1(tmp_path):
    for bad in ("api.example.com", "http://api.example.com", "https://api.example.com/?x=1"):
        result = run("--api-url", bad, "--out", str(tmp_path))
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("build.py: error: --api-url")
    assert not (tmp_path / "chrome").exists()


def test_help_describes_the_command():
    result = run("--help")
    assert result.returncode == 0 and "--api-url" in result.stdout and "Outlook" in result.stdout
