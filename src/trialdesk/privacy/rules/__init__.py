"""The privacy rules as cited data and pure functions (no database): legal bases, adequacy decisions and
transfers, retention periods, data-subject request deadlines."""
