"""The HTTP side: the resources an app holds, and the `/graphql` endpoint's transport rules."""
