"""The machinery every flow plugs into: stages, ledger, staging, dead letters, keys, canvases."""
