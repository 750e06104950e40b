// Placeholder until the benchmark harness lands (ROADMAP: benchmarks and fault suite).
console.log("npm run bench: not yet — the benchmark harness is planned in ROADMAP.md.")
