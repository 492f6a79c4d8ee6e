import type { Logger } from '../../src/log/logger.ts';

export interface RecordedLog {
  level: 'debug' | 'info' | 'notice' | 'warning';
  message: string;
}

/** A Logger that keeps every line, for tests that read what an operation or the input layer said. */
export function recordingLogger(): Logger & { lines: RecordedLog[] } {
  const lines: RecordedLog[] = [];
  return {
    lines,
    debug: (message) => lines.push({ level: 'debug', message }),
    info: (message) => lines.push({ level: 'info', message }),
    notice: (message) => lines.push({ level: 'notice', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
  };
}
