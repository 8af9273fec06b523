"""Schemas of the API's account operations: who I am, my roles, my personal API tokens."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema


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
