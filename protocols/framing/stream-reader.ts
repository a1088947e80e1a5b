// Reads bytes from a libp2p stream with backpressure: once more than `highWaterMark` bytes wait
// unread, the stream is paused (yamux stops granting window, so the sender's `send` returns false
// and it waits for 'drain'); it resumes when the reader catches up. The sender's memory is then
// bounded by its window plus whatever it chose to queue.
import { Uint8ArrayList } from 'uint8arraylist'
import { MalformedMessageError, MessageTooLargeError } from '../../src/errors.js'
import type { AbortOptions, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

/** Default bytes buffered before the stream is paused. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024

/** The largest receive window yamux may grant (its MAX_STREAM_WINDOW): what can arrive after a pause. */
const MAX_IN_FLIGHT = 16 * 1024 * 1024

export interface StreamReaderInit {
  /** Bytes buffered before the stream is paused (default 1 MiB). */
  highWaterMark?: number
  /** The protocol named in errors. */
  protocol: string
}

/** The stream ended before a whole message was read. */
export class UnexpectedEndError extends MalformedMessageError {
  static name = 'UnexpectedEndError'
}

export class StreamReader {
  private readonly stream: Stream
  private readonly buffer = new Uint8ArrayList()
  private readonly highWaterMark: number
  private readonly lowWaterMark: number
  readonly protocol: string
  private remoteEnded = false
  private error?: Error
  private wake?: { promise: Promise<void>, resolve: () => void, reject: (err: unknown) => void }
  private readonly onMessage: (evt: StreamMessageEvent) => void
  private readonly onEnd: () => void
  private readonly onClose: (evt: StreamCloseEvent) => void

  constructor (stream: Stream, init: StreamReaderInit) {
    this.stream = stream
    this.protocol = init.protocol
    this.highWaterMark = init.highWaterMark ?? DEFAULT_HIGH_WATER_MARK
    this.lowWaterMark = Math.floor(this.highWaterMark / 2)
    // what arrives after a pause must not overflow the stream's own buffer (it resets the stream)
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, MAX_IN_FLIGHT + this.highWaterMark)
    this.onMessage = (evt) => {
      this.buffer.append(evt.data)
      if (this.buffer.byteLength > this.highWaterMark && this.stream.readStatus === 'readable') {
        this.stream.pause()
      }
      this.notify()
    }
    this.onEnd = () => {
      this.remoteEnded = true
      this.notify()
    }
    this.onClose = (evt) => {
      this.remoteEnded = true
      if (evt.error != null) this.error = evt.error
      this.notify()
    }
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('remoteCloseWrite', this.onEnd)
    stream.addEventListener('close', this.onClose)
    // the remote may have finished before we attached; its bytes still wait in the stream's buffer
    if (stream.remoteWriteStatus !== 'writable' || stream.status !== 'open') this.remoteEnded = true
  }

  /** Bytes received and not yet read. */
  get buffered (): number {
    return this.buffer.byteLength
  }

  /** True once the remote closed its end and every byte was read. */
  get done (): boolean {
    return this.ended && this.buffer.byteLength === 0
  }

  /** No more bytes will arrive: the remote closed and the stream holds nothing undelivered. */
  private get ended (): boolean {
    return (this.remoteEnded && this.stream.readBufferLength === 0) || this.error != null
  }

  /** Exactly `n` bytes; throws UnexpectedEndError if the stream ends first. */
  async read (n: number, options?: AbortOptions): Promise<Uint8ArrayList> {
    await this.fill(n, options)
    if (this.buffer.byteLength < n) {
      throw this.endError(`stream ended after ${this.buffer.byteLength} of ${n} bytes`)
    }
    const out = this.buffer.sublist(0, n)
    this.consume(n)
    return out
  }

  /** Fills `target` from the stream, copying each chunk once. */
  async readInto (target: Uint8Array, options?: AbortOptions): Promise<void> {
    let offset = 0
    while (offset < target.byteLength) {
      await this.fill(1, options)
      if (this.buffer.byteLength === 0) {
        throw this.endError(`stream ended after ${offset} of ${target.byteLength} bytes`)
      }
      const take = Math.min(this.buffer.byteLength, target.byteLength - offset)
      // copy straight from the received chunks: subarray() would first join them into a new buffer
      for (const chunk of this.buffer.sublist(0, take)) {
        target.set(chunk, offset)
        offset += chunk.byteLength
      }
      this.consume(take)
    }
  }

  /**
   * One varint-length-prefixed message of at most `maxLength` bytes, or null when the stream ended
   * cleanly before its first byte.
   */
  async readLengthPrefixed (maxLength: number, options?: AbortOptions): Promise<Uint8ArrayList | null> {
    await this.fill(1, options)
    if (this.buffer.byteLength === 0) {
      if (this.error != null) throw this.endError(`stream failed: ${this.error.message}`)
      return null
    }
    let length = 0
    let shift = 0
    for (let i = 0; ; i++) {
      if (i >= 5) throw new MalformedMessageError(this.protocol, 'length prefix longer than 5 bytes')
      await this.fill(i + 1, options)
      if (this.buffer.byteLength < i + 1) throw this.endError('stream ended inside a length prefix')
      const byte = this.buffer.get(i)
      length += (byte & 0x7f) * 2 ** shift
      shift += 7
      if ((byte & 0x80) === 0) {
        this.consume(i + 1)
        break
      }
    }
    if (length > maxLength) {
      throw new MessageTooLargeError(this.protocol, `message of ${length} bytes exceeds the limit of ${maxLength}`)
    }
    return this.read(length, options)
  }

  /** Stops listening; unread bytes are dropped. */
  release (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('remoteCloseWrite', this.onEnd)
    this.stream.removeEventListener('close', this.onClose)
    this.buffer.consume(this.buffer.byteLength)
  }

  private consume (n: number): void {
    this.buffer.consume(n)
    if (this.buffer.byteLength <= this.lowWaterMark && this.stream.readStatus === 'paused') {
      this.stream.resume()
    }
  }

  private endError (detail: string): UnexpectedEndError {
    return new UnexpectedEndError(this.protocol, detail)
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.resolve()
  }

  /** Waits until `n` bytes are buffered or the stream ends. */
  private async fill (n: number, options?: AbortOptions): Promise<void> {
    while (this.buffer.byteLength < n && !this.ended) {
      options?.signal?.throwIfAborted()
      // a paused stream with too little buffered would never wake us
      if (this.stream.readStatus === 'paused') this.stream.resume()
      const wake = deferred()
      this.wake = wake
      if (options?.signal == null) {
        await wake.promise
      } else {
        const signal = options.signal
        const onAbort = (): void => { wake.reject(signal.reason) }
        signal.addEventListener('abort', onAbort, { once: true })
        try {
          await wake.promise
        } finally {
          signal.removeEventListener('abort', onAbort)
        }
      }
    }
    if (this.buffer.byteLength < n && this.error != null) {
      throw this.endError(`stream failed: ${this.error.message}`)
    }
  }
}

function deferred (): { promise: Promise<void>, resolve: () => void, reject: (err: unknown) => void } {
  let resolve!: () => void
  let reject!: (err: unknown) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}
