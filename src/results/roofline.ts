/**
 * Places each ok result against the roofline floor of its runtime's calibration.
 *
 * The calibration is a short measurement and can come out low on a busy machine; a floor above
 * what a kernel demonstrably achieved would be a lie. So the peak used is at least the best
 * dense throughput any backend reached in this run, and the bandwidth at least the best
 * effective bandwidth of any result that had to stream more than the caches hold. Where the run
 * raised a limit, the calibration records it (`peakFlops`/`readBandwidth` with `raisedBy`).
 */
import { flopsPerBatch, minimumBytes, rooflineFloor, type Calibration } from '../measure/roofline.ts';
import type { Result } from './schema.ts';

/** Working sets above this are taken to stream from memory, not from cache. */
const STREAMING_BYTES = 64 * 2 ** 20;

export function effectiveLimits(results: Result[], calibration: Record<string, Calibration>): Record<string, Calibration> {
  const limits: Record<string, Calibration> = {};
  for (const [runtime, c] of Object.entries(calibration)) {
    let { peakFlops, readBandwidth } = c;
    const raisedBy: string[] = [];
    for (const r of results) {
      if (r.runtime.name !== runtime || r.status !== 'ok' || !r.stats) continue;
      const seconds = r.stats.median / 1e9;
      const flops = flopsPerBatch(r.model, r.shape) / seconds;
      if (r.model === 'dense' && flops > peakFlops) {
        peakFlops = flops;
        raisedBy.push(`peak from ${r.id}`);
      }
      const bytes = minimumBytes(r.model, r.shape);
      if (bytes > STREAMING_BYTES && bytes / seconds > readBandwidth) {
        readBandwidth = bytes / seconds;
        raisedBy.push(`bandwidth from ${r.id}`);
      }
    }
    limits[runtime] = raisedBy.length > 0 ? { ...c, peakFlops, readBandwidth, raisedBy: [...new Set(raisedBy)].slice(-2) } : c;
  }
  return limits;
}

export function withRoofline(results: Result[], limits: Record<string, Calibration>): Result[] {
  return results.map((r) => {
    const c = limits[r.runtime.name];
    if (r.status !== 'ok' || !r.stats || !c || !Number.isFinite(c.peakFlops)) return r;
    const floor = rooflineFloor(r.model, r.shape, c);
    return { ...r, roofline: { ...floor, multiple: r.stats.median / floor.floorNs } };
  });
}
