"""Operations: reconciliation, status, metrics, reports, backfill."""
