"""The words of monitoring: visit types, modalities, tiers, severities and statuses."""

from django.db import models


class MonitoringVisitType(models.TextChoices):
    QUALIFICATION = "qualification", "Pre-study / qualification"
    SIV = "siv", "Site initiation (SIV)"
    IMV = "imv", "Interim monitoring (IMV)"
    COV = "cov", "Close-out (COV)"
    FOR_CAUSE = "for_cause", "For-cause"


class MonitoringModality(models.TextChoices):
    ON_SITE = "on_site", "On site"
    REMOTE = "remote", "Remote"
    CENTRAL = "central", "Central review"


class TierModality(models.TextChoices):
    """How a tier's routine visits take place: always on site, always remote, or taking turns."""

    ON_SITE = "on_site", "On site"
    REMOTE = "remote", "Remote"
    ALTERNATING = "alternating", "Alternating on site / remote"


class Tier(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class TravelMode(models.TextChoices):
    CAR = "car", "Car"
    RAIL = "rail", "Rail"
    AIR = "air", "Air"


class MonitoringVisitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CONFIRMED = "confirmed", "Confirmed"
    CONDUCTED = "conducted", "Conducted"
    CANCELLED = "cancelled", "Cancelled"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned with comments"
    APPROVED = "approved", "Approved"


class FindingCategory(models.TextChoices):
    CONSENT = "consent", "Informed consent"
    ELIGIBILITY = "eligibility", "Eligibility"
    IP_ACCOUNTABILITY = "ip_accountability", "IP accountability"
    SAFETY_REPORTING = "safety_reporting", "Safety reporting"
    SOURCE_DOCUMENTS = "source_documents", "Source documents"
    ISF = "isf", "Investigator site file"
    FACILITIES = "facilities", "Facilities and equipment"
    STAFF_TRAINING = "staff_training", "Staff and training"
    OTHER = "other", "Other"


class OwnerParty(models.TextChoices):
    SITE = "site", "Site"
    CRA = "cra", "CRA"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved (awaiting verification)"
    CLOSED = "closed", "Verified and closed"


class IssueSource(models.TextChoices):
    MANUAL = "manual", "Raised by hand"
    DEVIATION = "deviation", "Protocol deviation"
    FINDING = "finding", "Monitoring finding"
    SIGNAL = "signal", "KRI signal"
    QTL = "qtl", "QTL breach"


class IssueCategory(models.TextChoices):
    CONSENT = "consent", "Consent"
    ELIGIBILITY = "eligibility", "Eligibility"
    SAFETY = "safety", "Safety"
    DATA_QUALITY = "data_quality", "Data quality"
    IP = "ip", "Investigational product"
    PROCESS = "process", "Process / procedure"
    STAFF = "staff", "Staff and training"
    OTHER = "other", "Other"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    CAPA = "capa", "CAPA in progress"
    EFFECTIVENESS_CHECK = "effectiveness_check", "Effectiveness check"
    CLOSED = "closed", "Closed"


class Effectiveness(models.TextChoices):
    EFFECTIVE = "effective", "Effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class RiskCategory(models.TextChoices):
    """The risk categories of TransCelerate's Risk Assessment Categorization Tool (RACT)."""

    SAFETY = "safety", "Safety"
    STUDY_PHASE = "study_phase", "Study phase"
    COMPLEXITY = "complexity", "Complexity"
    TECHNOLOGY = "technology", "Technology"
    POPULATION = "population", "Subject population"
    DATA_COLLECTION = "data_collection", "Data collection and CRF"
    ENDPOINTS = "endpoints", "Endpoints"
    IP = "ip", "Investigational product"
    LOGISTICS = "logistics", "Logistics and supply"
    BLINDING = "blinding", "Blinding"
    OPERATIONAL = "operational", "Operational"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class QtlParameter(models.TextChoices):
    IMPORTANT_DEVIATIONS = "important_deviations", "% participants with important protocol deviations"
    EARLY_DISCONTINUATION = "early_discontinuation", "% early discontinuation"
    MISSED_PRIMARY_ENDPOINT = "missed_primary_endpoint", "% missed primary-endpoint visits"
    CONSENT_DEVIATIONS = "consent_deviations", "% participants with consent deviations"
    SCREEN_FAILURE = "screen_failure", "Screen-failure rate"


class SignalStatus(models.TextChoices):
    OPEN = "open", "Open"
    TRIAGED = "triaged", "Triaged"
    CLOSED = "closed", "Closed"


class SignalDecision(models.TextChoices):
    FOR_CAUSE_VISIT = "for_cause_visit", "For-cause visit"
    REMOTE_REVIEW = "remote_review", "Remote review"
    ACTION_ITEM = "action_item", "Action item"
    NO_ACTION = "no_action", "No action (with rationale)"


class ReviewKind(models.TextChoices):
    SDV = "sdv", "Source data verification"
    SDR = "sdr", "Source data review"
