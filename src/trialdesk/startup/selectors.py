"""Reads of start-up and close-out: each site's checklist for a gate (from the other apps' records, the
country rules, the study's own items and the ticks), the overrides, and the gate's verdict.

A fixed number of queries whatever the number of sites: one per source (sources.py), one for the ticks,
one for the study's items, one for the overrides."""

from collections import defaultdict

from django.db.models import Q
from django.utils.text import slugify

from trialdesk.core.models import User
from trialdesk.regulatory.rules import checklists as regulatory_checklists
from trialdesk.sites.models import StudySite
from trialdesk.startup import rules, sources
from trialdesk.startup.models import ChecklistTick, GateOverride, StudyChecklistItem
from trialdesk.studies.models import Study

# The standard items another app's records settle: item key -> reader over many sites.
READERS = {
    "confidentiality_agreement": sources.confidentiality,
    "ip_received": sources.ip_received,
    "ip_reconciled": sources.ip_reconciled,
    "samples_shipped": sources.samples_shipped,
    "contract_budget": sources.contracts,
    "essential_documents": sources.documents,
    "staff_trained": sources.training,
    "delegation_log": sources.delegation,
    "initiation_visit": lambda sites: sources.approved_reports(sites, "siv"),
    "last_visit": sources.last_visits,
    "actions_closed": sources.open_actions,
    "final_payments": sources.final_payments,
    "documents_reconciled": sources.documents,
    "closeout_visit": lambda sites: sources.approved_reports(sites, "cov"),
    "ethics_notified": sources.ethics_closure,
}
COUNTRY_PREFIX = "country-"


def sites_for(user: User, study: Study):
    return StudySite.objects.visible_to(user).filter(study=study).select_related("institution", "study")


def trackers(sites: list[StudySite], gate: str) -> dict[int, rules.Tracker]:
    """Each site's checklist for `gate` (rules.ACTIVATION or rules.CLOSURE), with its override if any."""
    sites = list(sites)
    if not sites:
        return {}
    study_ids = {site.study_id for site in sites}
    study_items = defaultdict(dict)
    for item in StudyChecklistItem.objects.filter(study_id__in=study_ids, gate=gate):
        study_items[item.study_id][item.key] = item
    ticks = {
        (tick.study_site_id, tick.item): tick
        for tick in ChecklistTick.objects.filter(study_site__in=sites, gate=gate)
    }
    overrides = _overrides(sites, gate)
    standard = rules.STANDARD_ITEMS[gate]
    read = {
        definition.key: READERS[definition.key](sites)
        for definition in standard
        if definition.source and definition.key in READERS
    }
    country = sources.country_items(sites) if gate == rules.ACTIVATION else {}
    found = {}
    for site in sites:
        own = study_items.get(site.study_id, {})
        items = [_standard_item(d, site, own.get(d.key), read.get(d.key), ticks) for d in standard]
        items += [_country_item(a, site, ticks) for a in country.get(site.pk, [])]
        items += [
            _ticked(
                rules.TrackerItem(key, item.label or key, rules.PENDING, item.citation, tickable=True),
                ticks.get((site.pk, key)),
            )
            for key, item in sorted(own.items())
            if key not in rules_keys(gate) and item.required
        ]
        found[site.pk] = rules.Tracker(gate, tuple(items), overrides.get(site.pk))
    return found


def rules_keys(gate: str) -> set[str]:
    return {d.key for d in rules.STANDARD_ITEMS[gate]}


def tracker(site: StudySite, gate: str) -> rules.Tracker:
    return trackers([site], gate)[site.pk]


def _overrides(sites: list[StudySite], gate: str) -> dict[int, GateOverride]:
    """The override that lets each site pass: its own, else one for every site of its study."""
    rows = GateOverride.objects.filter(
        study_id__in={s.study_id for s in sites}, gate__in=(gate, rules.BOTH)
    ).select_related("signed_by")
    own, study_wide = {}, {}
    for override in rows.order_by("signed_at"):
        if override.study_site_id is None:
            study_wide[override.study_id] = override
        else:
            own[override.study_site_id] = override
    return {
        site.pk: own.get(site.pk) or study_wide.get(site.study_id)
        for site in sites
        if own.get(site.pk) or study_wide.get(site.study_id)
    }


