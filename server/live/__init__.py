"""The live path to boards: board events with sequence numbers, and the Socket.IO namespace."""
