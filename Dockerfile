# syntax=docker/dockerfile:1
# Stage 1: GraphiQL's assets from the npm registry (pinned by gateway/static/package-lock.json).
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY gateway/static/package.json gateway/static/package-lock.json ./
RUN npm ci --no-audit --no-fund

# Stage 2: the Python wheel.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[redis]'

# Stage 3: the runtime, non-root, with GraphiQL inside.
FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home /app jcgraph
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY --from=assets /assets/node_modules/react/umd/react.production.min.js /app/graphiql/react/umd/
COPY --from=assets /assets/node_modules/react-dom/umd/react-dom.production.min.js /app/graphiql/react-dom/umd/
COPY --from=assets /assets/node_modules/graphiql/graphiql.min.js /assets/node_modules/graphiql/graphiql.min.css /app/graphiql/graphiql/
ENV JCGRAPH_GRAPHIQL_ASSETS=/app/graphiql \
    PYTHONUNBUFFERED=1
USER jcgraph
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
ENTRYPOINT ["jcgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
