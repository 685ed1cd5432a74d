"""Development tooling that runs from a checkout (not installed): mutation testing."""
