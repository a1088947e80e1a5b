// A schedule drawn as an SVG Gantt chart: per device one lane each for compute, sending and receiving.
import type { SimResult, TimelineInterval } from './types.js'

const LABEL = 120
const WIDTH = 1000
const LANE = 14
const GAP = 10
const TOP = 34
const LANES = ['compute', 'send', 'receive'] as const

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** A round tick step giving about `count` ticks over `span`. */
function tickStep (span: number, count = 10): number {
  const raw = span / count
  const p = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p
  return 10 * p
}

function lane (i: TimelineInterval): number {
  return i.kind === 'compute' || i.kind === 'tail' ? 0 : i.kind === 'send' ? 1 : 2
}

function colour (i: TimelineInterval): string {
  switch (i.kind) {
    case 'compute': return `hsl(${(i.volume * 47) % 360}, 60%, 55%)`
    case 'tail': return '#555'
    case 'send': return '#e69138'
    case 'receive': return '#3d85c6'
  }
}

function label (i: TimelineInterval): string {
  const span = `${i.start.toFixed(2)}-${i.end.toFixed(2)} ms`
  switch (i.kind) {
    case 'compute': return `volume ${i.volume + 1} part ${i.part + 1}, rows [${i.rows[0]}, ${i.rows[1]}): ${span}`
    case 'tail': return `tail: ${span}`
    case 'send': return `send ${i.bytes} B to ${i.to}: ${span}`
    case 'receive': return `receive ${i.bytes} B from ${i.from}: ${span}`
  }
}

/** The SVG document of a simulated schedule. */
export function ganttSvg (result: SimResult, title: string): string {
  const span = Math.max(result.latencyMs, 1e-9)
  const x = (t: number): number => LABEL + (t / span) * WIDTH
  const rowHeight = LANES.length * LANE + GAP
  const height = TOP + result.timeline.length * rowHeight + 30
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL + WIDTH + 20}" height="${height}" font-family="sans-serif" font-size="11">`)
  out.push(`<rect width="100%" height="100%" fill="white"/>`)
  out.push(`<text x="${LABEL}" y="16" font-size="13">${escape(title)}: ${result.latencyMs.toFixed(2)} ms end to end</text>`)
  result.timeline.forEach((row, r) => {
    const y0 = TOP + r * rowHeight
    out.push(`<text x="4" y="${y0 + LANE + 4}" font-weight="bold">${escape(row.device)}</text>`)
    LANES.forEach((name, l) => {
      out.push(`<text x="${LABEL - 6}" y="${y0 + l * LANE + 11}" text-anchor="end" fill="#777" font-size="9">${name}</text>`)
      out.push(`<line x1="${LABEL}" x2="${LABEL + WIDTH}" y1="${y0 + (l + 1) * LANE}" y2="${y0 + (l + 1) * LANE}" stroke="#eee"/>`)
    })
    for (const i of row.intervals) {
      const w = Math.max(0.5, x(i.end) - x(i.start))
      out.push(`<rect x="${x(i.start).toFixed(2)}" y="${y0 + lane(i) * LANE + 1}" width="${w.toFixed(2)}" height="${LANE - 2}" fill="${colour(i)}" stroke="white" stroke-width="0.5"><title>${escape(label(i))}</title></rect>`)
    }
  })
  const axisY = TOP + result.timeline.length * rowHeight + 4
  const step = tickStep(span)
  out.push(`<line x1="${LABEL}" x2="${LABEL + WIDTH}" y1="${axisY}" y2="${axisY}" stroke="#333"/>`)
  for (let t = 0; t <= span + 1e-9; t += step) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${axisY}" y2="${axisY + 4}" stroke="#333"/><text x="${x(t)}" y="${axisY + 15}" text-anchor="middle">${Number(t.toPrecision(6))}</text>`)
  }
  out.push(`<text x="${LABEL + WIDTH}" y="${axisY + 26}" text-anchor="end" fill="#777">ms</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}
