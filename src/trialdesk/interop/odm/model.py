"""The plain values an ODM document is written from, and the ClinicalData read from an EDC export."""

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EventDef:
    """A study event (visit) of a metadata version: `type` is Scheduled, Unscheduled or Common."""

    oid: str
    name: str
    type: str = "Scheduled"
    repeating: bool = False
    mandatory: bool = True
    category: str = ""


@dataclass(frozen=True)
class MetaDataVersion:
    """One protocol version's schedule as ODM metadata; `arm_codes` feed the randomization code list."""

    oid: str
    name: str
    description: str = ""
    events: tuple[EventDef, ...] = ()
    arm_codes: tuple[tuple[str, str], ...] = ()  # (code, name)


@dataclass(frozen=True)
class Location:
    """A place data comes from: a study site (LocationType Site) or the sponsor."""

    oid: str
    name: str
    type: str = "Site"
    metadata_version_oid: str = ""
    effective_on: dt.date | None = None


@dataclass(frozen=True)
class AdminUser:
    """A person named in the document (staff, never participants)."""

    oid: str
    login: str
    full_name: str = ""
    location_oids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventRecord:
    """A visit that took place: its event, date and how it was done."""

    oid: str
    done_on: dt.date
    modality: str = ""
    repeat_key: str = ""


@dataclass(frozen=True)
class SubjectRecord:
    """A participant: the participant number as SubjectKey; `arm_code` only when the reader may see it."""

    key: str
    site_oid: str
    metadata_version_oid: str
    status: str = ""
    enrolled_on: dt.date | None = None
    arm_code: str | None = None
    randomized_at: dt.datetime | None = None
    events: tuple[EventRecord, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    """One audit-trail event as an ODM AuditRecord."""

    id: str
    user_oid: str
    location_oid: str
    at: dt.datetime
    reason: str
    source_id: str


@dataclass(frozen=True)
class OdmDocument:
    """Everything one ODM file holds; empty parts are left out of the file."""

    file_oid: str
    created_at: dt.datetime
    study_oid: str
    study_name: str
    study_description: str
    protocol_name: str
    metadata_versions: tuple[MetaDataVersion, ...] = ()
    include_metadata: bool = True
    users: tuple[AdminUser, ...] = ()
    locations: tuple[Location, ...] = ()
    subjects: tuple[SubjectRecord, ...] = ()
    include_clinical_data: bool = True
    audit_entries: tuple[AuditEntry, ...] = ()
    source_system_version: str = ""


# Read from EDC exports ------------------------------------------------------------------------------------


@dataclass
class ClinicalEvent:
    """A StudyEventData of an imported file with every date it offers for the visit."""

    oid: str
    xpath: str
    repeat_key: str = ""
    transaction_type: str = ""
    start_date: tuple[str, str] | None = None  # (value, xpath) of a vendor StartDate attribute
    items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # ItemOID -> [(value, xpath)]
    audit_stamps: list[tuple[str, str]] = field(default_factory=list)  # (DateTimeStamp, xpath)


@dataclass
class ClinicalSubject:
    """A SubjectData of an imported file."""

    key: str
    xpath: str
    study_oid: str
    site_oid: str = ""
    transaction_type: str = ""
    events: list[ClinicalEvent] = field(default_factory=list)
