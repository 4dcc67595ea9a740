"""Slack surfaces: the Bolt app, its listeners, and the runners that connect it to Slack."""
