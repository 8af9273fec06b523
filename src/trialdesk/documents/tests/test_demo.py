"""The documents part of the demo: generated PDFs, filed so that completeness is neither 0 nor 100%."""

import datetime as dt

from trialdesk.core.roles import Role
from trialdesk.documents import selectors
from trialdesk.documents.demo import demo_pdf, load_demo
from trialdesk.documents.rules import file_types, filing
from trialdesk.documents.tests.factories import approve, make_staff


def test_demo_pdf_is_a_pdf_with_its_cross_reference_table():
    content = demo_pdf("Ethics approval (protocol v2.0)")
    assert file_types.file_type_problem("a.pdf", content) == ""
    assert b"(Ethics approval \\(protocol v2.0\\))" in content
    offset = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert content[offset:].startswith(b"xref")


def test_demo_files_part_of_the_expected_list_with_some_expiring(world, clock):
    clock.move_to("2025-09-01T12:00Z")
    approve(world.protocol_a, by=world.admin)
    for number in range(4):
        make_staff(world.site_a1, f"crc{number}", Role.COORDINATOR, by=world.admin)
    load_demo(today=dt.date(2025, 9, 1), users={"crm": world.crm}, studies=("ONC-A",))
    rows = selectors.expected_documents_for(world.crm, world.study_a)
    whole = selectors.completeness(rows)[0]
    assert 0 < whole.on_file < whole.expected
    assert {r.state for r in rows} >= {filing.PRESENT, filing.MISSING}
    assert {r.state for r in rows} & {filing.EXPIRING, filing.EXPIRED}
