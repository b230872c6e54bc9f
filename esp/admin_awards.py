"""Admin pages of the award (cycles, criteria, nominations), filled in with the award."""
