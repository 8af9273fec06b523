"""The compliance dimension's essential documents: missing, expired and expiring documents of the study's
expected list (documents.rules.filing.documents_health), as the reader sees it on the Documents tab (site
staff: the trial's, their country's and their own sites' documents), linking to that tab."""

from trialdesk.core.extensions import HealthReading, HealthSignal
from trialdesk.documents.rules import filing
from trialdesk.documents.selectors import expected_documents_for
from trialdesk.studies.pages import tab_url


def read_documents(user, study, today) -> HealthReading:
    """The expected list's constant number of queries (seven, whatever the number of sites); each site's
    documents are judged on its own local day."""
    states = [row.state for row in expected_documents_for(user, study)]
    colour, why = filing.documents_health(
        expected=len(states),
        missing=states.count(filing.MISSING),
        expired=states.count(filing.EXPIRED),
        expiring=states.count(filing.EXPIRING),
    )
    return HealthReading("compliance", colour, why, tab_url(study, "documents"))


DOCUMENTS = HealthSignal("essential_documents", "Essential documents", read_documents, order=55)
