"""The careerbot application: configuration, CLI and (later) the Discord adapter."""
