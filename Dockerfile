# Baton in a container. The steps are the README's: build the release binary with SwiftPM, then run
# `baton serve`. The runtime image carries only what the binary loads: libsqlite3, and the two
# script engines it opens at run time (JavaScriptCore for INLINE/SWITCH/DO_WHILE, jq for
# JSON_JQ_TRANSFORM), and libcurl for the HTTP task's https://.

FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Plugins ./Plugins
COPY migrations ./migrations
COPY Tests ./Tests
RUN swift build -c release --product baton --static-swift-stdlib

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libsqlite3-0 libjavascriptcoregtk-4.1-0 libjq1 libcurl4 tzdata ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/.build/release/baton /usr/local/bin/baton
COPY config/baton.json /etc/baton/baton.json
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s CMD curl -sf http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["baton", "serve", "--config", "/etc/baton/baton.json", "--host", "0.0.0.0", "--db", "/data/baton.db"]
