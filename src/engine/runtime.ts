// The one file that talks to onnxruntime-node: sessions with a thread count, run, dispose.
// It runs on exactly the execution provider asked for and says which; an unavailable provider is
// an error, never a silent fall back to another one.
import ort from 'onnxruntime-node'
import { ExecutionProviderError, RuntimeError } from '../errors.js'
import { logger } from '../logger.js'
import type { DataType, TypedData } from '../graph/types.js'
import type { HostTensor } from './tensor.js'

const log = logger('runtime')

/** Execution provider used when none is asked for. */
export const DEFAULT_EXECUTION_PROVIDER = 'cpu'

export interface RuntimeOptions {
  /** Threads for one op (onnxruntime intra-op threads); default 1. */
  threads?: number
  /** Execution provider name as onnxruntime-node lists it (default "cpu"). */
  executionProvider?: string
  /** onnxruntime graph optimisation (default "all"). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all'
}

/** A loaded model ready to run. */
export interface RuntimeSession {
  /** The execution provider the session runs on. */
  readonly executionProvider: string
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  /** Runs the model; returns every output by name. */
  run: (feeds: Record<string, HostTensor>) => Promise<Record<string, HostTensor>>
  dispose: () => Promise<void>
}

/** Execution providers this onnxruntime-node build can run on right now. */
export function availableExecutionProviders (): string[] {
  return ort.listSupportedBackends().filter(b => b.bundled).map(b => b.name)
}

/** Creates a session for ONNX model bytes. */
export async function createSession (bytes: Uint8Array, options: RuntimeOptions = {}): Promise<RuntimeSession> {
  const ep = options.executionProvider ?? DEFAULT_EXECUTION_PROVIDER
  const available = availableExecutionProviders()
  if (!available.includes(ep)) {
    throw new ExecutionProviderError(`execution provider "${ep}" is not available in this onnxruntime-node build (available: ${available.join(', ')})`)
  }
  const threads = options.threads ?? 1
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: [ep],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: options.optimization ?? 'all',
      logSeverityLevel: 3,
      // keep the provider asked for: nodes it cannot take make the session fail instead of moving to the CPU
      ...(ep !== 'cpu' ? { extra: { session: { disable_cpu_ep_fallback: '1' } } } : {})
    })
  } catch (err: any) {
    throw new RuntimeError(`onnxruntime could not load the model on ${ep}: ${err.message as string}`)
  }
  log('session on %s, %d thread(s), inputs %o outputs %o', ep, threads, session.inputNames, session.outputNames)
  return {
    executionProvider: ep,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run (feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {}
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dataType as any, t.data as any, t.dims)
      let results: ort.InferenceSession.OnnxValueMapType
      try {
        results = await session.run(ortFeeds)
      } catch (err: any) {
        throw new RuntimeError(`onnxruntime failed to run: ${err.message as string}`)
      }
      const out: Record<string, HostTensor> = {}
      for (const [name, v] of Object.entries(results)) {
        const t = v as ort.Tensor
        out[name] = { dataType: t.type as DataType, dims: [...t.dims], data: t.data as unknown as TypedData }
      }
      return out
    },
    async dispose () {
      await session.release()
    }
  }
}
