"""Schemas of the sites API: institutions and study sites with their status lifecycle."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery, Quantity
from trialdesk.sites import rules
from trialdesk.sites.models import SiteStatus
from trialdesk.studies.schemas import REASON_FOR_CHANGE, ChangeIn


class InstitutionIn(InSchema):
    name: str
    department: str = ""
    city: str
    region: str = ""
    postal_code: str = ""
    country: str = Field(description="ISO 3166-1 alpha-2 code, e.g. DE.")
    time_zone: str = Field(description="IANA time zone, e.g. Europe/Berlin; site deadlines fall in it.")
    reason: str = Field("", description=REASON_FOR_CHANGE)


class InstitutionPatch(ChangeIn):
    name: str | None = None
    department: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    time_zone: str | None = None


class InstitutionOut(Schema):
    id: int
    name: str
    department: str
    city: str
    region: str
    postal_code: str
    country: str
    country_name: str
    time_zone: str
    version: int


class InstitutionFilters(PageQuery):
    country: str = Field("", description="ISO 3166-1 alpha-2 code.")
    search: str = Field("", description="Part of the name or city.")


class StudySiteIn(InSchema):
    institution_id: int
    site_number: str = Field(description="Unique within the study.")
    principal_investigator: str = Field(
        "", description="The PI's name; set from the person when principal_investigator_id is given."
    )
    principal_investigator_id: int | None = Field(
        None, description="The PI as a user with a role in the study (GET /people); null: not one."
    )
    target_enrollment: Quantity = 0
    planned_activation_on: dt.date | None = None
    activated_on: dt.date | None = None
    reason: str = Field("", description=REASON_FOR_CHANGE)


class StudySitePatch(ChangeIn):
    institution_id: int | None = None
    site_number: str | None = None
    principal_investigator: str | None = None
    principal_investigator_id: int | None = None
    target_enrollment: Quantity | None = None
    planned_activation_on: dt.date | None = None
    activated_on: dt.date | None = None


class StudySiteOut(Schema):
    id: int
    study_id: int
    institution_id: int
    institution_name: str
    country: str
    time_zone: str
    site_number: str
    principal_investigator: str
    principal_investigator_id: int | None = Field(
        description="The PI as one of the people (a user id), or null while the PI is a name only."
    )
    status: str
    allowed_transitions: list[str] = Field(description="The statuses the site may move to next.")
    target_enrollment: int
    planned_activation_on: dt.date | None
    activated_on: dt.date | None
    version: int

    @staticmethod
    def resolve_principal_investigator_id(site) -> int | None:
        return site.principal_investigator_person_id

    @staticmethod
    def resolve_institution_name(site) -> str:
        return site.institution.name

    @staticmethod
    def resolve_country(site) -> str:
        return site.institution.country

    @staticmethod
    def resolve_time_zone(site) -> str:
        return site.institution.time_zone

    @staticmethod
    def resolve_allowed_transitions(site) -> list[str]:
        return list(rules.allowed_transitions(site.status, status_before_hold=site.status_before_hold))


class SiteTransitionIn(ChangeIn):
    to: SiteStatus = Field(description="The status to move to; see the site's allowed_transitions.")
    on: dt.date | None = Field(None, description="The activation date, when moving to activated.")
