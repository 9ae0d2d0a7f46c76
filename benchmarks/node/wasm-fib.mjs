// Times the exported fib of a .wasm file in V8, the same file the sandbox benchmarks run.
// Usage: node wasm-fib.mjs <fib.wasm> <n> <warmup iterations> <measured iterations>
// Prints one JSON line: {"engine":"node <version>","n":30,"meanMs":...,"minMs":...}
import { readFileSync } from "node:fs";

const [file, nArg = "30", warmArg = "10", iterArg = "20"] = process.argv.slice(2);
const n = Number(nArg);
const { instance } = await WebAssembly.instantiate(readFileSync(file));
const fib = instance.exports.fib;
for (let i = 0; i < Number(warmArg); i++) fib(n);
const times = [];
for (let i = 0; i < Number(iterArg); i++) {
  const t0 = process.hrtime.bigint();
  fib(n);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const mean = times.reduce((a, b) => a + b, 0) / times.length;
console.log(JSON.stringify({ engine: `node ${process.version}`, n, meanMs: mean, minMs: Math.min(...times) }));
