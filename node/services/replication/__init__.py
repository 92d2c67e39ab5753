"""The core's side of sync: paired laptops (peers) and the conflicts log, put into words for
the people concerned.
"""
