"""Listener: platform sources behind one `Source` protocol, and the one poller that drives them."""
