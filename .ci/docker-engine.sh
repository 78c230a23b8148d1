# start_engine makes sure a Docker engine answers: the running one, or one
# started here (apt-get install docker.io if dockerd is missing), whose pid
# goes to dockerd_pid so .ci/docker stops it at the end. Skips .ci/docker,
# saying what failed, when no storage driver lets dockerd run a container.
# Sourced by .ci/docker: uses its tmp, tag, busybox, fail and skip.
start_engine() {
	docker info >/dev/null 2>&1 && return 0
	local driver smoke
	ip link show docker0 >/dev/null 2>&1 || made_docker0=1
	if ! command -v dockerd >/dev/null; then
		echo "no Docker engine: installing docker.io"
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y -qq docker.io >"$tmp/apt.log" 2>&1; then
			apt-get update -qq >>"$tmp/apt.log" 2>&1 || true
			apt-get install -y -qq docker.io >>"$tmp/apt.log" 2>&1 || { tail -5 "$tmp/apt.log" >&2; fail "apt-get install -y docker.io failed"; }
		fi
	fi
	# A dockerd killed earlier leaves its pid file, and a new one refuses
	# to start while it is there.
	if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
		rm -f /var/run/docker.pid
	fi
	# overlay2 first: copy-on-write layers make the build several times
	# faster than vfs, which copies the whole image for every step. vfs
	# works on any filesystem, so it is the fallback. DOCKER_STORAGE_DRIVERS
	# changes the order (DOCKER_STORAGE_DRIVERS=vfs to try only vfs).
	for driver in ${DOCKER_STORAGE_DRIVERS:-overlay2 vfs}; do
		echo "starting dockerd --storage-driver=$driver"
		# Its bridges take test addresses (198.18.0.0/15, RFC 2544): the
		# default one and compose's, on this machine only.
		dockerd --storage-driver=$driver --bip=198.19.0.1/24 \
			--default-address-pool base=198.18.0.0/16,size=24 >"$tmp/dockerd-$driver.log" 2>&1 &
		dockerd_pid=$!
		for _ in $(seq 1 60); do
			docker info >/dev/null 2>&1 && break
			kill -0 "$dockerd_pid" 2>/dev/null || break
			sleep 1
		done
		if docker info >/dev/null 2>&1; then
			# A driver can start and still fail to mount a container.
			smoke="asyncquiz-ci/smoke:$tag"
			mkdir -p "$tmp/smoke/bin" && cp "$busybox" "$tmp/smoke/bin/busybox"
			if tar -C "$tmp/smoke" -cf - . | docker import - "$smoke" >/dev/null 2>"$tmp/smoke.log" &&
				timeout 60 docker run --rm --network none "$smoke" /bin/busybox true >>"$tmp/smoke.log" 2>&1; then
				docker rmi -f "$smoke" >/dev/null 2>&1
				break
			fi
			echo "dockerd with $driver cannot run a container: $(tail -1 "$tmp/smoke.log" 2>/dev/null)"
			docker rmi -f "$smoke" >/dev/null 2>&1
		else
			echo "dockerd with $driver did not start: $(tail -1 "$tmp/dockerd-$driver.log")"
		fi
		kill "$dockerd_pid" 2>/dev/null || true
		for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
		dockerd_pid=
		rm -f /var/run/docker.pid
	done
	if [ -z "$dockerd_pid" ]; then
		for driver in ${DOCKER_STORAGE_DRIVERS:-overlay2 vfs}; do
			echo "--- dockerd --storage-driver=$driver log (last 10 lines)" >&2
			tail -10 "$tmp/dockerd-$driver.log" >&2
		done
		skip "the Docker engine cannot start on this machine (dockerd with each of: ${DOCKER_STORAGE_DRIVERS:-overlay2 vfs}; logs above); the image was not built or run"
	fi
}
