"""detect: the findings engine. Pure functions over a :class:`~mybnpl.detect.snapshot.Snapshot` of the vault
(``engine.run_all``), thresholds from ``resources/findings_rules.json`` (``rules``). Imports mybnpl.core only;
the services layer loads the snapshot and stores the findings (mybnpl.services.findings)."""
