#!/usr/bin/env bash
# Issue 20's day budget: what a 2G attendee's day costs on the wire (README, "Live pages, 2G and
# languages"). Builds the server and the bench in Release, installs tcpdump and Chromium when
# missing (needs root, as tcpdump does), and runs. Options: --idle-minutes N (default 5),
# --samples N (changes measured per kind, default 5), --drop-minutes N (default 5, as the issue's day has it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tcpdump >/dev/null || apt-get install -y tcpdump
[ -x /usr/bin/chromium ] || apt-get install -y chromium
dotnet build -c Release src/Events.Silo -v q -nologo
dotnet build -c Release bench/Events.Bench.DayBudget -v q -nologo
exec dotnet bench/Events.Bench.DayBudget/bin/Release/net10.0/Events.Bench.DayBudget.dll \
  --server "$PWD/src/Events.Silo/bin/Release/net10.0/Events.Silo.dll" "$@"
