/** Phase timings on stderr when LAKE_ENGINE_TRACE=1 (for the bench and for profiling). */
const TRACE = process.env.LAKE_ENGINE_TRACE === '1';

/** Prints the phase's duration since `since` (and the peak RSS) when tracing; returns the time now. */
export function trace(phase: string, since: number): number {
  const now = Date.now();
  if (TRACE) {
    const rss = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stderr.write(`[engine] ${phase}: ${now - since} ms, peak RSS ${rss} MiB\n`);
  }
  return now;
}
