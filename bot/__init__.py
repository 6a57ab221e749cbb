"""The careerbot application: configuration, services, the CLI and the Discord bot."""
