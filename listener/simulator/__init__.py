"""A local X API v2 and Reddit API for tests, benchmarks and the demo: `mentiondesk simulate`."""

from listener.simulator.faults import Fault
from listener.simulator.server import Simulator

__all__ = ["Fault", "Simulator"]
