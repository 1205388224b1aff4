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


def ledger_flow_state(flow_and_state: str) -> str:
    """`<flow>:<state>`: one flow's records in one state (the prefix alone, for scripts)."""
    return f"{PREFIX}:ledger:flow-state:{flow_and_state}"


LEDGER_COUNTERS = f"{PREFIX}:ledger:counters"
# Units of work a producer handed to the pipeline whose chain has not ended, scored by
# when they were owed (pipeline/core/ledger.py `owe`, pipeline/core/redrive.py).
LEDGER_OWED = f"{PREFIX}:ledger:owed"
AUDIT_STREAM = f"{PREFIX}:audit"


def dead_letter(entry_id: str) -> str:
    return f"{PREFIX}:dlq:entry:{entry_id}"


DEAD_LETTER_INDEX = f"{PREFIX}:dlq:index"
SKELETON_TARGET = f"{PREFIX}:skeleton:target"


BEAT_LOCK = f"{PREFIX}:beat:lock"


def checkpoint(store_hash: str, resource: str) -> str:
    return f"{PREFIX}:checkpoint:{store_hash}:{resource}"


def poll_runs(store_hash: str, resource: str) -> str:
    return f"{PREFIX}:poll:runs:{store_hash}:{resource}"


def last_poll(store_hash: str, resource: str) -> str:
    """When the last poll of the stream completed (ISO 8601): what its lag is measured from."""
    return f"{PREFIX}:poll:last:{store_hash}:{resource}"


def poll_lock(store_hash: str, resource: str) -> str:
    return f"{PREFIX}:poll-lock:{store_hash}:{resource}"


def publish_lock(change_id: str) -> str:
    """Held while one run publishes a change request: two copies of its message must not
    both find nothing and both create (a promotion, a refund)."""
    return f"{PREFIX}:publish-lock:{change_id}"


def change_requests_settled(store_hash: str) -> str:
    """Ids of a store's change requests in a status they never leave, which the producer's
    poll no longer reads (rebuilt by reading them again if Redis loses it)."""
    return f"{PREFIX}:change-requests:settled:{store_hash}"


def order_seen(store_hash: str, order_id: int) -> str:
    """The digest of an order as last seen (a listing overtaken by it is not used)."""
    return f"{PREFIX}:order-seen:{store_hash}:{order_id}"


def webhook_seen(store_hash: str, event_hash: str) -> str:
    return f"{PREFIX}:webhooks:seen:{store_hash}:{event_hash}"


def rate_governor(store_hash: str) -> str:
    """Braces make a Redis Cluster hash tag: the governor's keys share one slot."""
    return f"{PREFIX}:bigcommerce:ratelimit:{{{store_hash}}}"


def otcs_ticket(scope: str) -> str:
    return f"{PREFIX}:otcs:ticket:{scope}"


def otcs_login_lock(scope: str) -> str:
    return f"{PREFIX}:otcs:login-lock:{scope}"


def report_latest(audit: str, store_hash: str) -> str:
    """The latest report of a nightly audit (`reconcile`, `fixity`) of one store."""
    return f"{PREFIX}:{audit}:latest:{store_hash}"


def report_history(audit: str, store_hash: str) -> str:
    return f"{PREFIX}:{audit}:history:{store_hash}"


# Fleet-wide counters behind `bcrm metrics` (pipeline/core/counters.py adds,
# pipeline/ops/metrics.py reads). Hashes, one field per `flow:label`.
METRICS_DECLARED = f"{PREFIX}:metrics:declared"  # flow:kind -> records newly declared
METRICS_ADOPTED = f"{PREFIX}:metrics:adopted"  # flow:kind -> records adopted from an earlier run
METRICS_RETRIES = f"{PREFIX}:metrics:retries"  # flow:stage -> retries scheduled
METRICS_DEAD_LETTERS = f"{PREFIX}:metrics:dead-letters"  # flow:stage -> dead letters filed
METRICS_REDRIVEN = f"{PREFIX}:metrics:redriven"  # flow:stage -> messages re-driven
METRICS_DURATION_LABELS = f"{PREFIX}:metrics:duration-labels"  # every flow:stage timed


def metrics_stage_duration(flow_stage: str) -> str:
    """Per histogram bucket, the successful runs of one flow's stage that fell in it (not
    cumulative), and `sum`."""
    return f"{PREFIX}:metrics:duration:{flow_stage}"


