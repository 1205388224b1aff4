"""`bcrm chaos`: break things on purpose while a store is archived, then prove that every
due record is in the ECM exactly once with the hash the ledger holds.

Each scenario runs on its own throwaway world (an embedded Redis it may kill, both
emulators, the worker fleet, beat and the webhook receiver), injects its faults while the
pipeline works, lets it settle, and ends with the same verdict: the REST reconciliation
(`pipeline.ops.reconcile`) and the ECM emulator's full inventory
(`pipeline.devtools.inventory`) must find 0 lost, 0 duplicate and 0 hash-mismatched
records. Dead letters the faults caused are replayed the way an operator would (`bcrm dlq
replay --all`) before the verdict; what reconciliation finds missing is repaired (`bcrm
reconcile --repair`) and counted.
"""
