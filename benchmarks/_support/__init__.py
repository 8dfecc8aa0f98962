"""Helpers shared by the admin-client benchmarks.

Not a benchmark itself: ``make bench`` runs only ``benchmarks/*.py``.
"""
