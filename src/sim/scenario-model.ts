// The model a scenario names (a built-in name or a path to .onnx), loaded once per process per file and shape.
import { statSync } from 'node:fs'
import { isAbsolute, resolve as resolvePath } from 'node:path'
import { isBuiltinModel } from '../../models/index.js'
import { resolveModel } from '../../models/zoo.js'
import { loadGraphFile } from '../graph/load.js'
import type { Graph } from '../graph/types.js'

const graphs = new Map<string, Graph>()

/** Loads the scenario's model for its input shape (the model's own when absent); paths are taken from baseDir. */
export async function loadScenarioModel (model: string, inputShape: number[] | undefined, baseDir: string): Promise<Graph> {
  const spec = isBuiltinModel(model) || isAbsolute(model) ? model : resolvePath(baseDir, model)
  const resolved = await resolveModel(spec, { inputShape })
  const key = `${resolved.path}\u0000${inputShape?.join(',') ?? ''}\u0000${statSync(resolved.path).mtimeMs}`
  let graph = graphs.get(key)
  if (graph == null) {
    graph = loadGraphFile(resolved.path, { inputShape, name: resolved.name })
    graphs.set(key, graph)
  }
  return graph
}
