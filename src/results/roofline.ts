/** Places each ok result against the roofline floor of its runtime's calibration. */
import { rooflineFloor, type Calibration } from '../measure/roofline.ts';
import type { Result } from './schema.ts';

export function withRoofline(results: Result[], calibration: Record<string, Calibration>): Result[] {
  return results.map((r) => {
    const c = calibration[r.runtime.name];
    if (r.status !== 'ok' || !r.stats || !c || !Number.isFinite(c.peakFlops)) return r;
    const floor = rooflineFloor(r.model, r.shape, c);
    return { ...r, roofline: { ...floor, multiple: r.stats.median / floor.floorNs } };
  });
}
