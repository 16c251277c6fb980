"""Local X, Reddit, Mastodon, Bluesky and Algolia HN APIs for tests, benchmarks and the demo: `mentiondesk simulate`."""

from listener.simulator.faults import Fault
from listener.simulator.server import Simulator

__all__ = ["Fault", "Simulator"]
