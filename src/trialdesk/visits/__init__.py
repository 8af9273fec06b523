"""Visit schedules, participants' visits and protocol deviations."""
