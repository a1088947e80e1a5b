// The tables the commands print: aligned text (columns two spaces apart) or markdown.

export interface TableOptions {
  /** Whether column `i` holds numbers: right-aligned (and `---:` in markdown). Default: none. */
  numeric?: (column: number) => boolean
  /** A markdown table instead of aligned text. */
  markdown?: boolean
  /** A line of dashes under the header (text only). */
  rule?: boolean
}

/** The header and rows as one string without a final newline; a text column last in its row is not padded. */
export function renderTable (head: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const numeric = options.numeric ?? (() => false)
  if (options.markdown === true) {
    const sep = head.map((_, i) => numeric(i) ? '---:' : '---')
    return [head, sep, ...rows].map((l) => `| ${l.join(' | ')} |`).join('\n')
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((l) => l[i].length)))
  const line = (l: readonly string[]): string => l.map((c, i) => numeric(i) ? c.padStart(widths[i]) : i === l.length - 1 ? c : c.padEnd(widths[i])).join('  ')
  return [line(head), ...(options.rule === true ? [widths.map((w) => '-'.repeat(w)).join('  ')] : []), ...rows.map(line)].join('\n')
}
