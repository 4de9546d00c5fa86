#!/bin/sh
# env-big.sh — setup script of tests/native's `scripts-env-big` scenario.
#
# Owns: writing a large NEXTEST_ENV file (6,000 lines of 1 KiB under one key, then the two
# variables the `scripts_` test expects).  nextest reads that file line by line through
# tokio's blocking pool before it stops the script's stopwatch, which takes tens of
# milliseconds for this file: the library's duration must include that read.
set -eu
: "${NEXTEST_ENV:?NEXTEST_ENV must be set by the runner}"
echo "env-big: writing a large NEXTEST_ENV"
awk 'BEGIN { v = sprintf("%1000s", ""); gsub(/ /, "x", v);
             for (i = 0; i < 6000; i++) print "FX_BIG=" v;
             print "FX_SETUP_KEY=hello world"; print "FX_SETUP_OTHER=2" }' >> "$NEXTEST_ENV"
