// The work pandas' describe() does, in one lazy Polars query over
// scanCSV(FILE): count, mean, std, min, exact quartiles (linear
// interpolation, as pandas) and max of every numeric column; with "all",
// also count, unique, top and freq of the other columns.
"use strict";
const pl = require("nodejs-polars");
const { writeDescribe, usage } = require("./common");

const NUMERIC_STATS = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"];
const TEXT_STATS = ["count", "unique", "top", "freq"];
const SEP = "\u0000";

// One expression a statistic over all the numeric columns: building an
// expression costs about a millisecond in this binding, too much for one
// per column and statistic on a table of 400 columns.
function numericExprs(columns) {
  if (columns.length === 0) return [];
  const x = pl.cols(columns);
  const named = (e, stat) => e.suffix(SEP + stat);
  return [
    named(x.count(), "count"),
    named(x.mean(), "mean"),
    named(x.std(), "std"),
    named(x.min(), "min"),
    named(x.quantile(0.25, "linear"), "25%"),
    named(x.quantile(0.5, "linear"), "50%"),
    named(x.quantile(0.75, "linear"), "75%"),
    named(x.max(), "max"),
  ];
}

// top and freq: the first row of the value counts sorted by count.
function textExprs(c) {
  const x = pl.col(c);
  const top = x.dropNulls().valueCounts(true).first();
  return [
    x.count().alias(c + SEP + "count"),
    x.dropNulls().nUnique().alias(c + SEP + "unique"),
    top.struct.field(c).alias(c + SEP + "top"),
    top.struct.field("count").alias(c + SEP + "freq"),
  ];
}

function isNumeric(dtype) {
  return /^(Int|UInt|Float)\d+$/.test(String(dtype.variant ?? dtype));
}

const { path, includeAll } = usage("polars_exact.js");
const lf = pl.scanCSV(path);
// .dtypes: the types in one call (getColumns() costs a call per column).
const dtypes = lf.limit(0).collectSync().dtypes;
const allColumns = lf.columns;
const numeric = allColumns.filter((c, i) => isNumeric(dtypes[i]));
// Like pandas: without "all", only the numeric columns, unless there is none.
const columns = includeAll || numeric.length === 0 ? allColumns : numeric;
const exprs = numericExprs(numeric.filter((c) => columns.includes(c))).concat(
  columns.filter((c) => !numeric.includes(c)).flatMap(textExprs));
const row = lf.select(...exprs).collectSync().toRecords()[0];

const stats = new Map();
const statsOf = numeric.length < columns.length
  ? ["count", "unique", "top", "freq", ...NUMERIC_STATS.slice(1)]
  : NUMERIC_STATS;
for (const s of statsOf) stats.set(s, {});
for (const c of columns) {
  if (numeric.includes(c)) {
    for (const s of NUMERIC_STATS) stats.get(s)[c] = row[c + SEP + s];
  } else {
    for (const s of TEXT_STATS) stats.get(s)[c] = row[c + SEP + s];
  }
}
writeDescribe(columns, [...stats.entries()]);
