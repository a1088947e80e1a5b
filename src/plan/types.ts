// The Plan: which device computes which rows of each layer-volume, and where the tail runs.
import type { Range, TensorName } from '../graph/types.js'

/** A device's id as the scenario (or the mesh membership) names it. */
export type DeviceId = string

export interface PlanPart {
  device: DeviceId
  /** Rows [start, end) of the volume's output tensor. */
  rows: Range
  /** Columns [start, end) of the volume's output; absent = all columns. */
  cols?: Range
}

export interface PlanVolume {
  /** The cut tensor that enters the volume. */
  input: TensorName
  /** The cut tensor that leaves it. */
  output: TensorName
  parts: PlanPart[]
}

export interface PlanModel {
  name: string
  sha256: string
  inputShape: number[]
}

export interface Plan {
  planner: string
  scenario?: string
  /** The simulator's end-to-end latency for this plan, when known. */
  predictedMs?: number
  model: PlanModel
  /** Consecutive volumes: the first enters at the model input, each next one where the last left. */
  volumes: PlanVolume[]
  /** Runs everything after the last volume (all of the model when there are no volumes). */
  tail: { device: DeviceId }
}
