// The model cache: built-in models are generated once per (name, input shape, seed) into a directory
// outside version control; a model spec names either a built-in model or an .onnx file.
import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises'
import { basename, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidInputError } from '../src/errors.js'
import { logger } from '../src/logger.js'
import { BUILTIN_MODELS, BUILTIN_MODEL_NAMES, isBuiltinModel } from './index.js'
import type { BuiltinModel, ModelOptions } from './index.js'
import { checkSeed } from './onnx-builder.js'

const log = logger('zoo')

/** The seed built-in models use unless told otherwise. */
export const DEFAULT_SEED = 0

/** Environment variable that moves the cache. */
export const CACHE_ENV = 'TESSERA_CACHE'

const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../.cache/models', import.meta.url))

/** Where generated models go: $TESSERA_CACHE, else <repo>/.cache/models. */
export function cacheDir (): string {
  const dir = process.env[CACHE_ENV]
  return dir != null && dir !== '' ? resolve(dir) : DEFAULT_CACHE_DIR
}

/** A model ready to load. */
export interface ResolvedModel {
  path: string
  /** The built-in name, or the file name without ".onnx". */
  name: string
  builtin: boolean
}

function builtin (name: string): BuiltinModel {
  if (!isBuiltinModel(name)) {
    throw new InvalidInputError(`unknown built-in model "${name}" (built-in models: ${BUILTIN_MODEL_NAMES.join(', ')})`)
  }
  return BUILTIN_MODELS[name]
}

/** The cache path of a built-in model at an input shape and seed; checks all three. */
export function builtinModelPath (name: string, options: ModelOptions = {}): string {
  const model = builtin(name)
  const shape = model.inputShape(options.inputShape)
  const seed = checkSeed(options.seed ?? DEFAULT_SEED)
  return join(cacheDir(), `${name}-${shape.join('x')}-seed${seed}.onnx`)
}

/** Builds a built-in model into the cache unless it is there already; returns its path. */
export async function ensureBuiltinModel (name: string, options: ModelOptions = {}): Promise<string> {
  const path = builtinModelPath(name, options)
  if (existsSync(path)) {
    log('%s: cached at %s', name, path)
    return path
  }
  const inputShape = BUILTIN_MODELS[name].inputShape(options.inputShape)
  const seed = options.seed ?? DEFAULT_SEED
  const started = performance.now()
  const bytes = BUILTIN_MODELS[name].build({ inputShape, seed })
  log('%s: built %d bytes in %d ms', name, bytes.length, Math.round(performance.now() - started))
  await mkdir(cacheDir(), { recursive: true })
  // write-then-rename: a reader (or a concurrent builder) never sees a half-written file
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`
  try {
    await writeFile(temp, bytes)
    await rename(temp, path)
  } catch (err) {
    await unlink(temp).catch((unlinkErr: Error) => log('could not remove %s: %s', temp, unlinkErr.message))
    throw err
  }
  return path
}

/** Resolves a built-in model name (building it if needed) or a path to an existing .onnx file. */
export async function resolveModel (spec: string, options: ModelOptions = {}): Promise<ResolvedModel> {
  if (isBuiltinModel(spec)) {
    return { path: await ensureBuiltinModel(spec, options), name: spec, builtin: true }
  }
  const path = resolve(spec)
  const isFile = existsSync(path) && statSync(path).isFile()
  if (isFile && extname(path).toLowerCase() === '.onnx') {
    return { path, name: basename(path, extname(path)), builtin: false }
  }
  const why = extname(spec).toLowerCase() === '.onnx' ? `there is no file ${path}` : 'is not a path to an .onnx file'
  throw new InvalidInputError(`model "${spec}" is not a built-in model (${BUILTIN_MODEL_NAMES.join(', ')}) and ${why}`)
}
