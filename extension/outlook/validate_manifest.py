"""Structural validation of the Outlook add-in XML manifest (stdlib only).

Microsoft's XSDs are not vendored (their licence terms for redistribution are unclear), so
this checks what the schema and Outlook's validator reject most often: element order at
the top level, required elements, value formats and lengths, https URLs, the Read and
Compose command surfaces, and that every `resid` names a resource of the right kind.
"""
from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "v": "http://schemas.microsoft.com/office/mailappversionoverrides"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
TOP_ORDER = ["Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description",
             "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements",
             "FormSettings", "Permissions", "Rule", "DisableEntityHighlighting", "VersionOverrides"]
REQUIRED = ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl",
            "Hosts", "FormSettings", "Permissions", "Rule"]
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
VERSION = re.compile(r"^\d{1,5}(\.\d{1,5}){0,3}$")
PERMISSIONS = {"Restricted", "ReadItem", "ReadWriteItem", "ReadWriteMailbox"}
NEEDED_SURFACES = {"MessageReadCommandSurface", "MessageComposeCommandSurface"}
# which resource list a resid must be found in, by the referring element
RESID_KIND = {"Label": "ShortStrings", "Title": "ShortStrings", "Description": "LongStrings",
              "Image": "Images", "SourceLocation": "Urls", "FunctionFile": "Urls"}
MAX_LEN = {"ShortStrings": 125, "LongStrings": 250, "Urls": 2048, "Images": 2048}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _url_problem(url: str, allow_http_hosts: tuple[str, ...]) -> str | None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in allow_http_hosts:
        return None
    return f"URL must be https: {url!r}"


def validate_manifest(xml_text: str, allow_http_hosts: tuple[str, ...] = ()) -> list[str]:
    """Every problem found, in document order; an empty list means the manifest passes."""
    try:
        root = ET.fromstring(xml_text.encode())
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != f"{{{NS['o']}}}OfficeApp" or root.get(XSI_TYPE) != "MailApp":
        return ["root must be <OfficeApp xsi:type=\"MailApp\"> in the appforoffice/1.1 namespace"]
    problems = _check_top_level(root)
    problems += _check_urls(root, allow_http_hosts)
    overrides = root.find("v:VersionOverrides", NS)
    if overrides is None:
        problems.append("VersionOverrides is missing: no ribbon buttons would show")
    else:
        problems += _check_overrides(overrides)
    return problems


def _check_top_level(root) -> list[str]:
    problems = []
    names = [_local(child.tag) for child in root]
    known = [n for n in names if n in TOP_ORDER]
    if known != sorted(known, key=TOP_ORDER.index):
        problems.append(f"top-level elements out of schema order: {known}")
    problems += [f"required element <{n}> is missing" for n in REQUIRED if n not in names]
    text = {n: (root.findtext(f"o:{n}", "", NS) or "").strip() for n in ("Id", "Version", "Permissions")}
    if not GUID.match(text["Id"]):
        problems.append(f"<Id> must be a GUID, not {text['Id']!r}")
    if not VERSION.match(text["Version"]):
        problems.append(f"<Version> must look like 1.0.0.0, not {text['Version']!r}")
    if text["Permissions"] not in PERMISSIONS:
        problems.append(f"<Permissions> must be one of {sorted(PERMISSIONS)}")
    for name, limit in (("DisplayName", 125), ("Description", 250)):
        el = root.find(f"o:{name}", NS)
        if el is not None and not 0 < len(el.get("DefaultValue", "")) <= limit:
            problems.append(f"<{name}> DefaultValue must be 1-{limit} characters")
    for domain in root.findall("o:AppDomains/o:AppDomain", NS):
        if urlsplit(domain.text or "").path not in ("", "/"):
            problems.append(f"AppDomain must be an origin: {domain.text!r}")
    return problems


