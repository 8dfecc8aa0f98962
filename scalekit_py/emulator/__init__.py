"""Local emulator of the Scalekit service (install the ``emulator`` extra)."""
