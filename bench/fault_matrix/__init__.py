"""The fault-matrix benchmark's parts (`python bench/faults.py` runs them): a world of real
processes and servers, the fault kinds, the user edits, and the reconciliation."""
