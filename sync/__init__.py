"""The MQTT link to central: outbox drained up, configuration and commands down, health up (docs/mqtt-contract.md)."""
