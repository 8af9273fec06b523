"""What every page about a study needs: the study if the reader may see it, and links to its tabs."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from trialdesk.studies.models import Study


def visible_study(request, study_id) -> Study:
    """The study `study_id` if the signed-in reader is assigned to it, else 404."""
    return get_object_or_404(Study.objects.visible_to(request.user), pk=study_id)


def tab_url(study: Study | int, tab: str) -> str:
    """The study page opened on `tab`; takes the study or its id."""
    study_id = study.pk if isinstance(study, Study) else study
    return f"{reverse('study_detail', kwargs={'study_id': study_id})}?tab={tab}"
