"""WebDAV-Push client: RFC 8291 encryption against the RFC's Appendix A vector, and the draft's XML."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from app.providers.imap_dav import web_push_crypto as crypto
from app.providers.imap_dav.webdav_push import parse_push_message
from app.sync.errors import InvalidData

# RFC 8291 Appendix A (published test data)
PLAINTEXT = b"When I grow up, I want to be a watermelon"
UA = crypto.ReceiverKeys(private="q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
                         public="BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                         auth="BTBZMqHH6r4Tts7J_aSIgg")
AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
SALT = "DGv6ra1nlYgDCS1FRnbzlw"
BODY = ("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6"
        "PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")


def test_encryption_matches_the_rfc_8291_vector():
    sender = ec.derive_private_key(int.from_bytes(crypto.unb64url(AS_PRIVATE), "big"), ec.SECP256R1())
    out = crypto.encrypt(PLAINTEXT, UA.public, UA.auth, salt=crypto.unb64url(SALT), sender=sender)
    assert crypto.b64url(out) == BODY


def test_decryption_of_the_rfc_8291_vector():
    assert crypto.decrypt(crypto.unb64url(BODY), UA) == PLAINTEXT


def test_round_trip_with_fresh_keys_and_a_tampered_body_is_refused():
    keys = crypto.new_receiver_keys()
    body = crypto.encrypt(b"<x/>", keys.public, keys.auth)
    assert crypto.decrypt(body, keys) == b"<x/>"
    with pytest.raises(InvalidData):
        crypto.decrypt(body[:-1] + bytes([body[-1] ^ 1]), keys)
    with pytest.raises(InvalidData):
        crypto.decrypt(body, crypto.new_receiver_keys())      # someone else's keys


@pytest.mark.parametrize("junk", [b"", b"short", b"\x00" * 21, b"\x00" * 16 + b"\x00\x00\x10\x00" + b"\x41" + b"\x04" * 80])
def test_junk_bodies_are_invalid_data(junk):
    with pytest.raises(InvalidData):
        crypto.decrypt(junk, UA)


def test_the_drafts_sample_push_message():
    message = parse_push_message(b"""<?xml version="1.0" encoding="utf-8" ?>
<push-message xmlns="https://bitfire.at/webdav-push" xmlns:D="DAV:">
  <topic>O7M1nQ7cKkKTKsoS_j6Z3w</topic>
  <content-update><D:sync-token>http://example.com/sync/10</D:sync-token></content-update>
  <property-update />
</push-message>""")
    assert message.topic == "O7M1nQ7cKkKTKsoS_j6Z3w" and message.content_update and message.property_update
    assert message.sync_token == "http://example.com/sync/10"


@pytest.mark.parametrize("junk", [b"", b"not xml", b"<other xmlns='https://bitfire.at/webdav-push'/>",
                                  b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"])
def test_anything_else_is_invalid_data(junk):
    with pytest.raises(InvalidData):
        parse_push_message(junk)


def test_dont_notify_names_each_registration_once_quoted_and_leaves_out_what_a_quoted_string_cannot_carry():
    from app.providers.imap_dav.webdav_push import dont_notify_headers

    urls = ["https://dav.example/push/1", "https://dav.example/push/2", "https://dav.example/push/1",
            "", 'https://dav.example/push/"3"', "https://dav.example/push/4,5", "https://dav.example/p\r\nX: 1"]
    assert dont_notify_headers(urls) == {
        "Push-Dont-Notify": '"https://dav.example/push/1", "https://dav.example/push/2"'}
    assert dont_notify_headers([]) == {} and dont_notify_headers(["bad,url"]) == {}


def test_a_dav_session_sends_its_write_headers_on_writes_only():
    """Over a real socket: PUT/DELETE/MOVE carry the header, PROPFIND/REPORT/GET do not."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from app.providers.host_guard import HostPolicy
    from app.providers.imap_dav.counter import RequestCounter
    from app.providers.imap_dav.webdav import DavSession

    seen: list[tuple[str, str | None]] = []

    class Recorder(BaseHTTPRequestHandler):
        def _any(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.command, self.headers.get("Push-Dont-Notify")))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PUT = do_DELETE = do_MOVE = do_PROPFIND = do_REPORT = do_GET = _any

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        session = DavSession(f"http://127.0.0.1:{server.server_port}/", "u", "p", RequestCounter(),
                             host_policy=HostPolicy.from_entries(["127.0.0.1"]),
                             write_headers={"Push-Dont-Notify": '"https://dav.example/push/1"'})
        for method in ("PUT", "DELETE", "MOVE", "PROPFIND", "REPORT", "GET"):
            session.request(method, "/cal/a.ics", b"x" if method == "PUT" else None)
    finally:
        server.shutdown()
        server.server_close()
    named = '"https://dav.example/push/1"'
    assert seen == [("PUT", named), ("DELETE", named), ("MOVE", named), ("PROPFIND", None), ("REPORT", None),
                    ("GET", None)]
