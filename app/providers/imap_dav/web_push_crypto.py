"""Web Push message encryption (RFC 8291 over RFC 8188 ``aes128gcm``), both ways.

WebDAV-Push requires it: the DAV server (application server) encrypts every push message for the
subscription's P-256 key and auth secret; Syncline (the user agent) decrypts. ``encrypt`` exists
for the sandbox's push front and the round-trip tests. Keys travel base64url-encoded, unpadded,
as in the draft's XML. A body that does not decrypt is InvalidData, never a traceback.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.sync.errors import InvalidData

CONTENT_ENCODING = "aes128gcm"
KEY_TYPE = "p256dh"
HEADER_FIXED = 16 + 4 + 1            # salt, record size, key id length (RFC 8188 §2.1)
TAG = 16
LAST_RECORD = b"\x02"


@dataclass(frozen=True)
class ReceiverKeys:
    """The user agent's side: ``public`` (65-byte uncompressed point) and ``auth`` (16 bytes) are
    given to the server; ``private`` (32-byte scalar) stays with us."""

    private: str
    public: str
    auth: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    cleaned = "".join(text.split())
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidData("not base64url") from exc


def new_receiver_keys() -> ReceiverKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    return ReceiverKeys(b64url(key.private_numbers().private_value.to_bytes(32, "big")), b64url(_point(key)),
                        b64url(os.urandom(16)))


def decrypt(body: bytes, keys: ReceiverKeys) -> bytes:
    """The plaintext of an aes128gcm body encrypted for ``keys`` (one or more records)."""
    if len(body) < HEADER_FIXED:
        raise InvalidData("the push message is shorter than an aes128gcm header")
    salt, record_size, id_length = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
    sender_public, records = body[HEADER_FIXED:HEADER_FIXED + id_length], body[HEADER_FIXED + id_length:]
    if record_size < 18 or id_length != 65 or not records:
        raise InvalidData("the push message's aes128gcm header is invalid")
    private = ec.derive_private_key(int.from_bytes(unb64url(keys.private), "big"), ec.SECP256R1())
    try:
        sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public)
    except ValueError as exc:
        raise InvalidData("the push message's sender key is not a P-256 point") from exc
    cek, nonce = _content_keys(private.exchange(ec.ECDH(), sender), unb64url(keys.auth),
                               unb64url(keys.public), sender_public, salt)
    return _open_records(AESGCM(cek), nonce, records, record_size)


def encrypt(plaintext: bytes, receiver_public: str, auth: str, salt: bytes | None = None,
            sender: ec.EllipticCurvePrivateKey | None = None, record_size: int = 4096) -> bytes:
    """One-record aes128gcm body for the receiver (``salt``/``sender`` fixed only by test vectors)."""
    if len(plaintext) + 1 + TAG > record_size:
        raise InvalidData("the push message is larger than one record")
    salt = salt or os.urandom(16)
    sender = sender or ec.generate_private_key(ec.SECP256R1())
    receiver_point = unb64url(receiver_public)
    try:
        receiver = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), receiver_point)
    except ValueError as exc:
        raise InvalidData("the subscription public key is not a P-256 point") from exc
    sender_point = _point(sender)
    cek, nonce = _content_keys(sender.exchange(ec.ECDH(), receiver), unb64url(auth), receiver_point,
                               sender_point, salt)
    header = salt + struct.pack(">I", record_size) + bytes([len(sender_point)]) + sender_point
    return header + AESGCM(cek).encrypt(nonce, plaintext + LAST_RECORD, None)


def _content_keys(shared: bytes, auth: bytes, receiver_point: bytes, sender_point: bytes,
                  salt: bytes) -> tuple[bytes, bytes]:
    """RFC 8291 §3.4 (the IKM from the auth secret) then RFC 8188 §2.2–2.3 (CEK and nonce)."""
    ikm = _hkdf(auth, shared, b"WebPush: info\x00" + receiver_point + sender_point, 32)
    return (_hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16),
            _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


def _open_records(aead: AESGCM, nonce: bytes, records: bytes, record_size: int) -> bytes:
    plain, chunks = b"", [records[i:i + record_size] for i in range(0, len(records), record_size)]
    for seq, chunk in enumerate(chunks):
        iv = (int.from_bytes(nonce, "big") ^ seq).to_bytes(12, "big")
        try:
            record = aead.decrypt(iv, chunk, None)
        except InvalidTag as exc:
            raise InvalidData("the push message does not decrypt with this subscription's keys") from exc
        body = record.rstrip(b"\x00")
        last = seq == len(chunks) - 1
        if not body or body[-1:] != (LAST_RECORD if last else b"\x01"):
            raise InvalidData("the push message's record padding is invalid")
        plain += body[:-1]
    return plain


def _point(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
