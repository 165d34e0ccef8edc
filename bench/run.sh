#!/usr/bin/env bash
# The benchmark of issue 14: publishes the server (Release) and the bare hub, then runs
# bench/Events.Bench, which starts both (Production, their own temp data folders and ports) and
# prints a table. Arguments go to the bench: --full for N = 1k/5k/10k/20k, --sizes 1000,2000,
# --repeats 3, --voters 1000, --vote-rate 3000 (offered votes/s; default: as fast as the hub allows),
# --vote-seconds 10 measured after --vote-warmup 3 (not counted), --vote-storages sqlite,postgres,
# --postgres "<connection string>"; see bench/Events.Bench/BenchOptions.cs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every connection is a file descriptor in both the client and the server: raise the soft limit
# to the hard one (the servers inherit it from this shell).
ulimit -n "$(ulimit -Hn)"

out="$(mktemp -d -t events-bench-build.XXXXXX)"
trap 'rm -rf "$out"' EXIT
dotnet publish src/Events.Silo -c Release -o "$out/server" --nologo -v quiet
dotnet publish bench/Events.Bench.BareHub -c Release -o "$out/bare" --nologo -v quiet
dotnet build bench/Events.Bench -c Release --nologo -v quiet
dotnet bench/Events.Bench/bin/Release/net10.0/Events.Bench.dll \
  --server "$out/server/Events.Silo.dll" --bare "$out/bare/Events.Bench.BareHub.dll" "$@"
