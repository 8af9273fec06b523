"""CDISC ODM 1.3.2: safe parsing, a writer and a ClinicalData reader over plain dataclasses (no Django).

Built on lxml and the ODM 1.3.2 schema shipped in `reference/`. odmlib was not taken: it is not
installed here, and Trialdesk needs only ClinicalData reading (defensively, vendor extensions
included) and one writer, both small enough to own behind this adapter.
"""

from trialdesk.interop.odm.model import (
    AdminUser,
    AuditEntry,
    ClinicalEvent,
    ClinicalSubject,
    EventDef,
    EventRecord,
    Location,
    MetaDataVersion,
    OdmDocument,
    SubjectRecord,
)
from trialdesk.interop.odm.reader import iter_clinical_data, read_clinical_data
from trialdesk.interop.odm.safe import MAX_BYTES, OdmInputError, parse_bytes, parse_file
from trialdesk.interop.odm.schema import schema_problems
from trialdesk.interop.odm.writer import write

__all__ = [
    "MAX_BYTES",
    "AdminUser",
    "AuditEntry",
    "ClinicalEvent",
    "ClinicalSubject",
    "EventDef",
    "EventRecord",
    "Location",
    "MetaDataVersion",
    "OdmDocument",
    "OdmInputError",
    "SubjectRecord",
    "parse_bytes",
    "iter_clinical_data",
    "parse_file",
    "read_clinical_data",
    "schema_problems",
    "write",
]
