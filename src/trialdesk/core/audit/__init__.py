"""The audit trail: written with every change, keyed and hash-chained, and checked from outside.

- `trail`: appending events (`record`) and walking the chain (`verify_chain`);
- `keys`: the HMAC keys, from TRIALDESK_AUDIT_KEYS or the data directory's key file;
- `anchors`: signed heads of the chain kept outside the database, to detect a deleted tail;
- `drift`: regulated records compared with the state their audit events add up to;
- `integrity`: the database's own consistency check;
- `verification`: all of these together, as `trialdesk audit verify` and `trialdesk restore` run them;
- `exports`: a study's trail as documents and CSV rows.
"""

from trialdesk.core.audit.drift import BULK_KEY, bulk_created
from trialdesk.core.audit.exports import (
    EXPORT_COLUMNS,
    event_document,
    export_rows,
    study_trail,
    write_csv,
)
from trialdesk.core.audit.trail import (
    GENESIS_HASH,
    UNAUDITED_FIELDS,
    ChainBreak,
    ChainReport,
    Change,
    as_stored,
    canonical_content,
    chain_hash,
    diff,
    event_hash,
    plain_value,
    record,
    record_many,
    snapshot,
    verify_chain,
)

__all__ = [
    "BULK_KEY",
    "bulk_created",
    "EXPORT_COLUMNS",
    "GENESIS_HASH",
    "UNAUDITED_FIELDS",
    "ChainBreak",
    "ChainReport",
    "Change",
    "as_stored",
    "canonical_content",
    "chain_hash",
    "diff",
    "event_document",
    "event_hash",
    "export_rows",
    "plain_value",
    "record",
    "record_many",
    "snapshot",
    "study_trail",
    "verify_chain",
    "write_csv",
]
