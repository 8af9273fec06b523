"""Writing an OdmDocument as a CDISC ODM 1.3.2 XML file (valid against the bundled schema).

ODM has no place for a participant's status or arm, nor for a visit's date, so Trialdesk describes
them as ordinary metadata (the way EDCs do): a visit form (IG.VISIT: IT.SVSTDTC, the visit date, and
IT.MODALITY) on every study event, and a common event SE.TRIALDESK.PARTICIPANT with a participant form
(IT.STATUS, IT.ENRLDTC) and a randomization form (IT.ARMCD, IT.RANDDTC). A participant's arm is only
written when the caller put one in (blinded readers' documents have none).
"""

import datetime as dt
import re

from lxml import etree

from trialdesk.interop.odm.model import MetaDataVersion, OdmDocument, SubjectRecord

NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Longer than any visit code (20 characters) can make them, so no protocol's visit can clash.
COMMON_EVENT = "SE.TRIALDESK.PARTICIPANT"
UNSCHEDULED_EVENT = "SE.TRIALDESK.UNSCHEDULED"
VISIT_FORM, VISIT_GROUP = "F.VISIT", "IG.VISIT"
VISIT_DATE_ITEM, MODALITY_ITEM = "IT.SVSTDTC", "IT.MODALITY"
PARTICIPANT_FORM, PARTICIPANT_GROUP = "F.PARTICIPANT", "IG.PARTICIPANT"
STATUS_ITEM, ENROLLED_ITEM = "IT.STATUS", "IT.ENRLDTC"
RANDOMIZATION_FORM, RANDOMIZATION_GROUP = "F.RANDOMIZATION", "IG.RANDOMIZATION"
ARM_ITEM, RANDOMIZED_ITEM = "IT.ARMCD", "IT.RANDDTC"
ARM_CODELIST = "CL.ARMCD"

# (form OID, form name, item group OID, ((item OID, name, data type, mandatory), …))
FORMS = (
    (
        VISIT_FORM,
        "Visit",
        VISIT_GROUP,
        (
            (VISIT_DATE_ITEM, "Visit date", "date", True),
            (MODALITY_ITEM, "How the visit took place", "text", False),
        ),
    ),
    (
        PARTICIPANT_FORM,
        "Participant",
        PARTICIPANT_GROUP,
        (
            (STATUS_ITEM, "Participant status", "text", True),
            (ENROLLED_ITEM, "Enrollment date", "date", False),
        ),
    ),
    (
        RANDOMIZATION_FORM,
        "Randomization",
        RANDOMIZATION_GROUP,
        ((ARM_ITEM, "Assigned arm", "text", True), (RANDOMIZED_ITEM, "Randomized at", "datetime", False)),
    ),
)


# Characters XML 1.0 cannot carry at all (C0 controls but tab/newline/return, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes) -> etree._Element:
    values = {k: _xml_text(v) for k, v in attributes.items() if v not in (None, "")}
    element = etree.SubElement(parent, _q(tag), values)
    if text is not None:
        element.text = _xml_text(text)
    return element


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("ODM times are written with their UTC offset; got a naive datetime")
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _text(parent: etree._Element, tag: str, text: str) -> None:
    wrapper = _sub(parent, tag)
    _sub(wrapper, "TranslatedText", text).set(XML_LANG, "en")


