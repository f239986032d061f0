"""Configuration: one schema for every role, loaded from TOML and validated once at start-up."""
