"""importers: see docs/ARCHITECTURE.md (filled by later milestones)."""
