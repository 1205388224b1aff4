"""The case file's documents: summary, communication log, attachment (or its refusal),
closure; each PDF/A-3b with the case file's JSON attached, except a kept attachment."""
