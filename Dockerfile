# Multi-stage build of a static asyncquiz image: no cgo (SQLite is pure Go),
# time zones embedded in the binary (time/tzdata), non-root, no shell.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/asyncquiz ./cmd/asyncquiz \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/asyncquiz /usr/local/bin/asyncquiz
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
WORKDIR /data
ENV ASYNCQUIZ_DB=/data/asyncquiz.db \
    ASYNCQUIZ_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/asyncquiz", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/asyncquiz"]
CMD ["serve"]
