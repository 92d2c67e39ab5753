"""Year-end archives [R 6.3]: the year's journals, summary sheets, reports, CSV and a final
database snapshot as a signed BagIt bag (RFC 8493) packed in one tar file, readable and
verifiable years later with standard tools (a browser, ``sha256sum``, ``openssl``)."""
