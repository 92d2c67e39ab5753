"""The parent and student web page: an aiohttp app over ``node.services`` (DESIGN.md §2)."""
