# azwi-webhook image: built with the official Swift image, run on Debian slim with only the
# shared libraries the binary links besides glibc (`ldd`: libssl3, zlib1g, libyaml-0-2,
# libstdc++6, libgcc-s1; the Swift runtime is linked in) and the CA certificates.
# Build: docker build -t azwi-webhook:dev .   (never built where it was written, which has no
# Docker engine: checked by hadolint and against ldd, Tests/integration/deploy/test_dockerfile.py)

FROM swift:6.3-bookworm AS build
# hadolint ignore=DL3008 # unpinned on purpose: take Debian bookworm's current security updates
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev libyaml-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN swift build -c release --static-swift-stdlib --product azwi-webhook \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/azwi-webhook" /out/azwi-webhook

FROM debian:bookworm-slim
# hadolint ignore=DL3008 # unpinned on purpose: take Debian bookworm's current security updates
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libgcc-s1 libssl3 libstdc++6 libyaml-0-2 zlib1g \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/azwi-webhook /azwi-webhook
# Nothing is written to the image at run time: the root filesystem may be read-only.
USER 65532:65532
EXPOSE 9443 9440 8095
ENTRYPOINT ["/azwi-webhook"]
