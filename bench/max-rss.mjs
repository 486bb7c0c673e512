// Loaded with `--import` by the benchmarks: the process's peak resident set size, printed on stderr as it exits.
process.on('exit', () => process.stderr.write(`\nmax-rss-kb ${process.resourceUsage().maxRSS}\n`))
