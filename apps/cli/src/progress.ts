/**
 * Progress on stderr while a gate runs: a spinner line rewritten in place on a terminal,
 * plain lines (one per step) when stderr is not a TTY or CI=true, so CI logs stay readable.
 */
import { neutralizeWorkflowCommands, singleLine } from '@testgate/core';

interface ProgressUpdate {
  phase: string;
  message: string;
  done?: number | undefined;
  total?: number | undefined;
}

interface ProgressReporter {
  update(event: ProgressUpdate): void;
  /** A line that stays (a finished step, a warning). */
  log(line: string): void;
  /** Clears the spinner; call before printing the report. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** One line; the message may hold a test id from the PR, so no control character gets through. */
function format(event: ProgressUpdate): string {
  const count =
    event.total !== undefined && event.total > 0 ? ` ${event.done ?? 0}/${event.total}` : '';
  return singleLine(`${event.phase}${count}${event.message ? `: ${event.message}` : ''}`);
}

export function createProgressReporter(options: {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Print nothing (e.g. --quiet). */
  quiet?: boolean;
}): ProgressReporter {
  const { stream, env } = options;
  if (options.quiet) return { update() {}, log() {}, stop() {} };
  const interactive =
    stream.isTTY === true && env['CI'] !== 'true' && env['CI'] !== '1' && env['TERM'] !== 'dumb';
  if (!interactive) {
    let last = '';
    return {
      update(event) {
        const line = format(event);
        if (line === last) return;
        last = line;
        stream.write(`testgate: ${line}\n`);
      },
      log(line) {
        stream.write(`testgate: ${neutralizeWorkflowCommands(line)}\n`);
      },
      stop() {},
    };
  }
  let current = '';
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const draw = (): void => {
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const width = Math.max(20, (stream.columns || 80) - 1);
    const text = `${FRAMES[frame % FRAMES.length]} ${current} (${seconds}s)`;
    stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    frame += 1;
  };
  const clear = (): void => {
    stream.write('\r\x1b[K');
  };
  return {
    update(event) {
      current = format(event);
      if (!timer) {
        timer = setInterval(draw, 100);
        timer.unref();
      }
      draw();
    },
    log(line) {
      clear();
      stream.write(`${neutralizeWorkflowCommands(line)}\n`);
      if (timer) draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      clear();
    },
  };
}
