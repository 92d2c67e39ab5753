"""The end of a school year [R 6.3]: what blocks closing it, the journals as the archive
prints them, and the roll-over into the next year (classes promoted, the old year closed).

The archive file itself (a BagIt bag, signed) is a file format and lives in
``backup/archive``; everything here is plain domain work on the database.
"""
