"""The ediary school node: the domain core (models, services) and the running appliance."""

__version__ = "0.1.0"