def _check_urls(root, allow_http_hosts) -> list[str]:
    problems = []
    for el in root.iter():
        if _local(el.tag) in ("IconUrl", "HighResolutionIconUrl", "SupportUrl", "SourceLocation", "Image", "Url") \
                and el.get("DefaultValue") is not None:
            problem = _url_problem(el.get("DefaultValue"), allow_http_hosts)
            if problem:
                problems.append(problem)
    return problems


def _check_overrides(overrides) -> list[str]:
    problems = []
    if overrides.get(XSI_TYPE) != "VersionOverridesV1_0":
        problems.append("VersionOverrides must have xsi:type=\"VersionOverridesV1_0\"")
    resources: dict[str, dict[str, str]] = {}
    for kind in ("Images", "Urls", "ShortStrings", "LongStrings"):
        entries = overrides.findall(f"v:Resources/bt:{kind}/*", NS)
        ids = [e.get("id", "") for e in entries]
        problems += [f"resource id {i!r} is defined twice" for i in {i for i in ids if ids.count(i) > 1}]
        problems += [f"resource id {i!r} is longer than 32 characters" for i in ids if len(i) > 32]
        resources[kind] = {e.get("id", ""): e.get("DefaultValue", "") for e in entries}
        problems += [f"{kind} {i!r} is longer than {MAX_LEN[kind]} characters"
                     for i, v in resources[kind].items() if not 0 < len(v) <= MAX_LEN[kind]]
    hosts = [h for h in overrides.findall("v:Hosts/v:Host", NS) if h.get(XSI_TYPE) == "MailHost"]
    form = hosts[0].find("v:DesktopFormFactor", NS) if hosts else None
    if form is None:
        return problems + ["no <Host xsi:type=\"MailHost\"><DesktopFormFactor> in VersionOverrides"]
    if form.find("v:FunctionFile", NS) is None:
        problems.append("DesktopFormFactor needs a <FunctionFile resid=...>")
    surfaces = {p.get(XSI_TYPE) for p in form.findall("v:ExtensionPoint", NS)}
    problems += [f"missing ExtensionPoint {s}" for s in sorted(NEEDED_SURFACES - surfaces)]
    problems += _check_controls(form)
    for el in overrides.iter():
        resid, kind = el.get("resid"), RESID_KIND.get(_local(el.tag))
        if resid is not None and kind and resid not in resources.get(kind, {}):
            problems.append(f"<{_local(el.tag)} resid={resid!r}> names no {kind} resource")
    return problems


def _check_controls(form) -> list[str]:
    problems = []
    for point in form.findall("v:ExtensionPoint", NS):
        # Ids must be unique within a surface; TabDefault is the built-in tab, repeated by design.
        ids = [e.get("id") for e in point.iter() if e.get("id") and _local(e.tag) in ("Group", "Control")]
        problems += [f"id {i!r} is used twice in {point.get(XSI_TYPE)}" for i in {i for i in ids if ids.count(i) > 1}]
        for control in point.iter(f"{{{NS['v']}}}Control"):
            name = control.get("id")
            for need in ("v:Label", "v:Supertip/v:Title", "v:Supertip/v:Description", "v:Icon", "v:Action"):
                if control.find(need, NS) is None:
                    problems.append(f"control {name!r} lacks <{need.replace('v:', '')}>")
            sizes = {img.get("size") for img in control.findall("v:Icon/bt:Image", NS)}
            if not {"16", "32", "80"} <= sizes:
                problems.append(f"control {name!r} needs icons of sizes 16, 32 and 80")
            action = control.find("v:Action", NS)
            if action is not None and action.get(XSI_TYPE) == "ShowTaskpane" and action.find("v:SourceLocation", NS) is None:
                problems.append(f"control {name!r}: a ShowTaskpane action needs <SourceLocation>")
    return problems


if __name__ == "__main__":
    found = validate_manifest(open(sys.argv[1], encoding="utf-8").read())
    print("\n".join(found) or "manifest OK")
    sys.exit(1 if found else 0)
