# source-humaans: the image an Airbyte-compatible platform registers and runs.
#
#   docker build -t airbyte/source-humaans:0.1.0 .
#   docker run --rm airbyte/source-humaans:0.1.0 spec
#
# Both stages use the official Deno images of the same Deno version (pinned), which set
# DENO_DIR=/deno-dir/: the build stage fills that cache from deno.lock, the final stage copies it
# and runs with --cached-only, so the image never downloads anything at run time.

# ---- build: install dependencies from the lock file, type-check, smoke-test the entrypoint ----
FROM denoland/deno:2.9.6 AS build

ENV DENO_DIR=/deno-dir/
WORKDIR /app

COPY deno.json deno.lock ./
COPY main.ts spec.json ./
COPY src/ ./src/
COPY schemas/ ./schemas/
# A build tool, outside /app: the final stage never has it.
COPY tests/tools/runtime_config.ts /build/

# Only the imports main.ts uses reach the image: deno.json and deno.lock are narrowed to them (the
# test-only ajv and fast-check are dropped; the kept lock entries stay as they are), so the
# cache holds no test-only package. --frozen: fail the build if deno.lock does not match deno.json
# instead of re-resolving.
RUN DENO_DIR=/tmp/build-tool deno run --no-config --no-lock --allow-read=. --allow-write=. \
    /build/runtime_config.ts zod \
  && deno install --frozen --entrypoint main.ts \
  && deno check main.ts \
  && deno run --frozen --cached-only --allow-read --allow-net main.ts spec > /dev/null

# ---- final: the same runtime without build leftovers, as a non-root user ----
# Debian rather than distroless: platforms run the connector through `sh -c 'eval
# "$AIRBYTE_ENTRYPOINT" ...'`, so the image needs a shell.
FROM denoland/deno:debian-2.9.6

ENV DENO_DIR=/deno-dir/
WORKDIR /app

COPY --from=build --chown=deno:deno /deno-dir/ /deno-dir/
COPY --from=build --chown=deno:deno /app/ /app/

# The official image's user `deno` (uid 1993). The cache stays world-readable, so a platform
# that runs the container under another uid still finds it.
USER deno

# The same command as the `connector` task in deno.json, with the entry file's absolute path.
# The V8 flags bound memory: 4 MB young-generation semi-spaces (V8 picks 16 MB) and 20 % old-space
# growth between full GCs keep the peak RSS near 100 MB whatever the sync's size (`deno task
# bench` measures it), for about the same CPU (2 MB semi-spaces cost half as much CPU again).
ENV AIRBYTE_ENTRYPOINT="deno run --frozen --cached-only --allow-read --allow-net --v8-flags=--max-semi-space-size=4,--heap-growing-percent=20 /app/main.ts"
ENTRYPOINT ["deno", "run", "--frozen", "--cached-only", "--allow-read", "--allow-net", "--v8-flags=--max-semi-space-size=4,--heap-growing-percent=20", "/app/main.ts"]

LABEL io.airbyte.name=airbyte/source-humaans
LABEL io.airbyte.version=0.1.0
