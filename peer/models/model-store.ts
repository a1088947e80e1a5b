// The models a peer holds: loaded from a built-in name or a file, regenerated from code, or fetched
// from another peer over /tessera/model/1.0.0 and verified by sha256.
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isBuiltinModel } from '../../models/index.js'
import { cacheDir, ensureBuiltinModel, resolveModel } from '../../models/zoo.js'
import { fetchModel } from '../../protocols/model/client.js'
import { ModelIntegrityError, ModelUnavailableError } from '../../src/errors.js'
import { loadGraph } from '../../src/graph/load.js'
import { logger } from '../../src/logger.js'
import type { HeldModelFile, ModelStore as ServedModels } from '../../protocols/model/handler.js'
import type { Graph } from '../../src/graph/types.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

const log = logger('models')

export interface HeldModel {
  /** Built-in name or file base name. */
  name: string
  sha256: string
  path: string
  inputShape: number[]
  builtin: boolean
  graph: Graph
}

/** What a peer asks for when it lacks a model. */
export interface ModelWanted {
  name: string
  sha256: string
  inputShape: number[]
}

function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export class ModelStore implements ServedModels {
  private readonly models = new Map<string, HeldModel>()
  private readonly pending = new Map<string, Promise<HeldModel>>()

  /** Loads a model from a built-in name (built if needed) or an .onnx path. */
  async add (spec: string, inputShape?: number[]): Promise<HeldModel> {
    const resolved = await resolveModel(spec, inputShape != null ? { inputShape } : {})
    return this.load(resolved.path, resolved.name, resolved.builtin, resolved.builtin ? undefined : inputShape)
  }

  /** A held model by sha256. */
  get (sha256: string): HeldModel | undefined {
    return this.models.get(sha256)
  }

  /** A held model by name (the first one, when several share it). */
  byName (name: string): HeldModel | undefined {
    return [...this.models.values()].find(m => m.name === name)
  }

  list (): HeldModel[] {
    return [...this.models.values()]
  }

  find (sha256: string): HeldModelFile | undefined {
    const m = this.models.get(sha256)
    return m == null ? undefined : { name: m.name, path: m.path }
  }

  /**
   * Obtains a model this peer lacks: a built-in one is regenerated from code and kept if its sha256
   * matches; otherwise it is fetched from the first peer that has it.
   */
  async obtain (wanted: ModelWanted, sources: Array<(options?: AbortOptions) => Promise<Stream>>, options: AbortOptions = {}): Promise<HeldModel> {
    const held = this.models.get(wanted.sha256)
    if (held != null) return held
    let p = this.pending.get(wanted.sha256)
    if (p == null) {
      p = this.fetch(wanted, sources, options)
      this.pending.set(wanted.sha256, p)
      p.finally(() => this.pending.delete(wanted.sha256)).catch((err: Error) => { log('fetch of %s failed: %s', wanted.sha256, err.message) })
    }
    return await p
  }

  private async fetch (wanted: ModelWanted, sources: Array<(options?: AbortOptions) => Promise<Stream>>, options: AbortOptions): Promise<HeldModel> {
    if (isBuiltinModel(wanted.name)) {
      const path = await ensureBuiltinModel(wanted.name, { inputShape: wanted.inputShape })
      const sha = sha256Hex(await readFile(path))
      if (sha === wanted.sha256) {
        log('regenerated built-in %s: sha256 matches', wanted.name)
        return await this.load(path, wanted.name, true)
      }
      log('regenerated built-in %s hashes to %s, not %s: fetching it', wanted.name, sha, wanted.sha256)
    }
    const dir = join(cacheDir(), 'fetched')
    await mkdir(dir, { recursive: true })
    const path = join(dir, `${wanted.sha256}.onnx`)
    const failures: string[] = []
    for (const open of sources) {
      try {
        const stream = await open(options)
        const got = await fetchModel(stream, wanted.sha256, path, options)
        log('fetched %s (%d bytes), sha256 verified', got.name, got.byteLength)
        return await this.load(path, wanted.name, false, wanted.inputShape)
      } catch (err: any) {
        if (err?.name === 'AbortError') throw err
        failures.push(`${err?.name as string}: ${err?.message as string}`)
        log('fetching %s failed: %s', wanted.name, err?.message)
      }
    }
    throw new ModelUnavailableError(`no peer could provide model "${wanted.name}" (${wanted.sha256})${failures.length > 0 ? `: ${failures.join('; ')}` : ''}`)
  }

  private async load (path: string, name: string, builtin: boolean, inputShape?: number[]): Promise<HeldModel> {
    const bytes = await readFile(path)
    const graph = loadGraph(bytes, { name, ...(inputShape != null ? { inputShape } : {}) })
    if (graph.sha256 !== sha256Hex(bytes)) throw new ModelIntegrityError(`model ${path}: the graph's sha256 differs from the file's`)
    const model: HeldModel = { name, sha256: graph.sha256, path, inputShape: [...graph.inputShape], builtin, graph }
    this.models.set(model.sha256, model)
    return model
  }
}
