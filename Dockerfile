# Multi-stage build of a static asyncquiz image: no cgo (SQLite is pure Go),
# time zones embedded in the binary (time/tzdata), non-root, no shell.
#
#   docker build --build-arg VERSION=v1.2.0 -t asyncquiz .
#
# Both base images are build arguments, so a mirror (or, as .ci/docker
# does where no registry is reachable, locally made stand-ins) can replace
# them. The build image needs the Go toolchain and a shell; the runtime
# image needs only CA certificates (for Slack and Discord over TLS).
ARG BUILD_IMAGE=golang:1.26
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# GOPROXY may point at a mirror; empty means the Go default.
ARG GOPROXY
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# TARGETOS and TARGETARCH are set by buildx for --platform builds; empty
# means the build machine's.
ARG VERSION=dev TARGETOS TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" -o /out/asyncquiz ./cmd/asyncquiz \
 && mkdir -p /out/data

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/asyncquiz /usr/local/bin/asyncquiz
COPY --from=build /src/LICENSE /usr/share/doc/asyncquiz/LICENSE
# /data belongs to the runtime user, so a named volume mounted there is
# writable; a bind mount must be writable by uid 65532 too.
COPY --from=build --chown=65532:65532 /out/data /data
# Numeric, so any runtime image works: distroless's nonroot is 65532.
USER 65532:65532
WORKDIR /data
ENV ASYNCQUIZ_DB=/data/asyncquiz.db \
    ASYNCQUIZ_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/asyncquiz", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/asyncquiz"]
CMD ["serve"]
