// Run once in the background when a code executor starts, so that the JIT compiles QuickJS's
// interpreter before the first real script. It exercises what model-written scripts do (calls,
// arithmetic, strings, arrays, objects, maps, closures, exceptions, JSON, regular expressions), so
// the compiled code is not specialised to one kind of work and thrown away by the next script.
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function shape(rounds) {
  const regions = ['north', 'south', 'east', 'west'];
  const lines = ['id,region,qty,price'];
  for (let i = 0; i < rounds; i++) {
    lines.push(i + ',' + regions[i % 4] + ',' + (i % 17) + ',' + (i * 31 % 997) / 10);
  }
  const sums = new Map();
  const byRegion = {};
  for (const line of lines.slice(1)) {
    const [id, region, qty, price] = line.split(',');
    sums.set(region, (sums.get(region) || 0) + Number(qty) * parseFloat(price));
    (byRegion[region] ??= []).push({ id: +id, total: Math.round(qty * price * 100) / 100 });
  }
  const sorted = Object.entries(byRegion)
    .map(([k, v]) => ({ k, n: v.length, top: v.sort((a, b) => b.total - a.total)[0] }))
    .filter((r) => /^[a-z]+$/.test(r.k));
  let caught = 0;
  for (let i = 0; i < 50; i++) {
    try {
      if (i % 3 === 0) throw new Error('e' + i);
      JSON.parse(i % 5 === 0 ? '{bad' : '{"a":' + i + '}');
    } catch (e) {
      caught += e.message.length;
    }
  }
  const text = JSON.stringify(sorted) + [...sums.keys()].join('|').toUpperCase().replace(/O/g, '0');
  return text.length + caught + Array.from({ length: 100 }, (_, i) => i * i).reduce((a, b) => a + b, 0);
}
let total = 0;
for (let round = 0; round < ROUNDS; round++) {
  total += fib(18) + shape(2000);
}
total