def _ticked(item: rules.TrackerItem, tick: ChecklistTick | None) -> rules.TrackerItem:
    if tick is None or not item.tickable:
        return item
    detail = f"ticked by {tick.done_by}"
    if tick.retain_until:
        detail += f"; retained until {tick.retain_until:%Y-%m-%d}"
    return rules.TrackerItem(
        item.key,
        item.label,
        rules.DONE,
        item.citation,
        detail,
        "",
        tick.done_on,
        True,
        tick.done_by,
        tick.evidence,
        item.source,
    )


def _standard_item(definition, site, study_item, read, ticks) -> rules.TrackerItem:
    if study_item is not None and not study_item.required:
        return rules.TrackerItem(
            definition.key,
            definition.label,
            rules.NOT_REQUIRED,
            definition.citation,
            "not required by the study",
        )
    if read is None:  # nothing in Trialdesk records it: ticked by hand
        item = rules.TrackerItem(
            definition.key, definition.label, rules.PENDING, definition.citation, tickable=True
        )
        return _ticked(item, ticks.get((site.pk, definition.key)))
    found = read[site.pk]
    return rules.TrackerItem(
        definition.key,
        definition.label,
        rules.DONE if found.done else rules.PENDING,
        definition.citation,
        found.detail,
        found.url,
        found.done_on,
        source=definition.source,
    )


def _country_item(activation_item, site, ticks) -> rules.TrackerItem:
    """An item of the regulatory activation checklist: approvals settled by their records, the rest
    (sponsor, site and registry steps, countries without rules) ticked by hand."""
    key = COUNTRY_PREFIX + slugify(activation_item.label)[:60]
    url = sources.study_tab(site, "regulatory")  # lazy: a gate check reads no link
    state = activation_item.state
    if state == regulatory_checklists.TO_CHECK:
        item = rules.TrackerItem(
            key,
            activation_item.label,
            rules.PENDING,
            activation_item.citation,
            activation_item.detail,
            tickable=True,
        )
        return _ticked(item, ticks.get((site.pk, key)))
    return rules.TrackerItem(
        key,
        activation_item.label,
        rules.DONE if state == regulatory_checklists.DONE else rules.PENDING,
        activation_item.citation,
        activation_item.detail,
        url,
        source="regulatory",
    )


def gate_refusal(*, study_site: StudySite, to: str) -> str | None:
    """Why `study_site` may not move to `to` (the activation or closure gate); None when it may."""
    gate = rules.gate_for(study_site.status, to)
    if gate is None:
        return None
    return rules.gate_refusal(tracker(study_site, gate))


def gate_refusals(study_sites: list[StudySite], *, to: str) -> dict[int, str | None]:
    """gate_refusal for many sites moving to `to`, by site pk: one set of tracker queries per gate."""
    by_gate = defaultdict(list)
    for site in study_sites:
        by_gate[rules.gate_for(site.status, to)].append(site)
    refusals = {site.pk: None for site in by_gate.pop(None, [])}
    for gate, sites in by_gate.items():
        found = trackers(sites, gate)
        refusals.update({site.pk: rules.gate_refusal(found[site.pk]) for site in sites})
    return refusals


def overrides_for(user: User, study: Study):
    return (
        GateOverride.objects.visible_to(user)
        .filter(study=study)
        .select_related("study_site", "signed_by")
        .order_by("-signed_at")
    )


def site_overrides(site: StudySite) -> list[GateOverride]:
    """The overrides that apply to a site: its own and those for every site of its study (the site page
    has already checked that the reader sees the site)."""
    return list(
        GateOverride.objects.filter(study_id=site.study_id)
        .filter(Q(study_site=site) | Q(study_site__isnull=True))
        .select_related("signed_by")
        .order_by("-signed_at")
    )
