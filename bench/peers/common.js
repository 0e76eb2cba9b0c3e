// Prints a describe()-like table as CSV, laid out as pandas'
// describe().to_csv() is: a header of column names after an empty cell,
// then one line per statistic.  Numbers are written with JavaScript's
// shortest round-trip form, so run.py can compare them with dfsum's.
"use strict";

function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && Number.isNaN(value)) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

// columns: names in order; stats: [[label, {column: value}], ...]
function writeDescribe(columns, stats) {
  const lines = [["", ...columns].map(cell).join(",")];
  for (const [label, values] of stats) {
    lines.push([label, ...columns.map((c) => values[c])].map(cell).join(","));
  }
  process.stdout.write(lines.join("\n") + "\n");
}

function usage(script) {
  if (process.argv.length < 3) {
    process.stderr.write("usage: node " + script + " FILE [all]\n");
    process.exit(2);
  }
  return { path: process.argv[2], includeAll: process.argv[3] === "all" };
}

module.exports = { writeDescribe, usage };