def _metadata_version(study: etree._Element, mdv: MetaDataVersion) -> None:
    element = _sub(study, "MetaDataVersion", OID=mdv.oid, Name=mdv.name, Description=mdv.description)
    protocol = _sub(element, "Protocol")
    events = [*mdv.events]
    for order, event in enumerate(events, start=1):
        _sub(
            protocol,
            "StudyEventRef",
            StudyEventOID=event.oid,
            OrderNumber=str(order),
            Mandatory=_yes_no(event.mandatory),
        )
    extra = (
        (UNSCHEDULED_EVENT, "Unscheduled visit", "Unscheduled", True),
        (COMMON_EVENT, "Participant and randomization", "Common", False),
    )
    for offset, (oid, _name, _type, _repeating) in enumerate(extra, start=len(events) + 1):
        _sub(protocol, "StudyEventRef", StudyEventOID=oid, OrderNumber=str(offset), Mandatory="No")
    for event in events:
        definition = _sub(
            element,
            "StudyEventDef",
            OID=event.oid,
            Name=event.name,
            Repeating=_yes_no(event.repeating),
            Type=event.type,
            Category=event.category,
        )
        _sub(definition, "FormRef", FormOID=VISIT_FORM, OrderNumber="1", Mandatory="Yes")
    for oid, name, kind, repeating in extra:
        definition = _sub(
            element, "StudyEventDef", OID=oid, Name=name, Repeating=_yes_no(repeating), Type=kind
        )
        forms = (VISIT_FORM,) if oid == UNSCHEDULED_EVENT else (PARTICIPANT_FORM, RANDOMIZATION_FORM)
        for order, form in enumerate(forms, start=1):
            _sub(definition, "FormRef", FormOID=form, OrderNumber=str(order), Mandatory="No")
    for form_oid, form_name, group_oid, _items in FORMS:
        form = _sub(element, "FormDef", OID=form_oid, Name=form_name, Repeating="No")
        _sub(form, "ItemGroupRef", ItemGroupOID=group_oid, Mandatory="Yes")
    for _form_oid, form_name, group_oid, items in FORMS:
        group = _sub(element, "ItemGroupDef", OID=group_oid, Name=form_name, Repeating="No")
        for order, (item_oid, _name, _type, mandatory) in enumerate(items, start=1):
            _sub(group, "ItemRef", ItemOID=item_oid, OrderNumber=str(order), Mandatory=_yes_no(mandatory))
    for _form_oid, _form_name, _group_oid, items in FORMS:
        for item_oid, name, data_type, _mandatory in items:
            item = _sub(element, "ItemDef", OID=item_oid, Name=name, DataType=data_type)
            if item_oid == ARM_ITEM and mdv.arm_codes:
                _sub(item, "CodeListRef", CodeListOID=ARM_CODELIST)
    if mdv.arm_codes:
        codelist = _sub(element, "CodeList", OID=ARM_CODELIST, Name="Arms", DataType="text")
        for order, (code, name) in enumerate(mdv.arm_codes, start=1):
            entry = _sub(codelist, "CodeListItem", CodedValue=code, OrderNumber=str(order))
            _text(entry, "Decode", name or code)


def _item_group(event: etree._Element, form_oid: str, group_oid: str, values: list[tuple[str, str]]) -> None:
    form = _sub(event, "FormData", FormOID=form_oid)
    group = _sub(form, "ItemGroupData", ItemGroupOID=group_oid)
    for item_oid, value in values:
        _sub(group, "ItemData", ItemOID=item_oid, Value=value)


def _subject(clinical: etree._Element, subject: SubjectRecord) -> None:
    element = _sub(clinical, "SubjectData", SubjectKey=subject.key)
    _sub(element, "SiteRef", LocationOID=subject.site_oid)
    common = _sub(element, "StudyEventData", StudyEventOID=COMMON_EVENT)
    participant = [(STATUS_ITEM, subject.status or "unknown")]
    if subject.enrolled_on:
        participant.append((ENROLLED_ITEM, subject.enrolled_on.isoformat()))
    _item_group(common, PARTICIPANT_FORM, PARTICIPANT_GROUP, participant)
    if subject.arm_code:
        randomization = [(ARM_ITEM, subject.arm_code)]
        if subject.randomized_at:
            randomization.append((RANDOMIZED_ITEM, _datetime(subject.randomized_at)))
        _item_group(common, RANDOMIZATION_FORM, RANDOMIZATION_GROUP, randomization)
    for event in subject.events:
        visit = _sub(element, "StudyEventData", StudyEventOID=event.oid, StudyEventRepeatKey=event.repeat_key)
        values = [(VISIT_DATE_ITEM, event.done_on.isoformat())]
        if event.modality:
            values.append((MODALITY_ITEM, event.modality))
        _item_group(visit, VISIT_FORM, VISIT_GROUP, values)


