"""A file reference that does not match what is kept says what differs (b12r): a size other
than the kept file's is named as such, not as a file never uploaded; an intake naming the
same file twice is refused. Real files in a real store under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.web import i18n
from tests.test_refused_files import _png
from workflows.commands.intake import IntakeIn
from workflows.errors import InvalidRequest
from workflows.files import FileRef, FileStore

PNG = _png(17)


def test_a_reference_with_another_size_says_the_size_differs(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    kept = store.put(PNG, "marking")
    wrong = FileRef(kept.sha256, kept.size + 1, kept.media_type, kept.role)
    with pytest.raises(InvalidRequest) as refused:
        store.check_refs([wrong])
    said = str(refused.value)
    assert f"is {kept.size} bytes, not {kept.size + 1} as its reference says" in said
    assert "has not been uploaded" not in said
    assert "байт" in i18n.reason(refused.value, "ru")
    missing = FileRef("0" * 64, 1, kept.media_type, kept.role)
    with pytest.raises(InvalidRequest, match="has not been uploaded"):
        store.check_refs([missing])


def test_a_staged_store_says_the_size_of_a_file_already_kept(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    kept = store.put(PNG, "marking")
    with store.staged() as staged:
        wrong = FileRef(kept.sha256, kept.size + 5, kept.media_type, kept.role)
        with pytest.raises(InvalidRequest, match=f"is {kept.size} bytes, not {kept.size + 5}"):
            staged.check_refs([wrong])


def test_an_intake_naming_a_file_twice_is_refused(tmp_path: Path) -> None:
    ref = FileStore(tmp_path / "files").put(PNG, "marking").to_json()
    intake = {"category": "gas", "source": "found", "location": "U", "weight_g": 1}
    with pytest.raises(ValidationError) as refused:
        IntakeIn.model_validate({**intake, "unmarked": True, "files": [ref, ref]})
    assert "is given twice: name each file once" in str(refused.value)
    assert "указан дважды" in i18n.invalid_field(refused.value, "ru")
    taken = IntakeIn.model_validate({**intake, "unmarked": True, "files": [ref]})
    assert len(taken.files) == 1
