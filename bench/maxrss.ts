/** Preloaded (`--import`) into a measured child process: prints its peak resident set size at exit. */
process.on('exit', () => {
  process.stderr.write(`\nBENCH_MAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
});
