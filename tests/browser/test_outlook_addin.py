"""The Outlook host adapter (Office.js stood in by a scripted `Office` object) and the manifest."""
from __future__ import annotations

import importlib.util
import json
import re

import pytest

from tests.browser.conftest import ROOT, screenshot

_spec = importlib.util.spec_from_file_location("validate_manifest", ROOT / "extension/outlook/validate_manifest.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
validate_manifest = _module.validate_manifest

TEMPLATE = (ROOT / "extension" / "outlook" / "manifest.xml").read_text()

# Just enough of Office.js for the host adapter: Read-mode message or Compose-mode draft.
FAKE_OFFICE = """
(() => {
  const spec = %s;
  const ok = (value) => ({ status: "succeeded", value });
  const asyncValue = (value) => ({ getAsync: (cb) => cb(ok(value)) });
  const base = { itemType: spec.itemType, itemId: "AAMkAD=", conversationId: "AAQkAD-conv=",
    body: { getAsync: (_type, cb) => cb(ok(spec.body)) } };
  window.setHeaders = [];
  const item = spec.compose ? { ...base, subject: asyncValue(spec.subject), to: asyncValue(spec.to), cc: asyncValue([]),
      from: asyncValue(spec.from),
      internetHeaders: { setAsync: (headers, cb) => { window.setHeaders.push(headers); cb(ok()); } } }
    : { ...base, subject: spec.subject, from: spec.from, to: spec.to, cc: [], internetMessageId: "<m1@globex.example>",
      dateTimeCreated: new Date("2025-03-03T08:15:00Z") };
  window.Office = {
    onReady: () => Promise.resolve({ host: "Outlook" }),
    AsyncResultStatus: { Succeeded: "succeeded" }, CoercionType: { Text: "text" },
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    MailboxEnums: { ItemType: { Message: "message", Appointment: "appointment" }, RestVersion: { v2_0: "v2.0" } },
    context: { requirements: { isSetSupported: () => true }, ui: {},
      mailbox: { item, convertToRestId: (id) => "rest-" + id, addHandlerAsync: () => {} } },
  };
})();
"""
MESSAGE = {"itemType": "message", "subject": "Re: Invoice 00001026", "body": "Hi Uma,\n-- \nJane",
           "from": {"emailAddress": "Jane.Doe@globex.example", "displayName": "Jane Doe"},
           "to": [{"emailAddress": "uma@acme.example", "displayName": "Uma User"}]}


def open_office(page, base_url, token, spec):
    page.add_init_script(FAKE_OFFICE % json.dumps(spec))
    page.goto(f"{base_url}/sidebar/index.html?host=office")
    page.evaluate("(t) => localStorage.setItem('syncline.token', t)", token)
    page.reload()
    page.wait_for_selector("#nav:not([hidden])")


def test_outlook_read_mode_reads_the_item_through_office_js(page, sidebar_server, api_token):
    open_office(page, sidebar_server.base_url, api_token, {**MESSAGE, "compose": False})
    page.wait_for_selector("#related")
    item = page.evaluate("() => window.synclineSidebar.host.getCurrentItem()")
    assert item["mode"] == "read" and item["message_id"] == "<m1@globex.example>"
    assert item["message_ref"] == "rest-AAMkAD=" and item["thread_id"] == "AAQkAD-conv="
    assert item["from"] == {"email": "Jane.Doe@globex.example", "name": "Jane Doe"}
    assert item["date"] == "2025-03-03T08:15:00.000Z" and item["body_text"].startswith("Hi Uma")
    assert page.locator(".group[data-type=Contact] .record-link").first.inner_text() == "Jane Doe"


def test_outlook_compose_marks_the_draft_and_asks_to_save_when_sent(page, sidebar_server, api_token):
    open_office(page, sidebar_server.base_url, api_token, {**MESSAGE, "compose": True})
    page.click("#save-when-sent")
    page.click("#save-confirm")
    page.wait_for_selector("text=once it is sent")
    headers = page.evaluate("() => window.setHeaders")
    _, path, body = sidebar_server.calls[-1]
    assert path == "/api/v1/compose-saves"
    assert headers == [{"X-Syncline-Save": body["marker"]}] and re.fullmatch(r"[0-9a-f-]{36}", body["marker"])
    assert body["who_ids"] and body["who_ids"][0].startswith("003")
    screenshot(page, "outlook-compose-save-when-sent")


def filled(api="https://api.example.com"):
    values = {"ADDIN_ID": "0f0e4b55-6b7e-5a73-9d0d-2b9d0e3a1c11", "VERSION": "0.1.0.0",
              "SIDEBAR_URL": f"{api}/sidebar/", "API_ORIGIN": api}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], TEMPLATE)


def test_outlook_manifest_passes_structural_validation():
    assert validate_manifest(filled()) == []


@pytest.mark.parametrize("mutate, problem", [
    (lambda x: x.replace("0f0e4b55-6b7e-5a73-9d0d-2b9d0e3a1c11", "not-a-guid"), "<Id> must be a GUID"),
    (lambda x: x.replace('xsi:type="MessageComposeCommandSurface"', 'xsi:type="CustomPane"'),
     "missing ExtensionPoint MessageComposeCommandSurface"),
    (lambda x: x.replace('resid="Taskpane.Url"', 'resid="Nope.Url"', 1), "names no Urls resource"),
    (lambda x: x.replace("https://api.example.com/sidebar/outlook.html", "http://api.example.com/x", 1), "must be https"),
    (lambda x: x.replace("<Permissions>ReadWriteItem</Permissions>", ""), "<Permissions> is missing"),
    (lambda x: x.replace('<bt:Image size="80" resid="Icon.80"/>', "", 1), "sizes 16, 32 and 80"),
    (lambda x: x.replace("<OfficeApp", "<OfficeAp", 1), "not well-formed"),
])
def test_outlook_manifest_validation_names_the_problem(mutate, problem):
    problems = validate_manifest(mutate(filled()))
    assert any(problem in p for p in problems), problems
