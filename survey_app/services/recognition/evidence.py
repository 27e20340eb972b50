"""Evidence files: a PDF or an image, judged by its first bytes, kept outside the static folder.

The name a browser sends says nothing reliable: the content must be what the name's extension
claims (a ``.pdf`` that is a PNG, or an executable called ``.pdf``, is refused). Files are
stored under a random name in the evidence folder and only ever sent back as a download.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from survey_app.clock import now_utc
from survey_app.models import Dossier
from survey_app.models import Evidence
from survey_app.models import User
from survey_app.services.recognition.dossiers import EDITABLE
from survey_app.services.recognition.dossiers import RecognitionError
from survey_app.services.recognition.dossiers import may_edit
from survey_app.services.recognition.dossiers import record
from survey_app.services.recognition.dossiers import view

#: extension → (content type, the signatures its first bytes may start with)
KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
MAX_FILES_PER_ITEM = 10


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str


def clean_name(name: str) -> str:
    """The file's name as shown and offered on download: no folders, no control characters."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return base[-150:] or "minh-chung"


def check_file(name: str, content: bytes, max_bytes: int) -> CheckedFile:
    """:raises RecognitionError: empty, too large, not a PDF or image, or not what its name
    says it is."""
    if not content:
        raise RecognitionError("rec_file_empty")
    if len(content) > max_bytes:
        raise RecognitionError("rec_file_large", max_mb=max_bytes // (1024 * 1024))
    clean = clean_name(name)
    match = re.search(r"\.([A-Za-z0-9]+)$", clean)
    extension = match.group(1).lower() if match else ""
    if extension not in KINDS:
        raise RecognitionError("rec_file_kind", name=clean)
    content_type, signatures = KINDS[extension]
    if not content.startswith(signatures):
        raise RecognitionError("rec_file_mismatch", name=clean)
    return CheckedFile(clean, content_type)


def add_evidence(session: Session, dossier: Dossier, user: User, code: str, name: str,
                 content: bytes, folder: Path, max_bytes: int) -> Evidence:
    """Check and keep one evidence file for a criterion or sub-item of the dossier.

    The file is written before the row; if the transaction then fails, an orphan file is left
    in the folder, never a row without its file.
    """
    if not may_edit(user, dossier.commune):
        raise RecognitionError("rec_not_allowed")
    if dossier.state not in EDITABLE:
        raise RecognitionError("rec_not_editable")
    rules = view(session, dossier).rules
    codes = {c.code for c in rules.criteria} | set(rules.typed_codes())
    if code not in codes:
        raise RecognitionError("rec_unknown_item", code=code)
    if sum(e.code == code for e in dossier.evidence) >= MAX_FILES_PER_ITEM:
        raise RecognitionError("rec_file_count", max=MAX_FILES_PER_ITEM)
    checked = check_file(name, content, max_bytes)
    stored = secrets.token_hex(16)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored).write_bytes(content)
    evidence = Evidence(dossier_id=dossier.id, code=code, file_name=checked.name,
                        content_type=checked.content_type, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), stored_name=stored,
                        uploaded_by_id=user.id, uploaded_at=now_utc())
    session.add(evidence)
    dossier.evidence.append(evidence)
    record(session, dossier, "evidence", user, code=code, reason=checked.name)
    session.flush()
    return evidence


def evidence_path(folder: Path, evidence: Evidence) -> Path:
    return folder / evidence.stored_name
