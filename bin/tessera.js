#!/usr/bin/env -S node --initial-heap-size=128
// Entry point: loads the Node 20 polyfills, registers the TypeScript loader, runs the CLI.
import '../src/polyfill.js'
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
await main(process.argv.slice(2))
