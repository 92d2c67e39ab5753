"""The parent and student web page: an aiohttp app over ``node.services``.

Its place in the layers: docs/ARCHITECTURE.md §2."""
