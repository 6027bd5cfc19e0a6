"""The key and certificate the hall seals its electronic licences with (PAdES, hall.cases.pdf).

Production names its own (`HALL_LICENCE_SEAL_CERT`, `HALL_LICENCE_SEAL_KEY`, PEM files: the
certificate its CA issued the licensing authority). Development makes a self-signed demo pair
in var/ on first use, never in the repository. This module has no Django import: settings and
the scale-out drill call it before Django is set up (`python -m hall.platform.seal DIR`).
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

DEMO_COMMON_NAME = "无缝隙政务服务大厅电子证照签章（开发演示）"  # at most 64 characters


def seal_pair_make(directory: Path, *, common_name: str = DEMO_COMMON_NAME) -> tuple[Path, Path]:
    """A self-signed P-256 certificate and its key in `directory` (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Seamless Hall"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Valid from well before the day it is made: the suite signs at fixed dates of its own
        # (HALL_TEST_TODAY), which may lie before the day a clean clone made the pair.
        .not_valid_before(now - datetime.timedelta(days=3650))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def seal_pair_problem(cert_path: str, key_path: str, passphrase: str = "") -> str | None:
    """What is wrong with a configured seal pair, or None: both files readable PEM, the key
    the certificate's, the certificate valid today. Production refuses to start on a problem
    (a licence sealed with a broken pair would fail every public check)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    except (OSError, ValueError) as error:
        return f"the seal certificate {cert_path} cannot be read ({type(error).__name__})"
    try:
        key = serialization.load_pem_private_key(
            Path(key_path).read_bytes(), password=passphrase.encode() or None
        )
    except (OSError, ValueError, TypeError) as error:
        return f"the seal key {key_path} cannot be read ({type(error).__name__})"
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    if key.public_key().public_bytes(encoding, public) != certificate.public_key().public_bytes(
        encoding, public
    ):
        return "the seal key is not the key of the seal certificate"
    now = datetime.datetime.now(datetime.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return "the seal certificate is not valid today"
    return None


def development_seal(var_dir: Path) -> tuple[Path, Path]:
    directory = var_dir / "licence-seal"
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    if not (cert_path.exists() and key_path.exists()):
        return seal_pair_make(directory)
    return cert_path, key_path


if __name__ == "__main__":
    made = seal_pair_make(Path(sys.argv[1]))
    print(" ".join(str(path) for path in made))


def _hash_algorithm():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def detached_sign(data: bytes, *, cert_path: str, key_path: str, passphrase: str = "") -> bytes:
    """A signature of `data` with the seal's key (ECDSA or RSA PKCS#1 v1.5, SHA-256): how an
    archive package's manifest is sealed (issue 29)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = serialization.load_pem_private_key(
        Path(key_path).read_bytes(), password=passphrase.encode() or None
    )
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(_hash_algorithm()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), _hash_algorithm())
    raise ValueError("the seal key must be an EC or RSA key")


def detached_verify(data: bytes, signature: bytes, *, certificate_pem: bytes) -> bool:
    """Whether `signature` is the certificate key's signature of `data`."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    try:
        public = x509.load_pem_x509_certificate(certificate_pem).public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(_hash_algorithm()))
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), _hash_algorithm())
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def certificate_fingerprint(certificate_pem: bytes) -> str:
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(certificate_pem)
    return certificate.fingerprint(_hash_algorithm()).hex()
