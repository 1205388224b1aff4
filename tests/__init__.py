"""bcrm tests.

A regular package, so that a dependency shipping a top-level `tests` package (the
`bigcommerce` wheel does) cannot shadow ours in spawned processes.
"""
