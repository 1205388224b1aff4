"""Source-agnostic document to record: the PDF engine, the file plan, classify, declare, fixity."""
