"""The environment the tests run in, set before pytest-django reads the settings (`-p tests.environment`
in pyproject.toml's addopts; a conftest.py would be read too late).

Production refuses to start without SECRET_KEY and turns HTTPS on unless DEBUG; the tests run without
DEBUG (pytest-django's default), over the test client's plain HTTP, with a key of their own. Commands the
tests start as subprocesses inherit the same environment. Tests of the production settings build their
own environment (core/tests/test_deployment.py).
"""

import os

os.environ.setdefault("SECRET_KEY", "trialdesk-tests-only-key-" + "x" * 40)
os.environ["TRIALDESK_HTTPS"] = "0"
# Background tasks run at once in the test process (core.tasks); the worker's own tests use the queue.
os.environ.setdefault("TRIALDESK_TASK_BACKEND", "immediate")
