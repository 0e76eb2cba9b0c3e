// The work pandas' describe() does, as one DuckDB SQL query over the file
// read as read_csv_auto reads it: count, avg, stddev_samp, min, exact
// quartiles (quantile_cont: linear interpolation, as pandas) and max of
// every numeric column; with "all", also count, count(DISTINCT), top and
// freq of the other columns, the file then being read once into a
// materialized CTE.
//
// read_csv_auto sniffs the file (dialect and types) each time a query
// names it, which costs up to a second on a table of 400 columns.  So the
// file is sniffed once, with sniff_csv(), whose Prompt is the read_csv()
// call with everything the sniffer found spelt out; the column types and
// the describe query both use that call.
"use strict";
const { DuckDBInstance } = require("@duckdb/node-api");
const { writeDescribe, usage } = require("./common");

const NUMERIC_STATS = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"];
const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

const ident = (name) => '"' + name.replace(/"/g, '""') + '"';
const literal = (text) => "'" + text.replace(/'/g, "''") + "'";

function numericSelect(c, i) {
  const x = ident(c);
  return [
    `count(${x}) AS n${i}_count`,
    `avg(${x}) AS n${i}_mean`,
    `stddev_samp(${x}) AS n${i}_std`,
    `min(${x}) AS n${i}_min`,
    `quantile_cont(${x}, [0.25, 0.5, 0.75]) AS n${i}_q`,
    `max(${x}) AS n${i}_max`,
  ];
}

// top and freq come from a grouped sub-query over the materialized table.
function textSelect(c, i) {
  const x = ident(c);
  const top = `(SELECT ${x} AS v, count(*) AS n FROM t WHERE ${x} IS NOT NULL
                GROUP BY ${x} ORDER BY n DESC LIMIT 1)`;
  return [
    `count(${x}) AS t${i}_count`,
    `count(DISTINCT ${x}) AS t${i}_unique`,
    `(SELECT v FROM ${top}) AS t${i}_top`,
    `(SELECT n FROM ${top}) AS t${i}_freq`,
  ];
}

function buildQuery(source, columns, isNumeric, materialize) {
  const selects = columns.flatMap((c, i) =>
    isNumeric[c] ? numericSelect(c, i) : textSelect(c, i));
  const body = "SELECT " + selects.join(",\n       ");
  if (!materialize) return body + "\nFROM " + source;
  return `WITH t AS MATERIALIZED (SELECT * FROM ${source})\n${body}\nFROM t`;
}

function collect(columns, isNumeric, row) {
  const anyText = columns.some((c) => !isNumeric[c]);
  const labels = anyText
    ? ["count", "unique", "top", "freq", ...NUMERIC_STATS.slice(1)]
    : NUMERIC_STATS;
  const stats = new Map(labels.map((s) => [s, {}]));
  columns.forEach((c, i) => {
    if (isNumeric[c]) {
      const q = row[`n${i}_q`] || [null, null, null];
      const values = [row[`n${i}_count`], row[`n${i}_mean`], row[`n${i}_std`],
        row[`n${i}_min`], q[0], q[1], q[2], row[`n${i}_max`]];
      NUMERIC_STATS.forEach((s, k) => { stats.get(s)[c] = values[k]; });
    } else {
      for (const s of ["count", "unique", "top", "freq"]) {
        stats.get(s)[c] = row[`t${i}_${s}`];
      }
    }
  });
  return [...stats.entries()];
}

// "FROM read_csv('FILE', auto_detect=false, ..., columns={...});" -> the
// read_csv(...) call.
async function sniffedSource(con, path) {
  const sniff = await con.runAndReadAll(`SELECT Prompt FROM sniff_csv(${literal(path)})`);
  const prompt = String(sniff.getRowObjectsJS()[0].Prompt).trim();
  const call = prompt.replace(/^FROM\s+/i, "").replace(/;$/, "");
  if (!/^read_csv\(/.test(call)) throw new Error("unexpected sniff_csv prompt: " + prompt);
  return call;
}

async function main() {
  const { path, includeAll } = usage("duckdb_describe.js");
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  const source = await sniffedSource(con, path);
  const schema = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const isNumeric = {};
  const allColumns = [];
  for (const r of schema.getRowObjectsJS()) {
    allColumns.push(r.column_name);
    isNumeric[r.column_name] = NUMERIC_TYPES.test(r.column_type);
  }
  const numeric = allColumns.filter((c) => isNumeric[c]);
  // Like pandas: without "all", only the numeric columns, unless there is none.
  const columns = includeAll || numeric.length === 0 ? allColumns : numeric;
  const materialize = columns.some((c) => !isNumeric[c]);
  const sql = buildQuery(source, columns, isNumeric, materialize);
  if (process.env.DFSUM_BENCH_SHOW_SQL) process.stderr.write(sql + "\n");
  const result = await con.runAndReadAll(sql);
  writeDescribe(columns, collect(columns, isNumeric, result.getRowObjectsJS()[0]));
  con.closeSync();
  instance.closeSync();
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exit(1);
});
