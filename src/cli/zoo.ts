// tessera zoo: list the built-in models, or build them (seeded random weights) into the model cache.
import { existsSync, statSync } from 'node:fs'
import { BUILTIN_MODELS, BUILTIN_MODEL_NAMES, isBuiltinModel } from '../../models/index.js'
import { MAX_SEED } from '../../models/onnx-builder.js'
import { DEFAULT_SEED, builtinModelPath, cacheDir, ensureBuiltinModel } from '../../models/zoo.js'
import { InvalidInputError } from '../errors.js'
import { parseIntFlag, parseShape } from './args.js'
import { parseCommand } from './command.js'
import { renderTable } from './table.js'

const HELP = `usage: tessera zoo [--list] [--seed S] [--input-shape 1,3,H,W] [NAME...]

Builds the named built-in models (all of them when none is named) as ONNX files with seeded
random weights into the model cache ($TESSERA_CACHE, default .cache/models), and prints their
paths. A model already in the cache is not built again.

  --list              print each model's default input shape, parameter count and description
  --seed S            weight seed, 0..${MAX_SEED} (default ${DEFAULT_SEED}); the same seed gives the same bytes
  --input-shape SHAPE input shape N,3,H,W (default: each model's published size)`

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 'any',
    options: {
      list: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'input-shape': { type: 'string' }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const unknown = positionals.filter(name => !isBuiltinModel(name))
  if (unknown.length > 0) {
    throw new InvalidInputError(`unknown model ${unknown.map(n => `"${n}"`).join(', ')} (built-in models: ${BUILTIN_MODEL_NAMES.join(', ')})`)
  }
  const names = positionals.length > 0 ? positionals : [...BUILTIN_MODEL_NAMES]
  const seed = parseIntFlag(values.seed, '--seed', DEFAULT_SEED, 0, MAX_SEED)
  const inputShape = parseShape(values['input-shape'])
  // check every shape before building anything, so a bad flag does not leave half a batch built
  const shapes = new Map(names.map(name => [name, BUILTIN_MODELS[name].inputShape(inputShape)]))

  if (values.list) {
    const rows: string[][] = []
    for (const name of names) {
      const model = BUILTIN_MODELS[name]
      const shape = shapes.get(name) as number[]
      rows.push([name, shape.join('x'), model.parameterCount({ inputShape: shape }).toLocaleString('en-US'), model.description])
    }
    process.stdout.write(renderTable(['name', 'input shape', 'parameters', 'description'], rows) + '\n')
    return 0
  }

  process.stderr.write(`model cache: ${cacheDir()}\n`)
  for (const name of names) {
    const options = { seed, inputShape: shapes.get(name) }
    const cached = existsSync(builtinModelPath(name, options))
    const started = performance.now()
    const path = await ensureBuiltinModel(name, options)
    const mb = (statSync(path).size / 1e6).toFixed(1)
    const how = cached ? 'cached' : `built in ${((performance.now() - started) / 1000).toFixed(1)} s`
    process.stderr.write(`${name}: ${(options.inputShape as number[]).join('x')} seed ${seed}, ${mb} MB, ${how}\n`)
    process.stdout.write(path + '\n')
  }
  return 0
}
