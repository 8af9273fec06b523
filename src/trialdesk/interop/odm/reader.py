"""Reading ClinicalData from an EDC's ODM export (OpenClinica, REDCap, …) into plain dataclasses.

Producers differ: some omit the namespace, some add vendor attributes (OpenClinica:StartDate on a
study event), some write typed ItemData (ItemDataDate). Everything may be missing, so nothing here
assumes a field; what the database needs is checked by the caller, naming each place by XPath.
"""

import os
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from trialdesk.interop.odm.model import ClinicalEvent, ClinicalSubject
from trialdesk.interop.odm.safe import (
    MAX_BYTES,
    PARSER_OPTIONS,
    OdmInputError,
    checked_size,
    refuse_doctype,
    syntax_error,
)

NS = "http://www.cdisc.org/ns/odm/v1.3"


def _name(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _is_odm(element) -> bool:
    namespace = etree.QName(element).namespace if isinstance(element.tag, str) else None
    return namespace in (None, NS) or (namespace or "").startswith("http://www.cdisc.org/ns/odm/")


def _children(element, name: str):
    """(child, its XPath step) for each ODM child called `name`, numbered as XPath counts them."""
    position = 0
    for child in element:
        if _name(child) == name and _is_odm(child):
            position += 1
            yield child, f"{name}[{position}]"


def _vendor_start_date(element) -> str | None:
    for attribute, value in element.attrib.items():
        qname = etree.QName(attribute)
        if qname.namespace and qname.namespace != NS and qname.localname == "StartDate":
            return value
    return None


def _collect(element, path: str, event: ClinicalEvent) -> None:
    """Gather item values and audit time stamps anywhere inside a study event."""
    counts: dict[str, int] = {}
    for child in element:
        name = _name(child)
        if not name or not _is_odm(child):
            continue
        counts[name] = counts.get(name, 0) + 1
        child_path = f"{path}/{name}[{counts[name]}]"
        if name == "ItemData" or name.startswith("ItemData"):
            oid = child.get("ItemOID")
            value = child.get("Value") if name == "ItemData" else (child.text or "")
            if oid and value is not None and child.get("IsNull") != "Yes":
                event.items.setdefault(oid, []).append((value.strip(), child_path))
        elif name == "AuditRecord":
            for stamp, step in _children(child, "DateTimeStamp"):
                if stamp.text and stamp.text.strip():
                    event.audit_stamps.append((stamp.text.strip(), f"{child_path}/{step}"))
        else:
            _collect(child, child_path, event)


def _refuse_unless_odm(root) -> None:
    if _name(root) != "ODM" or not _is_odm(root):
        raise OdmInputError(f"The root element is <{_name(root) or root.tag}>, not an ODM document.", "/")


def read_clinical_data(root) -> list[ClinicalSubject]:
    """Every SubjectData of every ClinicalData, in file order; OdmInputError if this is not ODM at all."""
    _refuse_unless_odm(root)
    subjects = []
    for clinical, clinical_step in _children(root, "ClinicalData"):
        clinical_path = f"/ODM/{clinical_step}"
        study_oid = clinical.get("StudyOID", "")
        for subject_element, subject_step in _children(clinical, "SubjectData"):
            subjects.append(_subject(subject_element, f"{clinical_path}/{subject_step}", study_oid))
    return subjects


def iter_clinical_data(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> Iterator[ClinicalSubject]:
    """read_clinical_data of an ODM file, streamed: each SubjectData is read as its end tag is parsed and
    then cleared with everything before it, so memory stays flat however large the file (iterparse).
    The same refusals as parse_file (size, DOCTYPE, not XML, not ODM), raised where they are met."""
    path = Path(path)
    checked_size(path, max_bytes)
    with path.open("rb") as stream:
        refuse_doctype(stream.read(64 * 1024))
        stream.seek(0)
        try:
            yield from _stream(etree.iterparse(stream, events=("start", "end"), **PARSER_OPTIONS))
        except etree.XMLSyntaxError as error:
            raise syntax_error(error) from error


def _stream(events) -> Iterator[ClinicalSubject]:
    depth, clinical_count, subject_count = 0, 0, 0
    clinical_path, study_oid = None, ""
    for action, element in events:
        if action == "start":
            depth += 1
            if depth == 1:
                _refuse_unless_odm(element)
            elif depth == 2:
                clinical_path = None
                if _name(element) == "ClinicalData" and _is_odm(element):
                    clinical_count += 1
                    clinical_path, study_oid, subject_count = (
                        f"/ODM/ClinicalData[{clinical_count}]",
                        element.get("StudyOID", ""),
                        0,
                    )
            continue
        if depth == 3 and clinical_path and _name(element) == "SubjectData" and _is_odm(element):
            subject_count += 1
            yield _subject(element, f"{clinical_path}/SubjectData[{subject_count}]", study_oid)
        if depth in (2, 3):
            # Done with it: drop its content, and the siblings already read before it.
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
        depth -= 1


def _subject(subject_element, subject_path: str, study_oid: str) -> ClinicalSubject:
    site = next(_children(subject_element, "SiteRef"), (None, ""))[0]
    subject = ClinicalSubject(
        key=(subject_element.get("SubjectKey") or "").strip(),
        xpath=subject_path,
        study_oid=study_oid,
        site_oid=(site.get("LocationOID") or "").strip() if site is not None else "",
        transaction_type=subject_element.get("TransactionType", ""),
    )
    for event_element, event_step in _children(subject_element, "StudyEventData"):
        event_path = f"{subject_path}/{event_step}"
        event = ClinicalEvent(
            oid=(event_element.get("StudyEventOID") or "").strip(),
            xpath=event_path,
            repeat_key=(event_element.get("StudyEventRepeatKey") or "").strip(),
            transaction_type=event_element.get("TransactionType", ""),
        )
        start = _vendor_start_date(event_element)
        if start:
            event.start_date = (start.strip(), f"{event_path}/@StartDate")
        _collect(event_element, event_path, event)
        subject.events.append(event)
    return subject
