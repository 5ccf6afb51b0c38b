# syntax=docker/dockerfile:1
# Node and npm, for the wheel's build step (GraphiQL's assets, pinned by
# gateway/static/package-lock.json).
FROM node:20-bookworm-slim AS node

# Stage 1: the Python wheel, GraphiQL inside (setup.py runs `npm ci --prefix gateway/static`).
FROM python:3.11-slim-bookworm AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY gateway ./gateway
# Whatever a checkout had built is rebuilt from the lock; a missing npm fails the build.
RUN rm -rf gateway/static/node_modules gateway/static/dist \
 && JCGRAPH_REQUIRE_GRAPHIQL=1 pip wheel --no-cache-dir --wheel-dir /wheels .

# Stage 2: the runtime, non-root, from the wheels alone.
FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home /app jcgraph
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
ENV PYTHONUNBUFFERED=1
USER jcgraph
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
ENTRYPOINT ["jcgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
