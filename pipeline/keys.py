"""Every Redis key bcrm writes, in one place, so namespaces never collide."""

PREFIX = "bcrm"


def staging_blob(digest: str) -> str:
    return f"{PREFIX}:staging:blob:{digest}"


STAGING_INDEX = f"{PREFIX}:staging:index"
STAGING_SIZES = f"{PREFIX}:staging:sizes"


def ledger_record(record_key: str) -> str:
    return f"{PREFIX}:ledger:record:{record_key}"


def ledger_state(state: str) -> str:
    return f"{PREFIX}:ledger:state:{state}"


LEDGER_COUNTERS = f"{PREFIX}:ledger:counters"
AUDIT_STREAM = f"{PREFIX}:audit"


def dead_letter(entry_id: str) -> str:
    return f"{PREFIX}:dlq:entry:{entry_id}"


DEAD_LETTER_INDEX = f"{PREFIX}:dlq:index"
SKELETON_TARGET = f"{PREFIX}:skeleton:target"
