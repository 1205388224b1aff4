"""Flow 5: fulfilment and tax documents (packing slips, shipping proofs, tax documents)."""
