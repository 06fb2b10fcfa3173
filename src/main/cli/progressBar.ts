import type { SyncStatus } from '../../shared/ipc.js';

/** One redrawn line on a terminal while a pull runs; silent when stderr is not a TTY. */
export function progressLine(s: SyncStatus, width = 30): string | null {
  if (!s.progress) return null;
  const { rowsApplied, remaining, pagesDone } = s.progress;
  const total = rowsApplied + remaining;
  const ratio = total > 0 ? rowsApplied / total : 0;
  const filled = Math.round(ratio * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  return `${s.phase.padEnd(8)} [${bar}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${rowsApplied.toLocaleString('en')} rows, ${pagesDone} pages`;
}

export function attachProgress(stream: NodeJS.WriteStream, subscribe: (l: (s: SyncStatus) => void) => () => void): () => void {
  if (!stream.isTTY) return () => undefined;
  let drawn = false;
  const off = subscribe((s) => {
    const line = progressLine(s);
    if (!line) return;
    stream.write(`\r${line}`);
    drawn = true;
  });
  return () => {
    off();
    if (drawn) stream.write('\n');
  };
}
