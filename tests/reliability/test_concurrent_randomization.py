"""Fifty participants randomized at once by parallel processes never share a list slot (SQLite, PostgreSQL).

Runs real processes against a database of its own (see test_concurrent_writers): a seed step sets up a
blinded study with an active permuted-block scheme and 50 enrolled participants; five processes, released
together, each randomize ten of them; a report step reads back what was taken. Checked: no slot used
twice, every participant once, the arm of each allocation is its slot's, within each stratum the slots
used are exactly the first ones in list order and were taken in that order, and the audit chain is intact.

The same module is the worker: ``python -m tests.reliability.test_concurrent_randomization STEP``, where
STEP is seed, randomize or report.
"""

import json
import os
import subprocess
import sys
import time
from collections import defaultdict

import time_machine

from tests.reliability import test_concurrent_writers as writers
from tests.reliability.test_concurrent_writers import ROOT, TRIALDESK, run

# The same throwaway database (an SQLite file, or a fresh PostgreSQL database when DATABASE_URL is set).
database_env = writers.database_env

PARTICIPANTS, WORKERS = 50, 5


def level_of(index: int) -> str:
    """Two strata of unequal size, so both lists are drawn from at once."""
    return "M" if index % 3 == 0 else "F"


def test_parallel_randomization_uses_each_slot_once_in_list_order(database_env):
    assert run(database_env, str(TRIALDESK), "migrate", "--no-input", "-v0").returncode == 0
    seeded = run(
        database_env, sys.executable, "-m", "tests.reliability.test_concurrent_randomization", "seed"
    )
    assert seeded.returncode == 0, seeded.stderr

    # Every worker has set up Django 3 s from now, and they start together. The workers run on the real
    # clock, so the start time is read from it, not from the suite's (TRIALDESK_TEST_CLOCK moves ours).
    # (The escape hatch answers only while travelling; without a pinned clock the real one is ours.)
    real_now = (
        time_machine.escape_hatch.time.time() if time_machine.escape_hatch.is_travelling() else time.time()
    )
    start_at = str(real_now + 3)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.test_concurrent_randomization",
                "randomize",
                str(n),
                start_at,
            ],
            cwd=ROOT,
            env=database_env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=180)
        assert worker.returncode == 0, errors

    reported = run(
        database_env, sys.executable, "-m", "tests.reliability.test_concurrent_randomization", "report"
    )
    assert reported.returncode == 0, reported.stderr
    rows = json.loads(reported.stdout)
    assert len(rows) == PARTICIPANTS
    assert len({row["slot"] for row in rows}) == PARTICIPANTS, "a slot was used twice"
    assert len({row["participant"] for row in rows}) == PARTICIPANTS
    assert all(row["allocation_arm"] == row["slot_arm"] for row in rows)
    by_stratum = defaultdict(list)
    for row in rows:
        by_stratum[row["stratum"]].append(row)
    assert set(by_stratum) == {"sex=M", "sex=F"}
    for stratum, taken in by_stratum.items():
        sequences = sorted(row["sequence"] for row in taken)
        assert sequences == list(range(1, len(taken) + 1)), f"{stratum}: slots skipped: {sequences}"
        in_commit_order = [row["sequence"] for row in sorted(taken, key=lambda row: row["allocation"])]
        assert in_commit_order == sequences, f"{stratum}: slots taken out of list order"

    verify = run(database_env, str(TRIALDESK), "audit", "verify")
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout + verify.stderr


# --- the worker side ---------------------------------------------------------------------------


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()


def seed() -> None:
    from tests.factories import build_world
    from trialdesk.randomization.tests.factories import make_participant, make_scheme
    from trialdesk.studies import services as study_services

    world = build_world()
    study_services.update_study(
        study=world.study_a, changes={"blinded": True}, by=world.admin, reason="blind"
    )
    for index in range(PARTICIPANTS):
        make_participant(world.site_a1, f"101-{index + 1:03d}", by=world.admin)
    make_scheme(world.study_a, by=world.crm, block_sizes=[2, 4], per_stratum=60, seed=7)


def randomize(worker: int, start_at: float) -> None:
    from trialdesk.core.models import User
    from trialdesk.randomization import services
    from trialdesk.subjects.models import Participant

    crm = User.objects.get(username="crm_anna")
    participants = list(Participant.objects.filter(study__code="ONC-A").order_by("number"))
    mine = [(index, p) for index, p in enumerate(participants) if index % WORKERS == worker]
    time.sleep(max(0.0, start_at - time.time()))
    for index, participant in mine:
        services.randomize(participant=participant, factor_levels={"sex": level_of(index)}, by=crm)


def report() -> None:
    from trialdesk.randomization.models import Allocation

    rows = [
        {
            "allocation": allocation.pk,
            "participant": allocation.participant_id,
            "slot": allocation.slot_id,
            "stratum": allocation.slot.stratum,
            "sequence": allocation.slot.sequence,
            "slot_arm": allocation.slot.arm.code,
            "allocation_arm": allocation.arm_code,
            "slot_used_by": allocation.slot.used_by_id,
        }
        for allocation in Allocation.objects.select_related("slot__arm").order_by("pk")
    ]
    assert all(row["slot_used_by"] == row["participant"] for row in rows)
    print(json.dumps(rows))


if __name__ == "__main__":
    _setup()
    step = sys.argv[1]
    if step == "seed":
        seed()
    elif step == "randomize":
        randomize(int(sys.argv[2]), float(sys.argv[3]))
    else:
        report()
