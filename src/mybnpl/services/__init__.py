"""Use cases: what the CLI and the UI call. They combine vault, importers, detectors, letters, dossiers."""
