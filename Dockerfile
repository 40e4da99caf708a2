# newsgraph API image: slim Python, non-root, talks to the PostgreSQL in NEWSGRAPH_DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 newsgraph
WORKDIR /app
COPY pyproject.toml README.md ./
COPY newsgraph ./newsgraph
RUN pip install .

USER newsgraph
# GraphiQL's pinned assets, served by the server itself (no public CDN at run time)
RUN newsgraph graphiql-assets
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["newsgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
