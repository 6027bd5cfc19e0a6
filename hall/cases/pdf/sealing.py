"""Sealing a PDF with a PAdES signature (pyHanko), and checking one.

The seal's certificate and key come from settings (hall.platform.seal makes a development
pair). A sealed file checks as intact only if the signature is valid, made by the hall's seal,
and covers the whole file: a changed byte breaks the digest, and anything appended after the
seal (an incremental update) is not covered.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SealCheck:
    intact: bool
    signer: str = ""
    signed_at: str = ""
    problem: str = ""


@functools.cache
def _seal(cert_path: str, key_path: str, passphrase: str):
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers

    with open(cert_path, "rb") as handle:
        _, _, der = pem.unarmor(handle.read())
    certificate = asn1_x509.Certificate.load(der)
    with open(key_path, "rb") as handle:
        key = load_private_key_from_pemder_data(
            handle.read(), passphrase=passphrase.encode() or None
        )
    return certificate, signers.SimpleSigner(
        signing_cert=certificate, signing_key=key, cert_registry=None
    )


def _configured_seal():
    return _seal(
        settings.HALL_LICENCE_SEAL_CERT,
        settings.HALL_LICENCE_SEAL_KEY,
        settings.HALL_LICENCE_SEAL_PASSPHRASE,
    )


def pdf_seal(pdf: bytes, *, reason: str, location: str) -> bytes:
    """The PDF with the hall's PAdES signature over all of it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    _certificate, signer = _configured_seal()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="HallSeal",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def pdf_seal_check(pdf: bytes) -> SealCheck:
    """Whether `pdf` is a file the hall sealed, unchanged since."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    certificate, _signer = _configured_seal()
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception as error:  # a crafted file makes the reader raise anything (PdfError,
        # OverflowError for startxref 2**63, AssertionError for a root that is not there ...)
        return SealCheck(False, problem=f"not a readable PDF ({type(error).__name__})")
    if not signatures:
        return SealCheck(False, problem="no seal")
    try:
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[certificate]))
    except Exception as error:  # pyHanko raises many kinds for a mangled signature
        return SealCheck(False, problem=f"seal unreadable ({type(error).__name__})")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
    if not (status.intact and status.valid):
        return SealCheck(False, signer, signed_at, "changed after sealing")
    if not status.trusted:
        return SealCheck(False, signer, signed_at, "not sealed by this hall")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SealCheck(False, signer, signed_at, "content added after sealing")
    return SealCheck(True, signer, signed_at)
