# Stand-ins for the images .ci/docker cannot pull (no registry is reachable
# here), each made with docker import from what this machine has or Debian's
# packages hold. Sourced by .ci/docker: uses its tmp, tag, busybox, images
# and fail; each function sets the variable it names and adds the image to
# images, which .ci/docker removes at the end.

# fetch_busybox sets busybox to a static busybox: the machine's, or one
# unpacked (not installed) from Debian's busybox-static.
fetch_busybox() {
	busybox=$(command -v busybox || true)
	if [ -z "$busybox" ] || ! file -L "$busybox" | grep -q 'statically linked'; then
		(cd "$tmp" && apt-get download busybox-static >/dev/null 2>&1) ||
			{ apt-get update -qq >/dev/null 2>&1 && (cd "$tmp" && apt-get download busybox-static >/dev/null); } ||
			fail "apt-get download busybox-static failed"
		dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/bb"
		busybox="$tmp/bb/bin/busybox"
	fi
	file -L "$busybox" | grep -q 'statically linked' || fail "no static busybox at $busybox"
	echo "ok: $busybox"
}

# withlibs ROOTFS FILE...: copies each file and the shared libraries it
# links into ROOTFS at the same paths.
withlibs() {
	local root=$1 f lib
	shift
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+'); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
}

# standin_build_image sets build_image to a stand-in for golang:1.26: this
# machine's Go toolchain and busybox for the Dockerfile's shell steps.
standin_build_image() {
	local goroot rootfs tools excl t a
	goroot=$(go env GOROOT)
	rootfs="$tmp/build-rootfs"
	mkdir -p "$rootfs"/{bin,etc/ssl/certs,tmp,root,go,usr/local}
	chmod 1777 "$rootfs/tmp"
	cp "$busybox" "$rootfs/bin/busybox"
	for a in sh mkdir cp mv rm ls cat env sleep; do ln -s busybox "$rootfs/bin/$a"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\n' >"$rootfs/etc/group"
	cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
	# The toolchain without what building a program never reads (its own
	# tests and sources, API lists, docs, and the tools go build does not
	# run), so each build step has less to copy.
	tools="$goroot/pkg/tool/$(go env GOOS)_$(go env GOARCH)"
	excl=(--exclude=./test --exclude=./api --exclude=./doc --exclude=./misc --exclude=./src/cmd --exclude=./bin/gofmt)
	for t in pprof trace fix vet cover doc; do excl+=("--exclude=./${tools#"$goroot/"}/$t"); done
	mkdir -p "$rootfs/usr/local/go"
	tar -C "$goroot" "${excl[@]}" -cf - . | tar -C "$rootfs/usr/local/go" -xf -
	build_image="asyncquiz-ci/go:$tag"
	tar -C "$rootfs" -cf - . | timeout 300 docker import \
		--change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin' \
		--change 'ENV GOPATH=/go' --change 'ENV GOTOOLCHAIN=local' --change 'ENV HOME=/root' \
		--change 'WORKDIR /go' - "$build_image" >/dev/null
	images+=("$build_image")
	rm -rf "$rootfs"
	echo "ok: $build_image from $(go version | awk '{print $3}') and busybox"
}

# standin_runtime_image sets runtime_image to a stand-in for distroless
# static:nonroot: CA certificates, passwd with nonroot 65532, /tmp; no shell.
standin_runtime_image() {
	local rootfs
	rootfs="$tmp/runtime-rootfs"
	mkdir -p "$rootfs"/{etc/ssl/certs,tmp,home/nonroot}
	chmod 1777 "$rootfs/tmp"
	printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
	chown 65532:65532 "$rootfs/home/nonroot"
	cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
	runtime_image="asyncquiz-ci/static:$tag"
	tar -C "$rootfs" -cf - . | timeout 120 docker import - "$runtime_image" >/dev/null
	images+=("$runtime_image")
	rm -rf "$rootfs"
	echo "ok: $runtime_image (CA certificates, passwd with nonroot 65532, /tmp; no shell)"
}

