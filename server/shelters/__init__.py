"""Shelters as the center sees them: registry, census of foreign evacuees, rounds and needs."""
