"""Flow 3: approvals in the ECM → publishing to BigCommerce, exactly once."""
