"""The benchmark harness behind ``python -m service bench`` (entry point: :mod:`service.bench`)."""
