"""mybnpl — a local, encrypted case file for Buy-Now-Pay-Later accounts."""

__version__ = "0.1.0"
