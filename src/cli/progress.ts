// One progress line on a terminal stream: rewritten in place on a TTY, a line per update otherwise (throttled).

export interface ProgressLine {
  update: (message: string) => void
  /** Ends the line (on a TTY) so later output starts clean. */
  done: () => void
}

/** A progress line on `stream` (normally stderr). */
export function progressLine (stream: NodeJS.WriteStream, minIntervalMs = 1000): ProgressLine {
  const tty = stream.isTTY === true
  let last = 0
  let shown = false
  return {
    update (message) {
      const now = Date.now()
      if (tty) {
        stream.write(`\r\x1b[K${message}`)
        shown = true
      } else if (now - last >= minIntervalMs) {
        stream.write(message + '\n')
        last = now
      }
    },
    done () {
      if (tty && shown) stream.write('\n')
      shown = false
    }
  }
}

/** A text bar: [#####.....] 50% */
export function bar (fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, fraction))
  const full = Math.round(f * width)
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`
}
