// Entry of every worker thread: the same polyfills and TypeScript loader as the main thread, then the
// job module named in workerData.
import '../../src/polyfill.js'
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.module)
