"""Shared pytest fixtures: the named people and studies every scoping test speaks of."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
hypothesis_settings.register_profile("large", max_examples=5000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def world(db):
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def client_for(client):
    """A logged-in Django test client for one of the world's people."""
    from django.test import Client

    def login(user):
        c = Client()
        c.force_login(user)
        return c

    return login


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests use a fast hasher unless they check hashing itself."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_data_dir(settings, tmp_path):
    """Files a test writes (documents, uploads awaiting confirmation) go to its own folder, not ./var."""
    settings.DATA_DIR = tmp_path
    return tmp_path
