"""The public portal: server-rendered HTML pages in Simplified Chinese, built on the services."""
