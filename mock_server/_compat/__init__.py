"""Private names of third-party packages, one module per package, each with a test."""
