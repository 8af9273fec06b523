"""Bulk import of institutions and study sites: the plan shows everything, and applying is all or nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from trialdesk.core.models import AuditEvent
from trialdesk.integrations.bulk import institutions, plans, services, study_sites
from trialdesk.integrations.bulk.columns import INSTITUTIONS, STUDY_SITES
from trialdesk.integrations.tests.bulk_factories import INSTITUTION_HEADER, SITE_HEADER, csv_bytes, xlsx_bytes
from trialdesk.sites import services as site_services
from trialdesk.sites.forms import InstitutionForm
from trialdesk.sites.models import Institution, StudySite


def located(plan) -> list[str]:
    return plan.located_problems()


# Institutions -------------------------------------------------------------------------------------


def test_institution_plan_lists_creates_and_changes_and_writes_nothing(world):
    content = xlsx_bytes(
        INSTITUTION_HEADER,
        ("Charité", "Oncology", "Berlin", "DE", "Europe/Berlin"),
        ("Tokyo Medical", "", "Tokyo", "Japan", "Asia/Tokyo"),  # already there: unchanged
        ("Hospital ONC-A-101", "", "Berlin", "DE", "Europe/Paris"),  # already there: time zone changes
    )
    events = AuditEvent.objects.count()
    plan = institutions.plan_institutions(content, "institutions.xlsx", by=world.crm)
    assert plan.problems == []
    assert [(r.row, r.action) for r in plan.rows] == [(2, "create"), (3, "unchanged"), (4, "update")]
    assert [(c.field, c.old, c.new) for c in plan.rows[2].changes] == [
        ("Time zone", "Europe/Berlin", "Europe/Paris")
    ]
    assert plan.can_apply
    assert AuditEvent.objects.count() == events
    assert not Institution.objects.filter(name="Charité").exists()


def test_a_column_the_file_lacks_leaves_that_field_as_it_is(world):
    site_services.update_institution(
        institution=world.site_a2.institution, changes={"region": "Kanto"}, by=world.admin, reason="x"
    )
    content = xlsx_bytes(
        ("Name", "City", "Country", "Time zone"), ("Tokyo Medical", "Tokyo", "JP", "Asia/Tokyo")
    )
    plan = institutions.plan_institutions(content, "i.xlsx", by=world.crm)
    assert [r.action for r in plan.rows] == ["unchanged"]


def test_applying_an_institution_plan_writes_each_record_with_the_import_reason(world):
    content = xlsx_bytes(
        INSTITUTION_HEADER,
        ("Charité", "Oncology", "Berlin", "DE", "Europe/Berlin"),
        ("Hospital ONC-A-101", "", "Berlin", "DE", "Europe/Paris"),
    )
    plan = services.import_file(INSTITUTIONS, content, "institutions.xlsx", by=world.crm)
    assert (plan.created, plan.changed) == (2 - 1, 1)
    created = Institution.objects.get(name="Charité")
    assert created.department == "Oncology" and created.time_zone == "Europe/Berlin"
    assert Institution.objects.get(name="Hospital ONC-A-101").time_zone == "Europe/Paris"
    reasons = set(
        AuditEvent.objects.filter(action__startswith="institution.").values_list("reason", flat=True)
    )
    assert "Bulk import from institutions.xlsx" in reasons


def test_csv_with_semicolons_and_a_byte_order_mark_is_read_like_excel_writes_it(world):
    content = csv_bytes("Name;City;Country;Time zone\r\nKlinikum Süd;München;DE;Europe/Berlin\r\n", bom=True)
    plan = services.import_file(INSTITUTIONS, content, "institutions.csv", by=world.crm)
    assert plan.created == 1
    assert Institution.objects.get(name="Klinikum Süd").city == "München"


def test_a_missing_required_column_is_named_and_nothing_is_read(world):
    content = xlsx_bytes(("Name", "City", "Country"), ("Charité", "Berlin", "DE"))
    plan = institutions.plan_institutions(content, "institutions.xlsx", by=world.crm)
    assert located(plan) == [
        "institutions.xlsx column Time zone: "
        "the required column Time zone (time_zone) is missing from the header row"
    ]
    assert plan.rows == [] and not plan.can_apply


def test_a_bad_value_gets_the_same_message_as_the_form_and_its_row_and_column(world):
    content = xlsx_bytes(INSTITUTION_HEADER, ("Charité", "", "Berlin", "DE", "Mars/Olympus"))
    plan = institutions.plan_institutions(content, "institutions.xlsx", by=world.crm)
    form = InstitutionForm(
        {"name": "Charité", "city": "Berlin", "country": "DE", "time_zone": "Mars/Olympus"}
    )
    assert not form.is_valid()
    assert located(plan) == [f"institutions.xlsx row 2, column Time zone: {form.errors['time_zone'][0]}"]


def test_one_bad_row_refuses_the_whole_file(world):
    content = xlsx_bytes(
        INSTITUTION_HEADER,
        ("Charité", "", "Berlin", "DE", "Europe/Berlin"),
        ("Nowhere Clinic", "", "Atlantis", "Atlantis", "Europe/Berlin"),
    )
    with pytest.raises(plans.ImportRefused) as refused:
        services.import_file(INSTITUTIONS, content, "institutions.xlsx", by=world.crm)
    assert {(p.row, p.column) for p in refused.value.plan.problems} == {(3, "Country")}
    assert not Institution.objects.filter(name="Charité").exists()


def test_the_same_institution_twice_in_a_file_is_refused(world):
    row = ("Charité", "", "Berlin", "DE", "Europe/Berlin")
    plan = institutions.plan_institutions(xlsx_bytes(INSTITUTION_HEADER, row, row), "i.xlsx", by=world.crm)
    assert located(plan) == ["i.xlsx row 3: the same institution as row 2"]


def test_only_crms_and_administrators_import_institutions(world):
    content = xlsx_bytes(INSTITUTION_HEADER, ("Charité", "", "Berlin", "DE", "Europe/Berlin"))
    for person in (world.monitor, world.auditor, world.coordinator, world.outsider):
        with pytest.raises(PermissionDenied):
            institutions.plan_institutions(content, "i.xlsx", by=person)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(world, settings):
    settings.IMPORT_MAX_BYTES = 1000
    plan = institutions.plan_institutions(b"x" * 2000, "huge.xlsx", by=world.crm)
    assert located(plan) == ["huge.xlsx: " + plans.too_large_message(2000)]


def test_a_file_that_is_not_a_workbook_is_said_so(world):
    plan = institutions.plan_institutions(b"not a zip", "sites.xlsx", by=world.crm)
    assert located(plan) == ["sites.xlsx: this is not an Excel workbook (.xlsx) that can be read"]


# Study sites --------------------------------------------------------------------------------------


def site_row(
    number="103", institution="Tokyo Medical", city="Tokyo", pi="Dr Sato", status="", planned=None, target=25
):
    return (number, institution, city, pi, status, planned, target)


def test_new_sites_are_planned_with_their_institution_found_by_name_and_city(world):
    content = xlsx_bytes(SITE_HEADER, site_row(planned=dt.date(2025, 9, 1)))
    plan = study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=world.crm)
    assert plan.problems == []
    [row] = plan.rows
    assert row.action == "create" and row.label == "Site 103 (Tokyo Medical, Tokyo)"
    shown = {c.field: c.new for c in row.changes}
    assert shown["Planned activation"] == "2025-09-01" and shown["Target enrollment"] == "25"


def test_a_new_site_is_moved_along_its_lifecycle_to_the_status_given(world):
    content = xlsx_bytes(
        (*SITE_HEADER, "Activation date"),
        (*site_row(status="Enrolling"), dt.date(2025, 3, 3)),
    )
    services.import_file(STUDY_SITES, content, "sites.xlsx", study=world.study_a, by=world.crm)
    site = StudySite.objects.get(study=world.study_a, site_number="103")
    assert site.status == "enrolling" and site.activated_on == dt.date(2025, 3, 3)
    actions = list(
        AuditEvent.objects.filter(study_site_id=site.pk).order_by("id").values_list("action", "reason")
    )
    assert [a for a, _ in actions] == ["studysite.created"] + ["studysite.status_changed"] * 5
    assert {r for _, r in actions} == {"Bulk import from sites.xlsx"}


def test_changing_an_existing_site_shows_old_and_new_values(world):
    content = xlsx_bytes(SITE_HEADER, site_row(number="101", institution="", city="", pi="Dr New", target=40))
    plan = study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=world.crm)
    [row] = plan.rows
    assert row.action == "update"
    assert {(c.field, c.old, c.new) for c in row.changes} == {
        ("Principal investigator", "Dr PI 101", "Dr New"),
        ("Target enrollment", "20", "40"),
    }
    services.apply_plan(plan, by=world.crm)
    site = StudySite.objects.get(pk=world.site_a1.pk)
    assert (site.principal_investigator, site.target_enrollment, site.version) == ("Dr New", 40, 2)


def test_a_status_the_site_cannot_reach_is_refused_with_the_allowed_moves(world):
    StudySite.objects.filter(pk=world.site_a1.pk).update(status="closed")
    content = xlsx_bytes(SITE_HEADER, site_row(number="101", institution="", status="Enrolling"))
    plan = study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=world.crm)
    assert located(plan) == [
        "sites.xlsx row 2, column Status: the site cannot be moved to Enrolling here: "
        "A site that is closed cannot change status."
    ]


def test_a_date_in_a_text_cell_and_a_text_in_a_date_cell_are_each_located(world):
    content = xlsx_bytes(
        SITE_HEADER,
        site_row(number=dt.datetime(2025, 1, 2)),  # Excel turned "01-02" into a date
        site_row(number="104", planned="next spring"),
    )
    plan = study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=world.crm)
    assert located(plan) == [
        "sites.xlsx row 2, column Site number: the cell holds a date (2025-01-02) where text is expected; "
        "format the column as Text and type the value again",
        "sites.xlsx row 3, column Planned activation: 'next spring' is not a date; "
        "use a date cell or YYYY-MM-DD, e.g. 2025-03-31",
    ]


def test_sites_name_unknown_institutions_unknown_statuses_and_repeated_numbers(world):
    content = xlsx_bytes(
        SITE_HEADER,
        site_row(number="103", institution="Nowhere", city="Oz"),
        site_row(number="104", status="Recruiting"),
        site_row(number="105"),
        site_row(number="105"),
        site_row(number="106", target=-3),
    )
    plan = study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=world.crm)
    messages = located(plan)
    assert messages[0] == (
        "sites.xlsx row 2, column Institution: no institution named 'Nowhere' in Oz is in the directory; "
        "import or add it first"
    )
    assert messages[1].startswith("sites.xlsx row 3, column Status: 'Recruiting' is not a site status")
    assert messages[2] == "sites.xlsx row 5, column Site number: site 105 is also on row 4"
    assert messages[3] == (
        "sites.xlsx row 6, column Target enrollment: Ensure this value is greater than or equal to 0."
    )


def test_a_site_file_without_any_institution_column_is_refused(world):
    content = xlsx_bytes(("Site number", "Target enrollment"), ("103", 5))
    plan = study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=world.crm)
    assert located(plan) == [
        "sites.xlsx: the file needs an Institution id column or an Institution column (with City)"
    ]


def test_only_the_studys_crm_or_an_administrator_imports_its_sites(world):
    content = xlsx_bytes(SITE_HEADER, site_row())
    for person in (world.monitor, world.auditor, world.sponsor_viewer, world.outsider):
        with pytest.raises(PermissionDenied):
            study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=person)
    with pytest.raises(PermissionDenied):
        study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_b, by=world.crm)
    assert study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_b, by=world.admin).can_apply


def test_a_change_made_between_preview_and_apply_undoes_the_whole_import(world):
    content = xlsx_bytes(
        SITE_HEADER, site_row(number="103"), site_row(number="101", institution="", pi="Dr New")
    )
    plan = study_sites.plan_study_sites(content, "sites.xlsx", study=world.study_a, by=world.crm)
    StudySite.objects.filter(pk=world.site_a1.pk).update(version=5)
    with pytest.raises(plans.ImportRefused) as refused:
        services.apply_plan(plan, by=world.crm)
    assert refused.value.plan.problems[0].row == 3
    assert not StudySite.objects.filter(study=world.study_a, site_number="103").exists()
