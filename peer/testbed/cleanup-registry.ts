// Everything the testbed creates is recorded here as it is created, with the step that removes it.
// Cleanup undoes the steps newest first (processes before the cgroups and namespaces they live in),
// keeps going past a failed step, and runs at most once however many paths (success, error, signal)
// reach it.
import { logger } from '../../src/logger.js'

const log = logger('testbed')

export interface CleanupFailure {
  label: string
  error: Error
}

interface Step {
  label: string
  undo: () => Promise<void>
}

export class CleanupRegistry {
  private readonly steps: Step[] = []
  private running?: Promise<CleanupFailure[]>

  /** Records how to remove something just created. */
  add (label: string, undo: () => Promise<void>): void {
    if (this.running != null) throw new Error(`cannot record "${label}": cleanup has started`)
    this.steps.push({ label, undo })
  }

  /** Labels of what is still to be removed, oldest first. */
  pending (): string[] {
    return this.steps.map(s => s.label)
  }

  /** Removes everything recorded, newest first; the failures (each logged) are returned, not thrown. */
  async cleanup (): Promise<CleanupFailure[]> {
    this.running ??= this.undoAll()
    return await this.running
  }

  private async undoAll (): Promise<CleanupFailure[]> {
    const failures: CleanupFailure[] = []
    while (this.steps.length > 0) {
      const step = this.steps.pop()!
      try {
        await step.undo()
        log('removed %s', step.label)
      } catch (err: any) {
        const error = err instanceof Error ? err : new Error(String(err))
        log('removing %s failed: %s', step.label, error.message)
        failures.push({ label: step.label, error })
      }
    }
    return failures
  }
}
