"""The demo's data protection (issue 20), kept by the demo's data protection officer (core.demo: Dana
Okafor-Lind, on ONC-301 and CARD-201): ONC-301's register (the sponsor's country, purposes with their legal
bases, safeguards for all transfers but one, left flagged), and an open access request from the
coordinator, received ten days ago."""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.privacy import register
from trialdesk.privacy.services import entries, requests

REGISTER_STUDY = "ONC-301"
PURPOSES = (
    ("participants", "Safety reporting (EU CTR Art 41–43)", "6_1_c", "9_2_i"),
    ("participants", "Conduct of the trial under the protocol", "6_1_e", "9_2_j"),
    ("staff", "Training and delegation records (ICH E6)", "6_1_c", ""),
    ("staff", "Site selection, contracts and payments", "6_1_b", ""),
)


def load(demo: DemoContext) -> None:
    if REGISTER_STUDY not in demo.made["studies"]:
        return
    dpo = demo.users.get("dpo") or demo.crm  # core.demo's data protection officer, on ONC-301 and CARD-201
    study = demo.made["studies"][REGISTER_STUDY]
    entries.save_settings(study=study, values={"sponsor_country": "DE"}, by=dpo, reason="register opened")
    for category, purpose, basis, condition in PURPOSES:
        values = {
            "category": category,
            "purpose": purpose,
            "legal_basis": basis,
            "special_condition": condition,
        }
        entries.create_purpose(study=study, values=values, by=dpo)
    flagged = [transfer for transfer in register.study_transfers(study) if transfer.flagged]
    for transfer in flagged[1:]:
        entries.create_safeguard(
            study=study,
            values={
                "from_country": transfer.origin,
                "to_country": transfer.destination,
                "safeguard": "standard_contractual_clauses",
                "reference": "SCCs (Commission Implementing Decision (EU) 2021/914), module 1, in the TMF",
            },
            by=dpo,
        )
    coordinator = demo.users.get("coordinator")
    if coordinator is not None:
        values = {
            "kind": "access",
            "subject_kind": "staff",
            "person": coordinator,
            "received_on": demo.today - dt.timedelta(days=10),
        }
        requests.log_request(study=study, values=values, by=dpo)
    demo.summary.append(
        f"{REGISTER_STUDY}'s register with {len(flagged[:1])} transfer "
        "without safeguard, an open access request"
    )
