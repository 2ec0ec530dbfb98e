# azwi-webhook image: built with the official Swift image, run on Debian slim with only the
# shared libraries the binary links besides glibc (`ldd`: libssl3, zlib1g, libyaml-0-2,
# libgcc-s1; the Swift runtime and libstdc++ are linked in, see scripts/build-release) and the
# CA certificates.
# Build: docker build -t azwi-webhook:dev .   (never built where it was written, which has no
# Docker engine: checked by hadolint and against the ldd of scripts/build-release's binary,
# Tests/integration/deploy/test_dockerfile.py)
#
# Multi-architecture: docker buildx build --platform linux/amd64,linux/arm64 (the release
# workflow). Every stage is built natively for each target platform, the foreign one under QEMU:
# the build stage is not `FROM --platform=$BUILDPLATFORM`, because cross-compiling Swift needs a
# Swift SDK per target, which is not set up. Slower, but correct by construction.

FROM swift:6.3-bookworm AS build
# hadolint ignore=DL3008 # unpinned on purpose: take Debian bookworm's current security updates
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev libstdc++-12-dev libyaml-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again (into .build-release, where
# scripts/build-release builds).
COPY Package.swift ./
RUN swift package resolve --scratch-path .build-release
COPY . .
# What `azwi-webhook --version` reports (scripts/build-release): the context has no .git, so the
# release workflow passes the tag, the commit and the build date; unset, they read dev, unknown
# and the time of the build.
ARG AZWI_VERSION
ARG AZWI_COMMIT
ARG AZWI_BUILD_DATE
RUN scripts/build-release /out/azwi-webhook

FROM debian:bookworm-slim
# hadolint ignore=DL3008 # unpinned on purpose: take Debian bookworm's current security updates
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libgcc-s1 libssl3 libyaml-0-2 zlib1g \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/azwi-webhook /azwi-webhook
# Nothing is written to the image at run time: the root filesystem may be read-only.
USER 65532:65532
EXPOSE 9443 9440 8095
ENTRYPOINT ["/azwi-webhook"]
