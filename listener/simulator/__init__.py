"""Local versions of each network's API for tests, benchmarks and the demo (`mentiondesk simulate`): one module
per network exporting its `NETWORK` (network.py), and the server they plug into."""

from listener.simulator.faults import Fault
from listener.simulator.server import Simulator

__all__ = ["Fault", "Simulator"]
