import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { processCpuMs } from '../src/process-cpu.js'

// Spins 400 ms, reports the CPU it has used since it started, then waits to be killed.
const SPINNER = `
let x = 0; const t0 = performance.now(); while (performance.now() - t0 < 400) x += Math.sqrt(x + 1)
const c = process.cpuUsage(); process.stdout.write(JSON.stringify({ cpuMs: (c.user + c.system) / 1000, x: x > 0 }) + '\\n')
setInterval(() => {}, 1000)`

describe('process CPU time from /proc', { skip: process.platform !== 'linux' }, () => {
  it("agrees with the process's own count", async () => {
    const child = spawn(process.execPath, ['-e', SPINNER], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const [line] = await once(createInterface({ input: child.stdout }), 'line') as [string]
      const own = JSON.parse(line).cpuMs as number
      const seen = await processCpuMs(child.pid!)
      assert.ok(seen != null)
      // the same clock at 10 ms granularity; /proc also counts the threads that process.cpuUsage() counts
      assert.ok(own >= 350, `the spinner used ${own} ms`)
      assert.ok(seen >= own - 20 && seen <= own + 500, `/proc says ${seen} ms, the process ${own} ms`)
    } finally {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  })

  it('is undefined for a process that does not exist', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await once(child, 'exit')
    assert.equal(await processCpuMs(child.pid!), undefined)
  })
})
