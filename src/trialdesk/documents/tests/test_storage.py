"""The file store: content-addressed, atomic, verified on read (hypothesis over arbitrary content)."""

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialdesk.documents import storage

PDF_MAGIC = b"%PDF-"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=5000), chunk=st.integers(min_value=1, max_value=700))
def test_stored_content_is_named_by_its_sha256_and_reads_back_verified(data_dir, body, chunk):
    content = PDF_MAGIC + body
    chunks = [content[i : i + chunk] for i in range(0, len(content), chunk)]
    stored = storage.store(chunks, filename="scan.pdf")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert storage.path_of(stored.sha256).read_bytes() == content
    with storage.verified_copy(stored.sha256, stored.size) as copy:
        assert copy.read() == content
    assert storage.problem_of(stored.sha256, stored.size) == ""
    assert not any((data_dir / "documents" / "tmp").iterdir())  # no temporary file left behind


def test_a_truncated_file_is_reported_as_altered(data_dir):
    stored = storage.store([PDF_MAGIC + b"1234567890"], filename="a.pdf")
    storage.path_of(stored.sha256).write_bytes(PDF_MAGIC + b"12345")
    with pytest.raises(storage.FileProblem) as problem:
        storage.verified_copy(stored.sha256, stored.size)
    assert not problem.value.missing
    assert storage.problem_of(stored.sha256, stored.size) == "altered: its checksum no longer matches"
