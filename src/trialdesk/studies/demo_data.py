"""The demo studies: fictional products and sponsors, laid out in days relative to the day of loading.

Dates are offsets so that the portfolio always looks current: a study "started" (protocol final)
`started_days_ago` days before today, and each milestone's baseline is `baseline_day` days after that.
A milestone's `slip_days` is how far the work runs behind its baseline (negative: ahead); the loader
records it as an actual date when that day has passed, else as the forecast.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoProtocol:
    number: str
    day: int  # version date, days after the study started
    status: str  # the status it has reached: draft, submitted, approved or effective
    amendment_number: int | None = None
    summary_of_changes: str = ""


@dataclass(frozen=True)
class DemoArm:
    code: str
    name: str
    arm_type: str
    allocation_ratio: int = 1


@dataclass(frozen=True)
class DemoMilestone:
    kind: str
    baseline_day: int
    slip_days: int = 0


@dataclass(frozen=True)
class DemoStudy:
    code: str
    title: str
    acronym: str
    phase: str
    therapeutic_area: str
    sponsor: str
    nct_number: str
    status: str
    planned_enrollment: int
    blinded: bool
    program: str
    started_days_ago: int
    protocols: tuple[DemoProtocol, ...]
    arms: tuple[DemoArm, ...]
    milestones: tuple[DemoMilestone, ...]
    # The status each site has reached, one per site. "on_hold@enrolling" is put on hold from enrolling;
    # "terminated@under_feasibility" is terminated from under feasibility.
    site_statuses: tuple[str, ...]
    # Days between first-site-activated baseline and each further site's planned activation.
    site_stagger_days: int = 14
    description: str = ""


PROGRAMS = {
    "Velotinib (HLX-101)": "Oral EGFR/MET inhibitor in non-small-cell lung cancer and other solid tumours.",
    "Corvaflox (CRV-7)": "Once-daily oral cardiac myosin modulator for heart failure.",
    "Tezralimab (MRD-450)": "Anti-TSLP monoclonal antibody for severe asthma and other airway diseases.",
}


def _timeline(*rows: tuple[str, int, int]) -> tuple[DemoMilestone, ...]:
    return tuple(DemoMilestone(kind, day, slip) for kind, day, slip in rows)


# NCT numbers are well formed but fictional (the NCT09 range is not yet assigned by ClinicalTrials.gov).
STUDIES: tuple[DemoStudy, ...] = (
    DemoStudy(
        code="ONC-301",
        title=(
            "A Phase III, Randomised, Double-Blind Study of Velotinib plus Platinum Doublet versus Placebo "
            "plus Platinum Doublet in Untreated Advanced Non-Small-Cell Lung Cancer"
        ),
        acronym="VELOCITY-Lung",
        phase="III",
        therapeutic_area="Oncology",
        sponsor="Helix Oncology Ltd",
        nct_number="NCT09010301",
        status="recruiting",
        planned_enrollment=600,
        blinded=True,
        program="Velotinib (HLX-101)",
        started_days_ago=700,
        protocols=(
            DemoProtocol("1.0", 0, "effective"),
            DemoProtocol(
                "2.0",
                300,
                "effective",
                1,
                "Interim analysis of progression-free survival added; ECOG performance status 2 allowed; "
                "brain MRI at screening for all participants.",
            ),
            DemoProtocol("3.0", 660, "draft", 2, "Exploratory ctDNA sub-study added."),
        ),
        arms=(
            DemoArm("A", "Velotinib 80 mg once daily + platinum doublet", "experimental"),
            DemoArm("B", "Placebo once daily + platinum doublet", "placebo_comparator"),
        ),
        milestones=_timeline(
            ("protocol_final", 0, 0),
            ("first_site_activated", 120, 18),
            ("first_participant_in", 150, 25),
            ("last_participant_in", 840, 75),
            ("last_participant_last_visit", 1200, 75),
            ("database_lock", 1290, 75),
            ("clinical_study_report", 1380, 60),
        ),
        site_statuses=(
            *("enrolling",) * 9,
            "activated",
            "activated",
            "start_up",
            "start_up",
            "selected",
            "on_hold@enrolling",
            "terminated@start_up",
        ),
        site_stagger_days=12,
        description="Pivotal study for the first-line indication of velotinib.",
    ),
    DemoStudy(
        code="ONC-102",
        title=(
            "A Phase I, Open-Label, Dose-Escalation Study of Velotinib in Combination with an Anti-PD-1 "
            "Antibody in Advanced Solid Tumours"
        ),
        acronym="VELO-COMBO",
        phase="I",
        therapeutic_area="Oncology",
        sponsor="Helix Oncology Ltd",
        nct_number="NCT09010102",
        status="recruiting",
        planned_enrollment=48,
        blinded=False,
        program="Velotinib (HLX-101)",
        started_days_ago=420,
        protocols=(
            DemoProtocol("1.0", 0, "effective"),
            DemoProtocol("1.1", 330, "submitted", 1, "A fourth dose level (120 mg) added to escalation."),
        ),
        arms=(
            DemoArm("C1", "Cohort 1: velotinib 20 mg + anti-PD-1", "experimental"),
            DemoArm("C2", "Cohort 2: velotinib 40 mg + anti-PD-1", "experimental"),
            DemoArm("C3", "Cohort 3: velotinib 80 mg + anti-PD-1", "experimental"),
        ),
        milestones=_timeline(
            ("protocol_final", 0, 0),
            ("first_site_activated", 60, -4),
            ("first_participant_in", 75, 0),
            ("last_participant_in", 480, 0),
            ("database_lock", 600, 0),
            ("clinical_study_report", 690, 0),
        ),
        site_statuses=("enrolling", "enrolling", "enrolling", "activated"),
        site_stagger_days=10,
    ),
    DemoStudy(
        code="CARD-201",
        title=(
            "A Phase II, Randomised, Double-Blind, Placebo-Controlled Dose-Ranging Study of Corvaflox in "
            "Heart Failure with Reduced Ejection Fraction"
        ),
        acronym="CORVA-HF",
        phase="II",
        therapeutic_area="Cardiology",
        sponsor="Corvane Therapeutics",
        nct_number="NCT09020201",
        status="recruiting",
        planned_enrollment=240,
        blinded=True,
        program="Corvaflox (CRV-7)",
        started_days_ago=480,
        protocols=(
            DemoProtocol("1.0", 0, "effective"),
            DemoProtocol(
                "2.0",
                240,
                "effective",
                1,
                "NT-proBNP entry threshold lowered to 400 pg/mL; week 8 echocardiogram added.",
            ),
        ),
        arms=(
            DemoArm("A", "Corvaflox 5 mg once daily", "experimental"),
            DemoArm("B", "Corvaflox 10 mg once daily", "experimental"),
            DemoArm("P", "Placebo once daily", "placebo_comparator"),
        ),
        milestones=_timeline(
            ("protocol_final", 0, 0),
            ("first_site_activated", 90, -3),
            ("first_participant_in", 110, 0),
            ("last_participant_in", 600, 0),
            ("last_participant_last_visit", 780, 0),
            ("database_lock", 840, 0),
            ("clinical_study_report", 930, 0),
        ),
        site_statuses=(
            *("enrolling",) * 6,
            "activated",
            "start_up",
            "terminated@selected",
            "selected",
        ),
    ),
    DemoStudy(
        code="NEURO-302",
        title=(
            "A Phase III, Randomised, Double-Blind, Placebo-Controlled Study of Nerolumab in Early "
            "Alzheimer's Disease"
        ),
        acronym="NERO-AD",
        phase="III",
        therapeutic_area="Neurology",
        sponsor="Lumen Biosciences",
        nct_number="NCT09030302",
        status="start_up",
        planned_enrollment=800,
        blinded=True,
        program="",
        started_days_ago=200,
        protocols=(DemoProtocol("1.0", 0, "approved"),),
        arms=(
            DemoArm("A", "Nerolumab 10 mg/kg IV every 4 weeks", "experimental"),
            DemoArm("P", "Placebo IV every 4 weeks", "placebo_comparator"),
        ),
        milestones=_timeline(
            ("protocol_final", 0, 0),
            ("first_site_activated", 150, 60),
            ("first_participant_in", 180, 60),
            ("last_participant_in", 900, 60),
            ("last_participant_last_visit", 1450, 60),
            ("database_lock", 1540, 60),
            ("clinical_study_report", 1630, 60),
        ),
        site_statuses=(
            *("start_up",) * 5,
            *("selected",) * 3,
            *("under_feasibility",) * 3,
            "identified",
            "identified",
            "terminated@under_feasibility",
        ),
        site_stagger_days=7,
    ),
    DemoStudy(
        code="DEV-401",
        title=(
            "CardioSense: a Prospective, Randomised Study of a 14-Day Wearable ECG Patch versus Standard "
            "Holter Monitoring for Detecting Atrial Fibrillation after Cryptogenic Stroke"
        ),
        acronym="CardioSense-AF",
        phase="device",
        therapeutic_area="Cardiology",
        sponsor="Aurora Cardiac Devices",
        nct_number="NCT09040401",
        status="recruiting",
        planned_enrollment=320,
        blinded=False,
        program="",
        started_days_ago=380,
        protocols=(DemoProtocol("1.0", 0, "effective"),),
        arms=(
            DemoArm("D", "CardioSense patch, 14 days' wear", "experimental"),
            DemoArm("S", "24-hour Holter monitoring", "active_comparator"),
        ),
        milestones=_timeline(
            ("protocol_final", 0, 0),
            ("first_site_activated", 100, 30),
            ("first_participant_in", 120, 34),
            ("last_participant_in", 560, 30),
            ("database_lock", 700, 30),
            ("clinical_study_report", 760, 30),
        ),
        site_statuses=("enrolling", "enrolling", "enrolling", "activated", "start_up", "start_up"),
        site_stagger_days=21,
    ),
    DemoStudy(
        code="RESP-203",
        title=(
            "A Phase II/III, Randomised, Double-Blind, Placebo-Controlled Study of Tezralimab in Severe, "
            "Uncontrolled Asthma"
        ),
        acronym="TEZ-ASTHMA",
        phase="II-III",
        therapeutic_area="Respiratory",
        sponsor="Meridian Respiratory",
        nct_number="NCT09050203",
        status="recruiting",
        planned_enrollment=450,
        blinded=True,
        program="Tezralimab (MRD-450)",
        started_days_ago=540,
        protocols=(
            DemoProtocol("1.0", 0, "effective"),
            DemoProtocol(
                "2.0",
                470,
                "approved",
                1,
                "Seamless phase II/III: dose selected at the end of part A; sample size re-estimated.",
            ),
        ),
        arms=(
            DemoArm("A", "Tezralimab 210 mg SC every 4 weeks", "experimental", 2),
            DemoArm("P", "Placebo SC every 4 weeks", "placebo_comparator", 1),
        ),
        milestones=_timeline(
            ("protocol_final", 0, 0),
            ("first_site_activated", 110, 6),
            ("first_participant_in", 130, 9),
            ("last_participant_in", 720, 40),
            ("last_participant_last_visit", 1090, 40),
            ("database_lock", 1150, 40),
            ("clinical_study_report", 1240, 40),
        ),
        site_statuses=(
            *("enrolling",) * 7,
            "activated",
            "activated",
            "on_hold@activated",
            "start_up",
            "selected",
        ),
    ),
    DemoStudy(
        code="INF-204",
        title=(
            "A Phase II, Randomised, Double-Blind, Placebo-Controlled Study of Ravisovir in Adults "
            "Hospitalised with Respiratory Syncytial Virus Infection"
        ),
        acronym="RAVI-RSV",
        phase="II",
        therapeutic_area="Infectious disease",
        sponsor="Northbridge Pharmaceuticals",
        nct_number="NCT09060204",
        status="active_not_recruiting",
        planned_enrollment=180,
        blinded=True,
        program="",
        started_days_ago=820,
        protocols=(
            DemoProtocol("1.0", 0, "effective"),
            DemoProtocol(
                "1.1", 120, "effective", 1, "Enrolment window after symptom onset widened from 3 to 5 days."
            ),
        ),
        arms=(
            DemoArm("A", "Ravisovir 400 mg twice daily for 5 days", "experimental"),
            DemoArm("P", "Placebo twice daily for 5 days", "placebo_comparator"),
        ),
        milestones=_timeline(
            ("protocol_final", 0, 0),
            ("first_site_activated", 80, 2),
            ("first_participant_in", 95, 5),
            ("last_participant_in", 640, -12),
            ("last_participant_last_visit", 700, -10),
            ("database_lock", 790, 45),
            ("clinical_study_report", 880, 45),
        ),
        site_statuses=(*("enrollment_closed",) * 6, "closed", "closed"),
        site_stagger_days=10,
    ),
)
