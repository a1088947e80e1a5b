// Semantic checks of a plan against the model it is for: consecutive volumes between valid cuts,
// parts that tile each volume's output exactly, known devices, unsplittable volumes kept whole.
import { InvalidPlanError } from '../errors.js'
import { cutPoints } from '../graph/cuts.js'
import { unsplittableReason } from '../graph/regions.js'
import type { Graph, Range } from '../graph/types.js'
import type { DeviceId, Plan, PlanPart } from './types.js'

export interface ValidateOptions {
  /** The devices a plan may use; when given, any other device id is an error. */
  devices?: readonly DeviceId[]
}

const show = (r: Range): string => `[${r[0]}, ${r[1]})`
const empty = (r: Range): boolean => r[1] <= r[0]

function checkRange (where: string, what: string, r: Range, length: number, axis: string): void {
  if (!Number.isInteger(r[0]) || !Number.isInteger(r[1]) || r[0] < 0 || r[1] < r[0]) {
    throw new InvalidPlanError(`${where}: ${what} ${show(r)} is not a range [start, end) with 0 <= start <= end`)
  }
  if (r[1] > length) throw new InvalidPlanError(`${where}: ${what} ${show(r)} run past the output's ${length} ${axis}`)
}

/** Rows-only parts: in plan order, each non-empty part starts where the last one ended, from 0 to H. */
function checkRowTiling (where: string, parts: PlanPart[], H: number): void {
  let next = 0
  let last = -1
  parts.forEach((p, i) => {
    if (empty(p.rows)) return
    if (p.rows[0] > next) {
      throw new InvalidPlanError(`${where}: rows ${show([next, p.rows[0]])} are computed by no part (gap before parts[${i}] ${show(p.rows)})`)
    }
    if (p.rows[0] < next) {
      throw new InvalidPlanError(`${where}: parts[${last}] and parts[${i}] overlap in rows ${show([p.rows[0], Math.min(next, p.rows[1])])}`)
    }
    next = p.rows[1]
    last = i
  })
  if (next !== H) throw new InvalidPlanError(`${where}: rows ${show([next, H])} are computed by no part (the output has ${H} rows)`)
}

/** Parts with columns: their rectangles must not overlap and must cover the output. */
function checkRectTiling (where: string, parts: PlanPart[], H: number, W: number): void {
  const rects = parts.map((p, i) => ({ i, rows: p.rows, cols: p.cols ?? [0, W] as Range }))
    .filter(r => !empty(r.rows) && !empty(r.cols))
  for (let a = 0; a < rects.length; a++) {
    for (let b = a + 1; b < rects.length; b++) {
      const x = rects[a]
      const y = rects[b]
      const rows: Range = [Math.max(x.rows[0], y.rows[0]), Math.min(x.rows[1], y.rows[1])]
      const cols: Range = [Math.max(x.cols[0], y.cols[0]), Math.min(x.cols[1], y.cols[1])]
      if (!empty(rows) && !empty(cols)) {
        throw new InvalidPlanError(`${where}: parts[${x.i}] and parts[${y.i}] overlap in rows ${show(rows)} cols ${show(cols)}`)
      }
    }
  }
  const area = rects.reduce((s, r) => s + (r.rows[1] - r.rows[0]) * (r.cols[1] - r.cols[0]), 0)
  if (area !== H * W) throw new InvalidPlanError(`${where}: the parts cover ${area} of the output's ${H * W} positions (${H} rows x ${W} cols); some are computed by no part`)
}

/** Throws InvalidPlanError (naming the volume and part) when `plan` does not fit `graph`. */
export function validatePlan (graph: Graph, plan: Plan, options: ValidateOptions = {}): void {
  if (plan.model.sha256 !== graph.sha256) {
    throw new InvalidPlanError(`the plan is for model ${plan.model.name} with sha256 ${plan.model.sha256.slice(0, 12)}..., not ${graph.name} (${graph.sha256.slice(0, 12)}...)`)
  }
  if (plan.model.inputShape.join(',') !== graph.inputShape.join(',')) {
    throw new InvalidPlanError(`the plan is for input shape [${plan.model.inputShape.join(',')}], the model is loaded for [${graph.inputShape.join(',')}]`)
  }
  const known = options.devices != null ? new Set(options.devices) : undefined
  const checkDevice = (where: string, device: DeviceId): void => {
    if (known != null && !known.has(device)) {
      throw new InvalidPlanError(`${where}: unknown device "${device}" (known: ${[...known].join(', ')})`)
    }
  }
  const cuts = cutPoints(graph)
  const position = new Map(cuts.map((t, i) => [t, i]))
  let from = graph.input
  plan.volumes.forEach((v, vi) => {
    const where = `volumes[${vi}] (${v.input} -> ${v.output})`
    if (v.input !== from) {
      throw new InvalidPlanError(`${where}: must start at "${from}", where ${vi === 0 ? 'the model input enters' : 'volumes[' + String(vi - 1) + '] ends'}`)
    }
    for (const t of [v.input, v.output]) {
      if (!position.has(t)) {
        throw new InvalidPlanError(`${where}: "${t}" is not a valid cut (${graph.shapes.has(t) ? 'more than one tensor crosses there, or it lies past the spatial prefix' : 'no such tensor'})`)
      }
    }
    if (position.get(v.output)! <= position.get(v.input)!) {
      throw new InvalidPlanError(`${where}: its output "${v.output}" does not come after its input`)
    }
    const shape = graph.shapes.get(v.output)!
    const axes = graph.layout.get(v.output)!
    const H = shape[axes.h]
    const W = shape[axes.w]
    v.parts.forEach((p, pi) => {
      const pw = `${where} parts[${pi}]`
      checkRange(pw, 'rows', p.rows, H, 'rows')
      if (p.cols != null) checkRange(pw, 'cols', p.cols, W, 'columns')
      checkDevice(pw, p.device)
    })
    if (v.parts.some(p => p.cols != null)) checkRectTiling(where, v.parts, H, W)
    else checkRowTiling(where, v.parts, H)
    const reason = unsplittableReason(graph, v)
    const busy = v.parts.filter(p => !empty(p.rows) && (p.cols == null || !empty(p.cols)))
    if (reason != null && busy.length > 1) {
      throw new InvalidPlanError(`${where}: cannot be split (${reason}); give all its rows to one part`)
    }
    from = v.output
  })
  checkDevice('tail', plan.tail.device)
}
