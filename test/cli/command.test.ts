import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseCommand, type CommandOutput } from '../../src/cli/command.js'
import { tessera } from './cli-scenario.js'

const USAGE = 'usage: tessera thing NAME [--count N] [--fast]'

/** An output that keeps what is written to each stream. */
function capture (): CommandOutput & { out: string, err: string } {
  const io = {
    out: '',
    err: '',
    stdout: { write: (text: string) => { io.out += text } },
    stderr: { write: (text: string) => { io.err += text } }
  }
  return io
}

const OPTIONS = { count: { type: 'string' }, fast: { type: 'boolean', default: false }, tag: { type: 'string', multiple: true } } as const

describe('parseCommand', () => {
  it('returns the flags and positionals', () => {
    const io = capture()
    const r = parseCommand(['vgg16', '--count', '3', '--tag', 'a', '--tag', 'b'], { usage: USAGE, options: OPTIONS, positionals: 1 }, io)
    assert.notEqual(typeof r, 'number')
    if (typeof r === 'number') return
    assert.deepEqual(r.positionals, ['vgg16'])
    assert.equal(r.values.count, '3')
    assert.equal(r.values.fast, false)
    assert.deepEqual(r.values.tag, ['a', 'b'])
    assert.equal(r.values.help, false)
    assert.equal(io.out + io.err, '')
  })

  it('prints the usage on stdout for --help and -h (exit 0), before any check of the positionals', () => {
    for (const flag of ['--help', '-h']) {
      const io = capture()
      assert.equal(parseCommand([flag], { usage: USAGE, options: OPTIONS, positionals: 1 }, io), 0)
      assert.equal(io.out, USAGE + '\n')
      assert.equal(io.err, '')
    }
    const io = capture()
    assert.equal(parseCommand(['--help'], { usage: () => `${USAGE} (built)`, options: OPTIONS }, io), 0)
    assert.equal(io.out, `${USAGE} (built)\n`)
  })

  it('throws InvalidInputError (exit code 2) naming an unknown flag', () => {
    assert.throws(() => parseCommand(['x', '--bogus'], { usage: USAGE, options: OPTIONS, positionals: 1 }, capture()), (err: any) => {
      assert.equal(err.name, 'InvalidInputError')
      assert.equal(err.exitCode, 2)
      assert.match(err.message, /Unknown option '--bogus'/)
      return true
    })
  })

  it('throws InvalidInputError for a flag without its value and for a value given to a boolean flag', () => {
    assert.throws(() => parseCommand(['x', '--count'], { usage: USAGE, options: OPTIONS, positionals: 1 }, capture()),
      { name: 'InvalidInputError', message: /Option '--count <value>' argument missing/ })
    assert.throws(() => parseCommand(['x', '--fast=yes'], { usage: USAGE, options: OPTIONS, positionals: 1 }, capture()),
      { name: 'InvalidInputError', message: /--fast/ })
  })

  it('rejects a positional when the command takes none, naming it', () => {
    assert.throws(() => parseCommand(['stray'], { usage: USAGE, options: OPTIONS }, capture()),
      { name: 'InvalidInputError', message: /Unexpected argument 'stray'/ })
  })

  it('prints the usage on stderr (exit 2) for a missing or an extra positional', () => {
    for (const argv of [[], ['--fast'], ['a', 'b']]) {
      const io = capture()
      assert.equal(parseCommand(argv, { usage: USAGE, options: OPTIONS, positionals: 1 }, io), 2, argv.join(' '))
      assert.equal(io.err, USAGE + '\n')
      assert.equal(io.out, '')
    }
  })

  it('takes any number of positionals with "any"', () => {
    const r = parseCommand(['a', 'b', 'c'], { usage: USAGE, options: OPTIONS, positionals: 'any' }, capture())
    assert.deepEqual(typeof r === 'number' ? r : r.positionals, ['a', 'b', 'c'])
    const none = parseCommand([], { usage: USAGE, options: OPTIONS, positionals: 'any' }, capture())
    assert.deepEqual(typeof none === 'number' ? none : none.positionals, [])
  })

  it('prints the usage on stderr (exit 2) when a required flag is missing', () => {
    const io = capture()
    assert.equal(parseCommand(['--fast'], { usage: USAGE, options: OPTIONS, required: ['count'] }, io), 2)
    assert.equal(io.err, USAGE + '\n')
    const r = parseCommand(['--count', '7'], { usage: USAGE, options: OPTIONS, required: ['count'] }, capture())
    assert.equal(typeof r === 'number' ? r : r.values.count, '7')
  })
})

describe('the commands on parseCommand', () => {
  it('tessera inspect: --help on stdout (exit 0), no MODEL: the usage on stderr (exit 2), an unknown flag named (exit 2)', () => {
    const help = tessera('inspect', '--help')
    assert.equal(help.code, 0)
    assert.match(help.stdout, /^usage: tessera inspect MODEL \[--input-shape 1,3,H,W\] \[--json\]\n/)
    const missing = tessera('inspect')
    assert.equal(missing.code, 2)
    assert.equal(missing.stderr, help.stdout)
    assert.equal(missing.stdout, '')
    const bogus = tessera('inspect', 'vgg16', '--bogus')
    assert.equal(bogus.code, 2)
    assert.match(bogus.stderr, /^tessera inspect: Unknown option '--bogus'/)
  })

  it('tessera bench simulator: a flag without its value and a bad value are named (exit 2)', () => {
    const r = tessera('bench', 'simulator', '--plans')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^tessera bench: Option '--plans <value>' argument missing/)
    const bad = tessera('bench', 'simulator', '--plans', '0')
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--plans takes an integer from 1 to 1000000, got "0"/)
  })

  it('tessera demo: a positional is rejected by name (exit 2)', () => {
    const r = tessera('demo', 'extra')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^tessera demo: Unexpected argument 'extra'/)
  })

  it('tessera simulate: without --plan, the usage on stderr (exit 2)', () => {
    const r = tessera('simulate', '--scenario', 'x.json')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^usage: tessera simulate --scenario FILE --plan FILE/)
  })
})
