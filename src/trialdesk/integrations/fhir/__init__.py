"""HL7 FHIR: studies and participants as ResearchStudy and ResearchSubject resources (read only)."""
