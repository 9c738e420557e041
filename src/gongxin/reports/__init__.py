"""The 公共信用信息报告 (public credit information report): content, PDF and verification."""
