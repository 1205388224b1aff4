"""Flow 4: policies and disclosures, captured version by version, with as-of proof per order."""