# standin_proxy_image sets proxy_image to a stand-in for caddy:2: Debian's
# Caddy (2.6) with the libraries it links.
standin_proxy_image() {
	local rootfs
	(cd "$tmp" && apt-get download caddy >/dev/null 2>&1) ||
		{ apt-get update -qq >/dev/null 2>&1 && (cd "$tmp" && apt-get download caddy >/dev/null); } ||
		fail "apt-get download caddy failed"
	dpkg-deb -x "$tmp"/caddy_*.deb "$tmp/caddy"
	rootfs="$tmp/proxy-rootfs"
	mkdir -p "$rootfs/usr/bin" "$rootfs/tmp" "$rootfs/etc/caddy"
	chmod 1777 "$rootfs/tmp"
	withlibs "$rootfs" "$tmp/caddy/usr/bin/caddy"
	mv "$rootfs$tmp/caddy/usr/bin/caddy" "$rootfs/usr/bin/caddy"
	rm -rf "${rootfs:?}$tmp"
	proxy_image="asyncquiz-ci/proxy:$tag"
	tar -C "$rootfs" -cf - . | timeout 120 docker import --change 'ENV XDG_CONFIG_HOME=/tmp' --change 'ENV XDG_DATA_HOME=/tmp' \
		--change 'ENV PATH=/usr/bin' - "$proxy_image" >/dev/null
	images+=("$proxy_image")
	echo "ok: $proxy_image from Debian's $("$tmp/caddy/usr/bin/caddy" version | cut -d' ' -f1)"
}

# standin_postgres_image sets postgres_image to a stand-in for postgres:15:
# this machine's PostgreSQL, with an entrypoint that does what the official
# image's does with POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB on a
# fresh data directory, running as postgres (999).
standin_postgres_image() {
	local pgbin pgver rootfs a
	pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$pgbin/postgres" ] || fail "no PostgreSQL server binaries under /usr/lib/postgresql for the postgres stand-in"
	pgver=$(basename "$(dirname "$pgbin")")
	rootfs="$tmp/pg-rootfs"
	mkdir -p "$rootfs"/{bin,tmp,etc,var/run/postgresql,var/lib/postgresql/data,usr/share}
	chmod 1777 "$rootfs/tmp"
	cp "$busybox" "$rootfs/bin/busybox"
	for a in sh rm cat; do ln -s busybox "$rootfs/bin/$a"; done
	withlibs "$rootfs" "$pgbin"/{postgres,initdb,pg_isready,pg_ctl}
	cp -a "/usr/lib/postgresql/$pgver/lib" "$rootfs/usr/lib/postgresql/$pgver/"
	mkdir -p "$rootfs/usr/share/postgresql"
	cp -a "/usr/share/postgresql/$pgver" "$rootfs/usr/share/postgresql/"
	cp -a /usr/share/zoneinfo "$rootfs/usr/share/"
	printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\npostgres:x:999:\n' >"$rootfs/etc/group"
	cat >"$rootfs/entrypoint" <<'PGEOF'
#!/bin/sh
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	printf '%s\n' "$POSTGRES_PASSWORD" >/tmp/pwfile
	initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile=/tmp/pwfile \
		--auth-local=trust --auth-host=scram-sha-256 --locale=C -E UTF8 >/dev/null
	rm -f /tmp/pwfile
	echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
	if [ -n "$POSTGRES_DB" ] && [ "$POSTGRES_DB" != postgres ]; then
		echo "CREATE DATABASE \"$POSTGRES_DB\"" | postgres --single -D "$PGDATA" postgres >/dev/null
	fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
PGEOF
	chmod 755 "$rootfs/entrypoint"
	chown -R 999:999 "$rootfs/var/run/postgresql" "$rootfs/var/lib/postgresql"
	chmod 700 "$rootfs/var/lib/postgresql/data"
	postgres_image="asyncquiz-ci/postgres:$tag"
	tar -C "$rootfs" -cf - . | timeout 120 docker import \
		--change "ENV PATH=$pgbin:/bin" --change 'ENV PGDATA=/var/lib/postgresql/data' \
		--change 'USER 999:999' --change 'ENTRYPOINT ["/entrypoint"]' - "$postgres_image" >/dev/null
	images+=("$postgres_image")
	rm -rf "$rootfs"
	echo "ok: $postgres_image from this machine's PostgreSQL $pgver"
}
