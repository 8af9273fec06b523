"""Reading ClinicalData from an EDC's ODM export (OpenClinica, REDCap, …) into plain dataclasses.

Producers differ: some omit the namespace, some add vendor attributes (OpenClinica:StartDate on a
study event), some write typed ItemData (ItemDataDate). Everything may be missing, so nothing here
assumes a field; what the database needs is checked by the caller, naming each place by XPath.
"""

from lxml import etree

from trialdesk.interop.odm.model import ClinicalEvent, ClinicalSubject
from trialdesk.interop.odm.safe import OdmInputError

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


def read_clinical_data(root) -> list[ClinicalSubject]:
    """Every SubjectData of every ClinicalData, in file order; OdmInputError if this is not ODM at all."""
    if _name(root) != "ODM" or not _is_odm(root):
        raise OdmInputError(f"The root element is <{_name(root) or root.tag}>, not an ODM document.", "/")
    subjects = []
    for clinical, clinical_step in _children(root, "ClinicalData"):
        clinical_path = f"/ODM/{clinical_step}"
        study_oid = clinical.get("StudyOID", "")
        for subject_element, subject_step in _children(clinical, "SubjectData"):
            subject_path = f"{clinical_path}/{subject_step}"
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
            subjects.append(subject)
    return subjects
