"""The demo's programs and studies: protocol versions walked to their status, arms, the CRM on each.

The studies themselves are described in studies.demo_data; their sites (and the study milestones that
depend on when sites reached them) come from the sites app's demo step.
"""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.studies import services
from trialdesk.studies.demo_data import PROGRAMS, STUDIES, DemoProtocol, DemoStudy
from trialdesk.studies.models import Study

PROTOCOL_STEPS = {
    "draft": (),
    "submitted": ("submitted",),
    "approved": ("submitted", "approved"),
    "effective": ("submitted", "approved", "effective"),
}
PROTOCOL_REASONS = {
    "submitted": "Submitted to the ethics committees and competent authorities",
    "approved": "Approved by the lead ethics committee and the competent authority",
    "effective": "Implemented at sites after approval and training",
}
# Days after the version date on which each protocol step happened.
PROTOCOL_STEP_DAYS = {"submitted": 7, "approved": 35, "effective": 49}


def study_start(demo: DemoContext, definition: DemoStudy) -> dt.date:
    """The day the study started (its first protocol's date)."""
    return demo.today - dt.timedelta(days=definition.started_days_ago)


def load_studies(demo: DemoContext) -> None:
    """Programs, then each study with its protocol versions and arms; leaves made["studies"]."""
    programs = {
        name: services.create_program(name=name, description=description, by=demo.admin)
        for name, description in PROGRAMS.items()
    }
    demo.made["studies"] = {}
    for definition in STUDIES:
        demo.made["studies"][definition.code] = _load_study(
            demo, definition, programs.get(definition.program)
        )
        demo.progress(f"{definition.code}: protocol and arms")
    demo.summary.append(f"{len(STUDIES)} studies")


def _load_study(demo: DemoContext, definition: DemoStudy, program) -> Study:
    study = services.create_study(
        by=demo.admin,
        program=program,
        code=definition.code,
        title=definition.title,
        acronym=definition.acronym,
        phase=definition.phase,
        therapeutic_area=definition.therapeutic_area,
        sponsor=definition.sponsor,
        nct_number=definition.nct_number,
        status=definition.status,
        planned_enrollment=definition.planned_enrollment,
        blinded=definition.blinded,
        description=definition.description,
    )
    assign_role(user=demo.crm, role=Role.CRM, study=study, by=demo.admin)
    for protocol in definition.protocols:
        _create_protocol_version(demo, study, protocol, study_start(demo, definition))
    for arm in definition.arms:
        services.create_arm(
            study=study,
            code=arm.code,
            name=arm.name,
            arm_type=arm.arm_type,
            allocation_ratio=arm.allocation_ratio,
            by=demo.crm,
        )
    return study


def _create_protocol_version(demo: DemoContext, study: Study, protocol: DemoProtocol, start: dt.date) -> None:
    version_date = start + dt.timedelta(days=protocol.day)
    version = services.create_protocol_version(
        study=study,
        number=protocol.number,
        version_date=version_date,
        amendment_number=protocol.amendment_number,
        summary_of_changes=protocol.summary_of_changes,
        by=demo.crm,
    )
    for step in PROTOCOL_STEPS[protocol.status]:
        on = min(version_date + dt.timedelta(days=PROTOCOL_STEP_DAYS[step]), demo.last_actual_day)
        version = services.change_protocol_status(
            protocol_version=version, to=step, on=on, by=demo.crm, reason=PROTOCOL_REASONS[step]
        )
