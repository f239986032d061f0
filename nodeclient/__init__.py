"""The client every app and tool uses to reach the branch node: typed calls, retries, SSE, leader discovery."""
