"""gRPC transport: channels, auth interceptors, retries and the one call path."""
