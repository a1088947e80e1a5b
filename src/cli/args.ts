// Flag values shared by several subcommands, parsed with errors that name the flag.
import { resolveModel } from '../../models/zoo.js'
import { InvalidInputError } from '../errors.js'
import { loadGraphFile } from '../graph/load.js'
import type { Graph } from '../graph/types.js'

/** Parses "1,3,224,224" into dims. */
export function parseShape (value: string | undefined, flag = '--input-shape'): number[] | undefined {
  if (value == null) return undefined
  const dims = value.split(/[,x]/).map(s => Number(s.trim()))
  if (dims.length === 0 || dims.some(d => !Number.isInteger(d) || d <= 0)) {
    throw new InvalidInputError(`${flag} takes positive integers separated by commas (e.g. 1,3,224,224), got "${value}"`)
  }
  return dims
}

/** Parses an integer flag within [min, max]. */
export function parseIntFlag (value: string | undefined, flag: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value == null) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidInputError(`${flag} takes an integer from ${min} to ${max}, got "${value}"`)
  }
  return n
}

/** A flag's comma-separated values (given once or repeated) as one list, blanks dropped. */
export function parseList (value: string | readonly string[] | undefined): string[] {
  return [value ?? []].flat().flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
}

/** A MODEL argument resolved (built-in name or .onnx path) and loaded for the --input-shape flag's value. */
export interface LoadedModel {
  graph: Graph
  /** The .onnx file the graph was read from. */
  path: string
  name: string
}

/** Resolves a MODEL argument and loads its graph; `inputShapeFlag` is the raw --input-shape value. */
export async function loadModelArgument (spec: string, inputShapeFlag: string | undefined): Promise<LoadedModel> {
  return await loadModel(spec, parseShape(inputShapeFlag))
}

/** Resolves a MODEL argument and loads its graph at `inputShape` (absent: the model's own). */
export async function loadModel (spec: string, inputShape: number[] | undefined): Promise<LoadedModel> {
  const model = await resolveModel(spec, inputShape != null ? { inputShape } : {})
  const graph = loadGraphFile(model.path, { name: model.name, ...(inputShape != null ? { inputShape } : {}) })
  return { graph, path: model.path, name: model.name }
}
