// Placeholder until the end-to-end demo lands (see ROADMAP.md).
console.log("npm run demo: not yet — the end-to-end demo is planned in ROADMAP.md.")
