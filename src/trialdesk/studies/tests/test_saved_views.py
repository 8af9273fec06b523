"""Saved portfolio views: saved under a name with the portfolio's own parameters only, replaced by name,
offered to their owner (and to everyone when shared), deleted by their owner alone; bad input is a
message, never a 500."""

import pytest
from django.core.exceptions import ValidationError

from trialdesk.studies import saved_views
from trialdesk.studies.models import PortfolioView


def test_kept_query_keeps_the_portfolios_parameters_in_order():
    assert saved_views.kept_query("?sort=-health&page=3&status=recruiting&evil=1&search=+ ") == (
        "status=recruiting&sort=-health"
    )


def test_save_replace_share_and_delete(world):
    mine = saved_views.save_view(by=world.crm, name="Red first", query="sort=health&page=2")
    assert mine.query == "sort=health"
    again = saved_views.save_view(by=world.crm, name="Red first", query="sort=-enrollment", shared=True)
    assert again.pk == mine.pk and again.query == "sort=-enrollment" and again.shared
    private = saved_views.save_view(by=world.monitor, name="Mine", query="phase=III")
    assert [v.name for v in saved_views.views_for(world.crm)] == ["Red first"]
    assert [v.name for v in saved_views.views_for(world.monitor)] == ["Mine", "Red first"]
    with pytest.raises(ValidationError):
        saved_views.delete_view(by=world.monitor, view=again)
    saved_views.delete_view(by=world.monitor, view=private)
    with pytest.raises(ValidationError, match="name"):
        saved_views.save_view(by=world.crm, name="  ", query="")


def test_pages_save_show_and_delete_a_view(world, client_for):
    crm = client_for(world.crm)
    answer = crm.post(
        "/me/portfolio-views/", {"name": "Recruiting", "query": "status=recruiting", "shared": "on"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/?status=recruiting"
    view = PortfolioView.objects.get(owner=world.crm)
    page = crm.get("/?status=recruiting").content.decode()
    assert "Recruiting" in page and 'aria-current="true"' in page
    assert "shared by" in client_for(world.monitor).get("/").content.decode()
    assert crm.post("/me/portfolio-views/", {"name": "", "query": ""}).status_code == 302  # a message
    assert client_for(world.monitor).post(f"/me/portfolio-views/{view.pk}/delete/").status_code == 404
    assert crm.post(f"/me/portfolio-views/{view.pk}/delete/").status_code == 302
    assert not PortfolioView.objects.exists()
