"""Exchanging data with the registry, EDCs and spreadsheets: imports, exports, registry compliance.

One subpackage per thing exchanged: `registry/` (ClinicalTrials.gov records and registry compliance),
`bulk/` (spreadsheets: institutions and sites imported, Excel exports), `odm/` (CDISC ODM with EDCs),
`fhir/` (HL7 FHIR resources). Each names its parts by what they do, the way an app does
(DEVELOPERS.md), and has only the parts it needs:

    rules.py                pure rules, no I/O (registry deadlines, status mappings)
    selectors.py            reads; an export (a file of what a person may see) is a read
    services.py             writes; an import checks the whole file first, then writes all of it or nothing
    views.py + urls.py      pages
    api.py + schemas.py     the subpackage's ninja router and its In/Out schemas
    demo.py                 its part of the demo portfolio

A part that grows past about 400 lines is split along its seams into sibling modules named for what
they hold (`odm/report.py`, `odm/mapping.py`, `registry/importing.py`, `registry/locations.py`,
`bulk/columns.py`, `bulk/plans.py`, `bulk/study_sites.py`, …).

The app itself keeps `apps.py`, `models.py` and `migrations/`, `urls.py` and `api.py` (which include
each subpackage's URLs and router), `downloads.py` (the file response the ODM and FHIR downloads share),
`templates/`, the commands (`management/commands/`, with the `trialdesk import|export KIND` sub-commands
in `cli/`) and `tests/`.
"""
