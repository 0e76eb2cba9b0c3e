// Polars' own summary: readCSV(FILE).describe().  It gives mean, std, min,
// max and median (no count, no quartiles), so it does less work than
// pandas' describe(); polars_exact.js does the same work as pandas.
"use strict";
const fs = require("fs");
const zlib = require("zlib");
const pl = require("nodejs-polars");
const { writeDescribe, usage } = require("./common");

const { path } = usage("polars_describe.js");
// Polars' default type inference (the first 100 rows) suits the bench
// tables.  Note: inferSchemaLength: null does not mean "scan everything" in
// readCSV of this binding; it reads every column as text.
// readCSV of this binding takes a .gz path for CSV text (scanCSV, in
// polars_exact.js, decompresses it): a gzipped file is handed over
// decompressed, by Node's zlib.
const df = path.endsWith(".gz")
  ? pl.readCSV(zlib.gunzipSync(fs.readFileSync(path)))
  : pl.readCSV(path);
const summary = df.describe().toRecords();
const stats = summary.map((row) => [row.describe, row]);
writeDescribe(df.columns, stats);
