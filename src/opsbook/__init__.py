"""opsbook: configuration management and runbooks for managed-service operations teams."""

__version__ = "0.1.0"
