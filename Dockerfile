# rfpmarket API. Build: docker build -t rfpmarket .   Run: see compose.yaml (needs MONGODB_URI).
# GraphiQL's assets from the npm registry (the same lock as ./dev install): served by the app, no CDN.
FROM node:22-slim AS graphiql
WORKDIR /graphiql
COPY web/graphiql/package.json web/graphiql/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
COPY market ./market
COPY schema ./schema
COPY scoring ./scoring
COPY seeds ./seeds
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 rfpmarket
COPY --from=build /opt/venv /opt/venv
COPY --from=graphiql /graphiql/node_modules /opt/graphiql/node_modules
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    RFPMARKET_ENV=production \
    RFPMARKET_GRAPHIQL_ASSETS_DIR=/opt/graphiql/node_modules
USER rfpmarket
WORKDIR /home/rfpmarket
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
# Behind a load balancer or reverse proxy, set RFPMARKET_TRUSTED_PROXIES to its addresses (JSON list of
# IPs or CIDR networks, e.g. '["10.0.0.0/8"]') so rate limits count each client, not the proxy. Empty:
# X-Forwarded-For is ignored and the TCP peer is the client.
ENV RFPMARKET_TRUSTED_PROXIES='[]'
# Production always names its database: MONGODB_URI must be set (see compose.yaml).
# `rfpmarket serve` runs uvicorn with the limits of api/cli/main.uvicorn_options: uvicorn's own proxy
# handling off (the app applies RFPMARKET_TRUSTED_PROXIES), a header-read timeout and a 16 KB header
# cap, idle keep-alive 5 s, drain 10 s on SIGTERM, 200 connections per worker, 1 MB WebSocket messages.
CMD ["rfpmarket", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
