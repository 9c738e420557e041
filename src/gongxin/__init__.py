"""gongxin (公信): an open public credit information platform."""

__version__ = "0.1.0"
