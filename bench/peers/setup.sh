#!/bin/sh
# Installs the benchmark peers (Polars and DuckDB for Node.js, the exact
# versions of package.json) into bench/peers/node_modules, then checks that
# both load.  Needs node >= 20 and npm.  Run again to reinstall.
set -eu
cd "$(dirname "$0")"

command -v node >/dev/null 2>&1 || { echo "setup.sh: node not found" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm not found" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "setup.sh: node $(node --version) is too old (need >= 20)" >&2
    exit 1
fi

# The Polars binary package declares node >= 22 but works on node 20: npm
# only warns (EBADENGINE).  No lock file: package.json pins every version
# that matters.
npm install --no-package-lock --no-audit --no-fund --loglevel=error

node -e '
const pl = require("nodejs-polars");
const { DuckDBInstance } = require("@duckdb/node-api");
pl.DataFrame({ x: [1, 2] }).describe();
DuckDBInstance.create(":memory:").then(() => {
  const v = (p) => require(p + "/package.json").version;
  console.log("peers ready: nodejs-polars " + v("nodejs-polars") +
              ", @duckdb/node-api " + v("@duckdb/node-api"));
});
'
