"""Where an app's GPU configurations are: Python files by call shape, config files by name."""
