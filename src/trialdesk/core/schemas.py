"""Schemas of the API's account operations: who I am, my roles and API tokens; people and their roles."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, PageQuery, PlainTextSchema, required_reason
from trialdesk.core.roles import Role


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str

    @staticmethod
    def resolve_full_name(user) -> str:
        return user.get_full_name()


class RoleOut(Schema):
    role: str
    role_label: str
    scope: str
    study_id: int | None
    study_code: str | None
    study_site_id: int | None
    site_number: str | None

    @staticmethod
    def resolve_role_label(assignment) -> str:
        return assignment.get_role_display()

    @staticmethod
    def resolve_study_code(assignment) -> str | None:
        return assignment.study.code if assignment.study_id else None

    @staticmethod
    def resolve_site_number(assignment) -> str | None:
        return assignment.study_site.site_number if assignment.study_site_id else None


class MeOut(Schema):
    user: UserOut
    is_administrator: bool
    roles: list[RoleOut]


class WorkItemOut(Schema):
    kind: str = Field(description="What kind of work, e.g. reporting_obligations, reconsent, training.")
    title: str = Field(description="What is to be done, in words.")
    due_on: dt.date = Field(description="The day it is due (the responsible site's or party's local day).")
    url: str = Field(description="The page where the work is done.")
    study_code: str
    overdue: bool


class ApiTokenIn(InSchema):
    name: str = Field(description="What the token is for, e.g. the script that will use it.", max_length=100)


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


class NewApiTokenOut(ApiTokenOut):
    token: str = Field(description="The token itself. It is shown this once and never again; store it now.")


class RoleAssignmentOut(RoleOut):
    id: int
    user_id: int
    granted_at: dt.datetime


class PersonOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    is_active: bool = Field(description="False once deactivated: the person can no longer sign in.")
    is_superuser: bool
    last_login: dt.datetime | None
    date_joined: dt.datetime
    roles: list[RoleAssignmentOut] = Field(description="The roles of this person that you can see.")

    @staticmethod
    def resolve_full_name(user) -> str:
        return user.get_full_name()

    @staticmethod
    def resolve_roles(user) -> list:
        return user.visible_roles


class NewPersonOut(PersonOut):
    one_time_password: str | None = Field(
        description="The generated password when none was sent: shown this once, give it to the person."
    )


class PeopleFilters(PageQuery):
    search: str = Field("", description="Part of the username, first or last name or e-mail.")


class SearchQuery(PageQuery):
    q: str = Field(
        min_length=2,
        max_length=200,
        pattern=r"\S[\s\S]*\S",
        description="What to look for (at least 2 characters besides spaces, case-insensitive, anywhere in "
        "a protocol number, study title, acronym or NCT number; a site number, institution name or city; a "
        "participant or screening number; a document's title).",
    )


class SearchItemOut(Schema):
    kind: str = Field(description="What kind of record: studies, sites, participants or documents.")
    title: str
    detail: str = Field(description="A line about the record (its study, site, status).")
    url: str = Field(description="The record's page.")


class PersonIn(InSchema):
    username: str = Field(max_length=150)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    password: str = Field("", description="Leave out to have a one-time password generated.")
    administrator: bool = Field(False, description="Grant the Administrator role with the account.")


class RoleGrantIn(InSchema):
    role: Role
    study_id: int | None = Field(
        None, ge=1, le=LARGEST_INTEGER, description="For a study-level role: the study."
    )
    study_site_id: int | None = Field(
        None, ge=1, le=LARGEST_INTEGER, description="For a site-level role: the study site."
    )


class ReasonIn(InSchema):
    reason: str = required_reason("Why; kept on the audit trail.")


class RevokeQuery(PlainTextSchema):
    reason: str = required_reason("Why the role ends; kept on the audit trail.")
