"""Every record key and ECM name, derived from a document spec in one place.

`order-100-invoice` is a document's stem (its kind's name template filled with the
subject and part); the ECM name adds the first 8 hex digits of the facts' fingerprint, so
a changed source makes a new record beside the old one; the ledger's record key is
`<store>/<stem>/<first 16 hex digits>`. These never change for a declared record: a golden
test (tests/golden) holds them to what was declared.
"""

from __future__ import annotations

from pipeline.core import registry
from pipeline.core.contract import DocumentSpec, Subject

EXTENSION = ".pdf"


def stem(kind: str, subject: Subject, part: str | None) -> str:
    """The name of a document without its version: the same for every version."""
    return registry.kind(kind).name.format(subject=subject.id, part=part)


def stem_of(spec: DocumentSpec) -> str:
    return stem(spec.kind, spec.subject, spec.part)


def _base_and_extension(kind: str, subject: Subject, part: str | None) -> tuple[str, str]:
    """The stem without its extension, and the extension: `.pdf`, or for a document kept
    in its own format the one its stem ends in (`case-7-attachment-1.png`)."""
    text = stem(kind, subject, part)
    if not registry.kind(kind).own_extension:
        return text, EXTENSION
    base, _, extension = text.rpartition(".")
    return base, f".{extension}"


def filename(spec: DocumentSpec) -> str:
    return "".join(_base_and_extension(spec.kind, spec.subject, spec.part))


def ecm_name(spec: DocumentSpec) -> str:
    """`order-100-invoice-3f2a9c1b.pdf`: the document's name plus its facts' version."""
    base, extension = _base_and_extension(spec.kind, spec.subject, spec.part)
    return f"{base}-{spec.fingerprint[:8]}{extension}"


def version_prefix(kind: str, subject: Subject, part: str | None) -> str:
    """What every version's ECM name starts with (`order-100-invoice-`)."""
    return _base_and_extension(kind, subject, part)[0] + "-"


def record_key(spec: DocumentSpec) -> str:
    """The ledger's natural key: store, document and fact version."""
    return f"{spec.store_hash}/{stem_of(spec)}/{spec.fingerprint[:16]}"


def store_prefixes(store_hash: str) -> tuple[str, str]:
    """Key prefixes of a store's work units (fetches: `<store>:`) and documents
    (`<store>/`), for scans that must see every flow of one store."""
    return f"{store_hash}:", f"{store_hash}/"


def fetch_key(source: str, store_hash: str, subject_id: str, event_digest: str) -> str:
    """The ledger key of one fetch of a subject, per event that asked for it: duplicated
    copies of one event share it (and so run fetch once)."""
    return f"{fetch_prefix(source, store_hash, subject_id)}fetch:{event_digest}"


def fetch_prefix(source: str, store_hash: str, subject_id: str) -> str:
    """What every fetch key of one subject starts with."""
    return f"{store_hash}:{source}:{subject_id}:"
