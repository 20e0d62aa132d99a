import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Version {
  wallTime: bigint
  logical: number
  writer: string
}

export namespace Version {
  let _codec: Codec<Version>

  export const codec = (): Codec<Version> => {
    if (_codec == null) {
      _codec = message<Version>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.wallTime != null && obj.wallTime !== 0n)) {
          w.uint32(8)
          w.uint64(obj.wallTime)
        }

        if ((obj.logical != null && obj.logical !== 0)) {
          w.uint32(16)
          w.uint32(obj.logical)
        }

        if ((obj.writer != null && obj.writer !== '')) {
          w.uint32(26)
          w.string(obj.writer)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          wallTime: 0n,
          logical: 0,
          writer: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.wallTime = reader.uint64()
              break
            }
            case 2: {
              obj.logical = reader.uint32()
              break
            }
            case 3: {
              obj.writer = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.wallTime`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.logical`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.writer`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface VersionWallTimeFieldEvent {
    field: '$.wallTime'
    value: bigint
  }

  export interface VersionLogicalFieldEvent {
    field: '$.logical'
    value: number
  }

  export interface VersionWriterFieldEvent {
    field: '$.writer'
    value: string
  }

  export function encode (obj: Partial<Version>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Version.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Version>): Version {
    return decodeMessage(buf, Version.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Version>): Generator<VersionWallTimeFieldEvent | VersionLogicalFieldEvent | VersionWriterFieldEvent> {
    return streamMessage(buf, Version.codec(), opts)
  }
}

export interface Record {
  key: Uint8Array<ArrayBuffer>
  value: Uint8Array<ArrayBuffer>
  version?: Version
  deleted: boolean
  expiresAt?: bigint
}

export namespace Record {
  let _codec: Codec<Record>

  export const codec = (): Codec<Record> => {
    if (_codec == null) {
      _codec = message<Record>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.value)
        }

        if (obj.version != null) {
          w.uint32(26)
          Version.codec().encode(obj.version, w)
        }

        if ((obj.deleted != null && obj.deleted !== false)) {
          w.uint32(32)
          w.bool(obj.deleted)
        }

        if (obj.expiresAt != null) {
          w.uint32(40)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          value: uint8ArrayAlloc(0),
          deleted: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.bytes()
              break
            }
            case 2: {
              obj.value = reader.bytes()
              break
            }
            case 3: {
              obj.version = Version.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.version
              })
              break
            }
            case 4: {
              obj.deleted = reader.bool()
              break
            }
            case 5: {
              obj.expiresAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * Version.codec().stream(reader, reader.uint32(), `${prefix}.version`, {
                limits: opts.limits?.version
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.deleted`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RecordKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecordValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecordVersionWallTimeFieldEvent {
    field: '$.version.wallTime'
    value: bigint
  }

  export interface RecordVersionLogicalFieldEvent {
    field: '$.version.logical'
    value: number
  }

  export interface RecordVersionWriterFieldEvent {
    field: '$.version.writer'
    value: string
  }

  export interface RecordDeletedFieldEvent {
    field: '$.deleted'
    value: boolean
  }

  export interface RecordExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<Record>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Record.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Record>): Record {
    return decodeMessage(buf, Record.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Record>): Generator<RecordKeyFieldEvent | RecordValueFieldEvent | RecordVersionWallTimeFieldEvent | RecordVersionLogicalFieldEvent | RecordVersionWriterFieldEvent | RecordDeletedFieldEvent | RecordExpiresAtFieldEvent> {
    return streamMessage(buf, Record.codec(), opts)
  }
}
