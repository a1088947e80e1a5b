import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { InvalidInputError } from '../src/errors.js'
import { NODE_FLAGS, TESSERA_BIN, parseNodeFlags, tesseraArgs } from '../src/node-flags.js'

describe('the flags tessera processes run with', () => {
  it('are the ones bin/tessera.js starts itself with', () => {
    const shebang = readFileSync(TESSERA_BIN, 'utf8').split('\n')[0]
    assert.equal(shebang, `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`)
  })

  it("are the ones npm's scripts start it with", () => {
    const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>
    const runs = Object.entries(scripts).filter(([, cmd]) => cmd.includes('bin/tessera.js'))
    assert.ok(runs.length > 0)
    for (const [name, cmd] of runs) assert.ok(cmd.includes(`node ${NODE_FLAGS.join(' ')} bin/tessera.js`), `npm run ${name}: ${cmd}`)
  })

  it('are flags this node accepts, and tessera runs under them', () => {
    const r = spawnSync(process.execPath, tesseraArgs(['--help']), { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /usage: tessera <command>/)
    const bad = spawnSync(process.execPath, tesseraArgs(['--help'], ['--no-such-v8-flag-at-all']), { encoding: 'utf8' })
    assert.notEqual(bad.status, 0)
  })

  it('can be replaced from the command line, or dropped', () => {
    assert.deepEqual(parseNodeFlags('--trace-gc  --initial-heap-size=64'), ['--trace-gc', '--initial-heap-size=64'])
    assert.deepEqual(parseNodeFlags('none'), [])
    assert.deepEqual(tesseraArgs(['peer'], []), [TESSERA_BIN, 'peer'])
    assert.throws(() => parseNodeFlags(''), InvalidInputError)
    // the first word that is not a flag is named
    assert.throws(() => parseNodeFlags('--trace-gc; rm -rf /'), (err: Error) => err instanceof InvalidInputError && err.message.includes('"--trace-gc;"'))
    assert.throws(() => parseNodeFlags('trace-gc'), /--node-flags takes Node\/V8 flags/)
  })
})
