"""Replication between the school hub and teachers' laptops (docs/ARCHITECTURE.md §4).

Protocol, merge, pairing and LAN discovery (the only place zeroconf is used). Built by the
sync issue on top of ``node.services``.
"""
