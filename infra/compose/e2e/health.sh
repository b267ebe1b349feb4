# shellcheck shell=bash
# Sourced by the compose e2e scripts. wait_stack_healthy waits until every container of a compose
# project that has a healthcheck reports "healthy"; past the deadline it fails, naming each
# container that is not, with its health status and the last answers of its healthcheck. "Up" is not
# enough: a service whose healthcheck fails is broken for its users even while Prometheus scrapes it.
#
#   wait_stack_healthy <timeout_s> <compose args…>     e.g. wait_stack_healthy 120 -f a.yml -f b.yml

# Prints "<name> <status>" for each container of the project; status is "none" without a healthcheck.
stack_health() {
  local id
  for id in $(docker-compose "$@" ps -q); do
    docker inspect -f '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id" | sed 's|^/||'
  done
}

wait_stack_healthy() {
  local timeout_s="$1"
  shift
  local deadline=$((SECONDS + timeout_s)) health name status pending
  while :; do
    health="$(stack_health "$@")"
    [ -n "$health" ] || { echo "wait_stack_healthy: the compose project has no containers" >&2; return 1; }
    pending="$(awk '$2 != "healthy" && $2 != "none"' <<<"$health")"
    [ -z "$pending" ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "wait_stack_healthy: not healthy after ${timeout_s}s:" >&2
      while read -r name status; do
        echo "  ${name}: ${status}; last healthcheck answers:" >&2
        docker inspect -f '{{range .State.Health.Log}}    exit {{.ExitCode}} at {{.End}}: {{printf "%.200s" .Output}}{{println}}{{end}}' "$name" | tail -n 3 >&2
      done <<<"$pending"
      return 1
    fi
    sleep 2
  done
}
