"""Analytics warehouse for the work phones of consumer-finance and auto-finance lenders."""

__version__ = "0.1.0"
