"""An app registration's certificate credential: checked once when stored, handed to msal as a dict.

msal 1.39 (``ConfidentialClientApplication(client_credential=...)``): with ``private_key`` and
``public_certificate`` and no ``thumbprint``, msal computes the SHA-256 thumbprint itself and signs
the client assertion PS256 with an ``x5t#S256`` header, which Entra ID prefers to SHA-1 ``x5t``.
"""
from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class BadCertificate(ValueError):
    """The PEM pair cannot sign for Entra ID; the message says what is wrong with it."""


@dataclass(frozen=True)
class CertificateCredential:
    private_key: str         # PEM, unencrypted
    certificate: str         # PEM

    def for_msal(self) -> dict[str, str]:
        return {"private_key": self.private_key, "public_certificate": self.certificate}


def checked_certificate(private_key_pem: str, certificate_pem: str) -> tuple[CertificateCredential, str]:
    """The credential and its SHA-256 thumbprint (hex, upper case as the Entra portal shows it);
    raises BadCertificate when either PEM does not parse, the key is not RSA, or they do not match."""
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError as exc:
        raise BadCertificate("certificate is not a PEM X.509 certificate (-----BEGIN CERTIFICATE-----)") from exc
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise BadCertificate("private_key is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BadCertificate("private_key must be an RSA key (Entra ID signs client assertions with RSA)")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != \
            cert.public_key().public_bytes(serialization.Encoding.DER, public):
        raise BadCertificate("private_key does not belong to certificate (their public keys differ)")
    return CertificateCredential(private_key_pem, certificate_pem), cert.fingerprint(hashes.SHA256()).hex().upper()
