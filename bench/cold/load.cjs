// Loads one module in this fresh process and reports how long `require` took, as a cold
// start of that entry point would (bench/coldstart.ts runs this many times).
const t0 = process.hrtime.bigint();
const mod = require(process.argv[2]);
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(
  JSON.stringify({
    loadMs,
    exports: Object.values(mod).filter((v) => typeof v === "function").length,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  }),
);
