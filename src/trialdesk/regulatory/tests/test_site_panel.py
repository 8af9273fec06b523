"""The site page shows the site's ethics approval standing and its activation checklist."""


def test_the_site_page_shows_the_activation_checklist(world, client_for):
    response = client_for(world.monitor).get(f"/study-sites/{world.site_a1.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ethics approval and activation" in page
    assert "No ethics approval recorded for this site yet." in page
    assert "Needed before activation" in page
