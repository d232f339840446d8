/** Progress on stderr: a redrawn bar on a terminal, one line per finished case otherwise (CI logs). */
import type { Result } from '../src/results/schema.ts';

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr) {
  let done = 0;
  const started = Date.now();
  const tty = stream.isTTY;
  const width = 24;
  return {
    start(id: string) {
      if (!tty) return;
      const filled = Math.round((done / total) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const line = `${bar} ${done}/${total} ${((Date.now() - started) / 1000).toFixed(0)}s ${id}`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 120) - 1)}`);
    },
    result(r: Result) {
      done++;
      if (tty) return;
      const detail = r.status === 'ok' ? '' : ` — ${r.reason ?? ''}`;
      stream.write(`[${done}/${total}] ${r.status.padEnd(7)} ${r.id}${detail}\n`);
    },
    finish() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
