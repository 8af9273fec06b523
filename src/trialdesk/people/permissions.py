"""Who may change site-staff records (reads are governed by scoping; these answer 403 when not)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site
from trialdesk.core.roles import Role
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.people import rules
from trialdesk.sites.models import StudySite


def can_keep_training_records(user: User, study_id: int, study_site: StudySite | None) -> bool:
    """A site's coordinators and investigators file its staff's training, and so may the study's CRM;
    a study-wide record (no site) is the CRM's."""
    if study_site is None:
        return can_manage_study(user, study_id)
    return can_work_at_site(user, study_id=study_id, study_site_id=study_site.pk)


def can_keep_delegation_log(user: User, study_site: StudySite) -> bool:
    """The site's coordinators and investigators prepare delegation-log entries, and so may the CRM."""
    return can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk)


def can_sign_delegation(user: User, study_site: StudySite) -> bool:
    """Only the site's principal investigator signs a delegation (ICH E6 2.3: the investigator delegates):
    someone with the investigator role there whom the site's log does not list as a sub-investigator."""
    from trialdesk.people.models import DelegationEntry

    if Role.INVESTIGATOR not in role_facts(user).roles_on_site(study_site.pk):
        return False
    listed_as = set(
        DelegationEntry.objects.filter(study_site=study_site, staff_member_id=user.pk).values_list(
            "study_role", flat=True
        )
    )
    return "sub_investigator" not in listed_as or "principal_investigator" in listed_as


def can_record_disclosure(user: User, study_site: StudySite, investigator: User | None) -> bool:
    """The study's CRM collects disclosures; an investigator may file their own."""
    if can_manage_study(user, study_site.study_id):
        return True
    return (
        investigator is not None
        and investigator.pk == user.pk
        and can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk)
    )


def can_record_some_disclosure(user: User, study_site: StudySite) -> bool:
    """Asked before the body is read, so that read-only roles hear 403 rather than a field complaint."""
    return can_record_disclosure(user, study_site, user) or Role.INVESTIGATOR in role_facts(
        user
    ).roles_on_site(study_site.pk)


def can_see_financial_interests(user: User, disclosure) -> bool:
    """Whether `user` sees the interests of `disclosure` (a FinancialDisclosure or anything with its
    `investigator_id` and `study_id`): rules.sees_financial_interests says who. Every page, API answer and
    export that shows a disclosure's interests asks this."""
    return rules.sees_financial_interests(
        own_disclosure=user.pk == disclosure.investigator_id,
        administrator=is_administrator(user),
        study_roles=role_facts(user).roles_on_study(disclosure.study_id),
    )
