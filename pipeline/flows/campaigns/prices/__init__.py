"""Flow 7's prices: the catalog price history (`poll`), the EU prior-price evidence
(`evidence`), a campaign's usage from archived orders (`usage`), and their renderers
(`render`)."""
