"""Who is calling: API keys, their scopes, and the caller a request runs as."""
