// Runs planners in a worker thread, one at a time; a run can be cancelled (the worker is replaced).
import { WorkerClient } from '../workers/worker-client.js'
import type { PlanJobArgs, PlanJobResult, PredictJobArgs } from './planner-job.js'

export class PlannerRunner {
  private worker?: WorkerClient
  private running = 0

  /** Whether a planner is running now. */
  get busy (): boolean {
    return this.running > 0
  }

  /** Plans in the worker; aborting `signal` kills the run. */
  async run (args: PlanJobArgs, options: { signal?: AbortSignal, onProgress?: (message: string) => void } = {}): Promise<PlanJobResult> {
    this.worker ??= new WorkerClient(new URL('./planner-job.ts', import.meta.url), 'planner')
    const worker = this.worker
    this.running++
    try {
      return await worker.call<PlanJobResult>('plan', args, { signal: options.signal, onProgress: options.onProgress })
    } catch (err) {
      if (options.signal?.aborted === true) {
        // the planner cannot be interrupted inside the worker: drop the worker instead
        this.worker = undefined
        await worker.terminate()
      }
      throw err
    } finally {
      this.running--
    }
  }

  /** The simulator's latency of a plan on a scenario (ms): milliseconds of work, queued behind a running planner. */
  async predict (args: PredictJobArgs): Promise<number> {
    this.worker ??= new WorkerClient(new URL('./planner-job.ts', import.meta.url), 'planner')
    return await this.worker.call<number>('predict', args)
  }

  /**
   * Starts the worker (and, with `model`, loads its graph) now rather than when planning is urgent.
   * A graph holds the model's weights: loaded only on the peer that will plan with it.
   */
  async warm (model?: { modelPath: string, name: string, inputShape: number[] }): Promise<void> {
    this.worker ??= new WorkerClient(new URL('./planner-job.ts', import.meta.url), 'planner')
    await this.worker.call<null>('warm', model ?? null)
  }

  async stop (): Promise<void> {
    await this.worker?.terminate()
    this.worker = undefined
  }
}