def disclosure_pending(store_hash: str, channel_id: int) -> str:
    """Hashes of a channel's change webhooks received but not yet in the archive index: a
    receipt waits until it is empty (its evidence is not complete before)."""
    return f"{PREFIX}:disclosures:pending:{store_hash}:{channel_id}"


def case_delivery_seen(store_hash: str, delivery_hash: str) -> str:
    return f"{PREFIX}:cases:seen:{store_hash}:{delivery_hash}"


def case_refresh_pending(store_hash: str, case_id: str) -> str:
    return f"{PREFIX}:cases:refresh:{store_hash}:{case_id}"


def governed_observed(store_hash: str) -> str:
    """Per watched target (`product/12`, `promotion/7`), its governed fields as last seen,
    the values last sanctioned (a baseline, a publish, a return to them) and how many
    unapproved changes it had (flow 3's watch, pipeline/flows/approvals/observed.py)."""
    return f"{PREFIX}:governed:observed:{store_hash}"


def governed_intents(store_hash: str) -> str:
    """What the publish stage is about to write, per target and change request: the watch
    explains a change it sees by one of these."""
    return f"{PREFIX}:governed:intents:{store_hash}"


def unapproved_changes(store_hash: str) -> str:
    """Every unapproved change seen, by id, as JSON (what status, the CLI and the inventory
    read); kept."""
    return f"{PREFIX}:governed:unapproved:{store_hash}"


def unapproved_pending(store_hash: str) -> str:
    """Ids of unapproved changes whose record is not yet declared: every watch owes them."""
    return f"{PREFIX}:governed:unapproved-pending:{store_hash}"


def metrics_unapproved(store_hash: str) -> str:
    """Field -> unapproved changes of that field seen in the store (`bcrm metrics`)."""
    return f"{PREFIX}:metrics:unapproved:{store_hash}"


def unapproved_outcomes(store_hash: str) -> str:
    """Per unapproved change, what became of it: its revert's outcome, or who acknowledged
    it; a change with neither needs attention."""
    return f"{PREFIX}:governed:unapproved-outcomes:{store_hash}"


def otcs_node_id(server: str, address: str) -> str:
    """The node id of a container declare files into, on one Content Server
    (pipeline/records/containers.py)."""
    return f"{PREFIX}:otcs:node-id:{server}:{address}"


def otcs_node_id_lock(server: str, address: str) -> str:
    """Held by the one worker finding or making that container."""
    return f"{PREFIX}:otcs:node-id-lock:{server}:{address}"


def declared_nodes(server: str, store_hash: str, subject_kind: str, subject_id: str) -> str:
    """The ECM nodes filed about one subject, in the order they were registered
    (pipeline/records/counterparts.py)."""
    return f"{PREFIX}:otcs:declared:{server}:{store_hash}:{subject_kind}:{subject_id}"


def recall_items_on_sale(store_hash: str) -> str:
    """`<recall>|<target>` -> the storefront state of an item of an open recall found on
    sale again after its takedown (pipeline/flows/recalls/storefront.py)."""
    return f"{PREFIX}:recalls:on-sale:{store_hash}"


def metrics_recalled_on_sale(store_hash: str) -> str:
    """Recall id -> times one of its items was found on sale again (`bcrm metrics`)."""
    return f"{PREFIX}:metrics:recalled-on-sale:{store_hash}"


def recalls_settled(store_hash: str) -> str:
    """Recalls closed with their holds released: the ECM poller reads them no more."""
    return f"{PREFIX}:recalls:settled:{store_hash}"


def recall_weeks(store_hash: str) -> str:
    """Recall id -> the ISO week its last poll-owed fetch was for (a status report a week)."""
    return f"{PREFIX}:recalls:weeks:{store_hash}"


def campaigns_seen(store_hash: str) -> str:
    """Per promotion or legacy coupon (`promotion/7`, `coupon/3`), the fingerprint of its
    version as last seen and of every version seen (flow 7, pipeline/flows/campaigns)."""
    return f"{PREFIX}:campaigns:seen:{store_hash}"


def campaigns_items(store_hash: str) -> str:
    """Every promotion version, exception and closeout flow 7 found, by id, as JSON; kept."""
    return f"{PREFIX}:campaigns:items:{store_hash}"


def campaigns_pending(store_hash: str) -> str:
    """Ids of flow 7's items whose record is not declared yet: every look owes them."""
    return f"{PREFIX}:campaigns:pending:{store_hash}"


def metrics_campaign_exceptions(store_hash: str) -> str:
    """Check -> exceptions of that check found in the store (`bcrm metrics`)."""
    return f"{PREFIX}:metrics:campaign-exceptions:{store_hash}"