def _granularity(document: OdmDocument) -> str:
    if document.include_metadata and not document.include_clinical_data and not document.audit_entries:
        return "Metadata"
    if not document.include_metadata:
        return "AllClinicalData"
    return "All"


def build(document: OdmDocument) -> etree._Element:
    """The ODM root element for `document`."""
    root = etree.Element(
        _q("ODM"),
        nsmap={None: NS},
        attrib={
            "FileOID": document.file_oid,
            "FileType": "Snapshot",
            "Granularity": _granularity(document),
            "CreationDateTime": _datetime(document.created_at),
            "ODMVersion": "1.3.2",
            "Originator": "Trialdesk",
            "SourceSystem": "Trialdesk",
            **(
                {"SourceSystemVersion": document.source_system_version}
                if document.source_system_version
                else {}
            ),
        },
    )
    study = _sub(root, "Study", OID=document.study_oid)
    variables = _sub(study, "GlobalVariables")
    _sub(variables, "StudyName", document.study_name)
    _sub(variables, "StudyDescription", document.study_description)
    _sub(variables, "ProtocolName", document.protocol_name)
    if document.include_metadata:
        for mdv in document.metadata_versions:
            _metadata_version(study, mdv)
    if document.users or document.locations:
        admin = _sub(root, "AdminData", StudyOID=document.study_oid)
        for user in document.users:
            element = _sub(admin, "User", OID=user.oid)
            _sub(element, "LoginName", user.login)
            if user.full_name:
                _sub(element, "FullName", user.full_name)
            for location_oid in user.location_oids:
                _sub(element, "LocationRef", LocationOID=location_oid)
        for location in document.locations:
            element = _sub(
                admin, "Location", OID=location.oid, Name=location.name, LocationType=location.type
            )
            _sub(
                element,
                "MetaDataVersionRef",
                StudyOID=document.study_oid,
                MetaDataVersionOID=location.metadata_version_oid,
                EffectiveDate=(location.effective_on or document.created_at.date()).isoformat(),
            )
    _clinical_data(root, document)
    return root


def _clinical_data(root: etree._Element, document: OdmDocument) -> None:
    by_version: dict[str, list[SubjectRecord]] = {}
    if document.include_clinical_data:
        for subject in document.subjects:
            by_version.setdefault(subject.metadata_version_oid, []).append(subject)
    if document.audit_entries and not by_version and document.metadata_versions:
        by_version[document.metadata_versions[-1].oid] = []
    for index, (mdv_oid, subjects) in enumerate(by_version.items()):
        clinical = _sub(root, "ClinicalData", StudyOID=document.study_oid, MetaDataVersionOID=mdv_oid)
        for subject in subjects:
            _subject(clinical, subject)
        if index == 0 and document.audit_entries:
            records = _sub(clinical, "AuditRecords")
            for entry in document.audit_entries:
                record = _sub(records, "AuditRecord", ID=entry.id)
                _sub(record, "UserRef", UserOID=entry.user_oid)
                _sub(record, "LocationRef", LocationOID=entry.location_oid)
                _sub(record, "DateTimeStamp", _datetime(entry.at))
                if entry.reason:
                    _sub(record, "ReasonForChange", entry.reason)
                _sub(record, "SourceID", entry.source_id)


def write(document: OdmDocument) -> bytes:
    """The ODM 1.3.2 XML of `document`, UTF-8 with an XML declaration."""
    return etree.tostring(build(document), xml_declaration=True, encoding="UTF-8", pretty_print=True)
